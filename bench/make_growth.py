#!/usr/bin/env python3
"""Writes the files bench/compare.sh times to see how certcheck grows, made
with independent tools (reportlab, pyHanko, cryptography; never certcheck):

  pages-N.pdf      N pages of certificate-like text (reportlab), signed once
                   (pyHanko, adbe.pkcs7.detached, RSA-2048, SHA-256)
  revisions-N.pdf  one page, signed, then N-1 incremental updates that each
                   change the Info dictionary (pyHanko): N revisions after
                   the first save
  objects-N.pdf    one page and N small dictionary objects (about 130 bytes
                   each, written by hand with a classic xref table), unsigned
  signer.pem       the throw-away self-signed certificate (for --trust)

usage: make_growth.py OUT_DIR [--pages 1,10,100] [--revisions 1,10] [--objects 100000]
(run it with the python of /work/venv, which has reportlab and pyhanko).
"""
import argparse
import datetime as dt
import io
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from asn1crypto import keys as akeys
from asn1crypto import x509 as ax509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from rawpdf import RawPdf


def make_signer(out_dir):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "certcheck growth bench signer"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bench"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
    ])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, True, True, False, False),
                           critical=True)
            .sign(key, hashes.SHA256()))
    with open(os.path.join(out_dir, "signer.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return signers.SimpleSigner(
        signing_cert=ax509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=akeys.PrivateKeyInfo.load(der_key),
        cert_registry=None)


def pages_pdf(n):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle("growth bench")
    for page in range(n):
        c.setFont("Helvetica-Bold", 20)
        c.drawString(150, 760, "Certificate of Qualification")
        c.setFont("Helvetica", 12)
        for i, line in enumerate([
            f"Page {page + 1} of {n}",
            "Name: Zhang San",
            "ID number: 110101199003071234",
            "Qualification: Software Designer",
            "Level: Intermediate",
            "Approval date: 2022-01",
            f"Management number: 2022{page:08d}",
        ]):
            c.drawString(90, 700 - 24 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def sign(data, signer):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name="Signature1", md_algorithm="sha256",
                                        subfilter=sigfields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED)
    return signers.sign_pdf(w, meta, signer=signer, existing_fields_only=False).getvalue()


def update_info(data, i):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    info = w.trailer["/Info"].get_object()
    info[generic.NameObject("/Subject")] = generic.TextStringObject(f"archived copy {i}")
    w.update_container(info)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def objects_pdf(n):
    pdf = RawPdf()
    pdf.obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    pdf.obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    pdf.obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>")
    content = b"BT /F1 12 Tf 72 720 Td (object-heavy bench file) Tj ET"
    pdf.obj(4, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    pad = b"x" * 60
    for k in range(5, 5 + n):
        pdf.obj(k, b"<< /Type /BenchItem /N %d /Data (%s) >>" % (k, pad))
    return pdf.finish()


def numbers(text):
    return [int(x) for x in text.split(",") if x.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--pages", default="1,10,100")
    ap.add_argument("--revisions", default="1,10")
    ap.add_argument("--objects", default="100000")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    signer = make_signer(a.out_dir)

    def write(name, data):
        with open(os.path.join(a.out_dir, name), "wb") as f:
            f.write(data)

    for n in numbers(a.pages):
        write(f"pages-{n}.pdf", sign(pages_pdf(n), signer))
    wanted = sorted(numbers(a.revisions))
    if wanted:
        data = sign(pages_pdf(1), signer)
        have = 1
        for n in wanted:
            while have < n:
                data = update_info(data, have)
                have += 1
            write(f"revisions-{n}.pdf", data)
    for n in numbers(a.objects):
        write(f"objects-{n}.pdf", objects_pdf(n))


if __name__ == "__main__":
    main()
