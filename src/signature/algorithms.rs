//! Signature algorithms by OID, verified through ring (RSA, ECDSA, Ed25519)
//! and the RustCrypto sm2 crate (SM2).

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AlgorithmError {
    #[error("unsupported algorithm {0}")]
    Unsupported(String),
    #[error("forbidden algorithm: {0}")]
    Forbidden(String),
    #[error("the public key cannot be used: {0}")]
    BadKey(String),
    #[error("the signature does not verify")]
    Mismatch,
}
