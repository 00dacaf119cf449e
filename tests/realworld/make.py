#!/usr/bin/env python3
"""Builds tests/realworld: signed PDFs shaped like the ones real signing
software writes (PAdES B-LT / B-LTA long-term-validation updates, several
signatures) and their negative twins (an LTV update that also changes the
page, attached or empty eContent, misplaced algorithm identifiers).

Independent tools only, never certcheck: cryptography (PKI, CRL, OCSP,
re-signing), reportlab (the page), pyHanko (signing, DSS, document
timestamps with its own DummyTimeStamper), asn1crypto (re-encoding CMS).

Run with the project's venv:  /work/venv/bin/python tests/realworld/make.py
"""

import datetime as dt
import io
import json
import os
import re

from asn1crypto import cms as acms
from asn1crypto import crl as acrl
from asn1crypto import keys as akeys
from asn1crypto import ocsp as aocsp
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.pdfgen import canvas

HERE = os.path.dirname(os.path.abspath(__file__))
TRUST = os.path.join(HERE, "trust")
KEYS = os.path.join(HERE, "keys")
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
FROM = NOW - dt.timedelta(days=30)
TO = NOW + dt.timedelta(days=3650)


# ---------------------------------------------------------------- PKI
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
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Realworld Test PKI"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(subject, k, issuer, ik, serial, ca, eku=None):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(k.public_key()).serial_number(serial)
         .not_valid_before(FROM).not_valid_after(TO)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=not ca,
                                      key_encipherment=False, data_encipherment=False,
                                      key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                      encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ik.public_key()),
                        critical=False))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return b.sign(ik, hashes.SHA256())


def der(c):
    return c.public_bytes(serialization.Encoding.DER)


def asn_cert(c):
    return ax509.Certificate.load(der(c))


def asn_key(k):
    return akeys.PrivateKeyInfo.load(k.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


ROOT_K, SEAL_K, SEAL2_K, TSA_K = key("root"), key("seal"), key("seal2"), key("tsa")
ROOT = cert(name("Realworld Test Root CA"), ROOT_K, name("Realworld Test Root CA"), ROOT_K, 0x7701, True)
SEAL = cert(name("Realworld Issuing Office Seal"), SEAL_K, ROOT.subject, ROOT_K, 0x7710, False)
SEAL2 = cert(name("Realworld Second Approver"), SEAL2_K, ROOT.subject, ROOT_K, 0x7711, False)
TSA = cert(name("Realworld Test TSA"), TSA_K, ROOT.subject, ROOT_K, 0x7720, False,
           [x509.oid.ExtendedKeyUsageOID.TIME_STAMPING])

CRL = (x509.CertificateRevocationListBuilder().issuer_name(ROOT.subject)
       .last_update(NOW - dt.timedelta(hours=1)).next_update(NOW + dt.timedelta(days=7))
       .sign(ROOT_K, hashes.SHA256()))


def ocsp_for(c):
    return (ocsp.OCSPResponseBuilder()
            .add_response(cert=c, issuer=ROOT, algorithm=hashes.SHA1(), cert_status=ocsp.OCSPCertStatus.GOOD,
                          this_update=NOW - dt.timedelta(hours=1), next_update=NOW + dt.timedelta(days=7),
                          revocation_time=None, revocation_reason=None)
            .responder_id(ocsp.OCSPResponderEncoding.HASH, ROOT)
            .sign(ROOT_K, hashes.SHA256()))


def revinfo():
    return dict(certs=[asn_cert(ROOT), asn_cert(SEAL), asn_cert(TSA)],
                ocsps=[aocsp.OCSPResponse.load(ocsp_for(SEAL).public_bytes(serialization.Encoding.DER))],
                crls=[acrl.CertificateList.load(CRL.public_bytes(serialization.Encoding.DER))])


def signer(c=SEAL, k=SEAL_K):
    return signers.SimpleSigner(signing_cert=asn_cert(c), signing_key=asn_key(k),
                                cert_registry=SimpleCertificateStore.from_certs([asn_cert(ROOT)]),
                                embed_roots=True)


def timestamper():
    return DummyTimeStamper(tsa_cert=asn_cert(TSA), tsa_key=asn_key(TSA_K),
                            certs_to_embed=SimpleCertificateStore.from_certs([asn_cert(ROOT)]))


# ---------------------------------------------------------------- PDFs
def page(second_field=False):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    c.setTitle("Realworld sample")
    c.setFont("Helvetica", 14)
    c.drawString(72, 760, "Sample document for long-term validation tests.")
    c.drawString(72, 730, "This page is what the signer signed.")
    c.showPage()
    c.save()
    data = buf.getvalue()
    if second_field:
        w = IncrementalPdfFileWriter(io.BytesIO(data))
        sigfields.append_signature_field(w, sigfields.SigFieldSpec("Approval", box=(0, 0, 0, 0)))
        out = io.BytesIO()
        w.write(out)
        data = out.getvalue()
    return data


def sign(data, field="Signature1", s=None, subfilter=sigfields.SigSeedSubFilter.PADES, reserve=None, **kw):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256", subfilter=subfilter, **kw)
    out = signers.sign_pdf(w, meta, signer=s or signer(), existing_fields_only=False,
                           bytes_reserved=reserve)
    return out.getvalue()


def last_contents(data):
    m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))[-1]
    a, b, c, d = (int(x) for x in m.groups())
    return a + b, c, data[a + b + 1:c - 1]


def add_dss(data, at_index=-1):
    """A later revision with a /DSS (Certs, OCSPs, CRLs, VRI) for the
    signature at `at_index`, by pyHanko's DocumentSecurityStore."""
    m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))[at_index]
    a, b, c, d = (int(x) for x in m.groups())
    contents = bytes.fromhex(data[a + b + 1:c - 1].decode())
    buf = io.BytesIO(data)
    DocumentSecurityStore.add_dss(buf, contents, **revinfo())
    return buf.getvalue()


def doc_timestamp(data, field="DocTimeStamp1"):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    out = signers.PdfTimeStamper(timestamper(), field_name=field).timestamp_pdf(
        w, md_algorithm="sha256", in_place=False)
    return out.getvalue()


def dss_and(data, change):
    """One revision that adds a DSS and, in the same update, `change`."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    certs = generic.ArrayObject([w.add_object(generic.StreamObject(stream_data=der(c))) for c in (ROOT, SEAL)])
    dss = generic.DictionaryObject({generic.NameObject("/Certs"): certs})
    w.root[generic.NameObject("/DSS")] = w.add_object(dss)
    w.update_root()
    pg = w.root["/Pages"]["/Kids"][0]
    pg_obj = pg.get_object()
    if change == "content":
        extra = w.add_object(generic.StreamObject(
            stream_data=b"BT /F1 14 Tf 72 700 Td (Grade: EXCELLENT - added after signing) Tj ET"))
        old = pg_obj["/Contents"]
        arr = generic.ArrayObject(list(old) if isinstance(old, generic.ArrayObject) else [old])
        arr.append(extra)
        pg_obj[generic.NameObject("/Contents")] = arr
    else:
        annot = w.add_object(generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
            generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(x) for x in (70, 690, 400, 715)]),
            generic.NameObject("/Contents"): generic.TextStringObject("Grade: EXCELLENT"),
            generic.NameObject("/DA"): generic.TextStringObject("/Helv 14 Tf 0 g"),
        }))
        annots = pg_obj.get("/Annots")
        arr = generic.ArrayObject(list(annots) if annots is not None else [])
        arr.append(annot)
        pg_obj[generic.NameObject("/Annots")] = arr
    w.update_container(pg_obj)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def recms(data, edit):
    """Re-encodes the last signature's CMS with `edit` (asn1crypto), in the
    same /Contents slot; the signed attributes and signature value are kept,
    so the signature still verifies over them."""
    start, hexed = last_contents(data)[0], last_contents(data)[2]
    raw = bytes.fromhex(hexed.decode())
    ci = acms.ContentInfo.load(raw.rstrip(b"\0") if False else raw)
    ci = acms.ContentInfo.load(ci.dump())
    edit(ci["content"], data)
    new = ci.dump(force=False).hex().encode()
    assert len(new) <= len(hexed), "reserve more room for the CMS"
    new = new + b"0" * (len(hexed) - len(new))
    return data[:start + 1] + new + data[start + 1 + len(hexed):]


def signed_bytes(data):
    m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))[-1]
    a, b, c, d = (int(x) for x in m.groups())
    return data[a:a + b] + data[c:c + d]


def attach(sd, data):
    sd["encap_content_info"] = acms.ContentInfo(
        {"content_type": "data", "content": signed_bytes(data)})


def attach_empty(sd, data):
    sd["encap_content_info"] = acms.ContentInfo({"content_type": "data", "content": b""})


def digest_is_sig_oid(sd, data):
    si = sd["signer_infos"][0]
    si["digest_algorithm"] = acms.DigestAlgorithm({"algorithm": "1.2.840.113549.1.1.11"})
    sd["digest_algorithms"] = acms.DigestAlgorithms([acms.DigestAlgorithm({"algorithm": "1.2.840.113549.1.1.11"})])


def sig_is_digest_oid(sd, data):
    si = sd["signer_infos"][0]
    si["signature_algorithm"] = acms.SignedDigestAlgorithm({"algorithm": "2.16.840.1.101.3.4.2.1"})


def contradictory(sd, data):
    si = sd["signer_infos"][0]
    # sha512WithRSAEncryption over a SHA-256 digestAlgorithm.
    si["signature_algorithm"] = acms.SignedDigestAlgorithm({"algorithm": "1.2.840.113549.1.1.13"})


# ---------------------------------------------------------------- build
def main():
    os.makedirs(TRUST, exist_ok=True)
    with open(os.path.join(TRUST, "root-ca.pem"), "wb") as f:
        f.write(ROOT.public_bytes(serialization.Encoding.PEM))
    files = []

    def put(fname, data, verdict, case, description, expect_reasons=(), also=()):
        with open(os.path.join(HERE, fname), "wb") as f:
            f.write(data)
        e = {"file": fname, "verdict": verdict, "also_acceptable": list(also), "case": case,
             "description": description, "fields": None}
        if expect_reasons:
            e["expect_reasons"] = list(expect_reasons)
        files.append(e)

    base = page()
    signed = sign(base)
    blt = add_dss(signed)
    put("authentic-pades-b-lt-dss.pdf", blt, "authentic", "b-lt",
        "PAdES B-B signature, then a later revision adding /DSS with /Certs, /OCSPs, /CRLs and /VRI "
        "(pyHanko DocumentSecurityStore.add_dss): validation data only, benign.",
        ["benign_update"])
    blta = doc_timestamp(blt)
    put("authentic-pades-b-lta.pdf", blta, "authentic", "b-lta",
        "B-LT, then a document timestamp (ETSI.RFC3161, pyHanko PdfTimeStamper with DummyTimeStamper, "
        "TSA under the trusted root) over the DSS.", ["benign_update"])
    two = doc_timestamp(add_dss(blta), field="DocTimeStamp2")
    put("authentic-pades-lta-two-rounds.pdf", two, "authentic", "lta-two-rounds",
        "Two LTA rounds: DSS, timestamp, DSS again (for the timestamp), second timestamp.",
        ["benign_update"])
    second = sign(add_dss(sign(page(second_field=True))), field="Approval",
                  s=signer(SEAL2, SEAL2_K))
    put("authentic-second-signature-after-dss.pdf", second, "authentic", "second-after-dss",
        "A signature, a DSS update, then a second signature filling the empty field 'Approval' "
        "(made before the first signature).", ["benign_update"])
    put("altered-dss-update-with-page-content.pdf", dss_and(signed, "content"), "altered",
        "dss-plus-content",
        "A revision that adds a /DSS and in the same update appends a content stream to the page: "
        "the DSS is benign, the content is not.", ["modified_after_signing"])
    put("altered-dss-update-with-annotation.pdf", dss_and(signed, "annot"), "altered",
        "dss-plus-annotation",
        "A revision that adds a /DSS and in the same update a FreeText annotation over the page.",
        ["modified_after_signing"])

    roomy = sign(base, subfilter=sigfields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED, reserve=16384)
    put("invalid-cms-attached-econtent.pdf", recms(roomy, attach), "invalid", "attached-cms",
        "adbe.pkcs7.detached, but the CMS re-encoded (asn1crypto) to carry the signed bytes as eContent: "
        "an attached CMS where ISO 32000-2 requires detached.", ["cms_not_detached"])
    put("invalid-cms-empty-econtent.pdf", recms(roomy, attach_empty), "invalid", "empty-econtent",
        "The CMS re-encoded with an empty eContent present: it signs nothing of the document.",
        ["cms_not_detached"])
    put("invalid-digest-alg-is-signature-oid.pdf", recms(roomy, digest_is_sig_oid), "invalid",
        "digest-alg-sig-oid",
        "The SignerInfo's digestAlgorithm is sha256WithRSAEncryption (1.2.840.113549.1.1.11) instead of "
        "sha256; everything else as signed.", ["algorithm_misplaced"])
    put("invalid-signature-alg-is-digest-oid.pdf", recms(roomy, sig_is_digest_oid), "invalid",
        "sig-alg-digest-oid",
        "The SignerInfo's signatureAlgorithm is the bare digest OID sha256 (2.16.840.1.101.3.4.2.1).",
        ["algorithm_misplaced"])
    put("invalid-contradictory-algorithms.pdf", recms(roomy, contradictory), "invalid",
        "contradictory-algs",
        "signatureAlgorithm sha512WithRSAEncryption over digestAlgorithm sha256: they contradict.",
        ["algorithm_misplaced"])

    manifest = {"set": "realworld", "built_at": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "how_built": "tests/realworld/make.py (cryptography PKI/CRL/OCSP, reportlab page, pyHanko "
                             "signing/DSS/DummyTimeStamper, asn1crypto CMS re-encoding)",
                "trust": {"anchors": ["root-ca.pem"], "intermediates": []}, "files": files}
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
