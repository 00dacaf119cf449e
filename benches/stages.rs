//! Time per stage on corpus files: reading the PDF, finding signatures,
//! the digest of the signed bytes, QR decoding, and the whole check.
//! Run: `cargo bench --bench stages` (bench/compare.sh compares the whole
//! binary with pdfsig and sha256sum).

use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sha2::{Digest, Sha256};

use certcheck::pdf::PdfFile;
use certcheck::signature::{byte_range, locate};
use certcheck::trust::TrustStore;
use certcheck::Options;

const FILES: &[&str] = &[
    "authentic-rsa-pkcs7.pdf",
    "authentic-sm2-sm3.pdf",
    "authentic-ses-v4.pdf",
    "authentic-lta-dss-doc-timestamp.pdf",
    "authentic-qr-official.pdf",
    "unsigned-query-result.pdf",
];

fn corpus(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn options() -> Options {
    let trust_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/trust");
    Options {
        trust: TrustStore::load(&[trust_dir], false).unwrap_or_else(|_| TrustStore::empty()),
        ..Options::default()
    }
}

fn stages(c: &mut Criterion) {
    let options = options();
    for name in FILES {
        let bytes = corpus(name);
        let mut group = c.benchmark_group(*name);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function("parse", |b| {
            b.iter(|| PdfFile::parse(black_box(&bytes), None).map(|f| f.revisions.len()))
        });
        let Ok(file) = PdfFile::parse(&bytes, None) else {
            group.finish();
            continue;
        };
        group.bench_function("locate", |b| {
            b.iter(|| locate::find_signatures(black_box(&file)).len())
        });
        let fields = locate::find_signatures(&file);
        if !fields.is_empty() {
            group.bench_function("digest", |b| {
                b.iter(|| {
                    let mut out = Vec::new();
                    for field in &fields {
                        let br = byte_range::check(&file, field);
                        let mut h = Sha256::new();
                        for &(a, z) in &br.pieces {
                            if let Some(piece) = bytes.get(a..z) {
                                h.update(piece);
                            }
                        }
                        out.push(h.finalize());
                    }
                    out
                })
            });
        }
        group.bench_function("qr", |b| {
            b.iter(|| certcheck::online::decode_qr_codes(black_box(&file.doc), &[]).len())
        });
        group.bench_function(BenchmarkId::new("verify", "whole"), |b| {
            b.iter(|| certcheck::verify(black_box(&bytes), name, &options).verdict)
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3));
    targets = stages
}
criterion_main!(benches);
