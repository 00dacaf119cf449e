//! Thousands of deterministic mutations of corpus files through the whole
//! `verify` path: every one must return a record, never panic, and finish
//! within a generous bound (a hang guard, not a speed test).

mod common;

use std::time::{Duration, Instant};

use common::*;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn mutate(src: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = src.to_vec();
    match rng.below(8) {
        0 => {
            // Flip a few bytes.
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(b.len());
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << rng.below(8);
                }
            }
        }
        1 => {
            // Cut the file.
            let at = rng.below(b.len());
            b.truncate(at);
        }
        2 => {
            // Cut a range out of the middle.
            let a = rng.below(b.len());
            let n = rng.below(4096).min(b.len() - a);
            b.drain(a..a + n);
        }
        3 => {
            // Duplicate an object.
            if let Some(p) = find_nth(&b, b" obj", rng.below(40)) {
                let start = p.saturating_sub(8);
                let end = (p + 200 + rng.below(2000)).min(b.len());
                let chunk = b[start..end].to_vec();
                let at = rng.below(b.len());
                b.splice(at..at, chunk);
            }
        }
        4 => {
            // Make a number huge.
            let digits_at: Vec<usize> = (0..50)
                .map(|_| rng.below(b.len()))
                .filter(|&i| b[i].is_ascii_digit())
                .collect();
            if let Some(&i) = digits_at.first() {
                b.splice(i..i + 1, b"99999999999999999999".iter().copied());
            }
        }
        5 => {
            // Point /Prev or startxref at the start: loops and nonsense offsets.
            for key in [&b"/Prev "[..], b"startxref\n"] {
                if let Some(p) = find_nth(&b, key, 0) {
                    let at = p + key.len();
                    b.splice(at..at, b"0 ".iter().copied());
                }
            }
        }
        6 => {
            // Deep nesting.
            let at = rng.below(b.len());
            let depth = 1 + rng.below(5000);
            let mut nest = vec![b'['; depth];
            nest.extend(std::iter::repeat_n(b']', depth));
            b.splice(at..at, nest);
        }
        _ => {
            // Overwrite a window with garbage.
            let a = rng.below(b.len());
            for i in a..(a + rng.below(64)).min(b.len()) {
                b[i] = rng.next() as u8;
            }
        }
    }
    b
}

fn find_nth(hay: &[u8], needle: &[u8], n: usize) -> Option<usize> {
    hay.windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .nth(n)
}

#[test]
fn mutated_corpus_files_always_get_a_record() {
    let options = corpus_options();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut sources = Vec::new();
    for entry in manifest_entries() {
        let file = entry["file"].as_str().expect("file");
        let bytes = std::fs::read(corpus_dir().join(file)).expect("corpus file");
        if !bytes.is_empty() {
            sources.push((file.to_string(), bytes));
        }
    }
    let per_file = std::env::var("CERTCHECK_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50usize);
    let mut slowest = (Duration::ZERO, String::new());
    for (name, bytes) in &sources {
        for i in 0..per_file {
            let mutated = mutate(bytes, &mut rng);
            let label = format!("{name} mutation {i}");
            let started = Instant::now();
            let record = certcheck::verify(&mutated, &label, &options);
            let took = started.elapsed();
            assert_eq!(record.path, label);
            if record.verdict == certcheck::Verdict::Authentic && mutated != *bytes {
                let kept = std::env::temp_dir().join(format!("certcheck-mutation-{i}-{name}"));
                let _ = std::fs::write(&kept, &mutated);
                panic!(
                    "{label}: a mutated file came out authentic (input kept at {})",
                    kept.display()
                );
            }
            if took > slowest.0 {
                slowest = (took, label);
            }
        }
    }
    assert!(
        slowest.0 < Duration::from_secs(20),
        "slowest input took {:?}: {}",
        slowest.0,
        slowest.1
    );
}
