//! certcheck: tells whether a certificate PDF is authentic.
//!
//! The data flows one way, one module per stage (see docs/design.md):
//! [`pdf`] reads the file and its revisions, [`signature`] finds and checks
//! each signature (integrity, container, value), [`trust`] checks the signer
//! against known issuers, [`changes`] compares the signed revision with what
//! is shown, [`text`] extracts the certificate's fields, [`verdict`] decides,
//! and [`report`] prints; [`i18n`] holds what is said to a person in Chinese
//! and English. Every stage records facts and reasons; only
//! [`verdict::decide`] turns them into a verdict.

// No panic on file data: every fallible step is a typed error or a checked
// access; a local allow says why it cannot fail. Tests may unwrap.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod batch;
pub mod changes;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod desk;
pub mod i18n;
pub mod ledger;
pub mod online;
pub mod pdf;
pub mod pipeline;
pub mod report;
pub mod revocation;
pub mod seal;
pub mod signature;
pub mod text;
pub mod timings;
pub mod trust;
pub mod trust_admin;
pub mod verdict;
pub mod watch;
pub mod web;

pub use pipeline::{verify, verify_file, Options};
pub use report::record::Record;
pub use verdict::Verdict;
