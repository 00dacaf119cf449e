//! Times each stage once on the files given (a quick look; the criterion
//! benchmarks in benches/ are the measurement).
//! `cargo run --release --example stagetime -- FILE.pdf...`
use std::time::Instant;

fn main() {
    for name in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&name) else {
            continue;
        };
        let t = Instant::now();
        let Ok(file) = certcheck::pdf::PdfFile::parse(&bytes, None) else {
            continue;
        };
        let parse = t.elapsed();
        let t = Instant::now();
        let fields = certcheck::signature::locate::find_signatures(&file);
        let locate = t.elapsed();
        let t = Instant::now();
        let qr = certcheck::online::decode_qr_codes(&file.doc, &[]).len();
        let qr_t = t.elapsed();
        let t = Instant::now();
        let text = certcheck::text::extract(&file.doc);
        let text_t = t.elapsed();
        let t = Instant::now();
        let r = certcheck::verify(&bytes, &name, &certcheck::Options::default());
        let whole = t.elapsed();
        println!(
            "{name}: parse {parse:?} locate {locate:?} ({} sigs) qr {qr_t:?} ({qr}) text {text_t:?} ({}) whole {whole:?} {}",
            fields.len(),
            text.fields.is_some(),
            r.verdict
        );
    }
}
