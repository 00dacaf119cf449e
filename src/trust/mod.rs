//! Known issuers, chains to them, and the time a certificate is judged at.
//! Trust is by key (SubjectPublicKeyInfo), never by name.

pub mod chain;
pub mod signing_time;
pub mod store;

pub use store::{KnownIssuer, TrustError, TrustStore};
