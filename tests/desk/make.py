#!/usr/bin/env python3
"""Build the desk corpus (tests/desk): hostile files for the desk's printers.

Outside tools only (cryptography, fpdf2, pyHanko), never certcheck's code. It
reuses the drawing and signing helpers of tests/extra/make.py (same synthetic
people and layout), and makes its own throw-away seal keys.

Run with the venv:  /work/venv/bin/python tests/desk/make.py

- untrusted-hostile-seal-subject.pdf: a forged seal (self-signed, so
  `untrusted`) whose subject CN holds terminal escapes (ESC[2J clears the
  screen, ESC[1;32m paints green), a newline and a fake "AUTHENTIC" line, a
  bidi override (U+202E), and a C1 CSI (U+009B). The certificate's
  qualification field is a spreadsheet formula (=HYPERLINK(...)).
- unsigned-formula-fields.pdf: an unsigned certificate whose qualification
  is `@SUM(1+1)*cmd|'/C calc'!A0` and whose name is `-马丽` (OWASP's `@`
  and `-` prefixes). A colon ends a value on these pages, so the formulas
  carry none.

Writes tests/desk/*.pdf, tests/desk/manifest.json and tests/desk/trust/ (a
copy of the extra corpus's root and intermediate).
"""
import datetime as dt
import importlib.util
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

spec = importlib.util.spec_from_file_location("extra_make", os.path.join(REPO, "tests", "extra", "make.py"))
extra = importlib.util.module_from_spec(spec)
spec.loader.exec_module(extra)

HOSTILE_CN = ("人力资源和社会保障部人事考试中心\x1b[2J\x1b[H\x1b[1;32m\n"
              "  AUTHENTIC: signed by a known issuer's seal and unchanged since\x1b[0m\u202e\u009b31m")
FORMULA_QUAL = '=HYPERLINK("evil.example/x","信息系统项目管理师")'
# A second formula shape (OWASP's "@" and "+" prefixes).
AT_QUAL = "@SUM(1+1)*cmd|'/C calc'!A0"


def hostile_signer():
    key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "人力资源和社会保障部"),
        x509.NameAttribute(NameOID.COMMON_NAME, HOSTILE_CN, _validate=False),  # over 64: a forger ignores the upper bound
    ])
    cert = extra.make_cert(name, key, name, key, 0x0D35C, False, {"ds", "nr"})
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    asn_key = extra.load_private_key_from_pemder_bytes(der_key)
    asn_cert = extra.load_cert_from_pemder_bytes(cert.public_bytes(serialization.Encoding.DER))
    return signers.SimpleSigner(signing_cert=asn_cert, signing_key=asn_key,
                                cert_registry=SimpleCertificateStore.from_certs([]))


def main():
    entries = []

    def emit(file, data, verdict, case, description, fields, reasons=None):
        with open(os.path.join(HERE, file), "wb") as f:
            f.write(data)
        e = {"file": file, "verdict": verdict, "also_acceptable": [], "case": case,
             "description": description, "fields": fields}
        if reasons is not None:
            e["expect_reasons"] = reasons
        entries.append(e)
        print(f"{file}: {verdict}", file=sys.stderr)

    p = dict(extra.PEOPLE["he"])
    p["qualification"] = FORMULA_QUAL
    pdf = extra.certificate(p, extra.created(p))
    emit("untrusted-hostile-seal-subject.pdf", extra.sign(pdf, hostile_signer()), "untrusted",
         "hostile-seal-subject",
         "Signed by a forged self-signed seal whose subject CN holds ESC[2J, ESC[1;32m, a newline and a fake "
         "'AUTHENTIC' line, U+202E and U+009B; the qualification printed on the page is a =HYPERLINK formula. "
         "Human output must show the escapes as \\x1b / \\u{202e}, CSV must neutralise the formula.",
         {"name": p["name"], "id_number": p["id_number"], "management_number": p["management_number"]},
         ["not_trusted"])

    q = dict(extra.PEOPLE["ma"])
    q["qualification"] = AT_QUAL
    q["name"] = "-马丽"
    emit("unsigned-formula-fields.pdf", extra.certificate(q, extra.created(q)), "unsigned",
         "formula-fields",
         "Unsigned certificate whose qualification is an @SUM/cmd formula and whose name starts with '-': "
         "CSV cells must not be formulas.",
         {"name": q["name"], "id_number": q["id_number"], "qualification": AT_QUAL.replace(" ", ""),
          "management_number": q["management_number"]},
         ["no_signature"])

    # The extra corpus's issuers, so the hostile seal is judged against real
    # known issuers (and is still untrusted).
    trust = os.path.join(HERE, "trust")
    os.makedirs(trust, exist_ok=True)
    for name in ("root-ca.pem", "intermediate-ca.pem"):
        with open(os.path.join(REPO, "tests", "extra", "trust", name), "rb") as src, \
                open(os.path.join(trust, name), "wb") as dst:
            dst.write(src.read())

    with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump({"corpus": "desk", "made_by": "tests/desk/make.py",
                   "hostile_seal_cn": HOSTILE_CN, "formula_qualification": FORMULA_QUAL, "at_qualification": AT_QUAL,
                   "files": entries}, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
