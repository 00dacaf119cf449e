#!/usr/bin/env python3
"""Builds tests/data/xmp-bomb: signed PDFs whose catalog /Metadata (XMP)
stream is a decompression bomb, and a control with the same XMP packet at
its honest size.

Independent tools only, never certcheck: cryptography (a small PKI),
reportlab (the page), python zlib (the compressed XMP), pyHanko (an
incremental update that adds the XMP stream with those bytes as its
encoded data, then the signature over it).

- xmp-control.pdf: the XMP packet (with xmp:CreateDate) compressed, a few
  hundred bytes; its date must be read.
- xmp-bomb.pdf: the same packet followed by 512 MiB of spaces, zlib level
  9 (about 500 KiB in the file).
- xmp-bomb-broken-header.pdf: the bomb with the zlib header's check bits
  broken, so zlib refuses it at once and a reader that falls back to raw
  deflate after the two-byte header (as lopdf does) inflates all of it.

Run with the project's venv:  /work/venv/bin/python tests/data/xmp-bomb/make.py
"""

import datetime as dt
import io
import json
import os
import zlib

from asn1crypto import keys as akeys
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfgen import canvas

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "keys")
TRUST = os.path.join(HERE, "trust")
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
BOMB_SIZE = 512 * 1024 * 1024
CREATE_DATE = "2026-11-28T07:15:09+08:00"
INFO_DATES = ["2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"]
XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
    f"<xmp:CreateDate>{CREATE_DATE}</xmp:CreateDate>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>\n"
).encode("utf-8")


def key(name):
    path = os.path.join(KEYS, f"{name}.key.pem")
    if os.path.exists(path):
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), None)
    k = rsa.generate_private_key(65537, 2048)
    os.makedirs(KEYS, exist_ok=True)
    with open(path, "wb") as f:
        f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))
    return k


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "XMP Bomb Test PKI"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(subject, k, issuer, ik, serial, ca):
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(k.public_key()).serial_number(serial)
            .not_valid_before(NOW - dt.timedelta(days=30))
            .not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=not ca,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ik.public_key()),
                           critical=False)
            .sign(ik, hashes.SHA256()))


def der(c):
    return c.public_bytes(serialization.Encoding.DER)


ROOT_K, SEAL_K = key("root"), key("seal")
ROOT = cert(name("XMP Bomb Test Root CA"), ROOT_K, name("XMP Bomb Test Root CA"), ROOT_K, 0x5801, True)
SEAL = cert(name("XMP Bomb Test Seal"), SEAL_K, ROOT.subject, ROOT_K, 0x5810, False)


def page():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    c.setFont("Helvetica", 14)
    c.drawString(72, 760, "A signed page whose XMP metadata is a decompression bomb.")
    c.showPage()
    c.save()
    return buf.getvalue()


def compressed_xmp(padding):
    z = zlib.compressobj(9)
    out = [z.compress(XMP)]
    chunk = b" " * (1024 * 1024)
    for _ in range(padding // len(chunk)):
        out.append(z.compress(chunk))
    out.append(z.flush())
    return b"".join(out)


def with_metadata(data, raw):
    """Adds the XMP stream in an incremental update written by pyHanko,
    with `raw` as the stream's encoded bytes. (qpdf always writes the
    catalog's XMP uncompressed, which would undo the bomb.)"""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = generic.StreamObject(
        generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Metadata"),
            generic.NameObject("/Subtype"): generic.NameObject("/XML"),
            generic.NameObject("/Filter"): generic.NameObject("/FlateDecode"),
        }),
        encoded_data=raw)
    w.root[generic.NameObject("/Metadata")] = w.add_object(meta)
    w.update_root()
    # pyHanko rewrites the catalog's XMP with its own on every write (and
    # would parse the bomb to do so); the file must keep this one.
    w._update_meta = lambda: None
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def sign(data):
    s = signers.SimpleSigner(
        signing_cert=ax509.Certificate.load(der(SEAL)),
        signing_key=akeys.PrivateKeyInfo.load(SEAL_K.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs([ax509.Certificate.load(der(ROOT))]),
        embed_roots=True)
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    # pyHanko rewrites the catalog's XMP with its own on every write (and
    # would parse the bomb to do so); the signed revision must keep ours.
    w._update_meta = lambda: None
    meta = signers.PdfSignatureMetadata(field_name="Signature1", md_algorithm="sha256",
                                        subfilter=sigfields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(w, meta, signer=s, existing_fields_only=False).getvalue()


def main():
    os.makedirs(TRUST, exist_ok=True)
    with open(os.path.join(TRUST, "root-ca.pem"), "wb") as f:
        f.write(ROOT.public_bytes(serialization.Encoding.PEM))
    control = zlib.compress(XMP, 9)
    bomb = compressed_xmp(BOMB_SIZE)
    broken = bytearray(bomb)
    broken[1] ^= 0x01  # FCHECK no longer makes the header a multiple of 31
    assert (broken[0] * 256 + broken[1]) % 31 != 0
    files = {
        "xmp-control.pdf": (control, "the XMP packet at its honest size: its CreateDate is read"),
        "xmp-bomb.pdf": (bomb, "the XMP packet plus 512 MiB of spaces, zlib level 9: refused "
                               "by the bounded decoder, no date read, no large allocation"),
        "xmp-bomb-broken-header.pdf": (bytes(broken), "the bomb with a broken zlib header, "
                                       "which lopdf would inflate in full as raw deflate: "
                                       "refused the same way"),
    }
    entries = []
    for fname, (raw, why) in files.items():
        pdf = sign(with_metadata(page(), raw))
        with open(os.path.join(HERE, fname), "wb") as f:
            f.write(pdf)
        entries.append({
            "file": fname,
            "verdict": "authentic",
            # The Info dictionary's /CreationDate and /ModDate (reportlab's
            # invariant mode), then the XMP's date where it can be read.
            "document_dates": INFO_DATES + ([CREATE_DATE] if raw is control else []),
            "metadata_stream_bytes": len(raw),
            "xmp_decoded_bytes": len(XMP) + (BOMB_SIZE if raw is not control else 0),
            "description": why,
        })
    manifest = {
        "set": "xmp-bomb",
        "built_at": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "how_built": "tests/data/xmp-bomb/make.py (cryptography PKI, reportlab page, python zlib "
                     "XMP, pyHanko raw stream update and PAdES signature)",
        "trust": {"anchors": ["root-ca.pem"], "intermediates": []},
        "files": entries,
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
