#!/usr/bin/env python3
"""Build the extra test corpus (tests/extra) with outside tools only.

An independent second corpus that checks certcheck generalises beyond the
shared one: its own test CA hierarchy (made here with `cryptography`), its own
synthetic people, certificates drawn with fpdf2, signed with pyHanko, and
encrypted / rewritten with qpdf. Nothing here uses certcheck's code.

Run with the pyHanko venv:  /tmp/pyh/bin/python tests/extra/make.py

Writes tests/extra/*.pdf, tests/extra/manifest.json (same format as the shared
corpus manifest), tests/extra/trust/*.pem (roots and intermediates only) and
tests/extra/keys/ (TEST-ONLY private keys, reused on later runs so the CA
certificates stay the same).

All names, ID numbers and management numbers are synthetic.
"""
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import zlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from fpdf import FPDF
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
KEYS = os.path.join(HERE, "keys")
TRUST = os.path.join(HERE, "trust")
SHARED_BASES = os.path.join(REPO, "tests", "corpus")
QPDF = "/usr/bin/qpdf"
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

# Fixed instants so the CA material is the same on every run.
T_CA_FROM = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
T_CA_TO = dt.datetime(2046, 1, 1, tzinfo=dt.timezone.utc)
T_SEAL_FROM = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
T_SEAL_TO = dt.datetime(2031, 1, 1, tzinfo=dt.timezone.utc)

ORG_TEST = "软考电子证书扩展测试"
SEAL_CN = "人力资源和社会保障部人事考试中心"
SEAL2_CN = "工业和信息化部教育与考试中心"
QUERY_LABEL = "人力资源和社会保障部人事考试中心提供查询结果"


# --------------------------------------------------------------------------
# GB 11643 ID numbers
# --------------------------------------------------------------------------
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_digit(first17):
    s = sum(int(c) * w for c, w in zip(first17, WEIGHTS))
    return "10X98765432"[s % 11]


def make_id(region, birth, seq, male):
    """18-digit ID: region(6) + yyyymmdd + 3-digit sequence whose last digit
    is odd for men, even for women + check digit."""
    seq = int(seq)
    if (seq % 2 == 1) != male:
        seq += 1
    first = f"{region}{birth}{seq % 1000:03d}"
    assert len(first) == 17
    return first + check_digit(first)


def id_ok(idn):
    return len(idn) == 18 and check_digit(idn[:17]) == idn[17].upper()


# --------------------------------------------------------------------------
# People (synthetic)
# --------------------------------------------------------------------------
def person(name, region, birth, seq, male, qual, level, mgmt, approved):
    idn = make_id(region, birth, seq, male)
    assert id_ok(idn)
    return {
        "name": name,
        "gender": "男" if male else "女",
        "birth_ymd": birth,
        "id_number": idn,
        "qualification": qual,
        "level": level,
        "management_number": mgmt,
        "approval_date": approved,  # ISO
    }


PEOPLE = {
    "chen": person("陈思远", "330199", "19880412", 153, True, "系统架构设计师", "高级", "2022K3301002156", "2022-05-20"),
    "liu": person("刘雨桐", "420199", "19951103", 286, False, "网络工程师", "中级", "2023R4201007731", "2023-06-15"),
    "zhao": person("赵明轩", "610199", "20010227", 417, True, "程序员", "初级", "2024K6101000389", "2024-12-10"),
    "sun": person("孙佳怡", "350299", "19930719", 62, False, "系统架构设计师", "中级", "2021K3502004410", "2021-11-26"),
    "wu": person("吴浩然", "230199", "19860930", 335, True, "信息安全工程师", "中级", "2020R2301000927", "2020-12-18"),
    "zhou": person("周子涵", "500199", "19990614", 128, False, "数据库系统工程师", "中级", "2025K5001003064", "2025-06-30"),
    "huang": person("黄诗琪", "450199", "19900228", 444, False, "系统分析师", "高级", "2019K4501001285", "2019-12-20"),
    "sima": person("司马文博", "370199", "19830805", 71, True, "网络规划设计师", "高级", "2022R3701005518", "2022-12-09"),
    "ma": person("马丽", "130199", "19971121", 90, False, "软件评测师", "中级", "2023K1301006602", "2023-12-22"),
    "guo": person("郭子豪", "210199", "20000316", 257, True, "网络管理员", "初级", "2024R2101002743", "2024-06-28"),
    "lin": person("林婉清", "440199", "19920507", 196, False, "系统架构设计师", "高级", "2023K4401008851", "2023-12-15"),
    "he": person("何俊杰", "340199", "19870122", 313, True, "信息系统项目管理师", "高级", "2021R3401000512", "2021-06-25"),
    "xu": person("徐静怡", "320199", "19940809", 178, False, "网络工程师", "中级", "2024K3201007416", "2024-12-13"),
    "deng": person("邓志强", "360199", "19810410", 59, True, "系统集成项目管理工程师", "中级", "2018K3601004433", "2018-12-21"),
    "feng": person("冯雅琳", "520199", "19960125", 224, False, "程序员", "初级", "2025R5201001176", "2025-06-27"),
    "tang": person("唐嘉伟", "640199", "19890717", 381, True, "系统架构设计师", "高级", "2020K6401000268", "2020-11-20"),
    "cai": person("蔡欣然", "120199", "19980302", 46, False, "软件设计师", "中级", "2022R1201003390", "2022-06-17"),
    "lu": person("卢天宇", "150199", "19911019", 139, True, "网络工程师", "中级", "2021K1501002287", "2021-12-17"),
    "qian": person("钱梦瑶", "460199", "19850906", 268, False, "系统架构设计师", "中级", "2019R4601000734", "2019-06-21"),
}


def cn_date(iso):
    y, m, d = iso.split("-")
    return f"{y}年{m}月{d}日"


def fields_of(p, query=False, gender=True):
    b = p["birth_ymd"]
    return {
        "management_number": p["management_number"],
        "name": p["name"],
        "id_number": p["id_number"],
        "qualification": p["qualification"],
        "level": p["level"],
        "approval_date": p["approval_date"],
        "gender": p["gender"] if (gender and not query) else None,
        "birth": f"{b[:4]}-{b[4:6]}" if not query else None,
        "query_label": QUERY_LABEL if query else None,
        "query_result_label": bool(query),
    }


NULL_FIELDS = None  # the manifest's way to say: nothing should be found


# --------------------------------------------------------------------------
# Test CA hierarchy
# --------------------------------------------------------------------------
def load_or_make_key(name, kind):
    path = os.path.join(KEYS, f"{name}.key.pem")
    if os.path.exists(path):
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), None)
    if kind.startswith("rsa"):
        key = rsa.generate_private_key(65537, int(kind[3:]))
    elif kind == "p384":
        key = ec.generate_private_key(ec.SECP384R1())
    elif kind == "p256":
        key = ec.generate_private_key(ec.SECP256R1())
    elif kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        raise ValueError(kind)
    os.makedirs(KEYS, exist_ok=True)
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return key


def dn(cn, org=ORG_TEST):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def make_cert(subject, key, issuer_name, issuer_key, serial, ca, ku, path_len=None,
              not_before=T_SEAL_FROM, not_after=T_SEAL_TO):
    b = (x509.CertificateBuilder()
         .subject_name(subject).issuer_name(issuer_name)
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True)
         .add_extension(x509.KeyUsage(
             digital_signature="ds" in ku, content_commitment="nr" in ku,
             key_encipherment=False, data_encipherment=False, key_agreement=False,
             key_cert_sign="cs" in ku, crl_sign="crl" in ku,
             encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                        critical=False))
    algo = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(issuer_key, algo)


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


class Pki:
    def __init__(self):
        k = load_or_make_key
        self.root_key = k("root", "rsa3072")
        self.int_key = k("intermediate", "rsa2048")
        self.root = make_cert(dn("扩展测试根CA"), self.root_key, dn("扩展测试根CA"), self.root_key, 0x5E01,
                              True, {"cs", "crl"}, None, T_CA_FROM, T_CA_TO)
        self.inter = make_cert(dn("扩展测试中级CA"), self.int_key, self.root.subject, self.root_key, 0x5E02,
                               True, {"cs", "crl"}, 0, T_CA_FROM, T_CA_TO)
        seal_dn = dn(SEAL_CN, "人力资源和社会保障部")
        self.seals = {}
        specs = [
            # name, key kind, subject, key usage
            ("seal-rsa2048", "rsa2048", seal_dn, {"ds", "nr"}),
            ("seal-p384", "p384", seal_dn, {"ds", "nr"}),
            ("seal-ed25519", "ed25519", seal_dn, {"ds", "nr"}),
            ("seal-rsa1024", "rsa1024", seal_dn, {"ds", "nr"}),
            ("seal-ku-certsign", "rsa2048", seal_dn, {"cs", "crl"}),
            ("seal2-rsa2048", "rsa2048", dn(SEAL2_CN, "工业和信息化部"), {"ds", "nr"}),
        ]
        for i, (name, kind, subj, ku) in enumerate(specs):
            key = k(name, kind)
            cert = make_cert(subj, key, self.inter.subject, self.int_key, 0x5E10 + i, False, ku)
            self.seals[name] = (key, cert)
        for i, (name, kind) in enumerate((("seal-p256", "p256"), ("seal-rsa4096", "rsa4096"))):
            key = k(name, kind)
            self.seals[name] = (key, make_cert(seal_dn, key, self.inter.subject, self.int_key, 0x5E60 + i, False,
                                               {"ds", "nr"}))
        # Valid only from 2027-03-01: not yet valid when these files are signed.
        key = k("seal-future", "rsa2048")
        self.seals["seal-future"] = (key, make_cert(
            seal_dn, key, self.inter.subject, self.int_key, 0x5E20, False, {"ds", "nr"},
            not_before=dt.datetime(2027, 3, 1, tzinfo=dt.timezone.utc),
            not_after=dt.datetime(2032, 3, 1, tzinfo=dt.timezone.utc)))
        # Impostor hierarchy: same subject names as the trusted root and
        # intermediate, different keys; never written to trust/.
        self.imp_root_key = k("impostor-root", "rsa3072")
        self.imp_int_key = k("impostor-intermediate", "rsa2048")
        self.imp_root = make_cert(self.root.subject, self.imp_root_key, self.root.subject, self.imp_root_key,
                                  0x5E01, True, {"cs", "crl"}, None, T_CA_FROM, T_CA_TO)
        self.imp_inter = make_cert(self.inter.subject, self.imp_int_key, self.root.subject, self.imp_root_key,
                                   0x5E02, True, {"cs", "crl"}, 0, T_CA_FROM, T_CA_TO)
        # Expired on 2026-06-01 (for the claimed-signing-time cases).
        key = k("seal-expired-2026", "rsa2048")
        self.seals["seal-expired-2026"] = (key, make_cert(
            seal_dn, key, self.inter.subject, self.int_key, 0x5E21, False, {"ds", "nr"},
            not_before=dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc),
            not_after=dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)))
        # A time-stamping authority under the trusted intermediate.
        self.tsa_key = k("tsa", "rsa2048")
        self.tsa = (x509.CertificateBuilder()
                    .subject_name(dn("扩展测试时间戳服务")).issuer_name(self.inter.subject)
                    .public_key(self.tsa_key.public_key()).serial_number(0x5E30)
                    .not_valid_before(T_SEAL_FROM).not_valid_after(T_SEAL_TO)
                    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                    .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                                   critical=True)
                    .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]),
                                   critical=True)
                    .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.tsa_key.public_key()),
                                   critical=False)
                    .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.int_key.public_key()),
                                   critical=False)
                    .sign(self.int_key, hashes.SHA256()))
        # A second intermediate under the trusted root, NOT written to trust/,
        # and a "intermediate" without CA rights (CA:FALSE, no keyCertSign).
        self.int2_key = k("intermediate2", "rsa2048")
        self.inter2 = make_cert(dn("扩展测试中级CA-2"), self.int2_key, self.root.subject, self.root_key, 0x5E03,
                                True, {"cs", "crl"}, 0, T_CA_FROM, T_CA_TO)
        key = k("seal-under-int2", "rsa2048")
        self.seals["seal-under-int2"] = (key, make_cert(seal_dn, key, self.inter2.subject, self.int2_key, 0x5E50,
                                                        False, {"ds", "nr"}))
        self.noca_key = k("noca-intermediate", "rsa2048")
        self.noca = make_cert(dn("扩展测试业务证书"), self.noca_key, self.root.subject, self.root_key, 0x5E04,
                              False, {"ds"}, None, T_CA_FROM, T_CA_TO)
        key = k("seal-under-noca", "rsa2048")
        self.seals["seal-under-noca"] = (key, make_cert(seal_dn, key, self.noca.subject, self.noca_key, 0x5E51,
                                                        False, {"ds", "nr"}))
        # Self-signed seal with the real seal subject.
        key = k("self-signed-seal", "rsa2048")
        self.seals["self-signed-seal"] = (key, make_cert(seal_dn, key, seal_dn, key, 0x5E40, False, {"ds", "nr"}))
        key = k("impostor-seal", "rsa2048")
        self.seals["impostor-seal"] = (key, make_cert(seal_dn, key, self.inter.subject, self.imp_int_key,
                                                      0x5E10, False, {"ds", "nr"}))

    def write_trust(self):
        os.makedirs(TRUST, exist_ok=True)
        for f in os.listdir(TRUST):
            if f.endswith(".pem"):
                os.remove(os.path.join(TRUST, f))
        with open(os.path.join(TRUST, "root-ca.pem"), "wb") as f:
            f.write(pem(self.root))
        with open(os.path.join(TRUST, "intermediate-ca.pem"), "wb") as f:
            f.write(pem(self.inter))

    def signer(self, seal, chain=("inter",), pss=False, mechanism=None):
        key, cert = self.seals[seal]
        extra = []
        for c in chain:
            extra.append({"inter": self.inter, "root": self.root, "imp_inter": self.imp_inter,
                          "imp_root": self.imp_root, "inter2": self.inter2, "noca": self.noca}[c])
        der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        asn_key = load_private_key_from_pemder_bytes(der_key)
        asn_cert = load_cert_from_pemder_bytes(cert.public_bytes(serialization.Encoding.DER))
        store = SimpleCertificateStore.from_certs(
            [load_cert_from_pemder_bytes(c.public_bytes(serialization.Encoding.DER)) for c in extra])
        return signers.SimpleSigner(signing_cert=asn_cert, signing_key=asn_key, cert_registry=store,
                                    prefer_pss=pss, embed_roots=True, signature_mechanism=mechanism)


    def timestamper(self, at=None):
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
        der = lambda c: load_cert_from_pemder_bytes(c.public_bytes(serialization.Encoding.DER))
        key = load_private_key_from_pemder_bytes(self.tsa_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return DummyTimeStamper(tsa_cert=der(self.tsa), tsa_key=key,
                                certs_to_embed=SimpleCertificateStore.from_certs([der(self.inter)]), fixed_dt=at)


class frozen_time:
    """Makes pyHanko believe it is `at` (signingTime, /M and Info /ModDate)."""
    MODULES = ("pyhanko.sign.signers.pdf_signer", "pyhanko.sign.signers.pdf_cms", "pyhanko.pdf_utils.metadata.info")

    def __init__(self, at):
        self.at = at
        self.saved = {}

    def __enter__(self):
        at = self.at

        class Fixed(dt.datetime):
            @classmethod
            def now(cls, tz=None):
                return at.astimezone(tz) if tz else at

        for name in self.MODULES:
            mod = sys.modules[name]
            self.saved[name] = mod.datetime
            mod.datetime = Fixed
        return self

    def __exit__(self, *exc):
        for name, orig in self.saved.items():
            sys.modules[name].datetime = orig


def load_cert_from_pemder_bytes(der):
    from asn1crypto import x509 as ax509
    return ax509.Certificate.load(der)


def load_private_key_from_pemder_bytes(der):
    from asn1crypto import keys as akeys
    return akeys.PrivateKeyInfo.load(der)


# --------------------------------------------------------------------------
# Certificate pages (fpdf2)
# --------------------------------------------------------------------------
RED = (178, 34, 34)
LABELS_S = {"name": "姓   名", "gender": "性   别", "birth": "出生年月", "id": "证件号码", "qual": "资格名称",
            "level": "级   别", "mgmt": "管 理 号", "date": "批准日期"}
LABELS_T = {"name": "姓   名", "gender": "性   別", "birth": "出生年月", "id": "證件號碼", "qual": "資格名稱",
            "level": "級   別", "mgmt": "管 理 號", "date": "批准日期"}
TITLE_S = "中华人民共和国计算机技术与软件专业技术资格证书"
TITLE_T = "中華人民共和國計算機技術與軟件專業技術資格證書"
FOOT_S = ("本证书由中华人民共和国人力资源和社会保障部、工业和信息化部批准颁发，表明持证人",
          "通过国家统一组织的考试，取得计算机技术与软件专业技术资格。")
FOOT_T = ("本證書由中華人民共和國人力資源和社會保障部、工業和信息化部批准頒發，表明持證人",
          "通過國家統一組織的考試，取得計算機技術與軟件專業技術資格。")

# Layout (mm, top-left origin). Kept here so the attack annotations can be
# placed over the printed name.
VAL_X = 128
ROW_Y0 = 56
ROW_H = 11.5
PAGE_H_MM = 210.0
MM = 72 / 25.4


def new_pdf(created):
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(created)
    pdf.set_title(TITLE_S)
    pdf.set_author(SEAL_CN)
    pdf.set_creator("zscx e-cert service")
    pdf.set_producer("fpdf2")
    pdf.add_font("wqy", "", FONT, collection_font_number=0)
    pdf.add_page()
    return pdf


def draw_seal(pdf, cx, cy, r):
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.2)
    pdf.circle(x=cx, y=cy, radius=r, style="D")
    pdf.set_fill_color(*RED)
    import math
    pts = []
    for i in range(10):
        rr = r * 0.38 if i % 2 == 0 else r * 0.15
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    pdf.polygon(pts, style="F")


FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def certificate(p, created, traditional=False, colon="：", gender_shown=None, id_shown=None, fullwidth=False,
                qr_text=None, compress=True, labels=None, birth_text=None, date_text=None):
    L = dict(LABELS_T if traditional else LABELS_S)
    L.update(labels or {})
    pdf = new_pdf(created)
    pdf.set_compression(compress)
    if qr_text is not None:
        import qrcode
        img = qrcode.make(qr_text, box_size=6, border=2).get_image().convert("RGB")
        pdf.image(img, x=40, y=160, w=28, h=28)
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.8)
    pdf.rect(8, 8, 281, 194)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, 275, 188)
    pdf.set_text_color(*RED)
    pdf.set_font("wqy", size=20)
    pdf.set_xy(0, 20)
    pdf.cell(297, 10, TITLE_T if traditional else TITLE_S, align="C")
    pdf.set_font("wqy", size=9)
    pdf.set_xy(0, 31)
    pdf.cell(297, 6, "（電子證書）" if traditional else "（电子证书）", align="C")
    # photo placeholder
    pdf.set_fill_color(236, 238, 242)
    pdf.set_draw_color(170, 170, 170)
    pdf.rect(44, 54, 30, 40, style="DF")
    pdf.set_fill_color(175, 180, 190)
    pdf.circle(x=59, y=67, radius=6, style="F")
    pdf.ellipse(x=47, y=76, w=24, h=20, style="F")
    pdf.set_text_color(30, 30, 30)
    pdf.set_font("wqy", size=11)
    b = p["birth_ymd"]
    birth = birth_text or f"{b[:4]}年{b[4:6]}月"
    rows = [
        (L["birth"], birth),
        (L["id"], id_shown or p["id_number"]),
        (L["qual"], p["qualification"]),
        (L["level"], p["level"]),
        (L["mgmt"], p["management_number"]),
        (L["date"], date_text or cn_date(p["approval_date"])),
    ]
    if fullwidth:
        rows = [(label, value.translate(FULLWIDTH)) for label, value in rows]
    y = ROW_Y0
    pdf.set_xy(98, y)
    pdf.cell(30, 8, L["name"] + colon)
    pdf.set_xy(VAL_X, y)
    pdf.cell(60, 8, p["name"])
    pdf.set_xy(205, y)
    pdf.cell(25, 8, L["gender"] + colon)
    pdf.set_xy(230, y)
    pdf.cell(20, 8, gender_shown or p["gender"])
    for label, value in rows:
        y += ROW_H
        pdf.set_xy(98, y)
        pdf.cell(30, 8, label + colon)
        pdf.set_xy(VAL_X, y)
        pdf.cell(100, 8, value)
    pdf.set_font("wqy", size=8)
    foot = FOOT_T if traditional else FOOT_S
    pdf.set_xy(24, 146)
    pdf.cell(160, 5, foot[0])
    pdf.set_xy(24, 151)
    pdf.cell(160, 5, foot[1])
    pdf.set_font("wqy", size=10)
    pdf.set_xy(196, 160)
    pdf.cell(30, 6, "簽發單位" + colon if traditional else "签发单位" + colon)
    pdf.set_xy(208, 168)
    pdf.cell(60, 6, "人力資源和社會保障部" if traditional else "人力资源和社会保障部")
    pdf.set_xy(208, 175)
    pdf.cell(60, 6, "工業和信息化部" if traditional else "工业和信息化部")
    draw_seal(pdf, 232, 160, 20)
    return bytes(pdf.output())


def query_result(p, created, queried):
    pdf = new_pdf(created)
    pdf.set_title("查询结果证明")
    pdf.set_text_color(20, 20, 20)
    pdf.set_font("wqy", size=16)
    pdf.set_xy(0, 22)
    pdf.cell(297, 10, "计算机技术与软件专业技术资格(水平)考试合格证明", align="C")
    pdf.set_font("wqy", size=11)
    rows = [("姓名", p["name"]), ("证件号码", p["id_number"]), ("资格名称", p["qualification"]),
            ("级别", p["level"]), ("查询编号", p["management_number"]), ("批准日期", p["approval_date"])]
    y = 48
    pdf.set_draw_color(120, 120, 120)
    for label, value in rows:
        pdf.rect(40, y, 60, 12)
        pdf.rect(100, y, 150, 12)
        pdf.set_xy(43, y + 2)
        pdf.cell(50, 8, label)
        pdf.set_xy(103, y + 2)
        pdf.cell(140, 8, value)
        y += 12
    pdf.set_xy(40, y + 10)
    pdf.cell(120, 8, "查询时间：" + queried)
    pdf.set_font("wqy", size=13)
    pdf.set_xy(0, y + 38)
    pdf.cell(297, 10, QUERY_LABEL, align="C")
    return bytes(pdf.output())


# --------------------------------------------------------------------------
# Signing and post-signing updates (pyHanko)
# --------------------------------------------------------------------------
PKCS7 = sigfields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED
CADES = sigfields.SigSeedSubFilter.PADES


def sign(data, signer, field="Signature1", md="sha256", subfilter=PKCS7, certify=False, password=None,
         timestamper=None):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    if password is not None:
        w.encrypt(password)
    meta = signers.PdfSignatureMetadata(
        field_name=field, md_algorithm=md, subfilter=subfilter, certify=certify,
        docmdp_permissions=sigfields.MDPPerm.NO_CHANGES if certify else sigfields.MDPPerm.FILL_FORMS,
        reason="电子证书签章", location="北京")
    out = signers.sign_pdf(w, meta, signer=signer, existing_fields_only=False, timestamper=timestamper)
    return out.getvalue()


def doc_timestamp(data, timestamper):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    out = signers.PdfTimeStamper(timestamper, field_name="DocTimeStamp1").timestamp_pdf(
        w, md_algorithm="sha256", in_place=False)
    return out.getvalue()


def last_signature_contents(data):
    brs = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    return int(brs[-1].group(2)), int(brs[-1].group(3))


def pt_rect(x_mm, y_mm, w_mm, h_mm):
    """fpdf2 mm box (top-left origin) -> PDF user-space rect."""
    x1 = x_mm * MM
    y1 = (PAGE_H_MM - y_mm - h_mm) * MM
    return [x1, y1, x1 + w_mm * MM, y1 + h_mm * MM]


def utf16(s):
    return generic.TextStringObject(s)


def appearance(w, rect, content):
    width = rect[2] - rect[0]
    height = rect[3] - rect[1]
    s = generic.StreamObject({
        generic.NameObject("/Type"): generic.NameObject("/XObject"),
        generic.NameObject("/Subtype"): generic.NameObject("/Form"),
        generic.NameObject("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, width, height)]),
        generic.NameObject("/Resources"): generic.DictionaryObject({
            generic.NameObject("/Font"): generic.DictionaryObject({
                generic.NameObject("/Helv"): generic.DictionaryObject({
                    generic.NameObject("/Type"): generic.NameObject("/Font"),
                    generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                    generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
                })})}),
    }, stream_data=content)
    return w.add_object(s)


def add_annotations(data, annots):
    """Incremental update adding annotations (dicts) to page 1."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref = w.root["/Pages"]["/Kids"].raw_get(0)
    for spec in annots:
        rect = spec["rect"]
        d = generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject(spec["subtype"]),
            generic.NameObject("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in rect]),
            generic.NameObject("/F"): generic.NumberObject(4),
            generic.NameObject("/P"): page_ref,
            generic.NameObject("/M"): generic.pdf_string("D:20261128080000Z"),
        })
        if spec["subtype"] == "/FreeText":
            d[generic.NameObject("/Contents")] = utf16(spec["text"])
            d[generic.NameObject("/DA")] = generic.pdf_string("/Helv 12 Tf 0 0 0 rg")
            d[generic.NameObject("/IC")] = generic.ArrayObject([generic.FloatObject(1)] * 3)
        if spec["subtype"] == "/Square":
            d[generic.NameObject("/IC")] = generic.ArrayObject([generic.FloatObject(1)] * 3)
            d[generic.NameObject("/C")] = generic.ArrayObject([generic.FloatObject(1)] * 3)
            d[generic.NameObject("/BS")] = generic.DictionaryObject({generic.NameObject("/W"): generic.NumberObject(0)})
        if spec.get("ap") is not None:
            d[generic.NameObject("/AP")] = generic.DictionaryObject(
                {generic.NameObject("/N"): appearance(w, rect, spec["ap"])})
        ref = w.add_object(d)
        w.register_annotation(page_ref, ref)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def tounicode_map(data, password=None):
    """code (hex str) -> unicode char, from the ToUnicode CMaps of page 1."""
    r = PdfFileReader(io.BytesIO(data))
    if password is not None:
        r.decrypt(password)
    page = r.root["/Pages"]["/Kids"][0]
    fonts = page["/Resources"]["/Font"]
    out = {}
    for _, fref in fonts.items():
        f = fref.get_object()
        if "/ToUnicode" not in f:
            continue
        cmap = f["/ToUnicode"].get_object().data.decode("latin-1")
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                out[src.upper()] = bytes.fromhex(dst).decode("utf-16-be")
        for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
            for a, b, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                base = int(dst, 16)
                for i, code in enumerate(range(int(a, 16), int(b, 16) + 1)):
                    out[f"{code:0{len(a)}X}"] = chr(base + i)
    return out


def replace_page_content(data, old_text, new_text, password=None):
    """Incremental update giving page 1 a NEW content stream (same page
    object, same resources) in which old_text is drawn as new_text."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    if password is not None:
        w.encrypt(password)
    page_ref = w.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    contents = page["/Contents"]
    if isinstance(contents, generic.ArrayObject):
        raw = b"".join(c.get_object().data for c in contents)
    else:
        raw = contents.get_object().data
    rev = {u: c for c, u in tounicode_map(data, password).items()}

    def literal(s):
        # fpdf2 writes 2-byte glyph codes as literal strings with these escapes
        b = bytes.fromhex("".join(rev[ch] for ch in s))
        b = b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        return b"(" + b.replace(b"\r", b"\\r") + b")"

    enc_old, enc_new = literal(old_text), literal(new_text)
    n = raw.count(enc_old)
    if n != 1:
        raise RuntimeError(f"expected the old text once in the content stream, found {n}")
    new = generic.StreamObject(stream_data=raw.replace(enc_old, enc_new))
    new.compress()
    page[generic.NameObject("/Contents")] = w.add_object(new)
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def glyph_literal(base, text):
    """`text` as fpdf2 draws it with the subset font of `base`: a literal
    string of 2-byte glyph codes with fpdf2's escapes."""
    rev = {u: c for c, u in tounicode_map(base).items()}
    b = bytes.fromhex("".join(rev[ch] for ch in text))
    b = b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"\\r")
    return b"(" + b + b")"


def other_valid_id(base, old_id):
    """Another ID with the same region, birth and gender, a valid check digit,
    drawable with the glyphs already in `base`'s subset font."""
    have = set(tounicode_map(base).values())
    for step in range(2, 1000, 2):
        n17 = old_id[:14] + f"{(int(old_id[14:17]) + step) % 1000:03d}"
        cand = n17 + check_digit(n17)
        if set(cand) <= have:
            return cand
    raise RuntimeError("no drawable ID")


def shadow_hide(base, old_text, new_text):
    """Before signing: an incremental update adding, unreferenced, a copy of
    page 1's content stream drawing new_text. Returns (file, object number)."""
    w = IncrementalPdfFileWriter(io.BytesIO(base))
    page = w.root["/Pages"]["/Kids"][0]
    raw = page["/Contents"].get_object().data
    a, b = glyph_literal(base, old_text), glyph_literal(base, new_text)
    assert raw.count(a) == 1
    hidden = generic.StreamObject(stream_data=raw.replace(a, b))
    hidden.compress()
    ref = w.add_object(hidden)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue(), ref.idnum


def shadow_replace(signed, idnum):
    """After signing: point page 1's /Contents at the hidden object."""
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = w.root["/Pages"]["/Kids"][0]
    page[generic.NameObject("/Contents")] = generic.IndirectObject(idnum, 0, w)
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def update_metadata(data):
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    info = w.trailer["/Info"].get_object()
    info[generic.NameObject("/Title")] = utf16("电子证书（归档副本）")
    info[generic.NameObject("/Keywords")] = utf16("软考 电子证书 归档")
    info[generic.NameObject("/Subject")] = utf16("archived copy")
    w.update_container(info)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def flip_last_signature_value(data):
    """Flips one bit of the signature value (SignerInfo.signature) of the last
    signature in the file, keeping /Contents the same length."""
    from asn1crypto import cms
    brs = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    a, b = int(brs[-1].group(2)), int(brs[-1].group(3))
    hexpart = data[a:b]
    assert hexpart[:1] == b"<" and hexpart[-1:] == b">"
    raw = bytes.fromhex(hexpart[1:-1].decode())
    ci = cms.ContentInfo.load(raw)
    der_len = len(ci.dump())
    si = ci["content"]["signer_infos"][0]
    sig = bytearray(si["signature"].native)
    sig[len(sig) // 2] ^= 0x01
    si["signature"] = bytes(sig)
    new = ci.dump(force=True)
    assert len(new) == der_len
    new_hex = (new.hex().encode() + b"0" * (len(hexpart) - 2 - 2 * len(new))).upper()
    assert len(new_hex) == len(hexpart) - 2
    return data[:a + 1] + new_hex + data[b - 1:]


def qpdf(args, data):
    src = os.path.join(HERE, ".tmp-in.pdf")
    dst = os.path.join(HERE, ".tmp-out.pdf")
    with open(src, "wb") as f:
        f.write(data)
    try:
        p = subprocess.run([QPDF, *args, src, dst], capture_output=True)
        if p.returncode not in (0, 3):  # 3 = warnings
            raise RuntimeError(p.stderr.decode())
        with open(dst, "rb") as f:
            return f.read()
    finally:
        for x in (src, dst):
            if os.path.exists(x):
                os.remove(x)


# --------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------
def created(p):
    y, m, d = map(int, p["approval_date"].split("-"))
    return dt.datetime(y, m, d, 9, 30, tzinfo=dt.timezone.utc)


def main():
    pki = Pki()
    pki.write_trust()
    entries = []

    def emit(file, data, verdict, case, description, fields, also=(), reasons=None, **extra):
        with open(os.path.join(HERE, file), "wb") as f:
            f.write(data)
        e = {"file": file, "verdict": verdict, "also_acceptable": list(also), "case": case,
             "description": description, "fields": fields}
        if reasons is not None:
            e["expect_reasons"] = list(reasons)
        e.update(extra)
        entries.append(e)
        print(f"{file}: {verdict}", file=sys.stderr)

    def base(key, **kw):
        p = PEOPLE[key]
        return p, certificate(p, created(p), **kw)

    # 1 RSA-PSS, full chain embedded
    p, pdf = base("chen")
    emit("authentic-rsa-pss-sha256.pdf",
         sign(pdf, pki.signer("seal-rsa2048", ("inter", "root"), pss=True), md="sha256", subfilter=CADES),
         "authentic", "rsa-pss-sha256-full-chain",
         "RSA-2048 RSASSA-PSS with SHA-256, ETSI.CAdES.detached; seal, intermediate and root embedded.",
         fields_of(p), signature={"signer_cert": "seal-rsa2048", "algorithm": "rsassa-pss", "digest": "sha256",
                                  "embedded_extra_certs": ["intermediate", "root"]})

    # 2 ECDSA P-384 / SHA-384
    p, pdf = base("liu")
    emit("authentic-ecdsa-p384-sha384.pdf",
         sign(pdf, pki.signer("seal-p384"), md="sha384", subfilter=CADES),
         "authentic", "ecdsa-p384-sha384",
         "ECDSA P-384 seal key with SHA-384, ETSI.CAdES.detached; seal + intermediate embedded.",
         fields_of(p), signature={"signer_cert": "seal-p384", "algorithm": "ecdsa", "digest": "sha384"})

    # 3 RSA-2048 / SHA-512, on a base page from the shared corpus (another generator)
    shared = json.load(open(os.path.join(SHARED_BASES, "manifest.json"), encoding="utf-8"))
    shared_by_file = {e["file"]: e for e in shared["files"]}
    stsong = "unsigned-query-result-stsong.pdf"
    with open(os.path.join(SHARED_BASES, stsong), "rb") as f:
        pdf = f.read()
    emit("authentic-rsa-sha512-stsong.pdf",
         sign(pdf, pki.signer("seal-rsa2048"), md="sha512", subfilter=PKCS7),
         "authentic", "rsa-sha512-shared-base",
         f"RSA-2048 PKCS#1 v1.5 with SHA-512, adbe.pkcs7.detached, over the shared corpus's {stsong} "
         "(query-result page, STSong predefined CMap, other generator).",
         {k: v for k, v in shared_by_file[stsong]["fields"].items()},
         signature={"signer_cert": "seal-rsa2048", "algorithm": "rsa-pkcs1", "digest": "sha512"})

    # 4 Ed25519
    p, pdf = base("zhao")
    try:
        data = sign(pdf, pki.signer("seal-ed25519"), md="sha512", subfilter=CADES)
        emit("authentic-ed25519.pdf", data, "authentic", "ed25519",
             "Ed25519 seal key (RFC 8419, SHA-512 message digest), ETSI.CAdES.detached; seal + intermediate.",
             fields_of(p), signature={"signer_cert": "seal-ed25519", "algorithm": "ed25519", "digest": "sha512"})
    except Exception as ex:  # noqa: BLE001 - report and skip
        print(f"SKIP ed25519: {ex!r}", file=sys.stderr)

    # 5 RSA-1024 seal key
    p, pdf = base("sun")
    emit("invalid-rsa1024.pdf", sign(pdf, pki.signer("seal-rsa1024"), md="sha256"),
         "invalid", "rsa-1024-forbidden",
         "Seal key RSA-1024 (chains to the trusted root, otherwise valid): forbidden algorithm strength.",
         fields_of(p), reasons=["algorithm_forbidden"],
         signature={"signer_cert": "seal-rsa1024", "algorithm": "rsa-pkcs1", "digest": "sha256"})

    # 6 key usage keyCertSign/cRLSign only
    p, pdf = base("wu")
    emit("invalid-key-usage-certsign-only.pdf", sign(pdf, pki.signer("seal-ku-certsign"), md="sha256"),
         "invalid", "seal-key-usage-no-signing",
         "Seal certificate (CA:FALSE) whose key usage is only keyCertSign + cRLSign: no digitalSignature "
         "or nonRepudiation. Chains to the trusted root; signature value valid.",
         fields_of(p), reasons=["certificate_key_usage"],
         signature={"signer_cert": "seal-ku-certsign"})

    # 7 certified (DocMDP P=1), then a FreeText annotation
    p, pdf = base("zhou")
    signed = sign(pdf, pki.signer("seal-rsa2048"), certify=True, subfilter=CADES)
    name_rect = pt_rect(VAL_X - 1, ROW_Y0, 40, 8)
    free_rect = pt_rect(150, 120, 60, 10)
    data = add_annotations(signed, [{"subtype": "/FreeText", "rect": free_rect, "text": "Verified copy",
                                     "ap": b"BT /Helv 12 Tf 0 0 0 rg 2 8 Td (Verified copy) Tj ET"}])
    emit("altered-certified-then-annotated.pdf", data, "altered", "docmdp-p1-then-freetext",
         "Certification signature with DocMDP P=1 (no changes allowed), then a FreeText annotation added "
         "in an incremental update (text layer unchanged).",
         fields_of(p), signature={"signer_cert": "seal-rsa2048", "certify": True, "docmdp_p": 1})

    # 8 two valid signatures by two trusted seals
    p, pdf = base("huang")
    s1 = sign(pdf, pki.signer("seal-rsa2048"), field="Signature1", subfilter=CADES)
    s2 = sign(s1, pki.signer("seal2-rsa2048"), field="Signature2", subfilter=CADES)
    emit("authentic-two-seals.pdf", s2, "authentic", "second-signature-incremental",
         f"Signed by {SEAL_CN}, then a second valid signature by another trusted seal ({SEAL2_CN}) in a "
         "new field, added incrementally.",
         fields_of(p), signature={"count": 2, "signer_cert": ["seal-rsa2048", "seal2-rsa2048"]})

    # 9 signed, then Square + FreeText over the name
    p, pdf = base("sima")
    signed = sign(pdf, pki.signer("seal-rsa2048"))
    over = "Li Ming"
    data = add_annotations(signed, [
        {"subtype": "/Square", "rect": name_rect, "ap": b"1 1 1 rg 0 0 %.2f %.2f re f" % (
            name_rect[2] - name_rect[0], name_rect[3] - name_rect[1])},
        {"subtype": "/FreeText", "rect": name_rect, "text": over,
         "ap": b"1 1 1 rg 0 0 %.2f %.2f re f BT /Helv 12 Tf 0 0 0 rg 2 6 Td (%s) Tj ET" % (
             name_rect[2] - name_rect[0], name_rect[3] - name_rect[1], over.encode())},
    ])
    emit("altered-square-over-name.pdf", data, "altered", "overlay-annotation-square-freetext",
         "Signed; then an incremental update adds a white Square annotation over the printed name and a "
         "FreeText annotation drawing another name on it. The text layer is unchanged.",
         fields_of(p), displayed_overlay={"name": over})

    # 10 signed, then page content replaced (same page object, new stream)
    p, pdf = base("ma")
    signed = sign(pdf, pki.signer("seal-rsa2048"), subfilter=CADES)
    old = p["id_number"]
    have = set(tounicode_map(pdf).values())
    new_id = None
    for step in range(2, 1000, 2):  # keep the gender digit's parity
        new17 = old[:14] + f"{(int(old[14:17]) + step) % 1000:03d}"
        cand = new17 + check_digit(new17)
        if set(cand) <= have:  # drawable with the glyphs already in the subset font
            new_id = cand
            break
    assert new_id and (int(new_id[16]) % 2) == (int(old[16]) % 2) and id_ok(new_id)
    data = replace_page_content(signed, old, new_id)
    shown = fields_of(p)
    shown["id_number"] = new_id
    emit("altered-content-stream-replaced.pdf", data, "altered", "isa-new-content-stream",
         "Signed; then an incremental update points page 1's /Contents at a new stream that draws another "
         "ID number (valid check digit, same gender/birth) with the same fonts.",
         shown, signed_fields=fields_of(p))

    # 11 signed, then only the Info dictionary changed
    p, pdf = base("guo")
    signed = sign(pdf, pki.signer("seal-rsa2048"))
    emit("authentic-info-dict-update.pdf", update_metadata(signed), "authentic", "benign-update-info-dict",
         "Signed; then an incremental update changes only the document Info dictionary (Title, Subject, "
         "Keywords, ModDate/Producer by pyHanko).",
         fields_of(p))

    # 12 impostor chain with the trusted names
    p, pdf = base("lin")
    emit("untrusted-impostor-same-names.pdf",
         sign(pdf, pki.signer("impostor-seal", ("imp_inter", "imp_root"))),
         "untrusted", "impostor-chain-same-subjects",
         "Intact, valid signature by a seal whose intermediate and root carry exactly the subject names of "
         "the trusted intermediate and root (same serials too), with other keys; all embedded.",
         fields_of(p), reasons=["not_trusted"])

    # 13 encrypted with a user password, then signed in the encrypted file
    p, pdf = base("he")
    user_pw, owner_pw = "ruankao-2021", "CPTA-owner-extra-9Z"
    enc = qpdf(["--encrypt", user_pw, owner_pw, "256", "--print=none", "--modify=none", "--"], pdf)
    data = sign(enc, pki.signer("seal-rsa2048"), password=user_pw)
    emit("authentic-encrypted-user-password.pdf", data, "authentic", "encrypted-user-password",
         "AES-256 encrypted by qpdf with a NON-empty user password, then signed by pyHanko in an encrypted "
         "incremental revision. Without --password: signatures checked on raw bytes, fields null.",
         NULL_FIELDS, reasons=["password_required"], fields_with_password=fields_of(p),
         encryption={"method": "AES-256", "user_password": user_pw, "owner_password": owner_pw})

    # 14 signed, then fully rewritten by qpdf
    p, pdf = base("xu")
    signed = sign(pdf, pki.signer("seal-rsa2048"))
    data = qpdf([], signed)
    emit("altered-qpdf-full-rewrite.pdf", data, "altered", "full-rewrite-byterange-stale",
         "Signed, then re-saved entirely by qpdf (not incremental): objects are renumbered/moved, the "
         "signature dictionary's /ByteRange and /Contents are copied unchanged, so the byte ranges no "
         "longer cover what they covered (digest mismatch, gap not over /Contents). The page looks the "
         "same; the signature no longer vouches for these bytes.",
         fields_of(p), also=["invalid"])

    # 15 unsigned, wrong check digit
    p = dict(PEOPLE["deng"])
    idn = p["id_number"]
    bad = idn[:17] + ("0" if idn[17] != "0" else "1")
    assert not id_ok(bad)
    p["id_number"] = bad
    emit("unsigned-id-check-digit-wrong.pdf", certificate(p, created(p)), "unsigned",
         "id-number-check-digit",
         "Unsigned certificate page whose 18-digit ID number has a wrong GB 11643 check digit.",
         fields_of(p), reasons=["id_number_check_digit"])

    # 16 unsigned, 性别 contradicts the ID number (half-width colons)
    p = dict(PEOPLE["feng"])  # ID encodes female
    emit("unsigned-gender-mismatch.pdf", certificate(p, created(p), colon=":", gender_shown="男"),
         "unsigned", "id-number-gender-mismatch",
         "Unsigned certificate page printing 性别: 男 while the ID number encodes a woman (odd/even 17th "
         "digit); labels use half-width colons.",
         {**fields_of(p), "gender": "男"}, reasons=["id_number_gender_mismatch"])

    # 17 query-result proof with 查询编号
    p = PEOPLE["tang"]
    emit("unsigned-query-result-query-number.pdf",
         query_result(p, dt.datetime(2026, 11, 21, 14, 5, tzinfo=dt.timezone.utc), "2026-11-21 14:05:33"),
         "unsigned", "query-result-query-number",
         "Unsigned query-result proof (table layout) with 查询编号 instead of 管理号 and the label "
         f"'{QUERY_LABEL}'.",
         fields_of(p, query=True))

    # 18 Traditional labels
    p, pdf = base("cai", traditional=True)
    emit("unsigned-traditional-labels.pdf", pdf, "unsigned", "traditional-labels",
         "Unsigned certificate page in Traditional characters (姓名, 性別, 證件號碼, 資格名稱, 級別, 管理號, 批准日期) "
         "with full-width colons; values in Simplified as issued.",
         fields_of(p))

    # --- further cases beyond the brief's list ---
    from asn1crypto import algos

    # 1b RSA-PSS with SHA-384 and a salt as long as the hash (the common profile)
    p, pdf = base("lu")
    mech = algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": algos.RSASSAPSSParams({
        "hash_algorithm": {"algorithm": "sha384"},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha384"}},
        "salt_length": 48})})
    emit("authentic-rsa-pss-sha384-salt48.pdf",
         sign(pdf, pki.signer("seal-rsa2048", mechanism=mech), md="sha384", subfilter=CADES),
         "authentic", "rsa-pss-sha384-salt-hashlen",
         "RSA-2048 RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt; seal + intermediate embedded.",
         fields_of(p), signature={"signer_cert": "seal-rsa2048", "algorithm": "rsassa-pss", "digest": "sha384",
                                  "pss_salt": 48})

    # seal certificate not yet valid at the (claimed) signing time
    p, pdf = base("qian")
    emit("invalid-seal-not-yet-valid.pdf", sign(pdf, pki.signer("seal-future")),
         "invalid", "seal-cert-not-yet-valid-at-signing",
         "Seal certificate valid only from 2027-03-01 (chains to the trusted root); the document was signed "
         "before that (signingTime and /M are the build time).",
         fields_of(p), also=["untrusted"], reasons=["certificate_not_yet_valid_at_signing"])

    # a trusted signature, then a second intact signature by an impostor seal
    p, pdf = base("chen")
    s1 = sign(pdf, pki.signer("seal-rsa2048"), field="Signature1", subfilter=CADES)
    s2 = sign(s1, pki.signer("impostor-seal", ("imp_inter", "imp_root")), field="Signature2", subfilter=CADES)
    emit("authentic-trusted-then-untrusted-cosign.pdf", s2, "authentic", "second-signature-untrusted",
         "Signed by the trusted seal; then a second intact, valid signature by the impostor seal (same names, "
         "other root) in a new field. SPEC: authentic needs every signature intact and valid and AT LEAST ONE "
         "signer chaining to a known issuer; a fail-closed 'untrusted' is also accepted.",
         fields_of(p), also=["untrusted"])

    # a trusted signature, then a second signature whose value was corrupted
    p, pdf = base("liu")
    s1 = sign(pdf, pki.signer("seal-rsa2048"), field="Signature1", subfilter=CADES)
    s2 = sign(s1, pki.signer("seal2-rsa2048"), field="Signature2", subfilter=CADES)
    emit("invalid-second-signature-bitflip.pdf", flip_last_signature_value(s2), "invalid",
         "second-signature-value-bitflip",
         "Two signatures by trusted seals; one bit of the second signature's value (SignerInfo.signature) is "
         "flipped (same length, digest intact). The first signature is valid.",
         fields_of(p), reasons=["signature_value_invalid"])

    # full-width digits in the values
    p = PEOPLE["zhou"]
    emit("unsigned-fullwidth-digits.pdf", certificate(p, created(p), fullwidth=True), "unsigned",
         "fullwidth-digit-values",
         "Unsigned certificate page whose ID number, management number and dates are printed with "
         "full-width digits (０-９); compared after NFKC.",
         fields_of(p))

    # encrypted with an empty user password: AES-128 and RC4-40 (SPEC lists both)
    for key, method, args in (("deng", "AES-128", ["128", "--use-aes=y", "--print=none", "--modify=none"]),
                              ("tang", "RC4-40", ["40", "--print=n", "--modify=n"])):
        p, pdf = base(key)
        owner = "owner-" + method.lower()
        pre = ["--allow-weak-crypto"] if method.startswith("RC4") else []
        enc = qpdf([*pre, "--encrypt", "", owner, *args, "--"], pdf)
        try:
            data = sign(enc, pki.signer("seal-rsa2048"), password="")
        except Exception as ex:  # noqa: BLE001
            print(f"SKIP encrypted {method}: {ex!r}", file=sys.stderr)
            continue
        emit(f"authentic-encrypted-{method.lower()}.pdf", data, "authentic", f"encrypted-{method.lower()}",
             f"Encrypted by qpdf ({method}, empty user password, owner password forbidding print/modify), then "
             "signed by pyHanko in an encrypted incremental revision. Opens without a password.",
             fields_of(p), encryption={"method": method, "user_password": "", "owner_password": owner})

    # RFC 3161 signature timestamp from a TSA under the trusted intermediate
    p, pdf = base("sun")
    emit("authentic-signature-timestamp.pdf",
         sign(pdf, pki.signer("seal-rsa2048"), subfilter=CADES, timestamper=pki.timestamper()),
         "authentic", "rfc3161-signature-timestamp",
         "PAdES signature with an RFC 3161 signature timestamp (pyHanko DummyTimeStamper, TSA certificate "
         "with critical EKU timeStamping under the trusted intermediate).",
         fields_of(p))

    # a later document timestamp (benign revision)
    p, pdf = base("wu")
    signed = sign(pdf, pki.signer("seal-rsa2048"), subfilter=CADES)
    emit("authentic-doc-timestamp.pdf", doc_timestamp(signed, pki.timestamper()), "authentic",
         "benign-update-doctimestamp",
         "Signed; then a document timestamp (ETSI.RFC3161, /Type /DocTimeStamp) added incrementally.",
         fields_of(p))

    # self-signed seal with the real subject
    p, pdf = base("huang")
    emit("untrusted-self-signed-seal.pdf", sign(pdf, pki.signer("self-signed-seal", ())), "untrusted",
         "self-signed-seal", "Intact, valid signature by a self-signed certificate carrying the real seal subject.",
         fields_of(p), reasons=["not_trusted"])

    # same-length byte edit of the ID number inside the signed revision
    p = PEOPLE["sima"]
    pdf = certificate(p, created(p), compress=False)
    signed = sign(pdf, pki.signer("seal-rsa2048"))
    rev = {u: c for c, u in tounicode_map(pdf).items()}
    have = set(rev)
    old_id = p["id_number"]
    new_id = None
    for step in range(2, 1000, 2):
        n17 = old_id[:14] + f"{(int(old_id[14:17]) + step) % 1000:03d}"
        cand = n17 + check_digit(n17)
        if set(cand) <= have:
            new_id = cand
            break

    def lit(text):
        b = bytes.fromhex("".join(rev[ch] for ch in text))
        return b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"\\r")

    a, b = lit(old_id), lit(new_id)
    assert len(a) == len(b) and signed.count(a) == 1
    shown = fields_of(p)
    shown["id_number"] = new_id
    emit("altered-byte-edit-id.pdf", signed.replace(a, b), "altered", "same-length-byte-edit",
         "Signed with uncompressed page content; then the ID number's glyph codes were overwritten in place "
         "(same length, valid check digit): the signed bytes' digest no longer matches.",
         shown, reasons=["digest_mismatch"], signed_fields=None)

    # contents zeroed
    p, pdf = base("ma")
    signed = sign(pdf, pki.signer("seal-rsa2048"))
    a, b = last_signature_contents(signed)
    emit("invalid-contents-zeroed.pdf", signed[:a + 1] + b"0" * (b - a - 2) + signed[b - 1:], "invalid",
         "contents-zeroed", "Signature dictionary intact, /Contents hex replaced by zeros.",
         fields_of(p), reasons=["contents_zeroed"])

    # truncated download: first half of a signed certificate
    p, pdf = base("guo")
    signed = sign(pdf, pki.signer("seal-rsa2048"))
    emit("malformed-truncated-half.pdf", signed[:len(signed) // 2], "malformed", "truncated",
         "The first half of a signed certificate (download cut off): no xref/trailer.", NULL_FIELDS)

    # PNG with a .pdf name
    from PIL import Image
    img = Image.new("RGB", (120, 80), (200, 30, 30))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    emit("malformed-png-renamed.pdf", buf.getvalue(), "malformed", "png-renamed",
         "A PNG image with a .pdf name.", NULL_FIELDS)

    # QR codes: official host on a signed certificate, look-alike on an unsigned one
    p = PEOPLE["lin"]
    qr_ok = f"https://zscx.cpta.com.cn/examfront/certcheck?zsbh={p['management_number']}"
    emit("authentic-qr-official-host.pdf",
         sign(certificate(p, created(p), qr_text=qr_ok), pki.signer("seal-rsa2048")),
         "authentic", "qr-official-host", "Signed certificate with a QR code to an official host (cpta.com.cn).",
         fields_of(p), qr_codes=[{"text": qr_ok, "host_allowed": True}])
    p = PEOPLE["cai"]
    qr_bad = f"https://zscx.cpta.com.cn.cert-verify.net/check?id={p['management_number']}"
    emit("unsigned-qr-lookalike-host.pdf", certificate(p, created(p), qr_text=qr_bad), "unsigned",
         "qr-lookalike-host", "Unsigned certificate with a QR code to a look-alike host "
         "(zscx.cpta.com.cn.cert-verify.net).",
         fields_of(p), reasons=["qr_code_off_official_host"], qr_codes=[{"text": qr_bad, "host_allowed": False}])

    # claimed signing times (no timestamp) and a seal certificate that expired 2026-06-01
    p = PEOPLE["xu"]
    at = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.timezone.utc)
    pdf = certificate(p, dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc))
    with frozen_time(at):
        data = sign(pdf, pki.signer("seal-expired-2026"))
    emit("authentic-expired-since-signing.pdf", data, "authentic", "seal-cert-expired-since",
         "Signed (claimed 2026-03-10; CreationDate 2026-03-02, ModDate = the claim) with a seal certificate "
         "valid 2024-06-01..2026-06-01: valid when signed, expired since (warning).",
         fields_of(p), reasons=["certificate_expired_since"])
    p = PEOPLE["feng"]
    pdf = certificate(p, dt.datetime(2026, 10, 15, 9, 0, tzinfo=dt.timezone.utc))
    with frozen_time(at):
        data = sign(pdf, pki.signer("seal-expired-2026"))
    emit("invalid-backdated-signing-time.pdf", data, "invalid", "signing-time-contradicted",
         "Signing time claimed 2026-03-10 (signingTime, /M, ModDate) while the signed revision's Info "
         "/CreationDate is 2026-10-15: the claim is not believed, the certificate (expired 2026-06-01) is judged "
         "at 2026-10-15 and was expired.",
         fields_of(p), also=["untrusted"], reasons=["signing_time_contradicted"])

    # shadow attack: hidden content added before signing, referenced after
    p, pdf = base("qian")
    new_id = other_valid_id(pdf, p["id_number"])
    prepared, idnum = shadow_hide(pdf, p["id_number"], new_id)
    signed = sign(prepared, pki.signer("seal-rsa2048"), subfilter=CADES)
    shown = fields_of(p)
    shown["id_number"] = new_id
    emit("altered-shadow-hidden-content.pdf", shadow_replace(signed, idnum), "altered", "shadow-hide-and-replace",
         "Shadow attack: before signing, an unused copy of the page content drawing another ID number was added "
         f"(object {idnum}); the seal signed that file; a later incremental update only rewrites the page "
         "dictionary's /Contents to point at it.",
         shown, signed_fields=fields_of(p))

    # copied signature: a genuine SignedData for another certificate
    p_a, pdf_a = base("he")
    p, pdf = base("zhao")
    signed_a = sign(pdf_a, pki.signer("seal-rsa2048"))
    signed_b = sign(pdf, pki.signer("seal-rsa2048"))
    a1, b1 = last_signature_contents(signed_a)
    a2, b2 = last_signature_contents(signed_b)
    blob = signed_a[a1 + 1:b1 - 1].rstrip(b"0")
    if len(blob) % 2:
        blob += b"0"
    room = b2 - a2 - 2
    assert len(blob) <= room
    emit("altered-copied-signeddata.pdf", signed_b[:a2 + 1] + blob + b"0" * (room - len(blob)) + signed_b[b2 - 1:],
         "altered", "copied-signeddata",
         f"A certificate for {p['name']} whose /Contents holds a genuine SignedData made by the trusted seal for "
         f"another document ({p_a['name']}'s certificate): signature over the signed attributes valid, "
         "messageDigest does not match this file's byte range.",
         fields_of(p), also=["invalid"])

    # Universal Signature Forgery on a real signature: /ByteRange [0 0 0 0]
    p, pdf = base("lu")
    signed = sign(pdf, pki.signer("seal-rsa2048"))
    m = list(re.finditer(rb"/ByteRange\s*\[[^\]]*\]", signed))[-1]
    repl = b"/ByteRange [0 0 0 0]"
    repl += b" " * (len(m.group(0)) - len(repl))
    emit("invalid-byterange-zeroed.pdf", signed[:m.start()] + repl + signed[m.end():], "invalid", "usf-byterange-zero",
         "A genuinely signed certificate whose /ByteRange was overwritten in place with [0 0 0 0] (same length, "
         "padded with spaces): the signature covers nothing.",
         fields_of(p), reasons=["byte_range_invalid"])

    # field-reading variants on unsigned pages
    p = person("阿依努尔·买买提", "650199", "19970814", 208, False, "网络工程师", "中级", "2024R6501004127",
               "2024-12-13")
    emit("unsigned-name-with-middle-dot.pdf", certificate(p, created(p)), "unsigned", "name-middle-dot",
         "Unsigned certificate for a holder whose name is written with a middle dot (阿依努尔·买买提).",
         fields_of(p))

    # an ID whose check digit is X, printed lower-case, and a birth date with the day
    for seq in range(100, 999, 2):
        p = person("贺晨阳", "310199", "19920315", seq, True, "系统架构设计师", "高级", "2023K3101002095",
                   "2023-12-15")
        if p["id_number"].endswith("X"):
            break
    f = fields_of(p)
    f["birth"] = "1992-03-15"
    emit("unsigned-lowercase-x-birth-day.pdf",
         certificate(p, created(p), id_shown=p["id_number"].lower(), labels={"birth": "出生日期"},
                     birth_text="1992年03月15日"),
         "unsigned", "lowercase-x-and-birth-day",
         "Unsigned certificate whose ID number ends in a lower-case 'x' (valid check digit X) and whose "
         "出生日期 prints the day (1992年03月15日 -> 1992-03-15).",
         f)

    # other labels: 证书编号, 身份证号; approval date without the day
    p = person("罗一鸣", "530199", "19890621", 117, True, "信息系统项目管理师", "高级", "2019R5301001848",
               "2019-12-20")
    f = fields_of(p)
    f["approval_date"] = "2019-12"
    emit("unsigned-other-labels.pdf",
         certificate(p, created(p), labels={"mgmt": "证书编号", "id": "身份证号"}, date_text="2019年12月"),
         "unsigned", "alternative-labels",
         "Unsigned certificate using the labels 证书编号 (management number) and 身份证号 (ID number), and a "
         "批准日期 without the day (2019年12月 -> 2019-12).",
         f)

    # encrypted (AES-128, empty user password), signed, then an encrypted
    # incremental update replacing the page content
    p, pdf = base("wu")
    enc = qpdf(["--encrypt", "", "owner-x", "128", "--use-aes=y", "--"], pdf)
    signed = sign(enc, pki.signer("seal-rsa2048"), password="")
    new_id = other_valid_id(pdf, p["id_number"])
    shown = fields_of(p)
    shown["id_number"] = new_id
    emit("altered-encrypted-aes128-content.pdf", replace_page_content(signed, p["id_number"], new_id, password=""),
         "altered", "encrypted-isa-replace-content",
         "AES-128 encrypted (empty user password) and signed; then an encrypted incremental update points the "
         "page at a new content stream drawing another ID number.",
         shown, signed_fields=fields_of(p), encryption={"method": "AES-128", "user_password": ""})

    # signature stripped: AcroForm and widget removed, then rewritten by qpdf
    p, pdf = base("zhou")
    signed = sign(pdf, pki.signer("seal-rsa2048"))
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    del w.root["/AcroForm"]
    w.update_root()
    page = w.root["/Pages"]["/Kids"][0]
    if "/Annots" in page:
        del page["/Annots"]
        w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    emit("unsigned-signature-stripped-qpdf.pdf", qpdf([], out.getvalue()), "unsigned", "signature-stripped",
         "Signed certificate whose /AcroForm and signature widget were removed, then fully rewritten by qpdf "
         "(the signature dictionary is dropped): same page, no signature.",
         fields_of(p))

    # an empty signature field (prepared, never signed)
    p, pdf = base("ma")
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    sigfields.append_signature_field(w, sigfields.SigFieldSpec("Signature1", on_page=0, box=(560, 60, 700, 180)))
    out = io.BytesIO()
    w.write(out)
    emit("unsigned-empty-signature-field.pdf", out.getvalue(), "unsigned", "empty-signature-field",
         "Certificate with a visible signature field that was never signed (no /V).",
         fields_of(p), reasons=["empty_signature_field"])

    # chain through an intermediate that is embedded but not in trust/
    p, pdf = base("huang")
    emit("authentic-intermediate-embedded-only.pdf", sign(pdf, pki.signer("seal-under-int2", ("inter2",))),
         "authentic", "intermediate-only-in-file",
         "Seal issued by a second intermediate (扩展测试中级CA-2, under the trusted root) that is embedded in "
         "the signature but not listed in trust/: the chain must be built from the embedded certificate.",
         fields_of(p))

    # same seal, intermediate neither embedded nor known
    p, pdf = base("lin")
    emit("untrusted-intermediate-missing.pdf", sign(pdf, pki.signer("seal-under-int2", ())),
         "untrusted", "intermediate-missing",
         "Seal issued by an intermediate (under the trusted root) that is neither embedded nor in trust/: no "
         "chain to a known issuer can be built (trust is by key: the issuer name alone proves nothing).",
         fields_of(p), reasons=["not_trusted"])

    # chain through a certificate without CA rights
    p, pdf = base("sun")
    emit("untrusted-issuer-not-a-ca.pdf", sign(pdf, pki.signer("seal-under-noca", ("noca",))),
         "untrusted", "issuer-not-ca",
         "Seal issued by a certificate (embedded) that the trusted root issued as an end-entity (CA:FALSE, "
         "keyUsage digitalSignature only): it may not issue certificates, so the seal does not chain to a "
         "known issuer. 'invalid' (chain_certificate_invalid) is also accepted.",
         fields_of(p), also=["invalid"])

    # later updates that change what the page shows without touching its text
    def update_page(signed, change):
        w = IncrementalPdfFileWriter(io.BytesIO(signed))
        change(w)
        out = io.BytesIO()
        w.write(out)
        return out.getvalue()

    def append_stroke(w):
        st = generic.StreamObject(stream_data=b"q 0.8 0 0 RG 6 w 60 60 m 780 520 l S Q")
        w.add_stream_to_page(0, w.add_object(st))

    def rotate(w):
        page = w.root["/Pages"]["/Kids"][0]
        page[generic.NameObject("/Rotate")] = generic.NumberObject(180)
        w.update_container(page)

    def add_page(w):
        st = w.add_object(generic.StreamObject(stream_data=b"BT /Helv 24 Tf 72 500 Td (Annex: certificate revoked) Tj ET"))
        page = generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Page"),
            generic.NameObject("/MediaBox"): generic.ArrayObject([generic.NumberObject(v) for v in (0, 0, 842, 595)]),
            generic.NameObject("/Contents"): st,
            generic.NameObject("/Resources"): generic.DictionaryObject({
                generic.NameObject("/Font"): generic.DictionaryObject({
                    generic.NameObject("/Helv"): generic.DictionaryObject({
                        generic.NameObject("/Type"): generic.NameObject("/Font"),
                        generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                        generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica")})})}),
        })
        w.insert_page(page)

    for key, fname, change, case, desc in (
            ("deng", "altered-appended-content-stream.pdf", append_stroke, "isa-append-content",
             "Signed; then an incremental update appends a second content stream to page 1 (a thick red diagonal "
             "stroke across the certificate). The original text is untouched."),
            ("feng", "altered-page-rotated.pdf", rotate, "isa-page-rotate",
             "Signed; then an incremental update sets page 1's /Rotate to 180 (the page shows upside down)."),
            ("cai", "altered-page-added.pdf", add_page, "isa-insert-page",
             "Signed; then an incremental update appends a second page (Helvetica text 'Annex: certificate "
             "revoked')."),
    ):
        p, pdf = base(key)
        signed = sign(pdf, pki.signer("seal-rsa2048"))
        emit(fname, update_page(signed, change), "altered", case, desc, fields_of(p))

    # curve / digest combinations SPEC allows (ECDSA P-256/P-384 x SHA-256/384/512), RSA-4096
    for key, seal, md, fname, desc in (
            ("sima", "seal-p384", "sha512", "authentic-ecdsa-p384-sha512.pdf", "ECDSA P-384 seal key with SHA-512."),
            ("guo", "seal-p256", "sha512", "authentic-ecdsa-p256-sha512.pdf", "ECDSA P-256 seal key with SHA-512."),
            ("xu", "seal-p256", "sha384", "authentic-ecdsa-p256-sha384.pdf", "ECDSA P-256 seal key with SHA-384."),
            ("he", "seal-rsa4096", "sha256", "authentic-rsa4096.pdf", "RSA-4096 seal key, PKCS#1 v1.5, SHA-256."),
    ):
        p, pdf = base(key)
        emit(fname, sign(pdf, pki.signer(seal), md=md, subfilter=CADES), "authentic",
             fname[len("authentic-"):-4], desc + " ETSI.CAdES.detached; seal + intermediate embedded.",
             fields_of(p), signature={"signer_cert": seal, "digest": md})

    manifest = {
        "set": "extra",
        "built_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "how_built": "tests/extra/make.py (cryptography CA, fpdf2 pages, pyHanko signing, qpdf encrypt/rewrite)",
        "trust": {"anchors": ["root-ca.pem"], "intermediates": ["intermediate-ca.pem"]},
        "files": entries,
    }
    with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
