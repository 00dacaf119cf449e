//! Finding and reading QR codes drawn as images on the pages.
//!
//! Image XObjects are collected from each page's resources, from form
//! XObjects they use, and from annotation appearances (bounded in depth and
//! count), decoded to grey pixels (Flate with predictors, raw, DCT through
//! the image crate; 1/2/4/8/16 bits; grey, RGB, CMYK, ICC and indexed
//! colour), and handed to rqrr. A picture with too little margin or too few
//! pixels per module is tried again padded with a white quiet zone and
//! scaled up. Everything is bounded: a hostile file costs a known amount of
//! time and memory, and rqrr runs behind `catch_unwind`.

use std::collections::HashSet;
use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::pdf::limits;

/// Pages searched (certificates carry their QR code on page 1).
const MAX_PAGES: usize = 8;
/// Image XObjects decoded per document.
const MAX_IMAGES: usize = 32;
/// Form XObjects followed inside each other.
const MAX_FORM_DEPTH: usize = 4;
/// Largest image decoded (pixels).
const MAX_PIXELS: usize = 25_000_000;
/// Largest image retried padded and scaled (pixels, after scaling).
const MAX_RETRY_PIXELS: usize = 4_000_000;
/// An image smaller than this on its short side is scaled up for the retry.
const SMALL_SIDE: usize = 300;

/// A decoded image in 8-bit grey, row-major.
#[derive(Debug, Clone)]
pub struct GreyImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl GreyImage {
    fn get(&self, x: usize, y: usize) -> u8 {
        y.checked_mul(self.width)
            .and_then(|r| r.checked_add(x))
            .and_then(|i| self.pixels.get(i))
            .copied()
            .unwrap_or(255)
    }

    /// The image with a white border of `pad` pixels, scaled by `scale`
    /// (nearest neighbour, which keeps module edges sharp).
    fn padded_scaled(&self, pad: usize, scale: usize) -> Option<GreyImage> {
        let scale = scale.max(1);
        let width = self
            .width
            .checked_mul(scale)?
            .checked_add(pad.checked_mul(2)?)?;
        let height = self
            .height
            .checked_mul(scale)?
            .checked_add(pad.checked_mul(2)?)?;
        if width.checked_mul(height)? > MAX_RETRY_PIXELS {
            return None;
        }
        let mut pixels = vec![255u8; width * height];
        for y in 0..self.height * scale {
            for x in 0..self.width * scale {
                let v = self.get(x / scale, y / scale);
                if let Some(p) = pixels.get_mut((y + pad) * width + x + pad) {
                    *p = v;
                }
            }
        }
        Some(GreyImage {
            width,
            height,
            pixels,
        })
    }
}

/// The texts of the QR codes drawn on `doc`'s pages, without repeats, in
/// the order they were found.
pub fn decode_texts(doc: &Document) -> Vec<String> {
    let mut texts: Vec<String> = Vec::new();
    for image in page_images(doc) {
        for text in decode_image(&image) {
            if !texts.contains(&text) {
                texts.push(text);
            }
        }
    }
    texts
}

/// The QR texts in one grey image: as is, then (if nothing was found)
/// with a quiet zone and scaled up.
pub fn decode_image(image: &GreyImage) -> Vec<String> {
    let found = run_rqrr(image);
    if !found.is_empty() {
        return found;
    }
    let short = image.width.min(image.height);
    if short == 0 {
        return Vec::new();
    }
    let scale = SMALL_SIDE.div_ceil(short).clamp(1, 8);
    let pad = (short * scale / 8).max(16);
    match image.padded_scaled(pad, scale) {
        Some(bigger) => run_rqrr(&bigger),
        None => Vec::new(),
    }
}

fn run_rqrr(image: &GreyImage) -> Vec<String> {
    if image.width < 21 || image.height < 21 {
        return Vec::new();
    }
    catch_unwind(AssertUnwindSafe(|| {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(image.width, image.height, |x, y| {
                image.get(x, y)
            });
        prepared
            .detect_grids()
            .into_iter()
            .filter_map(|g| g.decode().ok().map(|(_, text)| text))
            .collect::<Vec<String>>()
    }))
    .unwrap_or_default()
}

/// The image XObjects the first pages draw, decoded to grey.
pub fn page_images(doc: &Document) -> Vec<GreyImage> {
    let mut walker = Walker {
        doc,
        seen: HashSet::new(),
        images: Vec::new(),
        budget: MAX_PIXELS * 2,
    };
    for page_id in doc.page_iter().take(MAX_PAGES) {
        if let Ok((inline, ids)) = doc.get_page_resources(page_id) {
            if let Some(res) = inline {
                walker.resources(res, 0);
            }
            for id in ids {
                if let Ok(res) = doc.get_dictionary(id) {
                    walker.resources(res, 0);
                }
            }
        }
        if let Ok(page) = doc.get_dictionary(page_id) {
            walker.annotations(page);
        }
        if walker.full() {
            break;
        }
    }
    walker.images
}

struct Walker<'a> {
    doc: &'a Document,
    seen: HashSet<ObjectId>,
    images: Vec<GreyImage>,
    /// Pixels still allowed to be decoded in this document.
    budget: usize,
}

impl<'a> Walker<'a> {
    fn full(&self) -> bool {
        self.images.len() >= MAX_IMAGES || self.budget == 0
    }

    fn deref(&self, obj: &'a Object) -> Option<(Option<ObjectId>, &'a Object)> {
        self.doc.dereference(obj).ok()
    }

    fn resources(&mut self, res: &'a Dictionary, depth: usize) {
        let doc = self.doc;
        let Some((_, xobjects)) = res
            .get(b"XObject")
            .ok()
            .and_then(|o| doc.dereference(o).ok())
        else {
            return;
        };
        let Ok(xobjects) = xobjects.as_dict() else {
            return;
        };
        for (_, entry) in xobjects.iter() {
            if self.full() {
                return;
            }
            self.xobject(entry, depth);
        }
    }

    fn xobject(&mut self, entry: &'a Object, depth: usize) {
        let Some((id, obj)) = self.deref(entry) else {
            return;
        };
        if let Some(id) = id {
            if !self.seen.insert(id) {
                return;
            }
        }
        let Ok(stream) = obj.as_stream() else {
            return;
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => {
                if let Some(img) = decode_image_xobject(self.doc, stream, self.budget) {
                    self.budget = self.budget.saturating_sub(img.pixels.len());
                    self.images.push(img);
                }
            }
            Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                if let Some((_, res)) = stream
                    .dict
                    .get(b"Resources")
                    .ok()
                    .and_then(|o| self.deref(o))
                {
                    if let Ok(res) = res.as_dict() {
                        self.resources(res, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    fn annotations(&mut self, page: &'a Dictionary) {
        let doc = self.doc;
        let Some((_, annots)) = page
            .get(b"Annots")
            .ok()
            .and_then(|o| doc.dereference(o).ok())
        else {
            return;
        };
        let Ok(annots) = annots.as_array() else {
            return;
        };
        for annot in annots.iter().take(64) {
            let Some(dict) = self.deref(annot).and_then(|(_, o)| o.as_dict().ok()) else {
                continue;
            };
            let normal = dict
                .get(b"AP")
                .ok()
                .and_then(|o| self.deref(o))
                .and_then(|(_, o)| o.as_dict().ok())
                .and_then(|ap| ap.get(b"N").ok());
            if let Some(n) = normal {
                self.xobject(n, 1);
            }
            if self.full() {
                return;
            }
        }
    }
}

fn int(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<i64> {
    let obj = dict.get(key).ok()?;
    doc.dereference(obj).ok()?.1.as_i64().ok()
}

/// The colour model of an image, as far as turning it into grey needs.
enum Colour {
    Grey,
    Rgb,
    Cmyk,
    /// Base colour model and its lookup table.
    Indexed(Box<Colour>, Vec<u8>),
}

impl Colour {
    fn components(&self) -> usize {
        match self {
            Colour::Grey | Colour::Indexed(..) => 1,
            Colour::Rgb => 3,
            Colour::Cmyk => 4,
        }
    }
}

fn colour_space(doc: &Document, obj: Option<&Object>, depth: usize) -> Option<Colour> {
    let Some(obj) = obj else {
        return Some(Colour::Grey);
    };
    let (_, obj) = doc.dereference(obj).ok()?;
    if let Ok(name) = obj.as_name() {
        return match name {
            b"DeviceGray" | b"CalGray" | b"G" => Some(Colour::Grey),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Some(Colour::Rgb),
            b"DeviceCMYK" | b"CMYK" => Some(Colour::Cmyk),
            _ => None,
        };
    }
    let arr = obj.as_array().ok()?;
    let family = arr.first()?.as_name().ok()?;
    match family {
        b"ICCBased" => {
            let (_, s) = doc.dereference(arr.get(1)?).ok()?;
            match int(doc, &s.as_stream().ok()?.dict, b"N")? {
                1 => Some(Colour::Grey),
                3 => Some(Colour::Rgb),
                4 => Some(Colour::Cmyk),
                _ => None,
            }
        }
        b"CalGray" => Some(Colour::Grey),
        b"CalRGB" | b"Lab" => Some(Colour::Rgb),
        b"Indexed" | b"I" if depth == 0 => {
            let base = colour_space(doc, arr.get(1), depth + 1)?;
            let (_, lookup) = doc.dereference(arr.get(3)?).ok()?;
            let table = match lookup {
                Object::String(bytes, _) => bytes.clone(),
                Object::Stream(s) => stream_bytes(s, 1 << 16)?,
                _ => return None,
            };
            Some(Colour::Indexed(Box::new(base), table))
        }
        _ => None,
    }
}

/// The stream's data with its filters undone, when they are ones an image
/// uses before DCT (none, Flate with predictors); `None` when the stream
/// uses something else or decodes to more than `limit` bytes.
fn stream_bytes(stream: &Stream, limit: usize) -> Option<Vec<u8>> {
    let filters = stream.filters().unwrap_or_default();
    if filters.is_empty() {
        return Some(stream.content.clone());
    }
    if filters.len() != 1 || !matches!(filters.first(), Some(&b"FlateDecode") | Some(&b"Fl")) {
        return None;
    }
    let raw = inflate(&stream.content, limit)?;
    let params = decode_parms(stream, 0);
    undo_predictor(raw, params.as_ref())
}

fn inflate(data: &[u8], limit: usize) -> Option<Vec<u8>> {
    let cap = limit
        .min(limits::MAX_DECODED_STREAM)
        .min(data.len().saturating_mul(limits::MAX_DECOMPRESSION_RATIO));
    let mut out = Vec::new();
    let mut dec = flate2::read::ZlibDecoder::new(data).take(cap as u64 + 1);
    // A stream cut short or with a bad checksum still yields its pixels.
    let result = dec.read_to_end(&mut out);
    if out.len() > cap || (result.is_err() && out.is_empty()) {
        return None;
    }
    Some(out)
}

struct Predictor {
    predictor: i64,
    colors: usize,
    bits: usize,
    columns: usize,
}

fn decode_parms(stream: &Stream, index: usize) -> Option<Predictor> {
    let parms = stream.dict.get(b"DecodeParms").ok()?;
    let dict = match parms {
        Object::Dictionary(d) => d,
        Object::Array(a) => a.get(index)?.as_dict().ok()?,
        _ => return None,
    };
    let get = |k: &[u8], default: i64| dict.get(k).and_then(Object::as_i64).unwrap_or(default);
    Some(Predictor {
        predictor: get(b"Predictor", 1),
        colors: usize::try_from(get(b"Colors", 1)).ok()?.clamp(1, 32),
        bits: usize::try_from(get(b"BitsPerComponent", 8))
            .ok()?
            .clamp(1, 16),
        columns: usize::try_from(get(b"Columns", 1)).ok()?.clamp(1, 1 << 16),
    })
}

fn undo_predictor(data: Vec<u8>, params: Option<&Predictor>) -> Option<Vec<u8>> {
    let Some(p) = params else {
        return Some(data);
    };
    let row_bits = p.colors.checked_mul(p.bits)?.checked_mul(p.columns)?;
    let row_len = row_bits.div_ceil(8);
    let bpp = (p.colors * p.bits).div_ceil(8).max(1);
    match p.predictor {
        1 => Some(data),
        2 if p.bits == 8 => {
            let mut data = data;
            for row in data.chunks_mut(row_len) {
                for i in bpp..row.len() {
                    let left = row.get(i - bpp).copied().unwrap_or(0);
                    if let Some(v) = row.get_mut(i) {
                        *v = v.wrapping_add(left);
                    }
                }
            }
            Some(data)
        }
        10..=15 => {
            let mut out: Vec<u8> = Vec::with_capacity(data.len());
            let mut prev = vec![0u8; row_len];
            for chunk in data.chunks(row_len + 1) {
                let (&kind, row) = chunk.split_first()?;
                let mut cur = row.to_vec();
                cur.resize(row_len, 0);
                for i in 0..row_len {
                    let a = if i >= bpp {
                        cur.get(i - bpp).copied().unwrap_or(0)
                    } else {
                        0
                    };
                    let b = prev.get(i).copied().unwrap_or(0);
                    let c = if i >= bpp {
                        prev.get(i - bpp).copied().unwrap_or(0)
                    } else {
                        0
                    };
                    let add = match kind {
                        0 => 0,
                        1 => a,
                        2 => b,
                        3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                        4 => paeth(a, b, c),
                        _ => return None,
                    };
                    if let Some(v) = cur.get_mut(i) {
                        *v = v.wrapping_add(add);
                    }
                }
                out.extend_from_slice(&cur);
                prev = cur;
            }
            Some(out)
        }
        _ => None,
    }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let pa = (p - i16::from(a)).abs();
    let pb = (p - i16::from(b)).abs();
    let pc = (p - i16::from(c)).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Decodes one image XObject to grey, or `None` where its encoding is one
/// this reader does not handle or it is over the size limits.
pub fn decode_image_xobject(doc: &Document, stream: &Stream, budget: usize) -> Option<GreyImage> {
    let width = usize::try_from(int(doc, &stream.dict, b"Width")?).ok()?;
    let height = usize::try_from(int(doc, &stream.dict, b"Height")?).ok()?;
    let pixels = width.checked_mul(height)?;
    if width == 0 || height == 0 || pixels > MAX_PIXELS || pixels > budget {
        return None;
    }
    let filters = stream.filters().unwrap_or_default();
    let last = filters.last().copied();
    if matches!(last, Some(b"DCTDecode") | Some(b"DCT")) {
        return decode_jpeg(stream, &filters, width, height);
    }
    let image_mask = matches!(stream.dict.get(b"ImageMask"), Ok(Object::Boolean(true)));
    let (colour, bits) = if image_mask {
        (Colour::Grey, 1)
    } else {
        let colour = colour_space(doc, stream.dict.get(b"ColorSpace").ok(), 0)?;
        let bits =
            usize::try_from(int(doc, &stream.dict, b"BitsPerComponent").unwrap_or(8)).ok()?;
        (colour, bits)
    };
    if !matches!(bits, 1 | 2 | 4 | 8 | 16) {
        return None;
    }
    let comps = colour.components();
    let row_len = width.checked_mul(comps)?.checked_mul(bits)?.div_ceil(8);
    let need = row_len.checked_mul(height)?;
    let data = stream_bytes(stream, need.saturating_add(height).saturating_add(1024))?;
    if data.len() < need {
        return None;
    }
    let invert = decode_inverts(stream);
    let max = (1u32 << bits.min(8)) - 1;
    let mut out = Vec::with_capacity(pixels);
    let mut samples = vec![0u32; comps];
    for y in 0..height {
        let row = data.get(y * row_len..(y + 1) * row_len)?;
        for x in 0..width {
            for (c, s) in samples.iter_mut().enumerate() {
                *s = sample(row, x * comps + c, bits)?;
            }
            let grey = match &colour {
                Colour::Indexed(base, table) => {
                    let n = base.components();
                    let idx = samples.first().copied().unwrap_or(0) as usize;
                    let entry = table.get(idx * n..idx * n + n)?;
                    to_grey(
                        base,
                        &entry.iter().map(|&v| u32::from(v)).collect::<Vec<_>>(),
                        255,
                    )
                }
                c => to_grey(c, &samples, max),
            };
            out.push(if invert { 255 - grey } else { grey });
        }
    }
    Some(GreyImage {
        width,
        height,
        pixels: out,
    })
}

/// `/Decode [1 0]` swaps black and white. (An image mask paints where a
/// sample is 0 by default, which is already how a grey 0 reads.)
fn decode_inverts(stream: &Stream) -> bool {
    let decode = stream.dict.get(b"Decode").and_then(Object::as_array).ok();
    let first_two = decode.and_then(|d| {
        let a = d.first()?.as_float().ok()?;
        let b = d.get(1)?.as_float().ok()?;
        Some((a, b))
    });
    matches!(first_two, Some((a, b)) if a > b)
}

fn sample(row: &[u8], index: usize, bits: usize) -> Option<u32> {
    match bits {
        8 => row.get(index).map(|&v| u32::from(v)),
        16 => row.get(index * 2).map(|&v| u32::from(v)),
        1 | 2 | 4 => {
            let bit = index.checked_mul(bits)?;
            let byte = *row.get(bit / 8)?;
            let shift = 8 - bits - (bit % 8);
            Some(u32::from(byte >> shift) & ((1 << bits) - 1))
        }
        _ => None,
    }
}

fn to_grey(colour: &Colour, s: &[u32], max: u32) -> u8 {
    let scale = |v: u32| (v.min(max) * 255 / max.max(1)) as u8;
    let v = |i: usize| s.get(i).copied().unwrap_or(0);
    match colour {
        Colour::Grey | Colour::Indexed(..) => scale(v(0)),
        Colour::Rgb => {
            let (r, g, b) = (
                u32::from(scale(v(0))),
                u32::from(scale(v(1))),
                u32::from(scale(v(2))),
            );
            ((r * 299 + g * 587 + b * 114) / 1000) as u8
        }
        Colour::Cmyk => {
            let (c, m, y, k) = (
                u32::from(scale(v(0))),
                u32::from(scale(v(1))),
                u32::from(scale(v(2))),
                u32::from(scale(v(3))),
            );
            let ink = (c * 299 + m * 587 + y * 114) / 1000 + k;
            255u32.saturating_sub(ink) as u8
        }
    }
}

fn decode_jpeg(
    stream: &Stream,
    filters: &[&[u8]],
    width: usize,
    height: usize,
) -> Option<GreyImage> {
    let data = if filters.len() == 1 {
        stream.content.clone()
    } else if filters.len() == 2 && matches!(filters.first(), Some(&b"FlateDecode") | Some(&b"Fl"))
    {
        inflate(&stream.content, limits::MAX_DECODED_STREAM)?
    } else {
        return None;
    };
    let decoded = catch_unwind(AssertUnwindSafe(|| {
        let mut reader =
            image::ImageReader::with_format(std::io::Cursor::new(&data), image::ImageFormat::Jpeg);
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(u32::try_from(width).ok()?);
        limits.max_image_height = Some(u32::try_from(height).ok()?);
        limits.max_alloc = Some(256 * 1024 * 1024);
        reader.limits(limits);
        reader.decode().ok()
    }))
    .ok()??;
    let grey = decoded.to_luma8();
    let (w, h) = (grey.width() as usize, grey.height() as usize);
    let mut pixels = grey.into_raw();
    if decode_inverts(stream) {
        for p in &mut pixels {
            *p = 255 - *p;
        }
    }
    Some(GreyImage {
        width: w,
        height: h,
        pixels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_up_predictor_is_undone() {
        let p = Predictor {
            predictor: 12,
            colors: 1,
            bits: 8,
            columns: 3,
        };
        // Row 1 "None" [1,2,3]; row 2 "Up" adds the row above.
        let data = vec![0, 1, 2, 3, 2, 1, 1, 1];
        assert_eq!(
            undo_predictor(data, Some(&p)).unwrap(),
            vec![1, 2, 3, 2, 3, 4]
        );
    }

    #[test]
    fn unknown_png_filter_type_is_refused() {
        let p = Predictor {
            predictor: 15,
            colors: 1,
            bits: 8,
            columns: 2,
        };
        assert!(undo_predictor(vec![9, 1, 2], Some(&p)).is_none());
    }

    #[test]
    fn one_bit_samples_unpack_msb_first() {
        let row = [0b1010_0000u8];
        let bits: Vec<u32> = (0..4).map(|i| sample(&row, i, 1).unwrap()).collect();
        assert_eq!(bits, vec![1, 0, 1, 0]);
        assert_eq!(sample(&row, 8, 1), None);
    }

    #[test]
    fn tiny_or_blank_images_decode_to_nothing() {
        let blank = GreyImage {
            width: 50,
            height: 50,
            pixels: vec![255; 2500],
        };
        assert!(decode_image(&blank).is_empty());
        let tiny = GreyImage {
            width: 3,
            height: 3,
            pixels: vec![0; 9],
        };
        assert!(decode_image(&tiny).is_empty());
    }
}
