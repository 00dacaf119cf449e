#!/work/venv/bin/python
"""Builds tests/revocation_fetch: seals whose certificates name a CRL
distribution point and an OCSP responder on 127.0.0.1, the CRL and OCSP
responses a test server there gives, and PDFs signed with those seals.
Made with the `cryptography` package and pyHanko (the signing helpers of
tests/revocation/make.py), never with certcheck.

    /work/venv/bin/python tests/revocation_fetch/make.py

The URLs are fixed, so the certificates are: 127.0.0.1:38457 is the test
server tests/revocation_fetch.rs starts; nothing listens on 127.0.0.1:38458
(the "server down" case). Writes keys/ (kept across runs), trust/, certs/,
served/ (what the server answers, and the OCSP requests it expects, built
by cryptography's OCSPRequestBuilder), the PDFs and manifest.json.
"""

import datetime as dt
import importlib.util
import json
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "keys")
TRUST = os.path.join(HERE, "trust")
CERTS = os.path.join(HERE, "certs")
SERVED = os.path.join(HERE, "served")

# The signing helpers (page, frozen clock, pyHanko signing) of the offline
# revocation corpus: the signatures claim 2026-03-02 10:00, no timestamp.
_spec = importlib.util.spec_from_file_location("revmake", os.path.join(HERE, "..", "revocation", "make.py"))
revmake = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(revmake)

UTC = dt.timezone.utc
T_CA_FROM = dt.datetime(2024, 1, 1, tzinfo=UTC)
T_CA_TO = dt.datetime(2046, 1, 1, tzinfo=UTC)
T_SEAL_FROM = dt.datetime(2025, 1, 1, tzinfo=UTC)
T_SEAL_TO = dt.datetime(2031, 1, 1, tzinfo=UTC)
T_REVOKED = dt.datetime(2026, 1, 15, tzinfo=UTC)
# What the server gives was issued after the signing time, valid for years:
# fresh, so a cached copy is reused instead of fetched again.
T_ISSUED = dt.datetime(2026, 11, 1, tzinfo=UTC)
T_NEXT = dt.datetime(2031, 11, 1, tzinfo=UTC)

SERVER = "http://127.0.0.1:38457"
DOWN = "http://127.0.0.1:38458"
ORG = "Certcheck Fetch Test"


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


def der(c):
    return c.public_bytes(serialization.Encoding.DER)


def make_root(k):
    name = dn("Fetch Test Root CA")
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(k.public_key()).serial_number(0x5E01)
            .not_valid_before(T_CA_FROM).not_valid_after(T_CA_TO)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
            .sign(k, hashes.SHA256()))


def make_seal(name, k, root, root_key, serial, crl_urls=(), ocsp_urls=()):
    b = (x509.CertificateBuilder().subject_name(dn(f"Fetch Test Seal {name}")).issuer_name(root.subject)
         .public_key(k.public_key()).serial_number(serial)
         .not_valid_before(T_SEAL_FROM).not_valid_after(T_SEAL_TO)
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(
             digital_signature=True, content_commitment=True, key_encipherment=False,
             data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
             encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                        critical=False))
    if crl_urls:
        b = b.add_extension(x509.CRLDistributionPoints([
            x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(u)], relative_name=None,
                                   reasons=None, crl_issuer=None) for u in crl_urls]), critical=False)
    if ocsp_urls:
        b = b.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(u))
            for u in ocsp_urls]), critical=False)
    return b.sign(root_key, hashes.SHA256())


def ocsp_response(seal, root, root_key, status, revoked_at=None, reason=None):
    """Signed by the root itself (responder by key hash), no nonce."""
    b = ocsp.OCSPResponseBuilder().add_response(
        cert=seal, issuer=root, algorithm=hashes.SHA1(), cert_status=status,
        this_update=T_ISSUED, next_update=T_NEXT, revocation_time=revoked_at, revocation_reason=reason)
    b = b.produced_at(T_ISSUED) if hasattr(b, "produced_at") else b
    b = b.responder_id(ocsp.OCSPResponderEncoding.HASH, root)
    return b.sign(root_key, hashes.SHA256())


def ocsp_request(seal, root):
    """What an RFC 6960/5019 client sends: one CertID, SHA-1, no nonce."""
    return (ocsp.OCSPRequestBuilder().add_certificate(seal, root, hashes.SHA1()).build()
            .public_bytes(serialization.Encoding.DER))


def signer(k, c, root):
    return signers.SimpleSigner(signing_cert=revmake.asn_cert(c), signing_key=revmake.asn_key(k),
                                cert_registry=SimpleCertificateStore.from_certs([revmake.asn_cert(root)]),
                                embed_roots=True)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main():
    root_key = key("root", "rsa")
    root = make_root(root_key)
    write(os.path.join(TRUST, "root-ca.pem"), root.public_bytes(serialization.Encoding.PEM))
    crl_url = f"{SERVER}/crl/root.crl"
    ocsp_url = f"{SERVER}/ocsp"
    seals = {
        # OCSP first (good), the CRL beside it.
        "good": (0x5E10, [crl_url], [ocsp_url]),
        # Revoked 2026-01-15 (keyCompromise), before the claimed signing time.
        "revoked": (0x5E11, [crl_url], [ocsp_url]),
        # No OCSP responder named: the CRL (which does not list it).
        "crl-only": (0x5E12, [crl_url], []),
        # The server answers garbage for the CRL and HTTP 500 for OCSP.
        "garbage": (0x5E13, [f"{SERVER}/garbage.crl"], [f"{SERVER}/ocsp-error"]),
        # Nothing listens there.
        "down": (0x5E14, [f"{DOWN}/crl/root.crl"], [f"{DOWN}/ocsp"]),
    }
    made = {}
    for name, (serial, crls, ocsps) in seals.items():
        k = key(f"seal-{name}", "p256")
        made[name] = (k, make_seal(name, k, root, root_key, serial, crls, ocsps))
        write(os.path.join(CERTS, f"seal-{name}.der"), der(made[name][1]))
    write(os.path.join(CERTS, "root.der"), der(root))

    crl = (x509.CertificateRevocationListBuilder().issuer_name(root.subject)
           .last_update(T_ISSUED).next_update(T_NEXT)
           .add_extension(x509.CRLNumber(1), critical=False)
           .add_revoked_certificate(
               x509.RevokedCertificateBuilder().serial_number(made["revoked"][1].serial_number)
               .revocation_date(T_REVOKED)
               .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False).build())
           .sign(root_key, hashes.SHA256()))
    write(os.path.join(SERVED, "root.crl"), crl.public_bytes(serialization.Encoding.DER))
    good = ocsp_response(made["good"][1], root, root_key, ocsp.OCSPCertStatus.GOOD)
    revoked = ocsp_response(made["revoked"][1], root, root_key, ocsp.OCSPCertStatus.REVOKED,
                            revoked_at=T_REVOKED, reason=x509.ReasonFlags.key_compromise)
    write(os.path.join(SERVED, "ocsp-good.der"), good.public_bytes(serialization.Encoding.DER))
    write(os.path.join(SERVED, "ocsp-revoked.der"), revoked.public_bytes(serialization.Encoding.DER))
    write(os.path.join(SERVED, "ocsp-request-good.der"), ocsp_request(made["good"][1], root))
    write(os.path.join(SERVED, "ocsp-request-revoked.der"), ocsp_request(made["revoked"][1], root))
    # Not DER at all, fixed bytes so the file is stable.
    write(os.path.join(SERVED, "garbage.bin"), b"<html>\x1b[31mnot a CRL\x1b[0m</html>\n" * 8)

    files = []
    for name in seals:
        k, c = made[name]
        pdf = f"seal-{name}.pdf"
        write(os.path.join(HERE, pdf), revmake.sign(f"fetch test: {name}", signer(k, c, root)))
        files.append(pdf)

    manifest = {
        "set": "revocation_fetch",
        "how_built": "tests/revocation_fetch/make.py (cryptography CA, CRL, OCSP responses and requests; "
                     "pyHanko signing through tests/revocation/make.py's helpers)",
        "trust": {"anchors": ["trust/root-ca.pem"]},
        "server": "127.0.0.1:38457",
        "down": "127.0.0.1:38458",
        "routes": {
            "GET /crl/root.crl": "served/root.crl",
            "GET /garbage.crl": "served/garbage.bin",
            "POST /ocsp-error": "HTTP 500",
            "POST /ocsp": {"served/ocsp-request-good.der": "served/ocsp-good.der",
                           "served/ocsp-request-revoked.der": "served/ocsp-revoked.der"},
        },
        "files": {
            "seal-good.pdf": "good by OCSP (the CRL is not needed): authentic, source fetched:http://127.0.0.1:38457/ocsp",
            "seal-revoked.pdf": "revoked 2026-01-15 keyCompromise, claimed signing 2026-03-02: invalid, certificate_revoked",
            "seal-crl-only.pdf": "no OCSP URL; the CRL does not list it: authentic, source fetched:http://127.0.0.1:38457/crl/root.crl",
            "seal-garbage.pdf": "CRL URL answers garbage, OCSP URL HTTP 500: authentic with revocation_unknown and "
                                "revocation_fetch_failed; invalid with --require-revocation",
            "seal-down.pdf": "URLs on 127.0.0.1:38458 where nothing listens: as seal-garbage",
        },
        "without_fetch": "every file: authentic with revocation_unknown, and no request reaches the server",
    }
    with open(os.path.join(HERE, "manifest.json"), "w") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
