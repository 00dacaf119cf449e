//! The lowest layer of the signature checks: the BER/DER reader
//! ([`tlv`]), the algorithm registry and its verifiers ([`algorithms`],
//! [`sm2`]). Everything that reads ASN.1 or checks a signature value —
//! the signature containers, certificate chains, CRLs and OCSP responses,
//! seals — stands on these; they import nothing of certcheck but the
//! reason table.

pub mod algorithms;
pub mod sm2;
pub mod tlv;
