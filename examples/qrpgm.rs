//! Reads binary PGM pictures and prints what QR codes they decode to, for
//! checking the decoder on generated codes.
//! `cargo run --release --example qrpgm -- FILE.pgm...`
fn main() {
    for name in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&name) else {
            continue;
        };
        // "P5 W H 255\n" then the pixels.
        let Some(nl) = bytes.iter().position(|&b| b == b'\n') else {
            continue;
        };
        let head = String::from_utf8_lossy(&bytes[..nl]).to_string();
        let parts: Vec<usize> = head
            .split_whitespace()
            .skip(1)
            .filter_map(|s| s.parse().ok())
            .collect();
        let (Some(&w), Some(&h)) = (parts.first(), parts.get(1)) else {
            continue;
        };
        let image = certcheck::online::qr::GreyImage {
            width: w,
            height: h,
            pixels: bytes[nl + 1..].to_vec(),
        };
        let t = std::time::Instant::now();
        let found = certcheck::online::qr::decode_image(&image);
        let elapsed = t.elapsed();
        // rqrr alone on the picture with a white margin, for comparison.
        let pad = 24;
        let (pw, ph) = (w + 2 * pad, h + 2 * pad);
        let direct: Vec<String> = std::panic::catch_unwind(|| {
            let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(pw, ph, |x, y| {
                if x < pad || y < pad || x >= w + pad || y >= h + pad {
                    255
                } else {
                    image
                        .pixels
                        .get((y - pad) * w + x - pad)
                        .copied()
                        .unwrap_or(255)
                }
            });
            prepared
                .detect_grids()
                .into_iter()
                .filter_map(|g| g.decode().ok().map(|(_, s)| s))
                .collect::<Vec<String>>()
        })
        .unwrap_or_default();
        println!("{name}\t{elapsed:?}\t{found:?}\t{direct:?}");
    }
}
