//! Checks recorded per second in the ledger, with 1 and 8 concurrent
//! writers, on SQLite and on PostgreSQL (`$CERTCHECK_TEST_PG_URL`; without
//! it the PostgreSQL half prints that it was skipped). Each writer is a
//! desk of its own (its own connection); their checks share 管理号, so the
//! writers really contend for the same keys.
//! Run: `cargo bench --bench ledger`.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use certcheck::ledger::{Ledger, LedgerConfig, Location, Privacy};
use certcheck::report::{Fields, Record};
use certcheck::Verdict;

fn record(n: u64, writer: usize) -> Record {
    let mut r = Record::malformed(&format!("w{writer}-{n}.pdf"), String::new(), Vec::new());
    r.error = None;
    r.verdict = Verdict::Unsigned;
    r.sha256 = Some(format!("{writer:02}{n:062}"));
    r.fields = Some(Fields {
        management_number: Some(format!("2023K{:010}", n % 50)),
        name: Some(format!("持证人{writer}")),
        id_number: Some(format!("11010119900307{:04}", n % 500)),
        ..Fields::default()
    });
    r
}

/// `iters` checks split over `writers` threads; the time from the start
/// signal to the last commit.
fn run(config: &LedgerConfig, writers: usize, iters: u64) -> Duration {
    let start = Arc::new(Barrier::new(writers + 1));
    let per = iters.div_ceil(writers as u64);
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let config = config.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                let mut l = Ledger::open(config).expect("open the ledger");
                start.wait();
                for n in 0..per {
                    let mut r = record(n, w);
                    l.check_and_record(&mut r, true).expect("record");
                }
            })
        })
        .collect();
    start.wait();
    let t = Instant::now();
    for th in threads {
        th.join().expect("writer");
    }
    t.elapsed()
}

fn bench_on(c: &mut Criterion, engine: &str, config: LedgerConfig) {
    let mut group = c.benchmark_group(format!("ledger/{engine}"));
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for writers in [1usize, 8] {
        group.bench_with_input(BenchmarkId::new("writers", writers), &writers, |b, &w| {
            b.iter_custom(|iters| run(&config, w, iters.max(w as u64)));
        });
    }
    group.finish();
}

fn ledger(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    bench_on(
        c,
        "sqlite",
        LedgerConfig::new(
            Location::Sqlite(dir.path().join("bench.sqlite3")),
            Privacy::Clear,
        ),
    );
    match std::env::var("CERTCHECK_TEST_PG_URL") {
        Ok(url) if !url.is_empty() => {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
            let schema = format!("bench_{}", std::process::id());
            client
                .batch_execute(&format!("CREATE SCHEMA {schema}"))
                .expect("schema");
            let sep = if url.contains('?') { '&' } else { '?' };
            let with_schema = format!("{url}{sep}options=-c%20search_path%3D{schema}");
            bench_on(
                c,
                "postgres",
                LedgerConfig::new(Location::Postgres(with_schema), Privacy::Clear),
            );
            let _ = client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
        }
        _ => println!("SKIPPED: CERTCHECK_TEST_PG_URL not set (ledger/postgres)"),
    }
}

criterion_group!(benches, ledger);
criterion_main!(benches);
