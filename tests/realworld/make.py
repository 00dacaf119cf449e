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


def sign(data, field="Signature1", s=None, subfilter=sigfields.SigSeedSubFilter.PADES, reserve=None,
         strict=True, **kw):
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=strict)
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256", subfilter=subfilter, **kw)
    out = signers.sign_pdf(w, meta, signer=s or signer(), existing_fields_only=False,
                           bytes_reserved=reserve)
    return out.getvalue()


def last_contents(data):
    m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))[-1]
    a, b, c, d = (int(x) for x in m.groups())
    return a + b, c, data[a + b + 1:c - 1]


def add_dss(data, at_index=-1, strict=True):
    """A later revision with a /DSS (Certs, OCSPs, CRLs, VRI) for the
    signature at `at_index`, by pyHanko's DocumentSecurityStore."""
    m = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))[at_index]
    a, b, c, d = (int(x) for x in m.groups())
    contents = bytes.fromhex(data[a + b + 1:c - 1].decode())
    buf = io.BytesIO(data)
    DocumentSecurityStore.add_dss(buf, contents, strict=strict, **revinfo())
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


# ---------------------------------------------------------------- form over form
def form_over_form(with_approval=False):
    """A page with a text field "Grade" (value EXCELLENT) whose widget is
    painted over by the widget of a read-only field "Remark", listed after
    it in /Annots (so drawn on top), whose opaque appearance shows
    "Grade: PASS". What the signer sees is PASS. Built with pikepdf."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    pdf = pikepdf.open(io.BytesIO(page()))
    pg = pdf.pages[0].obj
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))

    def ap(content, w, h):
        return pdf.make_stream(content, Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, w, h]),
                               Resources=Dictionary(Font=Dictionary(Helv=font)))

    grade = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("Grade"), V=String("EXCELLENT"),
        Rect=Array([72, 600, 300, 630]), F=4, P=pg, DA=String("/Helv 14 Tf 0 g"),
        AP=Dictionary(N=ap(b"/Tx BMC BT /Helv 14 Tf 0 g 4 9 Td (Grade: EXCELLENT) Tj ET EMC", 228, 30))))
    remark = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("Remark"), V=String("Grade: PASS"),
        Ff=1, Rect=Array([68, 596, 304, 634]), F=4, P=pg, DA=String("/Helv 14 Tf 0 g"),
        AP=Dictionary(N=ap(b"1 g 0 0 236 38 re f /Tx BMC BT /Helv 14 Tf 0 g 8 13 Td (Grade: PASS) Tj ET EMC",
                           236, 38))))
    annots = [grade, remark]
    fields = [grade, remark]
    if with_approval:
        approval = pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Widget, FT=Name.Sig, T=String("Approval"),
            Rect=Array([0, 0, 0, 0]), F=132, P=pg))
        annots.append(approval)
        fields.append(approval)
    pg.Annots = Array(annots)
    pdf.Root.AcroForm = Dictionary(Fields=Array(fields), DA=String("/Helv 0 Tf 0 g"),
                                   DR=Dictionary(Font=Dictionary(Helv=font)))
    out = io.BytesIO()
    pdf.save(out, static_id=True)
    return out.getvalue()


def objnum_of_field(data, title):
    """The object number of the widget whose /T is `title` and of its
    normal appearance stream (read with pikepdf)."""
    import pikepdf
    pdf = pikepdf.open(io.BytesIO(data))
    for a in pdf.pages[0].obj.Annots:
        if str(a.get("/T", "")) == title:
            return a.objgen[0], a.AP.N.objgen[0]
    raise KeyError(title)


def unlist_widget(data, title):
    """An incremental update (pyHanko) that takes the widget titled
    `title` out of the page's /Annots and the form's /Fields."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    pg = w.root["/Pages"]["/Kids"][0].get_object()
    keep = generic.ArrayObject([a for a in pg["/Annots"] if a.get_object().get("/T") != title])
    pg[generic.NameObject("/Annots")] = keep
    w.update_container(pg)
    form = w.root["/AcroForm"]
    form[generic.NameObject("/Fields")] = generic.ArrayObject(
        [f for f in form["/Fields"] if f.get_object().get("/T") != title])
    if isinstance(w.root.raw_get("/AcroForm"), generic.IndirectObject):
        w.update_container(form)
    else:
        w.update_root()
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- xref shapes
def hybrid(data):
    """The document re-saved by qpdf with object streams, then given a
    hybrid-reference index by hand as Acrobat writes one: a classic xref
    table for the uncompressed objects, whose trailer's /XRefStm points at
    the cross-reference stream that holds the compressed ones."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.pdf"), os.path.join(tmp, "out.pdf")
        with open(src, "wb") as f:
            f.write(data)
        subprocess.run(["qpdf", "--object-streams=generate", "--static-id", src, dst], check=True)
        with open(dst, "rb") as f:
            x = f.read()
        shown = subprocess.run(["qpdf", "--show-xref", dst], check=True, capture_output=True).stdout.decode()
    uncompressed = {}
    for line in shown.splitlines():
        m = re.match(r"(\d+)/(\d+): uncompressed; offset = (\d+)", line)
        if m:
            uncompressed[int(m.group(1))] = (int(m.group(3)), int(m.group(2)))
    sx = x.rindex(b"startxref")
    xrefstm = int(re.findall(rb"startxref\s+(\d+)", x)[-1])
    stm_dict = x[xrefstm:x.index(b"stream", xrefstm)]
    size = int(re.search(rb"/Size (\d+)", stm_dict).group(1))
    root = re.search(rb"/Root (\d+ \d+ R)", stm_dict).group(1)
    ident = re.search(rb"/ID \[\s*<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*\]", stm_dict)
    out = bytearray(x[:sx])
    table = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(uncompressed):
        off, gen = uncompressed[num]
        out += b"%d 1\n%010d %05d n \n" % (num, off, gen)
    out += b"trailer\n<< /Size %d /Root %s /XRefStm %d" % (size, root, xrefstm)
    if ident:
        out += b" /ID [<%s> <%s>]" % (ident.group(1), ident.group(2))
    out += b" >>\nstartxref\n%d\n%%%%EOF\n" % table
    return bytes(out)


def lenient_offsets(data, by=-1, only=None):
    """The in-use offsets of the (single, classic) xref table moved by `by`
    bytes (all of them, or the object numbers in `only`): wrong as
    written, found a few bytes away by every reader."""
    start = data.rindex(b"\nxref") + 1
    end = data.index(b"trailer", start)
    first = int(re.match(rb"xref\s+(\d+)", data[start:]).group(1))
    seen = [first - 1]

    def shift(m):
        seen[0] += 1
        if only is not None and seen[0] not in only:
            return m.group(0)
        return b"%010d %s n" % (int(m.group(1)) + by, m.group(2))

    table = re.sub(rb"(\d{10}) (\d{5}) [nf]", lambda m: shift(m) if m.group(0).endswith(b"n")
                   else (seen.__setitem__(0, seen[0] + 1) or m.group(0)), data[start:end])
    return data[:start] + table + data[end:]


def page_content_objects(data):
    """The object numbers of the page's content stream and its font."""
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pg = pdf.pages[0].obj
        return {pg.Contents.objgen[0]} | {f.objgen[0] for f in pg.Resources.Font.values()}


# ---------------------------------------------------------------- CMS encodings
def tlv(b, i=0):
    """One DER TLV at b[i]: (tag bytes, content, end)."""
    t0 = i
    i += 1
    if b[t0] & 0x1F == 0x1F:
        while b[i] & 0x80:
            i += 1
        i += 1
    tag = b[t0:i]
    n = b[i]
    i += 1
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    return tag, b[i:i + n], i + n


def children(content):
    out, i = [], 0
    while i < len(content):
        tag, _, end = tlv(content, i)
        out.append(content[i:end])
        i = end
    return out


def indefinite(tag, parts):
    """A constructed BER element with indefinite length."""
    return tag + b"\x80" + b"".join(parts) + b"\x00\x00"


def ber_cms(raw):
    """The CMS re-encoded in BER with indefinite lengths, as older signing
    software writes it: ContentInfo, its [0], SignedData, its SETs, the
    encapsulated content info, the certificate set and each SignerInfo.
    What is signed keeps its DER (certificates, signedAttrs)."""
    tag, ci, _ = tlv(raw)
    oid, wrapped = children(ci)
    wtag, sd_el, _ = tlv(wrapped)
    sdtag, sd, _ = tlv(sd_el)
    parts = []
    items = children(sd)
    for n, el in enumerate(items):
        t, c, _ = tlv(el)
        if n == len(items) - 1:  # signerInfos
            infos = [indefinite(b"\x30", children(tlv(si)[1])) for si in children(c)]
            parts.append(indefinite(t, infos))
        elif t in (b"\x31", b"\x30", b"\xa0"):  # digestAlgorithms, encapContentInfo, certificates
            parts.append(indefinite(t, children(c)))
        else:
            parts.append(el)
    return indefinite(tag, [oid, indefinite(wtag, [indefinite(sdtag, parts)])])


def replace_cms(data, new):
    start, _, hexed = last_contents(data)
    new = new.hex().encode()
    assert len(new) <= len(hexed), "reserve more room for the CMS"
    new = new + b"0" * (len(hexed) - len(new))
    return data[:start + 1] + new + data[start + 1 + len(hexed):]


def last_cms(data):
    return bytes.fromhex(last_contents(data)[2].decode())


def flip_signature(raw):
    """The same CMS with one bit of the signature value flipped."""
    ci = acms.ContentInfo.load(raw)
    si = ci["content"]["signer_infos"][0]
    sig = bytearray(si["signature"].native)
    sig[len(sig) // 2] ^= 0x01
    si["signature"] = bytes(sig)
    return ci.dump(force=True)


def pss_over_other_hash(sd, data):
    """Re-signs the signed attributes with RSASSA-PSS over SHA-512 (MGF1
    SHA-512, salt 64) and says so in the parameters, while the
    digestAlgorithm (and the messageDigest attribute) stay SHA-256: a
    mathematically valid signature whose identifiers contradict."""
    from cryptography.hazmat.primitives.asymmetric import padding
    si = sd["signer_infos"][0]
    attrs = bytearray(si["signed_attrs"].dump())
    attrs[0] = 0x31
    sig = SEAL_K.sign(bytes(attrs), padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64),
                      hashes.SHA512())
    si["signature_algorithm"] = acms.SignedDigestAlgorithm({
        "algorithm": "rsassa_pss",
        "parameters": akeys.RSASSAPSSParams({
            "hash_algorithm": {"algorithm": "sha512"},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha512"}},
            "salt_length": 64, "trailer_field": "trailer_field_bc"})})
    si["signature"] = sig


# ---------------------------------------------------------------- certification
class UncheckedSigner(signers.PdfSigner):
    """pyHanko's signer without its own DocMDP check, to write the update
    a P=1 certification forbids (as a careless or hostile tool would)."""

    def _enforce_certification_constraints(self, reader):
        return None


def sign_unchecked(data, field, s):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256",
                                        subfilter=sigfields.SigSeedSubFilter.PADES)
    return UncheckedSigner(meta, signer=s).sign_pdf(w, existing_fields_only=False).getvalue()


def drop_perms(data):
    """An update (pyHanko incremental writer) that removes /Perms, the
    certification, from the catalog."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    del w.root["/Perms"]
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def hand_update(data, objects):
    """Appends a hand-written incremental update: `objects` maps an object
    number to its new body (bytes, generation 0) or to None to free it.
    Classic xref section and trailer, /Prev to the last one."""
    import pikepdf
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.objgen
        info = pdf.trailer.get("/Info")
        info = info.objgen if info is not None else None
        size = int(pdf.trailer.Size)
        ident = pdf.trailer.get("/ID")
        id_hex = [bytes(x).hex() for x in ident] if ident is not None else None
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    offsets = {}
    for num, body in sorted(objects.items()):
        if body is not None:
            offsets[num] = len(out)
            out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(objects):
        if objects[num] is None:
            out += b"%d 1\n0000000000 00001 f \n" % num
        else:
            out += b"%d 1\n%010d 00000 n \n" % (num, offsets[num])
    size = max([size] + [n + 1 for n in objects])
    trailer = b"<< /Size %d /Root %d %d R /Prev %d" % (size, root[0], root[1], prev)
    if info:
        trailer += b" /Info %d %d R" % info
    if id_hex:
        trailer += b" /ID [<%s> <%s>]" % (id_hex[0].encode(), id_hex[1].encode())
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def hybrid_update(data, compressed, uncompressed=None, stream_offsets=None):
    """Appends a hand-written incremental update in hybrid-reference form,
    as Acrobat writes one: the new uncompressed objects and an object stream
    listed in a classic xref table whose trailer's /XRefStm points at a
    cross-reference stream listing the objects compressed in that object
    stream (type 2). Readers that honour /XRefStm (Acrobat, pdf.js, qpdf,
    poppler) read `compressed` from the object stream. `stream_offsets`:
    uncompressed objects listed (type 1) only in the cross-reference stream,
    not in the table."""
    import pikepdf
    uncompressed = uncompressed or {}
    stream_offsets = stream_offsets or {}
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.objgen
        info = pdf.trailer.get("/Info")
        info = info.objgen if info is not None else None
        size = int(pdf.trailer.Size)
        ident = pdf.trailer.get("/ID")
        id_hex = [bytes(x).hex() for x in ident] if ident is not None else None
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    nums = set(compressed) | set(uncompressed) | set(stream_offsets)
    stm_num = max([size] + [n + 1 for n in nums])
    xref_num = stm_num + 1
    table, hidden = {}, {}
    for objs, where in ((uncompressed, table), (stream_offsets, hidden)):
        for num, body in sorted(objs.items()):
            where[num] = len(out)
            out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    index = {}
    if compressed:
        head, bodies = b"", b""
        for i, (num, body) in enumerate(sorted(compressed.items())):
            head += b"%d %d " % (num, len(bodies))
            bodies += body + b"\n"
            index[num] = i
        content = head + b"\n" + bodies
        table[stm_num] = len(out)
        out += (b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n"
                % (stm_num, len(compressed), len(head) + 1, len(content)) + content + b"\nendstream\nendobj\n")
    rows, idx = b"", []
    for num in sorted(set(compressed) | set(hidden)):
        if num in compressed:
            rows += bytes([2]) + stm_num.to_bytes(4, "big") + index[num].to_bytes(2, "big")
        else:
            rows += bytes([1]) + hidden[num].to_bytes(4, "big") + (0).to_bytes(2, "big")
        idx += [num, 1]
    new_size = xref_num + 1
    table[xref_num] = xref_off = len(out)
    out += (b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%s] /Length %d >>\nstream\n"
            % (xref_num, new_size, b" ".join(b"%d" % i for i in idx), len(rows)) + rows
            + b"\nendstream\nendobj\n")
    at = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for num in sorted(table):
        out += b"%d 1\n%010d 00000 n \n" % (num, table[num])
    trailer = b"<< /Size %d /Root %d %d R /Prev %d /XRefStm %d" % (new_size, root[0], root[1], prev, xref_off)
    if info:
        trailer += b" /Info %d %d R" % info
    if id_hex:
        trailer += b" /ID [<%s> <%s>]" % (id_hex[0].encode(), id_hex[1].encode())
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % at
    return bytes(out)


def page_and_catalog(data):
    """(page object number, its dictionary as PDF source, its /Contents
    reference, catalog number, catalog source, /Size), read by pikepdf."""
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pg = pdf.pages[0].obj
        return (pg.objgen[0], pg.unparse(resolved=True), b"%d %d R" % pdf.pages[0].Contents.objgen,
                pdf.Root.objgen[0], pdf.Root.unparse(resolved=True), int(pdf.trailer.Size))


def hybrid_page_change(data, hidden_uncompressed=False):
    """A hybrid-reference update after signing that appends a content stream
    to the page: the new page dictionary sits in the object stream (or, with
    `hidden_uncompressed`, uncompressed but listed only in the XRefStm),
    so a reader of the classic table alone still sees the signed page."""
    pnum, page_src, cref, _, _, size = page_and_catalog(data)
    extra = size + 5
    body = b"BT /F1 14 Tf 72 700 Td (Grade: EXCELLENT - added after signing) Tj ET"
    new_page = re.sub(rb"/Contents\s+\d+\s+\d+\s+R", b"/Contents [" + cref + b" %d 0 R]" % extra, page_src)
    assert new_page != page_src
    stream = b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream"
    if hidden_uncompressed:
        return hybrid_update(data, {}, {extra: stream}, stream_offsets={pnum: new_page})
    return hybrid_update(data, {pnum: new_page}, {extra: stream})


def hybrid_dss(data):
    """A hybrid-reference update after signing that adds only a /DSS: the
    catalog (with /DSS) and the DSS dictionary in the object stream, the
    certificate streams uncompressed."""
    _, _, _, cnum, cat_src, size = page_and_catalog(data)
    dss, c1, c2 = size + 5, size + 6, size + 7
    certs = {n: b"<< /Length %d >>\nstream\n" % len(der(c)) + der(c) + b"\nendstream"
             for n, c in ((c1, ROOT), (c2, SEAL))}
    new_cat = cat_src.rstrip()[:-2] + b" /DSS %d 0 R >>" % dss
    return hybrid_update(data, {cnum: new_cat, dss: b"<< /Certs [%d 0 R %d 0 R] >>" % (c1, c2)}, certs)


def covered_text_page():
    """A page whose line "Remark: this certificate was revoked." is painted
    over, before signing, by a Square annotation with an opaque white
    appearance reading "Remark: none" (pikepdf): the signer sees the
    annotation, not the line under it."""
    import pikepdf
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842), invariant=1)
    c.setTitle("Realworld sample")
    c.setFont("Helvetica", 14)
    c.drawString(72, 760, "Sample document for long-term validation tests.")
    c.drawString(72, 650, "Remark: this certificate was revoked.")
    c.showPage()
    c.save()
    with pikepdf.open(io.BytesIO(buf.getvalue())) as pdf:
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        ap = pikepdf.Stream(pdf, b"1 1 1 rg 0 0 320 26 re f 0 0 0 rg BT /Helv 14 Tf 2 8 Td (Remark: none) Tj ET")
        ap.Type = pikepdf.Name.XObject
        ap.Subtype = pikepdf.Name.Form
        ap.BBox = [0, 0, 320, 26]
        ap.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=font))
        annot = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Square, Rect=[68, 642, 388, 668], F=4,
            C=[1, 1, 1], IC=[1, 1, 1], AP=pikepdf.Dictionary(N=pdf.make_indirect(ap))))
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([annot]))
        out = io.BytesIO()
        pdf.save(out, static_id=True)
        return out.getvalue()


def covering_annotation(data):
    """(annotation object number, appearance object number) of the Square."""
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for a in pdf.pages[0].obj.Annots:
            if a.get("/Subtype") == pikepdf.Name.Square:
                return a.objgen[0], a.AP.N.objgen[0]
    raise ValueError("no Square annotation")


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

    fof = sign(form_over_form())
    remark, remark_ap = objnum_of_field(fof, "Remark")
    put("altered-shadow-hide-covering-widget-freed.pdf", hand_update(fof, {remark: None, remark_ap: None}),
        "altered", "shadow-hide-freed",
        "Form over form: the signed revision shows the read-only field 'Remark' (an opaque box reading "
        "'Grade: PASS') painted over the field 'Grade' (value EXCELLENT). A hand-written update frees the "
        "covering widget and its appearance in the xref, revealing 'Grade'.",
        ["modified_after_signing", "shadow_attack"])
    blank = b"<< /Type /XObject /Subtype /Form /BBox [0 0 236 38] /Length 0 >>\nstream\n\nendstream"
    put("altered-shadow-hide-appearance-replaced.pdf", hand_update(fof, {remark_ap: blank}),
        "altered", "shadow-hide-appearance",
        "Form over form, as above; the update replaces only the covering widget's appearance stream "
        "(same object number) with an empty one, revealing 'Grade'.",
        ["modified_after_signing", "shadow_attack"])
    put("altered-shadow-hide-covering-widget-unlisted.pdf", unlist_widget(fof, "Remark"),
        "altered", "shadow-hide-unlisted",
        "Form over form, as above; the update (pyHanko incremental writer) takes the covering widget "
        "out of the page's /Annots and the form's /Fields, revealing 'Grade' in every viewer.",
        ["modified_after_signing", "shadow_attack"])
    fof2 = sign(form_over_form(with_approval=True))
    put("authentic-form-over-form-second-signature.pdf",
        sign(fof2, field="Approval", s=signer(SEAL2, SEAL2_K)), "authentic", "form-over-form-benign",
        "The same form over form, with an empty hidden signature field 'Approval'; the later update only "
        "signs 'Approval' (allowed), the covering widget is untouched: nothing a viewer shows changed.",
        ["benign_update"])

    hyb = sign(hybrid(base), strict=False)
    put("authentic-hybrid-xref-signed.pdf", hyb, "authentic", "hybrid-xref",
        "The page saved by qpdf with object streams and given a hybrid-reference index by hand (a classic "
        "table for the uncompressed objects, plus /XRefStm to the cross-reference stream that holds the "
        "compressed ones), then signed by pyHanko: nothing changed after signing.",
        [])
    put("authentic-hybrid-xref-b-lt.pdf", add_dss(hyb, strict=False), "authentic", "hybrid-xref-dss",
        "The hybrid-reference file above, then a DSS update (pyHanko): benign.", ["benign_update"])
    # #10: page text (not a form field) painted over when signed, uncovered
    # after signing.
    covered = sign(covered_text_page())
    sq, sq_ap = covering_annotation(covered)
    put("altered-page-text-revealed-annotation-freed.pdf", hand_update(covered, {sq: None}), "altered",
        "page-text-revealed-freed",
        "A white Square annotation reading 'Remark: none' painted over the page line 'Remark: this certificate "
        "was revoked.' when signed; an update after signing frees the annotation's object in the xref, so "
        "viewers show the line (shadow hide of page text).", ["modified_after_signing", "shadow_attack"])
    put("altered-page-text-revealed-appearance-emptied.pdf",
        hand_update(covered, {sq_ap: b"<< /Type /XObject /Subtype /Form /BBox [0 0 320 26] /Length 0 >>\n"
                                     b"stream\n\nendstream"}), "altered", "page-text-revealed-appearance",
        "The same signed page; the update after signing replaces the covering annotation's appearance with an "
        "empty one, so the line under it shows.", ["modified_after_signing", "shadow_attack"])
    put("authentic-covering-annotation-kept-dss.pdf", add_dss(covered), "authentic", "covering-kept-dss",
        "The same signed page with its covering annotation left alone, then a DSS update: benign (the "
        "annotation was there when signed, and still covers the line).", ["benign_update"])

    # #10: hybrid-reference updates written after signing. A reader of the
    # classic table alone sees the signed page; every viewer sees the change.
    put("altered-hybrid-update-page-in-object-stream.pdf", hybrid_page_change(signed), "altered",
        "hybrid-update-content",
        "After signing, a hand-written hybrid-reference update (classic table + /XRefStm) whose cross-reference "
        "stream puts a new page dictionary, with an added content stream ('Grade: EXCELLENT'), in an object "
        "stream; the classic table lists only the new content stream and the object stream. Acrobat, pdf.js, "
        "qpdf and poppler show the added line.", ["modified_after_signing"])
    put("altered-hybrid-update-page-only-in-xrefstm.pdf", hybrid_page_change(signed, hidden_uncompressed=True),
        "altered", "hybrid-update-content-uncompressed",
        "As above, but the new page dictionary is an uncompressed object listed (type 1) only in the "
        "cross-reference stream the trailer's /XRefStm names, not in the classic table.",
        ["modified_after_signing"])
    put("authentic-hybrid-update-dss-only.pdf", hybrid_dss(signed), "authentic", "hybrid-update-dss",
        "After signing, a hybrid-reference update that only adds a /DSS (the catalog and the DSS dictionary "
        "in an object stream, the certificates uncompressed): validation data only, benign.",
        ["benign_update"])
    put("authentic-lenient-xref-offsets.pdf", sign(lenient_offsets(base), strict=False), "authentic",
        "lenient-xref",
        "The page's xref table offsets are each one byte early (on the end-of-line before the object), "
        "which every reader accepts; then signed by pyHanko.", [])
    put("authentic-lenient-xref-offsets-into-header.pdf", sign(lenient_offsets(base, by=2, only=page_content_objects(base)), strict=False),
        "authentic", "lenient-xref",
        "The xref table offsets of the page's content stream and font are two bytes late (inside the "
        "'N 0 obj' header); readers find each object a few bytes away; then signed by pyHanko "
        "(non-strict).", [])

    plain = sign(base, subfilter=sigfields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED, reserve=16384)
    ber = ber_cms(last_cms(plain))
    assert ber != last_cms(plain).rstrip(b"\0")
    put("authentic-cms-ber-indefinite.pdf", replace_cms(plain, ber), "authentic", "ber-cms",
        "A genuine adbe.pkcs7.detached signature whose CMS is re-encoded by hand in BER with indefinite "
        "lengths (ContentInfo, SignedData, its SETs, SignerInfo), as older signing software writes it; "
        "the signed attributes and certificates keep their DER, so the signature still verifies.", [])
    put("invalid-cms-ber-indefinite-tampered.pdf",
        replace_cms(plain, ber_cms(flip_signature(last_cms(plain)))), "invalid", "ber-cms-tampered",
        "The same BER encoding with one bit of the signature value flipped: read, and refused.",
        ["signature_value_invalid"])

    pss = sign(base, s=signers.SimpleSigner(
        signing_cert=asn_cert(SEAL), signing_key=asn_key(SEAL_K),
        cert_registry=SimpleCertificateStore.from_certs([asn_cert(ROOT)]), embed_roots=True,
        prefer_pss=True), reserve=16384)
    put("authentic-rsa-pss.pdf", pss, "authentic", "rsa-pss",
        "PAdES signature with RSASSA-PSS (pyHanko prefer_pss: SHA-256, MGF1 SHA-256), parameters "
        "consistent with the SHA-256 digestAlgorithm.", [])
    put("invalid-rsa-pss-hash-mismatch.pdf", recms(pss, pss_over_other_hash), "invalid",
        "rsa-pss-mismatch",
        "RSASSA-PSS whose parameters hash with SHA-512 while the digestAlgorithm is SHA-256 (re-signed "
        "with cryptography, so the value itself verifies under the stated parameters): contradictory "
        "identifiers.", ["algorithm_misplaced"])

    p2 = sign(page(second_field=True), certify=True, docmdp_permissions=sigfields.MDPPerm.FILL_FORMS)
    put("authentic-certified-p2-then-approval.pdf", sign(p2, field="Approval", s=signer(SEAL2, SEAL2_K)),
        "authentic", "docmdp-p2-approval",
        "A certification signature (DocMDP P=2, pyHanko certify=True) followed by an approval signature in "
        "the empty field 'Approval': form filling and signing is what P=2 allows.", ["benign_update"])
    p1 = sign(page(second_field=True), certify=True, docmdp_permissions=sigfields.MDPPerm.NO_CHANGES)
    put("altered-certified-p1-then-approval.pdf", sign_unchecked(p1, "Approval", signer(SEAL2, SEAL2_K)),
        "altered", "docmdp-p1-approval",
        "Certified with DocMDP P=1 (no changes), then an approval signature anyway (pyHanko with its "
        "DocMDP check bypassed): the certification forbids it.", ["certification_violated"])
    put("authentic-certified-p1-then-lta.pdf", doc_timestamp(add_dss(p1)), "authentic", "docmdp-p1-lta",
        "Certified with P=1, then a DSS and a document timestamp: validation data and document timestamps "
        "are allowed under P=1 (PAdES, ISO 32000-2 12.8.2.2).", ["benign_update"])
    put("altered-perms-dropped-after-signing.pdf", drop_perms(p1), "altered", "perms-dropped",
        "Certified with P=1, then an update that removes /Perms (the certification) from the catalog.",
        ["modified_after_signing", "certification_violated"])

    manifest = {"set": "realworld", "built_at": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "how_built": "tests/realworld/make.py (cryptography PKI/CRL/OCSP, reportlab page, pyHanko "
                             "signing/DSS/DummyTimeStamper, asn1crypto CMS re-encoding)",
                "trust": {"anchors": ["root-ca.pem"], "intermediates": []}, "files": files}
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
