//! The house's layering, checked from the source (docs/design.md, "The
//! layers"): a low layer imports nothing above it, the import cycles that
//! were broken stay broken, and the ones still open are listed here so the
//! list can only shrink.
//!
//! A module is a top-level module of src/ (`pdf`, `signature`, …), or one
//! level deeper for the modules whose own parts form layers (`signature::cms`,
//! `pdf::xref`). Every `crate::…` and `super::…` path outside comments and
//! test code counts as an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that may import only the listed ones (and themselves).
const LOW_LAYERS: &[(&str, &[&str])] = &[
    // The reason table is the vocabulary every stage speaks.
    ("report::reason", &[]),
    ("timings", &[]),
    // The record's types; they hold a stage's timings, nothing of a stage.
    ("report", &["timings"]),
    ("pdf", &["report::reason"]),
    // The BER/DER reader and the algorithm registry (ring, SM2).
    ("crypto", &["report::reason"]),
    // Certificates, chains, the store, SPEC's time rule.
    ("trust", &["crypto", "pdf", "report"]),
    // The CMS SignedData reader, under both the PDF signature check and
    // the timestamp-token reader.
    (
        "signature::signed_data",
        &["crypto", "report", "trust::chain"],
    ),
    // Finding and checking signatures; it asks trust, never revocation.
    ("signature", &["crypto", "pdf", "report", "trust"]),
    // Revocation reads what a signature carries as plain data.
    (
        "revocation",
        &[
            "crypto",
            "pdf",
            "report",
            "signature::signed_data",
            "trust::chain",
        ],
    ),
];

/// Edges that closed a cycle once and must not come back.
const FORBIDDEN: &[(&str, &str, &str)] = &[
    (
        "report",
        "verdict",
        "the record holds a Verdict from report::verdict; only verdict decides",
    ),
    (
        "online",
        "ledger",
        "the ledger stores the online check's confirmation, not the reverse",
    ),
    (
        "pdf::xref",
        "pdf::revisions",
        "the revision scan calls the xref reader; shared byte search is pdf::bytes",
    ),
    (
        "signature::timestamp",
        "signature::cms",
        "the token reader reads CMS through signature::signed_data; cms calls timestamp",
    ),
    (
        "signature",
        "revocation",
        "the CMS reader hands revocation data on as signed_data::CarriedRevocation",
    ),
    (
        "trust",
        "signature",
        "signature asks trust for chains and the time rule; trust reads DER through crypto",
    ),
    (
        "crypto",
        "signature",
        "the DER reader and the algorithms sit below every signature format",
    ),
];

/// Cycles still open, as sorted pairs (issue 12 broke the last ones). The
/// test fails when one of them is gone, so that this list is kept to what
/// is true; it may only shrink.
const KNOWN_CYCLES: &[(&str, &str)] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The file's module path below src/: src/signature/cms.rs is
/// [signature, cms], src/pdf/mod.rs is [pdf].
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The source without comments and without test code (from the first
/// `#[cfg(test)]` on, which in this crate opens the test module).
fn code_of(text: &str) -> String {
    let cut = text.find("#[cfg(test)]").map_or(text, |i| &text[..i]);
    cut.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| l.split(" // ").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module path named after `crate::` or `super::`, resolved against
/// `me` (the file's module), with `{a, b::c}` groups expanded.
fn imports(code: &str, me: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for base in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(i) = rest.find(base) {
            let before = rest[..i].chars().last();
            rest = &rest[i + base.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let items: Vec<String> = if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                group[..end].split(',').map(str::to_string).collect()
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                vec![rest[..end].to_string()]
            };
            for item in items {
                let segs: Vec<String> = item
                    .trim()
                    .split("::")
                    .filter(|s| !s.is_empty() && *s != "self" && *s != "{")
                    .map(|s| {
                        s.trim_matches(|c: char| c == '{' || c.is_whitespace())
                            .to_string()
                    })
                    .filter(|s| !s.is_empty())
                    .collect();
                if segs.is_empty() {
                    continue;
                }
                let full = if base == "crate::" {
                    segs
                } else {
                    // `super` of a mod.rs is its parent directory's module.
                    // `super` is the parent of the file's module (for a
                    // mod.rs, the module is its folder).
                    let mut f: Vec<String> = me[..me.len().saturating_sub(1)].to_vec();
                    f.extend(segs);
                    f
                };
                out.push(full);
            }
        }
    }
    out
}

/// A module path cut to the graph's granularity: two levels where the
/// first names a folder of src/ and the second is a file or folder in it.
fn node(src: &Path, path: &[String]) -> Option<String> {
    let first = path.first()?;
    if let Some(second) = path.get(1) {
        let dir = src.join(first);
        if dir.join(format!("{second}.rs")).exists() || dir.join(second).is_dir() {
            return Some(format!("{first}::{second}"));
        }
    }
    let is_module = src.join(format!("{first}.rs")).exists() || src.join(first).is_dir();
    is_module.then(|| first.clone())
}

fn top(n: &str) -> &str {
    n.split("::").next().unwrap_or(n)
}

type Edges = BTreeMap<String, BTreeSet<String>>;

/// Module-to-module edges: `fine` at the finest node each side names, and
/// `all`, which adds `a -> b` for every `a::x -> b::y` where a and b differ.
struct Graph {
    fine: Edges,
    all: Edges,
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut fine = Edges::new();
    let mut all = Edges::new();
    for file in files {
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let me = module_of(&src, &file);
        if me.len() == 1 && (me[0] == "lib" || me[0] == "main") {
            continue;
        }
        let Some(from) = node(&src, &me) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("source reads");
        for path in imports(&code_of(&text), &me) {
            let Some(to) = node(&src, &path) else {
                continue;
            };
            if to != from {
                fine.entry(from.clone()).or_default().insert(to.clone());
                all.entry(from.clone()).or_default().insert(to.clone());
            }
            if top(&to) != top(&from) {
                all.entry(top(&from).to_string())
                    .or_default()
                    .insert(top(&to).to_string());
            }
        }
    }
    Graph { fine, all }
}

fn within(n: &str, m: &str) -> bool {
    n == m || n.starts_with(&format!("{m}::"))
}

/// What module `m` (or any part of it) imports, at the finest nodes.
fn imports_of<'a>(edges: &'a Edges, m: &str) -> Vec<&'a String> {
    edges
        .iter()
        .filter(|(from, _)| within(from, m))
        .flat_map(|(_, to)| to.iter())
        .collect()
}

#[test]
fn low_layers_import_nothing_above_them() {
    let g = graph();
    let mut bad = Vec::new();
    for (layer, allowed) in LOW_LAYERS {
        for to in imports_of(&g.fine, layer) {
            if !within(to, layer) && !allowed.iter().any(|a| within(to, a)) {
                bad.push(format!("{layer} imports {to}"));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn broken_cycles_stay_broken() {
    let g = graph();
    for (from, to, why) in FORBIDDEN {
        let found: Vec<&String> = imports_of(&g.fine, from)
            .into_iter()
            .filter(|t| within(t, to))
            .collect();
        assert!(found.is_empty(), "{from} imports {found:?}: {why}");
    }
}

#[test]
fn the_only_import_cycles_are_the_known_ones() {
    let edges = graph().all;
    let mut cycles = BTreeSet::new();
    for (a, tos) in &edges {
        for b in tos {
            if a < b && edges.get(b).is_some_and(|back| back.contains(a)) {
                cycles.insert((a.clone(), b.clone()));
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN_CYCLES
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let new: Vec<_> = cycles.difference(&known).collect();
    let gone: Vec<_> = known.difference(&cycles).collect();
    assert!(new.is_empty(), "new import cycles: {new:?}");
    assert!(
        gone.is_empty(),
        "cycles no longer there, drop them from KNOWN_CYCLES: {gone:?}"
    );
}

/// The scanner itself: it sees the edges the cycles are made of.
#[test]
fn the_scanner_sees_known_edges() {
    let g = graph();
    let has = |from: &str, to: &str| g.all.get(from).is_some_and(|t| t.contains(to));
    assert!(has("signature::cms", "signature::timestamp"));
    assert!(has("signature::timestamp", "signature::signed_data"));
    assert!(has("verdict", "report"));
    assert!(has("pdf", "report::reason"));
    assert!(has("ledger", "online"));
}
