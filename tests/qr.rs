//! QR codes in the corpus, decoded from the page images and judged against
//! the allow-list, compared with the manifest's `qr_codes`.

use std::path::Path;

use certcheck::online;
use lopdf::dictionary;

fn corpus() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus"))
}

fn manifest() -> serde_json::Value {
    let text = std::fs::read_to_string(corpus().join("manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn load(name: &str) -> lopdf::Document {
    let bytes = std::fs::read(corpus().join(name)).unwrap();
    lopdf::Document::load_mem(&bytes).unwrap()
}

#[test]
fn every_manifest_qr_code_is_decoded_and_judged() {
    let m = manifest();
    let mut checked = 0;
    for entry in m["files"].as_array().unwrap() {
        let Some(expected) = entry.get("qr_codes").and_then(|q| q.as_array()) else {
            continue;
        };
        let name = entry["file"].as_str().unwrap();
        let found = online::decode_qr_codes(&load(name), &[]);
        assert_eq!(found.len(), expected.len(), "{name}: {found:?}");
        for (f, e) in found.iter().zip(expected) {
            assert_eq!(f.text, e["text"].as_str().unwrap(), "{name}");
            assert_eq!(
                f.host_allowed,
                e["host_allowed"].as_bool().unwrap(),
                "{name}"
            );
            assert_eq!(f.host.as_deref(), e["host"].as_str(), "{name}");
        }
        checked += 1;
    }
    assert!(checked >= 2, "the corpus should hold QR cases");
}

#[test]
fn files_without_qr_codes_give_none() {
    let m = manifest();
    for entry in m["files"].as_array().unwrap() {
        let name = entry["file"].as_str().unwrap();
        if entry.get("qr_codes").is_some() || !name.starts_with("unsigned-") {
            continue;
        }
        let bytes = std::fs::read(corpus().join(name)).unwrap();
        let Ok(doc) = lopdf::Document::load_mem(&bytes) else {
            continue;
        };
        assert!(online::decode_qr_codes(&doc, &[]).is_empty(), "{name}");
    }
}

#[test]
fn a_configured_host_allows_the_look_alike() {
    let extra = vec!["zscx-verify.net".to_string()];
    let found = online::decode_qr_codes(&load("unsigned-qr-lookalike.pdf"), &extra);
    assert_eq!(found.len(), 1);
    assert!(found[0].host_allowed);
}

/// The grey QR picture of the official-host corpus file, as a reference
/// to re-encode in the other ways a PDF can store an image.
fn reference_qr() -> (online::qr::GreyImage, String) {
    let images = online::qr::page_images(&load("authentic-qr-official.pdf"));
    let text =
        "https://zscx.cpta.com.cn/examfront/certQuery/verify?id=7c1e9a40d2b35f86a1c04e7d9b2f6a13";
    let img = images
        .into_iter()
        .find(|i| online::qr::decode_image(i) == vec![text.to_string()])
        .expect("the reference QR image");
    (img, text.to_string())
}

fn flate(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A one-page document drawing `image`, directly or inside a form XObject.
fn doc_with_image(image: lopdf::Stream, in_form: bool) -> lopdf::Document {
    use lopdf::{Document, Object, Stream};
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let img_id = doc.add_object(image);
    let xobject_id = if in_form {
        let form = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 1.into(), 1.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => img_id } },
            },
            b"/Im1 Do".to_vec(),
        );
        doc.add_object(form)
    } else {
        img_id
    };
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"q 80 0 0 80 10 10 cm /X1 Do Q".to_vec(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
        "Resources" => dictionary! { "XObject" => dictionary! { "X1" => xobject_id } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc
}

fn image_dict(w: usize, h: usize, cs: lopdf::Object, bits: i64) -> lopdf::Dictionary {
    dictionary! {
        "Type" => "XObject", "Subtype" => "Image",
        "Width" => w as i64, "Height" => h as i64,
        "ColorSpace" => cs, "BitsPerComponent" => bits,
    }
}

fn pack_bits(img: &online::qr::GreyImage, dark_bit: u8) -> Vec<u8> {
    let row_len = img.width.div_ceil(8);
    let mut out = vec![0u8; row_len * img.height];
    for y in 0..img.height {
        for x in 0..img.width {
            let dark = img.pixels[y * img.width + x] < 128;
            let bit = if dark { dark_bit } else { 1 - dark_bit };
            if bit == 1 {
                out[y * row_len + x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    out
}

fn decoded(doc: &lopdf::Document) -> Vec<String> {
    online::decode_qr_codes(doc, &[])
        .into_iter()
        .map(|q| q.text)
        .collect()
}

#[test]
fn rgb_with_png_predictor_inside_a_form() {
    let (img, text) = reference_qr();
    // PNG "Sub" filter on every row, three bytes per pixel.
    let mut raw = Vec::new();
    for y in 0..img.height {
        raw.push(1u8);
        let mut prev = [0u8; 3];
        for x in 0..img.width {
            let v = img.pixels[y * img.width + x];
            for p in &mut prev {
                raw.push(v.wrapping_sub(*p));
                *p = v;
            }
        }
    }
    let mut dict = image_dict(img.width, img.height, "DeviceRGB".into(), 8);
    dict.set("Filter", "FlateDecode");
    dict.set(
        "DecodeParms",
        dictionary! { "Predictor" => 15, "Colors" => 3, "BitsPerComponent" => 8, "Columns" => img.width as i64 },
    );
    let doc = doc_with_image(lopdf::Stream::new(dict, flate(&raw)), true);
    assert_eq!(decoded(&doc), vec![text]);
}

#[test]
fn one_bit_with_inverted_decode_and_image_mask() {
    let (img, text) = reference_qr();
    // Samples stored with 1 = dark, undone by /Decode [1 0].
    let mut dict = image_dict(img.width, img.height, "DeviceGray".into(), 1);
    dict.set("Decode", vec![1.into(), 0.into()]);
    let doc = doc_with_image(lopdf::Stream::new(dict, pack_bits(&img, 1)), false);
    assert_eq!(decoded(&doc), vec![text.clone()]);
    // An image mask paints where a sample is 0.
    let mask = dictionary! {
        "Type" => "XObject", "Subtype" => "Image", "ImageMask" => true,
        "Width" => img.width as i64, "Height" => img.height as i64,
    };
    let doc = doc_with_image(lopdf::Stream::new(mask, pack_bits(&img, 0)), false);
    assert_eq!(decoded(&doc), vec![text]);
}

#[test]
fn jpeg_and_indexed_images() {
    let (img, text) = reference_qr();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode(
            &img.pixels,
            img.width as u32,
            img.height as u32,
            image::ExtendedColorType::L8,
        )
        .unwrap();
    let mut dict = image_dict(img.width, img.height, "DeviceGray".into(), 8);
    dict.set("Filter", "DCTDecode");
    let doc = doc_with_image(lopdf::Stream::new(dict, jpeg), false);
    assert_eq!(decoded(&doc), vec![text.clone()]);

    // Two-colour palette: index 0 white, index 1 black, over RGB.
    let palette = lopdf::Object::Array(vec![
        "Indexed".into(),
        "DeviceRGB".into(),
        1.into(),
        lopdf::Object::string_literal(vec![255u8, 255, 255, 0, 0, 0]),
    ]);
    let dict = image_dict(img.width, img.height, palette, 1);
    let doc = doc_with_image(lopdf::Stream::new(dict, pack_bits(&img, 1)), false);
    assert_eq!(decoded(&doc), vec![text]);
}

#[test]
fn tight_crop_at_one_pixel_per_module_is_read_with_a_quiet_zone() {
    let (img, text) = reference_qr();
    // The dark pixels' bounding box is the symbol; version 6 has 41 modules.
    let dark: Vec<(usize, usize)> = (0..img.height)
        .flat_map(|y| (0..img.width).map(move |x| (x, y)))
        .filter(|&(x, y)| img.pixels[y * img.width + x] < 128)
        .collect();
    let x0 = dark.iter().map(|p| p.0).min().unwrap();
    let x1 = dark.iter().map(|p| p.0).max().unwrap();
    let y0 = dark.iter().map(|p| p.1).min().unwrap();
    let module = (x1 + 1 - x0) as f64 / 41.0;
    let mut small = Vec::new();
    for my in 0..41 {
        for mx in 0..41 {
            let x = x0 + ((mx as f64 + 0.5) * module) as usize;
            let y = y0 + ((my as f64 + 0.5) * module) as usize;
            small.push(img.pixels[y * img.width + x]);
        }
    }
    let tiny = online::qr::GreyImage {
        width: 41,
        height: 41,
        pixels: small,
    };
    assert_eq!(online::qr::decode_image(&tiny), vec![text]);
}

#[test]
fn soft_mask_shows_the_page_where_the_picture_is_transparent() {
    let (img, text) = reference_qr();
    // Colour samples all black; only the soft mask draws the code.
    let alpha: Vec<u8> = img.pixels.iter().map(|&p| 255 - p).collect();
    let mut doc = doc_with_image(
        lopdf::Stream::new(
            image_dict(img.width, img.height, "DeviceGray".into(), 8),
            vec![0u8; img.width * img.height],
        ),
        false,
    );
    let mask_id = doc.add_object(lopdf::Stream::new(
        image_dict(img.width, img.height, "DeviceGray".into(), 8),
        alpha,
    ));
    let image_id = doc
        .objects
        .iter()
        .find(|(_, o)| {
            o.as_stream().is_ok_and(|s| {
                s.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Image")
            })
        })
        .map(|(id, _)| *id)
        .unwrap();
    if let Ok(lopdf::Object::Stream(s)) = doc.get_object_mut(image_id) {
        s.dict.set("SMask", mask_id);
    }
    assert_eq!(decoded(&doc), vec![text]);
}

#[test]
fn decoded_images_are_remembered_by_everything_that_decoding_reads() {
    // The same picture in three documents: the code drawn by the soft
    // mask, then the same picture and mask dictionaries with the mask
    // blank, then with the code again. Each must read as its own bytes
    // say, whatever was decoded (and remembered) before.
    let (img, text) = reference_qr();
    let with_mask = |alpha: Vec<u8>| {
        let mut doc = doc_with_image(
            lopdf::Stream::new(
                image_dict(img.width, img.height, "DeviceGray".into(), 8),
                vec![0u8; img.width * img.height],
            ),
            false,
        );
        let mask_id = doc.add_object(lopdf::Stream::new(
            image_dict(img.width, img.height, "DeviceGray".into(), 8),
            alpha,
        ));
        let ids: Vec<lopdf::ObjectId> = doc.objects.keys().copied().collect();
        for id in ids {
            if let Ok(lopdf::Object::Stream(s)) = doc.get_object_mut(id) {
                let is_image =
                    s.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Image");
                if is_image && id != mask_id {
                    s.dict.set("SMask", mask_id);
                }
            }
        }
        doc
    };
    let code: Vec<u8> = img.pixels.iter().map(|&p| 255 - p).collect();
    let blank = vec![0u8; img.width * img.height];
    for _ in 0..2 {
        assert_eq!(decoded(&with_mask(code.clone())), vec![text.clone()]);
        assert!(decoded(&with_mask(blank.clone())).is_empty());
    }
    // The same image content drawn plainly (no mask): all black, no code.
    let plain = doc_with_image(
        lopdf::Stream::new(
            image_dict(img.width, img.height, "DeviceGray".into(), 8),
            vec![0u8; img.width * img.height],
        ),
        false,
    );
    assert!(decoded(&plain).is_empty());
}

#[test]
fn noise_and_blank_pictures_give_nothing() {
    // A pseudo-random picture and a flat one: no finder patterns.
    let mut state = 0x2545_f491_u32;
    let noise: Vec<u8> = (0..300 * 300)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect();
    let img = online::qr::GreyImage {
        width: 300,
        height: 300,
        pixels: noise,
    };
    assert!(online::qr::decode_image(&img).is_empty());
    let flat = online::qr::GreyImage {
        width: 300,
        height: 300,
        pixels: vec![128; 90_000],
    };
    assert!(online::qr::decode_image(&flat).is_empty());
}

/// `img` turned by `degrees` about its centre (nearest neighbour, white
/// outside), on a canvas large enough to hold it.
fn rotated(img: &online::qr::GreyImage, degrees: f64) -> online::qr::GreyImage {
    let (w, h) = (img.width as f64, img.height as f64);
    let a = degrees.to_radians();
    let side = ((w * w + h * h).sqrt().ceil() as usize) + 8;
    let c = side as f64 / 2.0;
    let mut pixels = vec![255u8; side * side];
    for y in 0..side {
        for x in 0..side {
            let (dx, dy) = (x as f64 - c, y as f64 - c);
            let sx = (dx * a.cos() + dy * a.sin() + w / 2.0).floor();
            let sy = (-dx * a.sin() + dy * a.cos() + h / 2.0).floor();
            if sx >= 0.0 && sy >= 0.0 && sx < w && sy < h {
                pixels[y * side + x] = img.pixels[sy as usize * img.width + sx as usize];
            }
        }
    }
    online::qr::GreyImage {
        width: side,
        height: side,
        pixels,
    }
}

/// `img` resampled to `side` pixels with bilinear interpolation (soft
/// module edges, as a PDF producer's downscaling makes them).
fn bilinear(img: &online::qr::GreyImage, side: usize) -> online::qr::GreyImage {
    let mut pixels = Vec::with_capacity(side * side);
    let f = img.width as f64 / side as f64;
    for y in 0..side {
        for x in 0..side {
            let (fx, fy) = ((x as f64 + 0.5) * f - 0.5, (y as f64 + 0.5) * f - 0.5);
            let (x0, y0) = (fx.floor().max(0.0) as usize, fy.floor().max(0.0) as usize);
            let (x1, y1) = ((x0 + 1).min(img.width - 1), (y0 + 1).min(img.height - 1));
            let (tx, ty) = (
                (fx - x0 as f64).clamp(0.0, 1.0),
                (fy - y0 as f64).clamp(0.0, 1.0),
            );
            let p = |x: usize, y: usize| img.pixels[y * img.width + x] as f64;
            let top = p(x0, y0) * (1.0 - tx) + p(x1, y0) * tx;
            let bottom = p(x0, y1) * (1.0 - tx) + p(x1, y1) * tx;
            pixels.push((top * (1.0 - ty) + bottom * ty).round() as u8);
        }
    }
    online::qr::GreyImage {
        width: side,
        height: side,
        pixels,
    }
}

#[test]
fn turned_and_resampled_codes_are_read() {
    let (img, text) = reference_qr();
    for degrees in [4.0, 30.0, 90.0] {
        assert_eq!(
            online::qr::decode_image(&rotated(&img, degrees)),
            vec![text.clone()],
            "{degrees}°"
        );
    }
    for side in [120, 150, 173, 260] {
        assert_eq!(
            online::qr::decode_image(&bilinear(&img, side)),
            vec![text.clone()],
            "{side} px"
        );
    }
}
