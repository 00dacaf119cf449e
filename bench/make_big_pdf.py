#!/usr/bin/env python3
"""Writes a signed PDF of about SIZE_MB megabytes for bench/compare.sh.

The bulk is one uncompressed image XObject drawn on the page, so every byte
is part of what the document shows and is covered by the signature. The
signature is a detached CMS (adbe.pkcs7.detached, SHA-256, RSA-2048) made by
`openssl cms` with a throw-away self-signed key written next to the PDF
(`<out>.cert.pem`), so certcheck can be run with `--trust <out>.cert.pem`.

usage: make_big_pdf.py OUT.pdf SIZE_MB
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawpdf import RawPdf  # noqa: E402

SIG_HEX_LEN = 16384  # room for the CMS in /Contents, in hex digits


def main():
    out, size_mb = sys.argv[1], int(sys.argv[2])
    work = tempfile.mkdtemp(prefix="certcheck-big-")
    key, cert = os.path.join(work, "key.pem"), out + ".cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
         "-subj", "/CN=certcheck bench signer/O=bench/C=CN",
         "-addext", "keyUsage=critical,digitalSignature,nonRepudiation",
         "-keyout", key, "-out", cert],
        check=True, capture_output=True)

    side = 1
    while (side * side * 3) < size_mb * 1024 * 1024:
        side += 64
    pixels = bytearray(os.urandom(1 << 20)) * ((side * side * 3 >> 20) + 1)
    pixels = bytes(pixels[: side * side * 3])

    pdf = RawPdf()
    pdf.obj(1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R] /SigFlags 3 >> >>")
    pdf.obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    pdf.obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /XObject << /Im1 5 0 R >> >> /Annots [6 0 R] >>")
    content = b"q 500 0 0 500 47 171 cm /Im1 Do Q"
    pdf.obj(4, b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    pdf.begin(5)
    pdf.emit(b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d "
             b"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n"
             % (side, side, len(pixels)))
    pdf.emit(pixels)
    pdf.emit(b"\nendstream\nendobj\n")
    pdf.obj(6, b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /Rect [0 0 0 0] "
               b"/P 3 0 R /F 132 /V 7 0 R >>")
    pdf.begin(7)
    placeholder_br = b"/ByteRange [0 0000000000 0000000000 0000000000]"
    head = (b"7 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached "
            + placeholder_br + b" /M (D:20260101000000Z) /Contents ")
    pdf.emit(head)
    contents_start = pdf.pos
    pdf.emit(b"<" + b"0" * SIG_HEX_LEN + b">")
    contents_end = pdf.pos
    pdf.emit(b" >>\nendobj\n")

    data = bytearray(pdf.finish())
    br = b"/ByteRange [0 %010d %010d %010d]" % (
        contents_start, contents_end, len(data) - contents_end)
    at = data.index(placeholder_br)
    data[at:at + len(br)] = br
    covered = os.path.join(work, "covered.bin")
    with open(covered, "wb") as f:
        f.write(data[:contents_start])
        f.write(data[contents_end:])
    der = subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER",
         "-signer", cert, "-inkey", key, "-in", covered],
        check=True, capture_output=True).stdout
    sig_hex = der.hex().encode()
    if len(sig_hex) > SIG_HEX_LEN:
        sys.exit("signature too large for the placeholder")
    data[contents_start + 1:contents_start + 1 + len(sig_hex)] = sig_hex
    with open(out, "wb") as f:
        f.write(data)
    os.remove(covered)
    os.remove(key)
    os.rmdir(work)


if __name__ == "__main__":
    main()
