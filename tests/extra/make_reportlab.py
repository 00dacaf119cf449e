#!/usr/bin/env python3
"""Add reportlab-made files to the extra test corpus (tests/extra).

The shared corpus has two generators: fpdf2 (embedded WenQuanYi subset with
ToUnicode) and reportlab (non-embedded STSong-Light with the predefined CMap
UniGB-UCS2-H, no ToUnicode: the older-generator style). make.py only uses
fpdf2; this script adds pages in the reportlab style with other synthetic
people (2-, 3- and 4-character names, rare characters, compound surnames),
other qualifications and levels, several printed date styles, spaced labels
and half/full-width colons, both the 电子证书 and the 查询结果证明 layout, and
signs / alters / encrypts them with pyHanko and qpdf. It reuses make.py's CA
(tests/extra/keys) and trust (tests/extra/trust); nothing here uses
certcheck's code.

Run AFTER make.py (make.py rewrites manifest.json from scratch):
    /tmp/pyh/bin/python tests/extra/make.py
    /tmp/pyh/bin/python tests/extra/make_reportlab.py
This script replaces the manifest entries whose generator is
"reportlab-stsong" and leaves the others alone, so it can be re-run alone.

All names, ID numbers and management numbers are synthetic.
"""
import io
import json
import os
import sys

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make  # noqa: E402  (helpers, CA and people conventions of the fpdf2 corpus)
from make import (CADES, HERE, PKCS7, QUERY_LABEL, IncrementalPdfFileWriter, PdfFileReader,  # noqa: E402
                  generic, id_ok, make_id, qpdf, sign, utf16)

GENERATOR = "reportlab-stsong"
FONT = "STSong-Light"  # reportlab's default encoding for it is UniGB-UCS2-H
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
assert pdfmetrics.getFont(FONT).encodingName == "UniGB-UCS2-H"

TITLE = "中华人民共和国计算机技术与软件专业技术资格证书"
QUERY_TITLE = "计算机技术与软件专业技术资格(水平)考试合格证明"
FOOT = ("本证书由中华人民共和国人力资源和社会保障部、工业和信息化部批准颁发，表明持证人",
        "通过国家统一组织的考试，取得计算机技术与软件专业技术资格。")


def person(name, region, birth, seq, male, qual, level, mgmt, approved):
    idn = make_id(region, birth, seq, male)
    assert id_ok(idn)
    return {"name": name, "gender": "男" if male else "女", "birth_ymd": birth, "id_number": idn,
            "qualification": qual, "level": level, "management_number": mgmt, "approval_date": approved}


PEOPLE = {
    "wang": person("王犇", "110199", "19900305", 211, True, "程序员", "初级", "2021C1101003107", "2021-06-05"),
    "liyue": person("李玥", "310199", "19970812", 342, False, "软件设计师", "中级", "2023R3101004426", "2023-11-18"),
    "zheng": person("郑翀然", "370299", "19851120", 57, True, "系统分析师", "高级", "2019K3702000813", "2019-11-09"),
    "ouyang": person("欧阳喆文", "430199", "19920228", 173, True, "系统分析师", "高级", "2022K4301002275",
                     "2022-12-03"),
    "sima": person("司马玥琪", "530199", "19980716", 264, False, "软件设计师", "中级", "2024R5301001948",
                   "2024-05-26"),
    "zhuge": person("诸葛犇", "410199", "20000101", 95, True, "程序员", "初级", "2025K4101000362", "2025-06-08"),
    "xu": person("许玥彤", "210299", "19930409", 128, False, "软件设计师", "中级", "2020R2102006634", "2020-12-19"),
    "han": person("韩喆", "620199", "19880930", 406, False, "系统分析师", "高级", "2018K6201000457", "2018-11-10"),
    "shangguan": person("上官翀", "140199", "19950614", 331, True, "程序员", "初级", "2021R1401005523",
                        "2021-12-11"),
    "du": person("杜玥", "500299", "19960110", 222, False, "软件设计师", "中级", "2022R5002003318", "2022-06-05"),
    "simazhe": person("司马喆", "360299", "19890317", 77, True, "系统分析师", "高级", "2020K3602001129",
                      "2020-11-14"),
    "murong": person("慕容翀", "150299", "19940223", 143, True, "软件设计师", "中级", "2024K1502000671",
                     "2024-11-30"),
    "qin": person("秦玥", "440299", "19910523", 118, False, "系统分析师", "高级", "2023K4402007719", "2023-05-27"),
}


# --------------------------------------------------------------------------
# Printed styles
# --------------------------------------------------------------------------
def date_style(iso, style):
    y, m, d = iso.split("-")
    return {
        "cn": f"{y}年{int(m)}月{int(d)}日",  # 2021年6月5日
        "cn0": f"{y}年{m}月{d}日",  # 2021年06月05日
        "dash": f"{y}-{m}-{d}",
        "dot": f"{y}.{m}.{d}",
    }[style]


def birth_style(ymd, style):
    y, m, d = ymd[:4], ymd[4:6], ymd[6:]
    return {
        "cn": f"{y}年{int(m)}月",
        "cn0": f"{y}年{m}月",
        "dash": f"{y}-{m}",
        "dot": f"{y}.{m}",
        "cn_day": f"{y}年{int(m)}月{int(d)}日",  # printed with 出生日期
    }[style]


def birth_value(ymd, style):
    """The expected normalised birth: YYYY-MM, or YYYY-MM-DD where the day is printed."""
    base = f"{ymd[:4]}-{ymd[4:6]}"
    return base + f"-{ymd[6:]}" if style == "cn_day" else base


def spaced(label, style):
    """Two-character labels drawn with spaces between them, as real certificates do."""
    if len(label) != 2 or style == "plain":
        return label
    return {"ideo2": "\u3000\u3000", "ideo1": "\u3000", "ascii": "   "}[style].join(label)


def fields(p, birth=None, gender=True, query=False):
    return {
        "management_number": p["management_number"],
        "name": p["name"],
        "id_number": p["id_number"],
        "qualification": p["qualification"],
        "level": p["level"],
        "approval_date": p["approval_date"],
        "gender": p["gender"] if gender else None,
        "birth": birth,
        "query_label": QUERY_LABEL if query else None,
        "query_result_label": bool(query),
    }


# --------------------------------------------------------------------------
# Pages (reportlab)
# --------------------------------------------------------------------------
RED = (0.55, 0.08, 0.08)
INK = (0.12, 0.12, 0.12)
ROW0_Y = 420.0
ROW_DY = 31.0
LABEL_X = 212.0
VALUE_X = 305.0
SIZE = 13


def new_canvas(pagesize, title, compress=True):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=pagesize, invariant=1, pageCompression=1 if compress else 0)
    c.setTitle(title)
    c.setAuthor("人力资源和社会保障部人事考试中心")
    c.setCreator("ReportLab")
    return buf, c


def certificate(p, *, name=None, date="cn0", birth="cn0", label_space="plain", colon="：", inline=False,
                mgmt_label="管理号", id_label="证件号码", compress=True, spread=False):
    """The 电子证书 layout: landscape A4, a red double border, the title, a photo
    placeholder, label/value rows and the issuing footer. Returns (pdf, name box
    in PDF user space)."""
    w, h = landscape(A4)
    buf, c = new_canvas((w, h), "电子证书", compress)
    c.setStrokeColorRGB(*RED)
    c.setLineWidth(3)
    c.rect(22.7, 22.7, w - 45.4, h - 45.4)
    c.setLineWidth(0.8)
    c.rect(31.2, 31.2, w - 62.4, h - 62.4)
    c.setFillColorRGB(*RED)
    c.setFont(FONT, 21)
    c.drawCentredString(w / 2, 504.6, TITLE)
    c.setStrokeColorRGB(0.6, 0.6, 0.6)
    c.setFillColorRGB(0.93, 0.94, 0.96)
    c.rect(79.4, 289.1, 96.4, 127.6, fill=1)
    birth_label = "出生日期" if birth == "cn_day" else "出生年月"
    rows = [
        (spaced("姓名", label_space), name or p["name"]),
        (spaced("性别", label_space), p["gender"]),
        (birth_label, birth_style(p["birth_ymd"], birth)),
        (id_label, p["id_number"]),
        ("资格名称", p["qualification"]),
        (spaced("级别", label_space), p["level"]),
        (mgmt_label, p["management_number"]),
        ("批准日期", date_style(p["approval_date"], date)),
    ]
    c.setFillColorRGB(*INK)
    c.setFont(FONT, SIZE)
    y = ROW0_Y
    name_box = None
    for i, (label, value) in enumerate(rows):
        if spread:
            # letter-spaced labels (Tc) and values drawn one glyph per text
            # object, as some older generators position every character
            c.drawString(LABEL_X, y, label + colon, charSpace=4)
            x = VALUE_X
            for ch in value:
                c.drawString(x, y, ch)
                x += pdfmetrics.stringWidth(ch, FONT, SIZE) + 1.5
            vx = VALUE_X
        elif inline:
            c.drawString(LABEL_X, y, f"{label}{colon}{value}")
            vx = LABEL_X + pdfmetrics.stringWidth(f"{label}{colon}", FONT, SIZE)
        else:
            c.drawString(LABEL_X, y, label + colon)
            c.drawString(VALUE_X, y, value)
            vx = VALUE_X
        if i == 0:
            name_box = [vx - 2, y - 4, vx + pdfmetrics.stringWidth(value, FONT, SIZE) + 4, y + SIZE + 2]
        y -= ROW_DY
    c.setFont(FONT, 10.5)
    c.setFillColorRGB(0.3, 0.3, 0.3)
    c.drawString(79.4, 136.1, FOOT[0])
    c.drawString(79.4, 116.2, FOOT[1])
    c.setFillColorRGB(*INK)
    c.setFont(FONT, 12)
    c.drawString(572.6, 158.7, "签发单位：")
    c.drawString(623.6, 136.1, "人力资源和社会保障部")
    c.showPage()
    c.save()
    return buf.getvalue(), name_box


def query_result(p, *, queried, portrait=False, date="dash", gender=True, colon=""):
    """The 查询结果证明 layout: a two-column table (label | value) with 查询编号,
    the query time and the line 人力资源和社会保障部人事考试中心提供查询结果."""
    size = A4 if portrait else landscape(A4)
    w, h = size
    buf, c = new_canvas(size, "查询结果证明")
    c.setFillColorRGB(*INK)
    c.setFont(FONT, 16)
    c.drawCentredString(w / 2, h - 85, QUERY_TITLE)
    rows = [("姓名", p["name"])]
    if gender:
        rows.append(("性别", p["gender"]))
    rows += [("证件号码", p["id_number"]), ("资格名称", p["qualification"]), ("级别", p["level"]),
             ("查询编号", p["management_number"]), ("批准日期", date_style(p["approval_date"], date))]
    x0, lw, vw, rh = 79.4, 113.4, 323.1, 31.2
    y = h - 173
    c.setLineWidth(0.6)
    c.setStrokeColorRGB(0.5, 0.5, 0.5)
    for label, value in rows:
        c.setFillColorRGB(0.92, 0.94, 0.97)
        c.rect(x0, y, lw, rh, fill=1)
        c.rect(x0 + lw, y, vw, rh, fill=0)
        c.setFillColorRGB(0.1, 0.1, 0.1)
        c.setFont(FONT, 12)
        c.drawString(x0 + 8.5, y + 9.9, label + colon)
        c.drawString(x0 + lw + 8.5, y + 9.9, value)
        y -= rh
    c.setFont(FONT, 10)
    c.drawString(x0, y + 0.5, "查询时间：" + queried)
    c.setFont(FONT, 12)
    c.drawCentredString(w / 2, 70.9, QUERY_LABEL)
    c.showPage()
    c.save()
    return buf.getvalue()


# --------------------------------------------------------------------------
# Post-signing changes (pyHanko incremental writer)
# --------------------------------------------------------------------------
def page_content(pdf):
    page = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0]
    contents = page["/Contents"]
    if isinstance(contents, generic.ArrayObject):
        return b"".join(x.get_object().data for x in contents)
    return contents.get_object().data


def replace_content(signed, redrawn):
    """Incremental update pointing page 1 at a new content stream: the same
    layout redrawn by reportlab with a changed value (same resource names,
    so the page's existing /Resources still apply)."""
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = w.root["/Pages"]["/Kids"][0]
    new = generic.StreamObject(stream_data=page_content(redrawn))
    new.compress()
    page[generic.NameObject("/Contents")] = w.add_object(new)
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def freetext_over(signed, rect, text):
    """Incremental update adding a FreeText annotation over `rect` whose
    appearance paints a white box and `text` in STSong-Light/UniGB-UCS2-H."""
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref = w.root["/Pages"]["/Kids"].raw_get(0)
    N = generic.NameObject
    font = w.add_object(generic.DictionaryObject({
        N("/Type"): N("/Font"), N("/Subtype"): N("/Type0"), N("/BaseFont"): N("/STSong-Light"),
        N("/Encoding"): N("/UniGB-UCS2-H"),
        N("/DescendantFonts"): generic.ArrayObject([w.add_object(generic.DictionaryObject({
            N("/Type"): N("/Font"), N("/Subtype"): N("/CIDFontType0"), N("/BaseFont"): N("/STSong-Light"),
            N("/CIDSystemInfo"): generic.DictionaryObject({
                N("/Registry"): generic.pdf_string("Adobe"), N("/Ordering"): generic.pdf_string("GB1"),
                N("/Supplement"): generic.NumberObject(2)}),
            N("/FontDescriptor"): w.add_object(generic.DictionaryObject({
                N("/Type"): N("/FontDescriptor"), N("/FontName"): N("/STSong-Light"),
                N("/Flags"): generic.NumberObject(6),
                N("/FontBBox"): generic.ArrayObject([generic.NumberObject(v) for v in (-25, -254, 1000, 880)]),
                N("/ItalicAngle"): generic.NumberObject(0), N("/Ascent"): generic.NumberObject(880),
                N("/Descent"): generic.NumberObject(-120), N("/CapHeight"): generic.NumberObject(880),
                N("/StemV"): generic.NumberObject(93)})),
            N("/DW"): generic.NumberObject(1000)}))]),
    }))
    width, height = rect[2] - rect[0], rect[3] - rect[1]
    content = (b"q 1 1 1 rg 0 0 %.2f %.2f re f Q BT 0.12 0.12 0.12 rg /STSong 13 Tf 2 4 Td <%s> Tj ET"
               % (width, height, text.encode("utf-16-be").hex().encode()))
    ap = w.add_object(generic.StreamObject({
        N("/Type"): N("/XObject"), N("/Subtype"): N("/Form"),
        N("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, width, height)]),
        N("/Resources"): generic.DictionaryObject({N("/Font"): generic.DictionaryObject({N("/STSong"): font})}),
    }, stream_data=content))
    annot = w.add_object(generic.DictionaryObject({
        N("/Type"): N("/Annot"), N("/Subtype"): N("/FreeText"),
        N("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in rect]),
        N("/F"): generic.NumberObject(4), N("/P"): page_ref,
        N("/Contents"): utf16(text), N("/DA"): generic.pdf_string("/STSong 13 Tf 0 0 0 rg"),
        N("/M"): generic.pdf_string("D:20261128090000Z"),
        N("/AP"): generic.DictionaryObject({N("/N"): ap}),
    }))
    w.register_annotation(page_ref, annot)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


# --------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------
def main():
    pki = make.Pki()
    entries = []

    def emit(file, data, verdict, case, description, flds, also=(), reasons=None, **extra):
        with open(os.path.join(HERE, file), "wb") as f:
            f.write(data)
        e = {"file": file, "verdict": verdict, "also_acceptable": list(also), "case": case,
             "description": description, "generator": GENERATOR, "fields": flds}
        if reasons is not None:
            e["expect_reasons"] = list(reasons)
        e.update(extra)
        entries.append(e)
        print(f"{file}: {verdict}", file=sys.stderr)

    P = PEOPLE
    style = "STSong-Light (not embedded), UniGB-UCS2-H, no ToUnicode, landscape A4"

    p = P["wang"]
    pdf, _ = certificate(p, date="cn", birth="cn", label_space="ideo2")
    emit("authentic-rl-two-char-rare-name.pdf", sign(pdf, pki.signer("seal-rsa2048")), "authentic",
         "reportlab-cert-rare-char",
         f"reportlab 电子证书 ({style}); name 王犇 (rare character), labels '姓　　名' with ideographic spaces, "
         "dates 2021年6月5日 / 1990年3月 (no zero padding). RSA adbe.pkcs7.detached.",
         fields(p, birth="1990-03"))

    p = P["ouyang"]
    pdf, _ = certificate(p, date="dot", birth="dot", colon=":", mgmt_label="证书管理号")
    emit("authentic-rl-compound-surname-dot-dates.pdf",
         sign(pdf, pki.signer("seal-p384"), md="sha384", subfilter=CADES), "authentic",
         "reportlab-cert-compound-surname",
         f"reportlab 电子证书 ({style}); 4-character name 欧阳喆文, half-width colons, label 证书管理号, "
         "dates 2022.12.03 / 1992.02. ECDSA P-384 SHA-384 ETSI.CAdES.detached.",
         fields(p, birth="1992-02"), signature={"signer_cert": "seal-p384", "digest": "sha384"})

    p = P["zheng"]
    pdf, _ = certificate(p, date="dash", birth="cn_day", label_space="ideo1", id_label="身份证号码",
                         mgmt_label="证书编号")
    emit("authentic-rl-birth-date-dash-dates.pdf", sign(pdf, pki.signer("seal-rsa2048"), md="sha512"),
         "authentic", "reportlab-cert-birth-day",
         f"reportlab 电子证书 ({style}); 3-character name 郑翀然, labels '姓　名' (one ideographic space), "
         "身份证号码, 证书编号, 出生日期 1985年11月20日 (day printed, so birth is YYYY-MM-DD), "
         "approval date 2019-11-09. RSA SHA-512 adbe.pkcs7.detached.",
         fields(p, birth="1985-11-20"))

    p = P["zhuge"]
    pdf, _ = certificate(p, date="cn0", birth="dash", inline=True)
    emit("authentic-rl-inline-labels.pdf", sign(pdf, pki.signer("seal-p256"), subfilter=CADES), "authentic",
         "reportlab-cert-inline",
         f"reportlab 电子证书 ({style}); label and value in one string ('姓名：诸葛犇'), 3-character compound "
         "surname 诸葛, dates 2025年06月08日 / 2000-01. ECDSA P-256 ETSI.CAdES.detached.",
         fields(p, birth="2000-01"), signature={"signer_cert": "seal-p256", "digest": "sha256"})

    p = P["qin"]
    pdf, _ = certificate(p, date="cn", birth="cn0", label_space="ascii", colon=":")
    emit("untrusted-rl-impostor-seal.pdf", sign(pdf, pki.signer("impostor-seal", ("imp_inter",))),
         "untrusted", "reportlab-impostor",
         f"reportlab 电子证书 ({style}); signed by a seal under the impostor intermediate (same names as the "
         "trusted CA, other keys). Labels '姓   名' with ASCII spaces and half-width colons, 2023年5月27日.",
         fields(p, birth="1991-05"))

    p = P["sima"]
    pdf, _ = certificate(p, date="dot", birth="cn", label_space="ideo2", colon=":")
    emit("unsigned-rl-certificate.pdf", pdf, "unsigned", "reportlab-cert-unsigned",
         f"Unsigned reportlab 电子证书 ({style}); 4-character name 司马玥琪, '姓　　名:' (ideographic spaces, "
         "half-width colon), dates 2024.05.26 / 1998年7月.",
         fields(p, birth="1998-07"))

    p = P["liyue"]
    emit("unsigned-rl-query-result.pdf", query_result(p, queried="2026-11-20 10:15:32", date="dash"),
         "unsigned", "reportlab-query-result",
         f"Unsigned reportlab 查询结果证明 ({style}): table with 姓名, 性别, 证件号码, 资格名称, 级别, 查询编号, "
         "批准日期 2023-11-18, 查询时间 and the line 人力资源和社会保障部人事考试中心提供查询结果.",
         fields(p, query=True))

    p = P["han"]
    plain = query_result(p, queried="2026-11-21 08:02:11", portrait=True, date="cn", gender=False, colon="：")
    owner = "rl-owner-Q8x2"
    emit("unsigned-rl-query-result-encrypted.pdf",
         qpdf(["--encrypt", "", owner, "256", "--print=none", "--modify=none", "--"], plain),
         "unsigned", "reportlab-query-result-encrypted",
         "Unsigned reportlab 查询结果证明 (STSong-Light, UniGB-UCS2-H, portrait A4, labels with full-width "
         "colons, no 性别 row, 批准日期 2018年11月10日) encrypted by qpdf with AES-256, empty user password and "
         "an owner password forbidding print/modify.",
         fields(p, gender=False, query=True),
         encryption={"method": "AES-256", "user_password": "", "owner_password": owner})

    p = P["shangguan"]
    kw = dict(date="cn", birth="cn0", label_space="ideo2")
    pdf, _ = certificate(p, **kw)
    signed = sign(pdf, pki.signer("seal-rsa2048"))
    redrawn, _ = certificate(p, name="上官翔", **kw)
    shown = fields(p, birth="1995-06")
    shown["name"] = "上官翔"
    emit("altered-rl-incremental-name.pdf", replace_content(signed, redrawn), "altered",
         "reportlab-isa-replace-content",
         f"reportlab 电子证书 ({style}), signed (RSA pkcs7); then an incremental update points page 1 at a new "
         "content stream (same resources) in which the name 上官翀 reads 上官翔.",
         shown, signed_fields=fields(p, birth="1995-06"))

    p = P["xu"]
    pdf, box = certificate(p, date="dash", birth="dot", colon="：")
    emit("altered-rl-freetext-over-name.pdf",
         freetext_over(sign(pdf, pki.signer("seal-rsa2048")), box, "许月彤"), "altered",
         "reportlab-overlay-freetext",
         f"reportlab 电子证书 ({style}), signed (RSA pkcs7); then an incremental update adds a FreeText annotation "
         "(white box, appearance in STSong-Light) over the name showing 许月彤. The page text is unchanged.",
         fields(p, birth="1993-04"), displayed_overlay={"name": "许月彤", "rect": [round(v, 2) for v in box]})

    p = P["du"]
    pdf, _ = certificate(p, date="dash", birth="dot", label_space="ideo1", colon=":")
    owner = "rl-owner-aes128"
    enc = qpdf(["--encrypt", "", owner, "128", "--use-aes=y", "--print=none", "--modify=none", "--"], pdf)
    emit("authentic-rl-encrypted-aes128.pdf", sign(enc, pki.signer("seal-rsa2048"), password=""), "authentic",
         "reportlab-encrypted-aes128",
         f"reportlab 电子证书 ({style}; '姓　名:' with an ideographic space and half-width colon, 2022-06-05 / "
         "1996.01) encrypted by qpdf (AES-128, empty user password, owner password forbidding print/modify), "
         "then signed by pyHanko in an encrypted incremental revision.",
         fields(p, birth="1996-01"), encryption={"method": "AES-128", "user_password": "", "owner_password": owner})

    p = P["simazhe"]
    pdf, _ = certificate(p, date="cn", birth="cn", compress=False)
    signed = sign(pdf, pki.signer("seal-rsa2048"))
    old_id = p["id_number"]
    # another ID with the same region, birth and gender, and a valid check digit
    n17 = old_id[:14] + f"{(int(old_id[14:17]) + 2) % 1000:03d}"
    new_id = n17 + make.check_digit(n17)
    # uncompressed, reportlab writes UCS-2 text as a literal string with octal
    # escapes: each ASCII digit is \000 followed by the digit
    def ucs2_literal(text):
        return b"(" + b"".join(b"\\000" + ch.encode("ascii") for ch in text) + b")"

    a, b = ucs2_literal(old_id), ucs2_literal(new_id)
    assert signed.count(a) == 1, "old ID not found once in the uncompressed page"
    shown = fields(p, birth="1989-03")
    shown["id_number"] = new_id
    emit("altered-rl-byte-edit-id.pdf", signed.replace(a, b), "altered", "reportlab-same-length-byte-edit",
         f"reportlab 电子证书 ({style}) with uncompressed page content, signed; then the ID number's UCS-2 literal "
         "string was overwritten in place (same length, valid check digit): the signed bytes' digest no longer "
         "matches.",
         shown, reasons=["digest_mismatch"], signed_fields=None)

    p = P["murong"]
    pdf, _ = certificate(p, date="cn", birth="cn", spread=True)
    emit("authentic-rl-per-glyph-letter-spaced.pdf", sign(pdf, pki.signer("seal-rsa2048"), subfilter=CADES),
         "authentic", "reportlab-cert-per-glyph",
         f"reportlab 电子证书 ({style}); labels letter-spaced with Tc 4, every value character drawn in its own "
         "text object (慕容翀, 2024年11月30日, 1994年2月). RSA ETSI.CAdES.detached.",
         fields(p, birth="1994-02"))

    path = os.path.join(HERE, "manifest.json")
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    kept = [e for e in manifest["files"] if e.get("generator") != GENERATOR]
    manifest["files"] = kept + entries
    manifest["how_built"] = ("tests/extra/make.py (cryptography CA, fpdf2 pages, pyHanko signing, qpdf "
                             "encrypt/rewrite), then tests/extra/make_reportlab.py (reportlab STSong-Light pages)")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
