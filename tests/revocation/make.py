#!/work/venv/bin/python
"""Builds tests/revocation: PDFs sealed by a throwaway CA's certificates,
with CRLs and OCSP responses made by the `cryptography` package, embedded
by pyHanko (in /DSS, or as adbe-revocationInfoArchival in the CMS signed
attributes), or left beside the PDFs for `--revocation`. Never certcheck.

    /work/venv/bin/python tests/revocation/make.py

Writes keys/ (kept across runs, so certificates stay stable), trust/ (the
root), certs/ (DER certificates the unit tests read), evidence/ (CRLs and
OCSP responses, DER and PEM), the PDFs and manifest.json.
"""

import asyncio
import datetime as dt
import io
import json
import os
import sys

from asn1crypto import keys as akeys
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sigfields
from pyhanko.sign import signers
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
import pyhanko.pdf_utils.metadata.xmp_xml  # noqa: F401 (frozen_time patches it)
from reportlab.pdfgen import canvas

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "keys")
TRUST = os.path.join(HERE, "trust")
CERTS = os.path.join(HERE, "certs")
EVIDENCE = os.path.join(HERE, "evidence")

UTC = dt.timezone.utc
T_CA_FROM = dt.datetime(2024, 1, 1, tzinfo=UTC)
T_CA_TO = dt.datetime(2046, 1, 1, tzinfo=UTC)
T_SEAL_FROM = dt.datetime(2025, 1, 1, tzinfo=UTC)
T_SEAL_TO = dt.datetime(2031, 1, 1, tzinfo=UTC)
# The signatures are made (claimed, and time-stamped) on 2026-03-02.
T_SIGN = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
T_STAMP = dt.datetime(2026, 3, 2, 10, 1, tzinfo=UTC)
# Revoked before the signing time, and after it.
T_REVOKED_EARLY = dt.datetime(2026, 1, 15, tzinfo=UTC)
T_REVOKED_LATE = dt.datetime(2026, 6, 1, tzinfo=UTC)
# Revocation data issued after all of that, valid for years.
T_ISSUED = dt.datetime(2026, 11, 1, tzinfo=UTC)
T_NEXT = dt.datetime(2031, 11, 1, tzinfo=UTC)
# Document timestamps over a signature without its own timestamp: one
# before the late revocation, one after it.
T_DOC_STAMP = dt.datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
T_DOC_STAMP_LATE = dt.datetime(2026, 7, 1, tzinfo=UTC)
# An out-of-date CRL: issued and expired before the signing time.
T_OLD_ISSUED = dt.datetime(2025, 6, 1, tzinfo=UTC)
T_OLD_NEXT = dt.datetime(2025, 7, 1, tzinfo=UTC)

ORG = "Certcheck Revocation Test"


def key(name, kind):
    path = os.path.join(KEYS, f"{name}.key.pem")
    if os.path.exists(path):
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), None)
    k = rsa.generate_private_key(65537, 2048) if kind == "rsa" else ec.generate_private_key(ec.SECP256R1())
    os.makedirs(KEYS, exist_ok=True)
    with open(path, "wb") as f:
        f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))
    return k


def dn(cn):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORG),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def cert(subject, k, issuer, issuer_key, serial, ca=False, ku=("ds", "nr"), eku=None,
         nb=T_SEAL_FROM, na=T_SEAL_TO, eku_critical=True):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(k.public_key()).serial_number(serial)
         .not_valid_before(nb).not_valid_after(na)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(
             digital_signature="ds" in ku, content_commitment="nr" in ku, key_encipherment=False,
             data_encipherment=False, key_agreement=False, key_cert_sign="cs" in ku, crl_sign="crl" in ku,
             encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                        critical=False))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=eku_critical)
    return b.sign(issuer_key, hashes.SHA256())


def der(c):
    return c.public_bytes(serialization.Encoding.DER)


def asn_cert(c):
    return ax509.Certificate.load(der(c))


def asn_key(k):
    return akeys.PrivateKeyInfo.load(k.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


class Pki:
    def __init__(self):
        self.root_key = key("root", "rsa")
        self.root = cert(dn("Revocation Test Root CA"), self.root_key, dn("Revocation Test Root CA"),
                         self.root_key, 0x7E01, ca=True, ku=("cs", "crl"), nb=T_CA_FROM, na=T_CA_TO)
        # Same name as the root, another key: what a forger signs CRLs with.
        self.forger_key = key("forger", "rsa")
        self.seals = {}
        for serial, name in ((0x7E10, "seal-good"), (0x7E11, "seal-revoked-early"),
                             (0x7E12, "seal-revoked-late"), (0x7E13, "seal-no-data")):
            k = key(name, "p256")
            self.seals[name] = (k, cert(dn(f"Revocation Test Seal {name}"), k, self.root.subject,
                                        self.root_key, serial))
        self.tsa_key = key("tsa", "rsa")
        self.tsa = cert(dn("Revocation Test TSA"), self.tsa_key, self.root.subject, self.root_key, 0x7E20,
                        eku=[ExtendedKeyUsageOID.TIME_STAMPING])
        self.responder_key = key("ocsp-responder", "p256")
        self.responder = cert(dn("Revocation Test OCSP Responder"), self.responder_key, self.root.subject,
                              self.root_key, 0x7E30, ku=("ds",), eku=[ExtendedKeyUsageOID.OCSP_SIGNING])
        # Issued by the root, but not delegated to sign OCSP responses.
        self.undelegated_key = key("ocsp-undelegated", "p256")
        self.undelegated = cert(dn("Revocation Test Not A Responder"), self.undelegated_key,
                                self.root.subject, self.root_key, 0x7E31, ku=("ds",))

        # A TSA under a root nobody trusts: its document timestamps prove
        # nothing.
        self.other_root_key = key("other-root", "rsa")
        self.other_root = cert(dn("Revocation Test Untrusted Root"), self.other_root_key,
                               dn("Revocation Test Untrusted Root"), self.other_root_key, 0x7E50, ca=True,
                               ku=("cs", "crl"), nb=T_CA_FROM, na=T_CA_TO)
        self.other_tsa_key = key("other-tsa", "rsa")
        self.other_tsa = cert(dn("Revocation Test Untrusted TSA"), self.other_tsa_key, self.other_root.subject,
                              self.other_root_key, 0x7E51, eku=[ExtendedKeyUsageOID.TIME_STAMPING])

        # Extended key usage (RFC 5280, RFC 3161 2.3): a TLS server
        # certificate used as a seal; a seal with the purposes signing
        # certificates carry; TSAs without a timeStamping EKU, and with a
        # non-critical one.
        k = key("seal-eku-server-auth", "p256")
        self.seal_server_auth = (k, cert(dn("Revocation Test Seal eku-server-auth"), k, self.root.subject,
                                         self.root_key, 0x7E60, eku=[ExtendedKeyUsageOID.SERVER_AUTH],
                                         eku_critical=False))
        k = key("seal-eku-client-email", "p256")
        self.seal_client_email = (k, cert(dn("Revocation Test Seal eku-client-email"), k, self.root.subject,
                                          self.root_key, 0x7E61, eku=[ExtendedKeyUsageOID.CLIENT_AUTH,
                                                                      ExtendedKeyUsageOID.EMAIL_PROTECTION],
                                          eku_critical=False))
        self.tsa_no_eku_key = key("tsa-no-eku", "rsa")
        self.tsa_no_eku = cert(dn("Revocation Test TSA without EKU"), self.tsa_no_eku_key, self.root.subject,
                               self.root_key, 0x7E62)
        self.tsa_noncrit_key = key("tsa-eku-not-critical", "rsa")
        self.tsa_noncrit = cert(dn("Revocation Test TSA non-critical EKU"), self.tsa_noncrit_key,
                                self.root.subject, self.root_key, 0x7E63,
                                eku=[ExtendedKeyUsageOID.TIME_STAMPING], eku_critical=False)

        # A CA whose key usage lacks cRLSign, and a seal it issued.
        self.nocrl_key = key("ca-no-crlsign", "rsa")
        self.nocrl = cert(dn("Revocation Test CA Without cRLSign"), self.nocrl_key, self.root.subject,
                          self.root_key, 0x7E40, ca=True, ku=("cs",), nb=T_CA_FROM, na=T_CA_TO)
        k = key("seal-under-no-crlsign", "p256")
        self.seal_nocrl = (k, cert(dn("Revocation Test Seal under-no-crlsign"), k, self.nocrl.subject,
                                   self.nocrl_key, 0x7E41))

    def crl_by_no_crlsign_ca(self):
        return (x509.CertificateRevocationListBuilder().issuer_name(self.nocrl.subject)
                .last_update(T_ISSUED).next_update(T_NEXT)
                .sign(self.nocrl_key, hashes.SHA256()))

    def write(self):
        os.makedirs(TRUST, exist_ok=True)
        with open(os.path.join(TRUST, "root-ca.pem"), "wb") as f:
            f.write(self.root.public_bytes(serialization.Encoding.PEM))
        os.makedirs(CERTS, exist_ok=True)
        named = {"root": self.root, "tsa": self.tsa, "ocsp-responder": self.responder,
                 "ocsp-undelegated": self.undelegated, "ca-no-crlsign": self.nocrl,
                 "seal-under-no-crlsign": self.seal_nocrl[1]}
        named.update({n: c for n, (_, c) in self.seals.items()})
        for n, c in named.items():
            with open(os.path.join(CERTS, f"{n}.der"), "wb") as f:
                f.write(der(c))

    def crl(self, revoked, signer_key=None, this=T_ISSUED, nxt=T_NEXT):
        b = (x509.CertificateRevocationListBuilder().issuer_name(self.root.subject)
             .last_update(this).next_update(nxt)
             .add_extension(x509.CRLNumber(1), critical=False))
        for name, at, reason in revoked:
            b = b.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(self.seals[name][1].serial_number)
                .revocation_date(at).add_extension(x509.CRLReason(reason), critical=False).build())
        return b.sign(signer_key or self.root_key, hashes.SHA256())

    def ocsp(self, seal, status, responder="delegated", revoked_at=None, reason=None):
        c = self.seals[seal][1]
        b = ocsp.OCSPResponseBuilder().add_response(
            cert=c, issuer=self.root, algorithm=hashes.SHA1(), cert_status=status,
            this_update=T_ISSUED, next_update=T_NEXT, revocation_time=revoked_at, revocation_reason=reason)
        b = b.produced_at(T_ISSUED) if hasattr(b, "produced_at") else b
        if responder == "issuer":
            b = b.responder_id(ocsp.OCSPResponderEncoding.HASH, self.root)
            return b.sign(self.root_key, hashes.SHA256())
        rc, rk = {"delegated": (self.responder, self.responder_key),
                  "undelegated": (self.undelegated, self.undelegated_key)}[responder]
        b = b.responder_id(ocsp.OCSPResponderEncoding.NAME, rc).certificates([rc])
        return b.sign(rk, hashes.SHA256())

    def signer(self, seal):
        k, c = {"seal-eku-server-auth": self.seal_server_auth,
                "seal-eku-client-email": self.seal_client_email}.get(seal) or self.seals[seal]
        return signers.SimpleSigner(signing_cert=asn_cert(c), signing_key=asn_key(k),
                                    cert_registry=SimpleCertificateStore.from_certs([asn_cert(self.root)]),
                                    embed_roots=True)

    def timestamper(self, crls=()):
        cls = DummyTimeStamper
        if crls:
            carried = [x509_to_asn_crl(c) for c in crls]

            class CarryingCrls(DummyTimeStamper):
                """A TSA whose token's SignedData carries CRLs in `crls`
                (unsigned by the TSA, like its certificates)."""

                def _build_signed_data(self, *a, **kw):
                    from asn1crypto import cms as acms
                    d = super()._build_signed_data(*a, **kw)
                    d["crls"] = [acms.RevocationInfoChoice(name="crl", value=c) for c in carried]
                    return d

            cls = CarryingCrls
        return cls(tsa_cert=asn_cert(self.tsa), tsa_key=asn_key(self.tsa_key),
                                certs_to_embed=SimpleCertificateStore.from_certs([asn_cert(self.root)]),
                                fixed_dt=T_STAMP)

    def doc_timestamper(self, at, trusted=True, which=None):
        tsa, k, root = ((self.tsa, self.tsa_key, self.root) if trusted
                        else (self.other_tsa, self.other_tsa_key, self.other_root))
        tsa, k = {None: (tsa, k), "no-eku": (self.tsa_no_eku, self.tsa_no_eku_key),
                  "eku-not-critical": (self.tsa_noncrit, self.tsa_noncrit_key)}[which]
        return DummyTimeStamper(tsa_cert=asn_cert(tsa), tsa_key=asn_key(k),
                                certs_to_embed=SimpleCertificateStore.from_certs([asn_cert(root)]),
                                fixed_dt=at)


class frozen_time:
    """Makes pyHanko believe it is `at` (signingTime, /M, Info /ModDate)."""
    MODULES = ("pyhanko.sign.signers.pdf_signer", "pyhanko.sign.signers.pdf_cms",
               "pyhanko.pdf_utils.metadata.info", "pyhanko.pdf_utils.metadata.xmp_xml")

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


def page(title):
    buf = io.BytesIO()
    # invariant: fixed creation date (2000-01-01), so no document date
    # contradicts the claimed signing time.
    c = canvas.Canvas(buf, invariant=1)
    c.setFont("Helvetica", 14)
    c.drawString(72, 760, "Certcheck revocation test")
    c.drawString(72, 740, title)
    c.showPage()
    c.save()
    return buf.getvalue()


def sign(title, signer, timestamper=None, pades=True, validation_context=None):
    w = IncrementalPdfFileWriter(io.BytesIO(page(title)))
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", md_algorithm="sha256",
        subfilter=sigfields.SigSeedSubFilter.PADES if pades else sigfields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
        embed_validation_info=validation_context is not None, validation_context=validation_context)
    with frozen_time(T_SIGN):
        out = signers.sign_pdf(w, meta, signer=signer, existing_fields_only=False, timestamper=timestamper)
    return out.getvalue()


def doc_timestamp(data, timestamper):
    """Appends a document timestamp (ETSI.RFC3161, /DocTimeStamp) by
    pyHanko's PdfTimeStamper."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    out = signers.PdfTimeStamper(timestamper, field_name="DocTimeStamp1").timestamp_pdf(
        w, md_algorithm="sha256", in_place=False)
    return out.getvalue()


def add_dss(data, crls=(), ocsps=()):
    """Appends a /DSS (with a /VRI entry for the signature) incrementally."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    r = PdfFileReader(io.BytesIO(data))
    contents = r.embedded_signatures[0].pkcs7_content
    out = io.BytesIO(data)
    DocumentSecurityStore.add_dss(
        out, contents,
        crls=[x509_to_asn_crl(c) for c in crls],
        ocsps=[x509_to_asn_ocsp(o) for o in ocsps], force_write=True)
    return out.getvalue()


def x509_to_asn_crl(c):
    from asn1crypto import crl as acrl
    return acrl.CertificateList.load(c.public_bytes(serialization.Encoding.DER))


def x509_to_asn_ocsp(o):
    from asn1crypto import ocsp as aocsp
    return aocsp.OCSPResponse.load(o.public_bytes(serialization.Encoding.DER))


def main():
    pki = Pki()
    pki.write()
    os.makedirs(EVIDENCE, exist_ok=True)
    for f in os.listdir(EVIDENCE):
        os.remove(os.path.join(EVIDENCE, f))
    kc = x509.ReasonFlags.key_compromise
    sup = x509.ReasonFlags.superseded
    revoked = [("seal-revoked-early", T_REVOKED_EARLY, kc), ("seal-revoked-late", T_REVOKED_LATE, sup)]
    crl = pki.crl(revoked)
    crl_forged = pki.crl([], signer_key=pki.forger_key)
    crl_old = pki.crl([], this=T_OLD_ISSUED, nxt=T_OLD_NEXT)
    ocsp_good = pki.ocsp("seal-good", None or ocsp.OCSPCertStatus.GOOD)
    ocsp_good_by_issuer = pki.ocsp("seal-good", ocsp.OCSPCertStatus.GOOD, responder="issuer")
    ocsp_undelegated = pki.ocsp("seal-good", ocsp.OCSPCertStatus.GOOD, responder="undelegated")
    ocsp_revoked = pki.ocsp("seal-revoked-early", ocsp.OCSPCertStatus.REVOKED, revoked_at=T_REVOKED_EARLY,
                            reason=kc)
    pem = serialization.Encoding.PEM
    dern = serialization.Encoding.DER
    evidence = {
        "crl.der": crl.public_bytes(dern),
        "crl.pem": crl.public_bytes(pem),
        "crl-forged.der": crl_forged.public_bytes(dern),
        "crl-out-of-date.der": crl_old.public_bytes(dern),
        "ocsp-good.der": ocsp_good.public_bytes(dern),
        "ocsp-good-by-issuer.der": ocsp_good_by_issuer.public_bytes(dern),
        "ocsp-undelegated.der": ocsp_undelegated.public_bytes(dern),
        "ocsp-revoked.der": ocsp_revoked.public_bytes(dern),
        "crl-by-ca-without-crlsign.der": pki.crl_by_no_crlsign_ca().public_bytes(dern),
    }
    for n, b in evidence.items():
        with open(os.path.join(EVIDENCE, n), "wb") as f:
            f.write(b)
    # A folder for --revocation: a good OCSP response for seal-good, and
    # a file that is not revocation data (passed over in a folder).
    folder = os.path.join(HERE, "revocation-folder")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seal-good.ocsp"), "wb") as f:
        f.write(evidence["ocsp-good.der"])
    with open(os.path.join(folder, "README.txt"), "w") as f:
        f.write("Revocation data for tests/revocation (made by make.py); other files are passed over.\n")

    entries = []

    def emit(name, data, verdict, codes, why, forbid=(), args=(), also=(), sources=(), time_source=None,
             time_proof=None):
        if data is not None:
            with open(os.path.join(HERE, name), "wb") as f:
                f.write(data)
        entries.append({"file": name, "args": list(args), "verdict": verdict, "also_acceptable": list(also),
                        "expect_reasons": list(codes), "forbid_reasons": list(forbid),
                        "revocation_sources": list(sources), "fields": None,
                        "signing_time_source": time_source, "signing_time_proof": time_proof,
                        "description": why})

    ts = pki.timestamper
    emit("revoked-before-signing-crl-dss.pdf",
         add_dss(sign("revoked before signing, CRL in DSS", pki.signer("seal-revoked-early"), ts()), crls=[crl]),
         "invalid", ["certificate_revoked"],
         "Seal certificate revoked 2026-01-15 (keyCompromise) in a root-signed CRL in /DSS; a trusted "
         "timestamp proves the signature only by 2026-03-02: revoked before signing.",
         forbid=["revoked_since", "revocation_unknown"], sources=["dss"])
    emit("revoked-after-timestamp-crl-dss.pdf",
         add_dss(sign("revoked after the timestamp", pki.signer("seal-revoked-late"), ts()), crls=[crl]),
         "authentic", ["revoked_since"],
         "Seal certificate revoked 2026-06-01 (superseded); a trusted signature timestamp proves it existed "
         "2026-03-02: stays good, the revocation reported.",
         forbid=["certificate_revoked", "revocation_unknown"], sources=["dss"])
    emit("revoked-after-claimed-time-crl-dss.pdf",
         add_dss(sign("revoked after a claimed time", pki.signer("seal-revoked-late")), crls=[crl]),
         "invalid", ["certificate_revoked"],
         "Seal certificate revoked 2026-06-01; the signature claims 2026-03-02 but no timestamp proves it: "
         "whoever holds a revoked key can claim any time.",
         forbid=["revoked_since"])
    emit("good-ocsp-dss.pdf",
         add_dss(sign("good OCSP response in DSS", pki.signer("seal-good")), ocsps=[ocsp_good]),
         "authentic", [],
         "A good OCSP response (2026-11-01, delegated responder with id-kp-OCSPSigning) in /DSS.",
         forbid=["revocation_unknown", "revocation_evidence_invalid", "certificate_revoked"], sources=["dss"])
    emit("good-ocsp-dss.pdf", None, "authentic", [],
         "Same file with --require-revocation: the OCSP response is usable evidence.",
         forbid=["revocation_required", "revocation_unknown"], args=["--require-revocation"])
    emit("good-ocsp-by-issuer-dss.pdf",
         add_dss(sign("good OCSP response by the issuer", pki.signer("seal-good")), ocsps=[ocsp_good_by_issuer]),
         "authentic", [],
         "A good OCSP response signed by the issuing CA itself (responder by key hash) in /DSS.",
         forbid=["revocation_unknown", "revocation_evidence_invalid"])
    emit("good-crl-dss.pdf",
         add_dss(sign("good CRL in DSS", pki.signer("seal-good")), crls=[crl]),
         "authentic", [],
         "A root-signed CRL issued 2026-11-01 that does not list the seal certificate.",
         forbid=["revocation_unknown", "revocation_evidence_invalid", "certificate_revoked"])
    no_data = sign("no revocation data", pki.signer("seal-no-data"))
    emit("no-revocation-data.pdf", no_data, "authentic", ["revocation_unknown"],
         "No CRL or OCSP response anywhere: authentic, with the warning revocation_unknown.",
         forbid=["revocation_required"])
    emit("no-revocation-data.pdf", None, "invalid", ["revocation_required"],
         "Same file with --require-revocation: no revocation data is invalid.",
         args=["--require-revocation"])
    emit("forged-crl-dss.pdf",
         add_dss(sign("forged CRL", pki.signer("seal-good")), crls=[crl_forged]),
         "authentic", ["revocation_evidence_invalid", "revocation_unknown"],
         "A CRL naming the root as issuer, signed with another key, in /DSS: not used as evidence.",
         forbid=["certificate_revoked"])
    emit("forged-crl-dss.pdf", None, "invalid", ["revocation_evidence_invalid", "revocation_required"],
         "Same file with --require-revocation: the forged CRL does not count, so there is no evidence.",
         args=["--require-revocation"])
    emit("out-of-date-crl-dss.pdf",
         add_dss(sign("out-of-date CRL", pki.signer("seal-good")), crls=[crl_old]),
         "authentic", ["revocation_evidence_invalid", "revocation_unknown"],
         "A root-signed CRL valid 2025-06-01 to 2025-07-01, before the signing time: out of date, not used.")
    emit("undelegated-ocsp-dss.pdf",
         add_dss(sign("OCSP from an undelegated responder", pki.signer("seal-good")), ocsps=[ocsp_undelegated]),
         "authentic", ["revocation_evidence_invalid", "revocation_unknown"],
         "A good OCSP response signed by a certificate of the root without id-kp-OCSPSigning: not used.")
    emit("revoked-ocsp-dss.pdf",
         add_dss(sign("revoked by OCSP", pki.signer("seal-revoked-early"), ts()), ocsps=[ocsp_revoked]),
         "invalid", ["certificate_revoked"],
         "A delegated OCSP response says revoked 2026-01-15, before the timestamped signing time.")
    # Nothing in the PDF; the revocation data is given with --revocation.
    emit("revoked-given-by-file.pdf", sign("CRL given with --revocation", pki.signer("seal-revoked-early")),
         "invalid", ["certificate_revoked"],
         "No revocation data inside; --revocation evidence/crl.pem (PEM CRL) lists the seal certificate "
         "as revoked 2026-01-15.", args=["--revocation", "evidence/crl.pem"],
         sources=["file:evidence/crl.pem"])
    emit("revoked-given-by-file.pdf", None, "authentic", ["revocation_unknown"],
         "Same file without --revocation: nothing says it was revoked.", forbid=["certificate_revoked"])
    emit("good-given-by-folder.pdf", sign("OCSP given with --revocation DIR", pki.signer("seal-good")),
         "authentic", [],
         "No revocation data inside; --revocation revocation-folder (a DER OCSP response and a README).",
         forbid=["revocation_unknown", "revocation_evidence_invalid"], args=["--revocation", "revocation-folder"],
         sources=["file:revocation-folder/seal-good.ocsp"])
    # adbe-revocationInfoArchival: pyHanko embeds the validation context's
    # CRLs in the signed attributes of an adbe.pkcs7.detached signature.
    emit("revoked-adbe-archival.pdf", archival_signed(pki, crl),
         "invalid", ["certificate_revoked"],
         "adbe.pkcs7.detached; the CRL listing the seal certificate as revoked 2026-01-15 is in the "
         "signed attribute adbe-revocationInfoArchival (pyHanko embed_validation_info), timestamp 2026-03-02.",
         sources=["cms_archival"])
    emit("good-adbe-archival.pdf", archival_signed(pki, crl, seal="seal-good"),
         "authentic", [],
         "adbe.pkcs7.detached; a CRL not listing the seal certificate in adbe-revocationInfoArchival.",
         forbid=["revocation_unknown", "revocation_evidence_invalid"], sources=["cms_archival"])
    emit("revoked-crl-in-timestamp.pdf",
         sign("CRL carried by the timestamp token", pki.signer("seal-revoked-early"), pki.timestamper(crls=[crl])),
         "invalid", ["certificate_revoked"],
         "The signature timestamp token's SignedData carries (in its crls field) the CRL listing the seal "
         "certificate as revoked 2026-01-15, before the timestamp.", forbid=["revocation_unknown"],
         sources=["timestamp"])
    # SPEC's time rule: a later trusted document timestamp covering a
    # signature without a timestamp of its own fixes its time.
    late = pki.signer("seal-revoked-late")
    emit("revoked-after-doc-timestamp-crl-dss.pdf",
         add_dss(doc_timestamp(sign("revoked after a document timestamp", late),
                               pki.doc_timestamper(T_DOC_STAMP)), crls=[crl]),
         "authentic", ["revoked_since"],
         "No signature timestamp; a trusted document timestamp of 2026-03-02 10:05 covers the signature, and the "
         "seal certificate was revoked 2026-06-01 (CRL in /DSS, added after the document timestamp): the "
         "signature is proven to predate the revocation, so it stays good with the revocation reported.",
         forbid=["certificate_revoked", "revocation_unknown", "signing_time_claimed"], sources=["dss"],
         time_source="doc_timestamp", time_proof="DocTimeStamp1")
    emit("revoked-before-doc-timestamp-crl-dss.pdf",
         add_dss(doc_timestamp(sign("revoked before the document timestamp", late),
                               pki.doc_timestamper(T_DOC_STAMP_LATE)), crls=[crl]),
         "invalid", ["certificate_revoked"],
         "The covering document timestamp is of 2026-07-01, after the revocation of 2026-06-01: it proves "
         "only that the signature existed by then, not that it was made before the revocation.",
         forbid=["revoked_since"], sources=["dss"], time_source="doc_timestamp", time_proof="DocTimeStamp1")
    emit("revoked-after-untrusted-doc-timestamp-crl-dss.pdf",
         add_dss(doc_timestamp(sign("document timestamp by an untrusted TSA", late),
                               pki.doc_timestamper(T_DOC_STAMP, trusted=False)), crls=[crl]),
         "invalid", ["certificate_revoked"],
         "As revoked-after-doc-timestamp, but the document timestamp's TSA chains to a root nobody trusts: it "
         "proves no time, the claimed 2026-03-02 is not believed against a revocation.",
         forbid=["revoked_since"], time_source="claimed")
    emit("good-doc-timestamp-before-dss.pdf",
         add_dss(doc_timestamp(sign("good, document timestamp then DSS", pki.signer("seal-good")),
                               pki.doc_timestamper(T_DOC_STAMP)), crls=[crl]),
         "authentic", [],
         "A good seal, no signature timestamp, a trusted document timestamp then a /DSS with a CRL not listing "
         "it: the time comes from the document timestamp.",
         forbid=["revocation_unknown", "certificate_revoked", "signing_time_claimed"],
         time_source="doc_timestamp", time_proof="DocTimeStamp1")
    # Extended key usage of the signer and of the timestamp authority.
    emit("invalid-signer-eku-server-auth.pdf",
         sign("a TLS server certificate as a seal", pki.signer("seal-eku-server-auth"), ts()),
         "invalid", ["certificate_extended_key_usage"],
         "The seal certificate's extended key usage is serverAuth only (a website's certificate): it may not "
         "sign documents, although its key usage (digitalSignature, nonRepudiation) would allow it.",
         forbid=["certificate_revoked"])
    emit("good-signer-eku-client-email.pdf",
         sign("a seal with clientAuth and emailProtection", pki.signer("seal-eku-client-email"), ts()),
         "authentic", [],
         "The seal certificate's extended key usage is clientAuth and emailProtection, as personal and "
         "organisation signing certificates carry: allowed.",
         forbid=["certificate_extended_key_usage", "certificate_key_usage"])
    emit("invalid-doc-timestamp-tsa-without-eku.pdf",
         doc_timestamp(sign("document timestamp by a TSA without EKU", pki.signer("seal-good")),
                       pki.doc_timestamper(T_DOC_STAMP, which="no-eku")),
         "invalid", ["tsa_extended_key_usage"],
         "A document timestamp whose TSA certificate (issued by the trusted root) has no extended key usage: "
         "RFC 3161 2.3 requires a critical id-kp-timeStamping, so the timestamp is refused.",
         time_source="claimed")
    emit("revoked-after-timestamp-tsa-eku-not-critical.pdf",
         add_dss(sign("signature timestamp by a TSA whose EKU is not critical", late,
                      pki.doc_timestamper(T_STAMP, which="eku-not-critical")), crls=[crl]),
         "invalid", ["certificate_revoked", "timestamp_invalid"],
         "As revoked-after-timestamp-crl-dss, but the signature timestamp's TSA certificate has id-kp-timeStamping "
         "in a non-critical extension (RFC 3161 2.3: it must be critical): the timestamp is ignored, so nothing "
         "proves the signature predates the revocation of 2026-06-01.",
         forbid=["revoked_since"], time_source="claimed")
    manifest = {
        "set": "revocation",
        "how_built": "tests/revocation/make.py (cryptography CA, CRLs and OCSP responses; reportlab page; "
                     "pyHanko signing, timestamps and /DSS; adbe-revocationInfoArchival signed attribute)",
        "trust": {"anchors": ["root-ca.pem"]},
        "note": "args are passed to `certcheck verify` (paths relative to this folder); the same file may be "
                "listed with different args. forbid_reasons must not be reported.",
        "files": entries,
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.write("\n")


def archival_signed(pki, crl, seal="seal-revoked-early"):
    """adbe.pkcs7.detached with adbe-revocationInfoArchival among the signed
    attributes: pyHanko's embed_validation_info with a validation context
    holding the CRL (nothing fetched)."""
    vc = ValidationContext(trust_roots=[asn_cert(pki.root)], crls=[x509_to_asn_crl(crl)],
                           allow_fetching=False, moment=T_SIGN, revocation_mode="soft-fail")
    return sign(f"adbe-revocationInfoArchival ({seal})", pki.signer(seal),
                pki.timestamper() if seal != "seal-good" else None, pades=False, validation_context=vc)


if __name__ == "__main__":
    main()
