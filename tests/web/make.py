#!/usr/bin/env python3
"""Make the web desk's escaping test files (tests/web).

Independent tools only: reportlab draws the pages (non-embedded
STSong-Light, predefined CMap UniGB-UCS2-H), cryptography makes a
throw-away self-signed seal certificate, pyHanko signs. Nothing here uses
certcheck's code. All people and numbers are synthetic.

- unsigned-html-fields.pdf: 姓名 and 资格名称 printed as HTML markup.
- untrusted-html-signer.pdf: a normal page signed by a self-signed seal
  whose certificate's common name is HTML markup.

Run: /work/venv/bin/python tests/web/make.py
"""
import datetime
import io
import json
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigFieldSpec, append_signature_field
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from asn1crypto import keys as asn1_keys, x509 as asn1_x509

HERE = os.path.dirname(os.path.abspath(__file__))
FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

HTML_NAME = "<b>张伟</b>"
HTML_QUALIFICATION = '<script>alert("q")</script>'
HTML_SIGNER = "<img src=x onerror=alert(1)>人事考试中心"


def page(name, qualification):
    w, h = landscape(A4)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(w, h))
    c.setTitle("电子证书")
    c.setFont(FONT, 21)
    c.drawCentredString(w / 2, 504.6, "中华人民共和国计算机技术与软件专业技术资格证书")
    c.setFont(FONT, 14)
    rows = [
        ("姓名：", name),
        ("性别：", "女"),
        ("出生年月：", "1992年05月"),
        ("证件号码：", "11010519920514002X"),
        ("资格名称：", qualification),
        ("级别：", "中级"),
        ("管理号：", "2024W5501000999"),
        ("批准日期：", "2024年12月20日"),
    ]
    y = 440
    for label, value in rows:
        c.drawString(200, y, label)
        c.drawString(300, y, value)
        y -= 30
    c.showPage()
    c.save()
    return buf.getvalue()


def self_signed(common_name):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "<i>自制印章</i>"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def sign(pdf, key, cert):
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore(),
    )
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    append_signature_field(w, SigFieldSpec("Signature1", box=(600, 60, 760, 160)))
    out = io.BytesIO()
    signers.sign_pdf(w, signers.PdfSignatureMetadata(field_name="Signature1"), signer=signer, output=out)
    return out.getvalue()


def main():
    files = []
    with open(os.path.join(HERE, "unsigned-html-fields.pdf"), "wb") as f:
        f.write(page(HTML_NAME, HTML_QUALIFICATION))
    files.append({
        "file": "unsigned-html-fields.pdf",
        "verdict": "unsigned",
        "case": "html_in_fields",
        "description": "姓名 and 资格名称 printed as HTML markup; the desk must show them as text.",
        "html": [HTML_NAME, HTML_QUALIFICATION],
    })
    key, cert = self_signed(HTML_SIGNER)
    with open(os.path.join(HERE, "untrusted-html-signer.pdf"), "wb") as f:
        f.write(sign(page("李娜", "系统集成项目管理工程师"), key, cert))
    files.append({
        "file": "untrusted-html-signer.pdf",
        "verdict": "untrusted",
        "case": "html_in_signer",
        "description": "Signed by a self-signed seal whose certificate's common name is HTML markup.",
        "html": [HTML_SIGNER],
    })
    with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump({"set": "web", "files": files}, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
