//! The data model every printer reads, and the printers.

pub mod csv;
pub mod human;
pub mod reason;
pub mod record;

pub use reason::{Code, Reason, Severity};
pub use record::*;
