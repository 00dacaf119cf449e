//! The names of the verdicts and the exit status they give. The type lives
//! here, below [`crate::verdict`], so that the record can hold a verdict
//! without the report importing the module that decides one; only
//! [`crate::verdict::decide`] makes one.

use serde::{Deserialize, Serialize};

/// One verdict per file (and per signature), as SPEC.md defines them.
///
/// The order of the variants is the precedence: where several apply, the
/// worst wins (`Malformed` only applies when the file cannot be read,
/// `InputError` when it could not even be opened: missing, not allowed,
/// not a regular file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Authentic,
    Unsigned,
    Untrusted,
    Invalid,
    Altered,
    Malformed,
    /// The input could not be read from the disk (missing, permission
    /// denied, a folder, a FIFO or device): nothing was checked.
    InputError,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Authentic => "authentic",
            Verdict::Unsigned => "unsigned",
            Verdict::Untrusted => "untrusted",
            Verdict::Invalid => "invalid",
            Verdict::Altered => "altered",
            Verdict::Malformed => "malformed",
            Verdict::InputError => "input_error",
        }
    }

    /// SPEC.md's exit status contribution of one file.
    pub fn exit_rank(self) -> u8 {
        match self {
            Verdict::Authentic => 0,
            Verdict::Altered | Verdict::Invalid | Verdict::Untrusted => 1,
            Verdict::Unsigned => 3,
            Verdict::Malformed => 4,
            Verdict::InputError => 2,
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// SPEC.md: 0 every file authentic; 1 some file altered, invalid or
/// untrusted; 2 otherwise some input could not be read from the disk
/// (missing, not allowed, not a regular file); 3 otherwise some file
/// unsigned; 4 otherwise some file malformed. A "do not accept" finding is
/// never hidden by another file's problem, and a batch with an input that
/// was not checked never reads as 0, 3 or 4. (2 is also the command line's
/// usage error: in both cases the run did not check what it was asked to.)
pub fn exit_status<'a, I: IntoIterator<Item = &'a Verdict>>(verdicts: I) -> u8 {
    verdicts
        .into_iter()
        .map(|v| v.exit_rank())
        .fold(0, worse_exit)
}

/// The worse of two exit statuses: 1 beats 2 beats 3 beats 4 beats 0 (the
/// statuses are ordered by how bad, not by value).
pub fn worse_exit(a: u8, b: u8) -> u8 {
    let badness = |r: u8| match r {
        1 => 4,
        2 => 3,
        3 => 2,
        4 => 1,
        _ => 0,
    };
    if badness(b) > badness(a) {
        b
    } else {
        a
    }
}
