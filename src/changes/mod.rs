//! What changed after a signature: the signed revision, read as its own
//! document, compared with what the final document shows.
//!
//! [`diff`] walks both object graphs from the catalog and lists every
//! difference; [`attacks`] adds what only the xref shows (entries
//! re-pointed into the signed bytes, hidden objects revealed); each benign
//! change is a small rule in [`rules`], composed by a policy; whatever no
//! rule explains is a modification (fail closed). The certification
//! (DocMDP) of the signed revision decides which changes also violate it.

pub mod attacks;
pub mod compare;
pub mod diff;
pub mod graph;
pub mod paint;
pub mod rules;

use std::collections::{BTreeSet, HashSet};

use lopdf::Document;

use crate::pdf::{revisions, Encryption, PdfFile};
use crate::report::{Change, Code, Reason};
use diff::{Difference, Kind};
use rules::{Context, Explanation, Policy};

/// Most later revisions loaded one by one to tell which one made a change.
const MAX_ATTRIBUTED_REVISIONS: usize = 32;
/// Most bytes parsed, over all later revisions, for attribution.
const MAX_ATTRIBUTION_BYTES: usize = 256 * 1024 * 1024;

/// The changes made after one signature.
#[derive(Debug, Clone, Default)]
pub struct ChangeOutcome {
    /// Every change found, benign ones flagged as such.
    pub changes: Vec<Change>,
    pub reasons: Vec<Reason>,
}

/// Compares the revision a signature covers (`signed_doc`, the file cut at
/// `signed_end`) with the final document `file.doc`.
pub fn analyze(file: &PdfFile, signed_doc: &Document, signed_end: usize) -> ChangeOutcome {
    let mut outcome = ChangeOutcome::default();
    let later: Vec<&crate::pdf::Revision> = file
        .revisions
        .iter()
        .filter(|r| r.end > signed_end && r.eof_marker >= signed_end)
        .collect();
    let last_revision = later
        .last()
        .map(|r| r.index)
        .or_else(|| file.revisions.last().map(|r| r.index))
        .unwrap_or(1);
    // Without the password the objects cannot be decrypted, but their
    // structure can be compared as it is: an object a later revision did
    // not rewrite keeps its exact (encrypted) bytes, and one it rewrote
    // differs, which fails closed.
    let structural;
    let signed_doc = if file.encryption == Encryption::NeedsPassword {
        structural = file
            .bytes
            .get(..signed_end)
            .and_then(|cut| revisions::load_document(&hide_encryption(cut), None).ok())
            .map(|(doc, _, _)| doc);
        match &structural {
            Some(doc) => doc,
            None => {
                outcome.reasons.push(Reason::detail(
                    Code::ChangesNotCompared,
                    "the signed revision cannot be read without the password",
                ));
                return outcome;
            }
        }
    } else {
        signed_doc
    };
    if signed_doc.objects.is_empty() || file.doc.objects.is_empty() {
        outcome.reasons.push(Reason::detail(
            Code::ChangesNotCompared,
            "the objects of the file could not be read",
        ));
        return outcome;
    }
    let shown = &file.doc;

    let mut differences = diff::diff(signed_doc, shown);
    // lopdf's offsets count from the %PDF header.
    let header = file
        .bytes
        .windows(5)
        .position(|w| w == b"%PDF-")
        .unwrap_or(0);
    let signed_rel = signed_end.saturating_sub(header);
    // The xrefs as written, not as a recovery rebuilt them: a redirect
    // that breaks lopdf's reading is still what some viewers show.
    let last_end = later.last().map(|r| r.end).unwrap_or(file.bytes.len());
    let signed_xref = file.bytes.get(..signed_end).and_then(attacks::raw_xref);
    let final_xref = file.bytes.get(..last_end).and_then(attacks::raw_xref);
    match (&signed_xref, &final_xref) {
        (Some(before), Some(after)) => {
            differences.extend(attacks::xref_redirects(before, after, signed_rel))
        }
        (Some(_), None) => differences.push(
            Difference::new(
                Kind::XrefDamaged,
                "The file's index (xref) written after signing cannot be read as written; what a viewer shows depends on how it repairs the file.",
            ),
        ),
        _ => {}
    }
    // A damaged index is only the update's doing when the signed
    // revision itself reads without repair.
    let signed_intact = || {
        file.bytes
            .get(..signed_end)
            .and_then(|cut| revisions::load_document(cut, None).ok())
            .is_some_and(|(_, _, recovered)| !recovered)
    };
    if file.recovered && signed_xref.is_some() && !later.is_empty() && signed_intact() {
        differences.push(Difference::new(
            Kind::XrefDamaged,
            "The file's index (xref) written after signing does not lead to the document's pages; it was rebuilt by scanning, and a viewer that trusts the index may show something else.",
        ));
    }
    differences.extend(attacks::hidden_content_shown(signed_doc, shown));
    differences.extend(attacks::revealed_fields(signed_doc, shown));
    differences.extend(attacks::revealed_page_text(signed_doc, shown));

    let writers = revision_writers(file, signed_xref.as_ref(), &later);
    let revision_of = |d: &Difference| -> usize {
        d.object
            .and_then(|id| {
                writers
                    .iter()
                    .rev()
                    .find(|(_, ids)| ids.contains(&id.0))
                    .map(|(rev, _)| *rev)
            })
            .unwrap_or(last_revision)
    };

    let policy = Policy::standard();
    let ctx = Context {
        signed: signed_doc,
        shown,
        differences: &differences,
    };
    let explained: Vec<Option<Explanation>> = differences
        .iter()
        .map(|d| policy.explain(d, &ctx))
        .collect();

    let mut unexplained: Vec<&Difference> = Vec::new();
    let mut benign_codes: BTreeSet<Code> = BTreeSet::new();
    let mut benign_kinds: Vec<&'static str> = Vec::new();
    for (d, e) in differences.iter().zip(explained.iter()) {
        let (kind, description, benign, allowed_by) = match e {
            Some(e) => {
                benign_codes.insert(e.reason);
                if !benign_kinds.contains(&e.kind) {
                    benign_kinds.push(e.kind);
                }
                (
                    e.kind.to_string(),
                    e.description.clone(),
                    true,
                    Some(e.allowed_by.to_string()),
                )
            }
            None => {
                unexplained.push(d);
                (
                    d.kind.as_str().to_string(),
                    d.description.clone(),
                    false,
                    None,
                )
            }
        };
        let change = Change {
            revision: revision_of(d),
            object: d.object.map(diff::id_str),
            kind,
            page: d.page,
            benign,
            allowed_by,
            description,
        };
        // A merged field and widget is one thing: list it once.
        let duplicate = outcome.changes.iter().any(|c| {
            c == &change
                || (benign
                    && c.benign
                    && c.kind == change.kind
                    && c.object.is_some()
                    && c.object == change.object)
        });
        if !duplicate {
            outcome.changes.push(change);
        }
    }

    if !unexplained.is_empty() {
        let variants = attacks::shadow_variants(&unexplained, signed_doc);
        outcome.reasons.push(Reason::detail(
            Code::ModifiedAfterSigning,
            summary(&unexplained, &revision_of, variants.is_empty()),
        ));
        if !variants.is_empty() {
            outcome
                .reasons
                .push(Reason::detail(Code::ShadowAttack, variants.join("; ")));
        }
    }
    if let Some(p) = attacks::docmdp_level(signed_doc) {
        let forbidden: Vec<&Difference> = differences
            .iter()
            .zip(explained.iter())
            .filter(|(d, e)| attacks::docmdp_forbids(p, d, e.as_ref()))
            .map(|(d, _)| d)
            .collect();
        if !forbidden.is_empty() {
            let kinds = distinct_kinds(&forbidden);
            outcome.reasons.push(Reason::detail(
                Code::CertificationViolated,
                format!("certified with P={p}; forbidden after certification: {kinds}"),
            ));
        }
    }
    if benign_codes.contains(&Code::MetadataChanged) {
        outcome.reasons.push(Reason::new(Code::MetadataChanged));
    }
    if benign_codes.contains(&Code::BenignUpdate) || (differences.is_empty() && !later.is_empty()) {
        let detail = if benign_kinds.is_empty() {
            "later revisions change nothing".to_string()
        } else {
            benign_kinds.join(", ")
        };
        outcome
            .reasons
            .push(Reason::detail(Code::BenignUpdate, detail));
    }
    outcome
}

/// For each later revision, the object numbers its xref section wrote:
/// the difference between the xref of the file cut after it and the file
/// cut before it.
fn revision_writers(
    file: &PdfFile,
    signed_xref: Option<&attacks::XrefMap>,
    later: &[&crate::pdf::Revision],
) -> Vec<(usize, HashSet<u32>)> {
    let mut out = Vec::new();
    // Each revision is a parse of the file up to it: keep the total work
    // bounded on large files (changes are then attributed to the last
    // revision).
    if file.bytes.len().saturating_mul(later.len()) > MAX_ATTRIBUTION_BYTES {
        return out;
    }
    let Some(mut prev) = signed_xref.cloned() else {
        return out;
    };
    for r in later.iter().take(MAX_ATTRIBUTED_REVISIONS) {
        let Some(xref) = file.bytes.get(..r.end).and_then(attacks::raw_xref) else {
            break;
        };
        out.push((r.index, attacks::xref_delta(&prev, &xref)));
        prev = xref;
    }
    out
}

fn distinct_kinds(ds: &[&Difference]) -> String {
    let mut kinds: Vec<&'static str> = Vec::new();
    for d in ds {
        let k = d.kind.as_str();
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    kinds.join(", ")
}

/// A one-line summary for the reason's detail: the kinds of change, with
/// pages and revisions, naming the incremental saving attack when content
/// or annotations were appended.
fn summary(
    ds: &[&Difference],
    revision_of: &dyn Fn(&Difference) -> usize,
    name_isa: bool,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    for d in ds {
        let mut s = d.kind.as_str().to_string();
        if let Some(p) = d.page {
            s.push_str(&format!(" on page {p}"));
        }
        s.push_str(&format!(" (revision {})", revision_of(d)));
        if !parts.contains(&s) {
            parts.push(s);
        }
    }
    let isa = name_isa
        && ds.iter().any(|d| {
            matches!(
                d.kind,
                Kind::PageContent
                    | Kind::PageAdded
                    | Kind::AnnotationAdded
                    | Kind::AnnotationChanged
                    | Kind::ResourceReplaced
                    | Kind::ResourceAdded
            )
        });
    let shown: Vec<String> = parts.iter().take(8).cloned().collect();
    let more = parts.len().saturating_sub(shown.len());
    let mut out = String::new();
    if isa {
        out.push_str("incremental saving attack: ");
    }
    out.push_str(&shown.join(", "));
    if more > 0 {
        out.push_str(&format!(" and {more} more"));
    }
    out
}

/// The file with every `/Encrypt` key renamed (same length, so offsets
/// hold), so that the objects are read as they are stored.
fn hide_encryption(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let needle = b"/Encrypt";
    let mut i = 0;
    while let Some(pos) = out
        .get(i..)
        .and_then(|rest| rest.windows(needle.len()).position(|w| w == needle))
    {
        let at = i + pos;
        i = at + needle.len();
        let next = out.get(i).copied().unwrap_or(b' ');
        if !next.is_ascii_alphanumeric() {
            if let Some(last) = out.get_mut(at + needle.len() - 1) {
                *last = b'_';
            }
        }
    }
    out
}
