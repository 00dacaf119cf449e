//! Times QR decoding per corpus file: image decoding, then rqrr.
//! `cargo run --release --example qrtime -- FILE.pdf...`
fn main() {
    for name in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&name) else {
            continue;
        };
        let Ok(doc) = lopdf::Document::load_mem(&bytes) else {
            continue;
        };
        let runs = 20;
        let t = std::time::Instant::now();
        let mut imgs = Vec::new();
        for _ in 0..runs {
            imgs = certcheck::online::qr::page_images(&doc);
        }
        let t1 = t.elapsed() / runs;
        let t = std::time::Instant::now();
        let mut n = 0;
        for _ in 0..runs {
            n = imgs
                .iter()
                .map(|i| certcheck::online::qr::decode_image(i).len())
                .sum::<usize>();
        }
        let t2 = t.elapsed() / runs;
        println!(
            "{name}: {} images, decode {t1:?}, rqrr {t2:?}, {n} codes",
            imgs.len()
        );
    }
}
