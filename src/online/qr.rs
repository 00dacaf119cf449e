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
    // Each image is decoded and dropped before the next is read, so memory
    // holds one picture at a time.
    walk_images(doc, &mut |stream, budget| {
        let key = cache::key(doc, stream, budget);
        let outcome = match key.and_then(|k| cache::get(&k)) {
            Some(known) => known,
            None => {
                let outcome = decode_image_xobject(doc, stream, budget)
                    .map(|image| (image.pixels.len(), decode_image(&image)));
                if let Some(k) = key {
                    cache::put(k, outcome.clone());
                }
                outcome
            }
        };
        let (pixels, found) = outcome?;
        for text in found {
            if !texts.contains(&text) {
                texts.push(text);
            }
        }
        Some(pixels)
    });
    texts
}

/// What QR decoding found in the images seen so far in this process, by a
/// digest of everything the decoding reads: a batch of certificates from
/// one issuer carries the same seal picture in every file, and decoding it
/// (inflate, soft mask, finder scan) was the largest stage of a small
/// file. Only images whose dictionary (and soft mask's) holds no
/// reference but /Length and /SMask are cached, so the digest covers every
/// input; the pixel budget left is part of the key, since it decides
/// whether an image (and its mask) is decoded at all.
mod cache {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use lopdf::{Dictionary, Document, Object, Stream};
    use sha2::{Digest, Sha256};

    /// Pixels counted against the budget and texts found, or `None` when
    /// the image was not decoded.
    pub(super) type Outcome = Option<(usize, Vec<String>)>;

    /// Entries kept; the cache is emptied when full (each is a few bytes).
    const MAX_ENTRIES: usize = 256;

    static SEEN: Mutex<Option<HashMap<[u8; 32], Outcome>>> = Mutex::new(None);

    pub(super) fn get(key: &[u8; 32]) -> Option<Outcome> {
        let seen = SEEN.lock().ok()?;
        seen.as_ref()?.get(key).cloned()
    }

    pub(super) fn put(key: [u8; 32], outcome: Outcome) {
        let Ok(mut seen) = SEEN.lock() else { return };
        let map = seen.get_or_insert_with(HashMap::new);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(key, outcome);
    }

    /// The digest of the image, its soft mask and the budget, or `None`
    /// when the image is not cacheable.
    pub(super) fn key(doc: &Document, stream: &Stream, budget: usize) -> Option<[u8; 32]> {
        let mut h = Sha256::new();
        h.update(b"certcheck qr v1");
        h.update((budget as u64).to_le_bytes());
        add_stream(&mut h, stream, true)?;
        match stream.dict.get(b"SMask") {
            Err(_) => h.update(b"no mask"),
            Ok(Object::Reference(id)) => {
                let mask = doc.get_object(*id).ok()?.as_stream().ok()?;
                h.update(b"mask");
                // A mask's own /SMask (which stops the mask being applied)
                // is kept in its digest: a reference makes it uncacheable.
                add_stream(&mut h, mask, false)?;
            }
            // A direct /SMask is not a stream: hashed as a value.
            Ok(other) => add_value(&mut h, other, 0)?,
        }
        Some(h.finalize().into())
    }

    fn add_stream(h: &mut Sha256, stream: &Stream, image: bool) -> Option<()> {
        add_dict(h, &stream.dict, Some(image), 0)?;
        h.update((stream.content.len() as u64).to_le_bytes());
        h.update(&stream.content);
        Some(())
    }

    /// `stream`: `Some(image)` for a stream's own dictionary, whose
    /// /Length is already the content's and, for the image (not its mask),
    /// whose /SMask is hashed as a stream of its own.
    fn add_dict(
        h: &mut Sha256,
        dict: &Dictionary,
        stream: Option<bool>,
        depth: usize,
    ) -> Option<()> {
        h.update(b"d");
        for (k, v) in dict.iter() {
            let skip = match stream {
                Some(image) => k.as_slice() == b"Length" || (image && k.as_slice() == b"SMask"),
                None => false,
            };
            if skip {
                continue;
            }
            add_bytes(h, k);
            add_value(h, v, depth + 1)?;
        }
        h.update(b"e");
        Some(())
    }

    fn add_bytes(h: &mut Sha256, b: &[u8]) {
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    }

    fn add_value(h: &mut Sha256, v: &Object, depth: usize) -> Option<()> {
        if depth > 8 {
            return None;
        }
        match v {
            Object::Null => h.update(b"0"),
            Object::Boolean(b) => h.update(if *b { b"T" } else { b"F" }),
            Object::Integer(i) => {
                h.update(b"i");
                h.update(i.to_le_bytes());
            }
            Object::Real(r) => {
                h.update(b"r");
                h.update(r.to_le_bytes());
            }
            Object::Name(n) => {
                h.update(b"n");
                add_bytes(h, n);
            }
            Object::String(s, _) => {
                h.update(b"s");
                add_bytes(h, s);
            }
            Object::Array(a) => {
                h.update(b"a");
                h.update((a.len() as u64).to_le_bytes());
                for item in a {
                    add_value(h, item, depth + 1)?;
                }
            }
            Object::Dictionary(d) => add_dict(h, d, None, depth)?,
            // What a reference points to is not in the digest.
            Object::Reference(_) | Object::Stream(_) => return None,
        }
        Some(())
    }
}

/// The QR texts in one grey image: as is, then (if nothing was found)
/// with a quiet zone and scaled up.
pub fn decode_image(image: &GreyImage) -> Vec<String> {
    let Some(finders) = find_finders(image) else {
        return Vec::new();
    };
    // rqrr wants a quiet zone and a few pixels per module. A code cropped
    // tight or drawn at one pixel per module is read padded with white and
    // scaled up; any other is read as it is (the cheap, common case).
    let scale = if finders.module_px >= 3 {
        1
    } else {
        (3 / finders.module_px.max(1)).clamp(2, 8)
    };
    let pad = (finders.module_px * scale * 6).max(16);
    let padded = image.padded_scaled(pad, scale);
    let first = match (&padded, scale == 1 && !finders.near_edge) {
        (_, true) | (None, _) => run_rqrr(image),
        (Some(p), false) => run_rqrr(p),
    };
    if !first.is_empty() {
        return first;
    }
    // Finder patterns but no code read: resampling or JPEG softened the
    // module edges. Cut at one global threshold, then try twice the size.
    let padded = padded.or_else(|| image.padded_scaled(pad, 1));
    let Some(padded) = padded else {
        return Vec::new();
    };
    let found = run_rqrr_with(&padded, Some(finders.threshold));
    if !found.is_empty() {
        return found;
    }
    match padded.padded_scaled(0, 2) {
        Some(bigger) => run_rqrr(&bigger),
        None => Vec::new(),
    }
}

/// What the cheap scan learnt about the finder patterns.
struct Finders {
    /// The smallest module size seen, in pixels (at least 1).
    module_px: usize,
    /// Some finder lies within five modules of the picture's edge.
    near_edge: bool,
    /// Halfway between the picture's dark and light.
    threshold: u8,
}

/// Most finder candidates checked per picture, so noise costs a bounded
/// amount.
const MAX_FINDER_CHECKS: usize = 20_000;

/// Whether the picture may hold a QR code: it has dark and light areas,
/// and three separate finder patterns: runs of dark-light-dark-light-dark
/// in the ratio 1:1:3:1:1 across a row, confirmed down the column through
/// their centre and by the solid centre and rings around it. A photo, a
/// seal, noise or a blank picture fails this cheap scan and is not worth
/// rqrr's time.
fn find_finders(image: &GreyImage) -> Option<Finders> {
    let mut hist = [0usize; 256];
    for &p in &image.pixels {
        if let Some(h) = hist.get_mut(usize::from(p)) {
            *h += 1;
        }
    }
    let total = image.pixels.len();
    let percentile = |q: usize| {
        let want = total * q / 100;
        let mut seen = 0;
        for (v, &n) in hist.iter().enumerate() {
            seen += n;
            if seen > want {
                return v;
            }
        }
        255
    };
    let (lo, hi) = (percentile(1), percentile(99));
    if total == 0 || image.width == 0 || hi < lo + 48 {
        return None;
    }
    let threshold = ((lo + hi) / 2) as u8;
    let dark = |x: usize, y: usize| image.get(x, y) < threshold;
    // Finder centres found so far, with their size.
    let mut centres: Vec<(usize, usize, usize)> = Vec::new();
    let mut checks = 0;
    for (y, row) in image.pixels.chunks_exact(image.width).enumerate() {
        for (x, size) in finder_centres_in_row(row, threshold) {
            let known = centres
                .iter()
                .any(|&(cx, cy, cs)| cx.abs_diff(x) <= cs && cy.abs_diff(y) <= cs);
            if known {
                continue;
            }
            checks += 1;
            if checks > MAX_FINDER_CHECKS {
                return None;
            }
            if column_confirms(&dark, image.height, x, y, size)
                && (rings_confirm(&dark, x, y, size) || circles_confirm(&dark, x, y, size))
            {
                centres.push((x, y, size));
            }
        }
        if centres.len() >= 3 {
            break;
        }
    }
    if centres.len() < 3 {
        return None;
    }
    let module_px = centres.iter().map(|c| c.2 / 7).min().unwrap_or(1).max(1);
    let near_edge = centres.iter().any(|&(x, y, size)| {
        let margin = size / 2 + 5 * (size / 7).max(1);
        x < margin || y < margin || x + margin >= image.width || y + margin >= image.height
    });
    Some(Finders {
        module_px,
        near_edge,
        threshold,
    })
}

/// The same test for a code drawn at an angle: a dark disc of 1.2 modules
/// at the centre, mostly light at 2.1 modules, mostly dark at 3 modules
/// (circles cross a turned square's rings, so the bars are lower).
fn circles_confirm(dark: &dyn Fn(usize, usize) -> bool, x: usize, y: usize, size: usize) -> bool {
    let module = size as f64 / 7.0;
    let share = |radius: f64, want_dark: bool| -> f64 {
        let r = radius * module;
        if r < 0.5 {
            return if dark(x, y) == want_dark { 1.0 } else { 0.0 };
        }
        let steps = ((2.0 * std::f64::consts::PI * r).ceil() as usize).clamp(8, 256);
        let mut good = 0usize;
        for k in 0..steps {
            let a = 2.0 * std::f64::consts::PI * k as f64 / steps as f64;
            let px = (x as f64 + r * a.cos()).round();
            let py = (y as f64 + r * a.sin()).round();
            if px >= 0.0 && py >= 0.0 && dark(px as usize, py as usize) == want_dark {
                good += 1;
            }
        }
        good as f64 / steps as f64
    };
    share(0.6, true) >= 0.99
        && share(1.2, true) >= 0.9
        && share(2.1, false) >= 0.75
        && share(3.0, true) >= 0.7
}

/// The square around a finder's centre: a solid dark centre of three
/// modules, a light ring at two modules, a dark ring at three. Noise that
/// happens to have the right runs along one row and column fails this.
fn rings_confirm(dark: &dyn Fn(usize, usize) -> bool, x: usize, y: usize, size: usize) -> bool {
    // Distances in sevenths of the pattern's size, i.e. in modules.
    let at = |d7: usize| (size * d7 + 3) / 7;
    let ring = |r: usize, want_dark: bool| -> bool {
        if r == 0 {
            return dark(x, y) == want_dark;
        }
        let (mut good, mut all) = (0usize, 0usize);
        let (x0, y0) = (x as isize, y as isize);
        let r = r as isize;
        for d in -r..=r {
            for (px, py) in [
                (x0 + d, y0 - r),
                (x0 + d, y0 + r),
                (x0 - r, y0 + d),
                (x0 + r, y0 + d),
            ] {
                all += 1;
                if px >= 0 && py >= 0 && dark(px as usize, py as usize) == want_dark {
                    good += 1;
                }
            }
        }
        good * 5 >= all * 4
    };
    let centre = (0..=at(1)).all(|r| ring(r, true));
    centre && ring(at(2), false) && ring(at(3), true)
}

/// The 1:1:3:1:1 ratio of five runs, oldest first.
fn finder_ratio(runs: &[usize; 5]) -> bool {
    let total: usize = runs.iter().sum();
    if total < 7 || runs.contains(&0) {
        return false;
    }
    // Each one-module run within half a module of a seventh of the whole,
    // the centre within 2..4 sevenths; in integers.
    let one = |r: usize| r * 14 >= total && r * 14 <= total * 3;
    let three = |r: usize| r * 7 >= total * 2 && r * 7 <= total * 4;
    one(runs[0]) && one(runs[1]) && three(runs[2]) && one(runs[3]) && one(runs[4])
}

/// Where a row crosses a finder pattern: (centre x, pattern width).
fn finder_centres_in_row(row: &[u8], threshold: u8) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // The last five run lengths, oldest first; the newest ends at `x`.
    let mut runs = [0usize; 5];
    let mut current = 0usize;
    let mut dark = row.first().is_some_and(|&p| p < threshold);
    let mut close = |runs: &mut [usize; 5], current: usize, dark: bool, end: usize| {
        runs.rotate_left(1);
        runs[4] = current;
        if dark && finder_ratio(runs) {
            let width: usize = runs.iter().sum();
            let centre = end.saturating_sub(runs[4] + runs[3] + runs[2] / 2 + 1);
            out.push((centre, width));
        }
    };
    for (x, &p) in row.iter().enumerate() {
        let d = p < threshold;
        if d == dark {
            current += 1;
            continue;
        }
        close(&mut runs, current, dark, x);
        dark = d;
        current = 1;
    }
    close(&mut runs, current, dark, row.len());
    out
}

/// Whether the column through (x, y) crosses the same finder pattern.
fn column_confirms(
    dark: &dyn Fn(usize, usize) -> bool,
    height: usize,
    x: usize,
    y: usize,
    size: usize,
) -> bool {
    if !dark(x, y) {
        return false;
    }
    let limit = size * 2;
    // Runs going up from the centre: centre (half), light, dark; then down.
    let walk = |up: bool| -> Option<[usize; 3]> {
        let mut runs = [0usize; 3];
        let mut stage = 0;
        let mut yy = y;
        let mut steps = 0;
        loop {
            let want_dark = stage != 1;
            let here = dark(x, yy);
            if here == want_dark {
                if let Some(r) = runs.get_mut(stage) {
                    *r += 1;
                }
            } else {
                stage += 1;
                if stage == 3 {
                    return Some(runs);
                }
                if let Some(r) = runs.get_mut(stage) {
                    *r = 1;
                }
            }
            steps += 1;
            if steps > limit {
                return None;
            }
            if up {
                if yy == 0 {
                    // The image edge ends the outer dark run (a tight crop).
                    return (stage == 2).then_some(runs);
                }
                yy -= 1;
            } else {
                yy += 1;
                if yy >= height {
                    return (stage == 2).then_some(runs);
                }
            }
        }
    };
    let (Some(up), Some(down)) = (walk(true), walk(false)) else {
        return false;
    };
    // The centre pixel was counted in both directions.
    let runs = [
        up[2],
        up[1],
        (up[0] + down[0]).saturating_sub(1),
        down[1],
        down[2],
    ];
    finder_ratio(&runs)
}

fn run_rqrr(image: &GreyImage) -> Vec<String> {
    run_rqrr_with(image, None)
}

/// rqrr over the picture, with its own adaptive threshold, or cut at one
/// global `threshold` (which reads soft, resampled or JPEG-blurred module
/// edges better).
fn run_rqrr_with(image: &GreyImage, threshold: Option<u8>) -> Vec<String> {
    if image.width < 21 || image.height < 21 {
        return Vec::new();
    }
    catch_unwind(AssertUnwindSafe(|| {
        let mut prepared = match threshold {
            None => {
                rqrr::PreparedImage::prepare_from_greyscale(image.width, image.height, |x, y| {
                    image.get(x, y)
                })
            }
            Some(t) => {
                rqrr::PreparedImage::prepare_from_bitmap(image.width, image.height, |x, y| {
                    image.get(x, y) < t
                })
            }
        };
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
    let mut images = Vec::new();
    for_each_image(doc, &mut |image| images.push(image));
    images
}

/// Calls `sink` with each image XObject the first pages draw, decoded to
/// grey, within the count and pixel budgets.
pub fn for_each_image(doc: &Document, sink: &mut dyn FnMut(GreyImage)) {
    walk_images(doc, &mut |stream, budget| {
        let image = decode_image_xobject(doc, stream, budget)?;
        let pixels = image.pixels.len();
        sink(image);
        Some(pixels)
    });
}

/// Calls `on_image` with each image XObject the first pages draw and the
/// pixel budget left; it says how many pixels it decoded (`None`: the
/// image was not decoded, and does not count).
fn walk_images(doc: &Document, on_image: &mut dyn FnMut(&Stream, usize) -> Option<usize>) {
    let mut walker = Walker {
        doc,
        seen: HashSet::new(),
        on_image,
        count: 0,
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
}

struct Walker<'a, 's> {
    doc: &'a Document,
    seen: HashSet<ObjectId>,
    on_image: &'s mut dyn FnMut(&Stream, usize) -> Option<usize>,
    count: usize,
    /// Pixels still allowed to be decoded in this document.
    budget: usize,
}

impl<'a> Walker<'a, '_> {
    fn full(&self) -> bool {
        self.count >= MAX_IMAGES || self.budget == 0
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
                if let Some(pixels) = (self.on_image)(stream, self.budget) {
                    self.budget = self.budget.saturating_sub(pixels);
                    self.count += 1;
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

/// Through the one bounded inflater: at most `limit` bytes (and the
/// ratio limit), refused past that.
fn inflate(data: &[u8], limit: usize) -> Option<Vec<u8>> {
    let cap = limit
        .min(limits::MAX_DECODED_STREAM)
        .min(data.len().saturating_mul(limits::MAX_DECOMPRESSION_RATIO));
    let out = crate::pdf::stream::inflate(data, cap.saturating_add(1))?;
    (out.len() <= cap).then_some(out)
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
            let rows = data.len() / (row_len + 1);
            let mut out = vec![0u8; rows.checked_mul(row_len)?];
            let zero = vec![0u8; row_len];
            for (r, chunk) in data.chunks_exact(row_len + 1).enumerate() {
                let (&kind, src) = chunk.split_first()?;
                let (done, rest) = out.split_at_mut(r * row_len);
                let prev = if r == 0 {
                    zero.as_slice()
                } else {
                    done.get((r - 1) * row_len..)?
                };
                let cur = rest.get_mut(..row_len)?;
                cur.copy_from_slice(src);
                unfilter_row(kind, cur, prev, bpp)?;
            }
            Some(out)
        }
        _ => None,
    }
}

/// Undoes one PNG filter on `cur` (same length as `prev`, `bpp` >= 1).
fn unfilter_row(kind: u8, cur: &mut [u8], prev: &[u8], bpp: usize) -> Option<()> {
    if prev.len() != cur.len() {
        return None;
    }
    match kind {
        0 => {}
        1 => {
            for i in bpp..cur.len() {
                let a = cur.get(i - bpp).copied()?;
                let x = cur.get_mut(i)?;
                *x = x.wrapping_add(a);
            }
        }
        2 => {
            for (c, &b) in cur.iter_mut().zip(prev) {
                *c = c.wrapping_add(b);
            }
        }
        3 => {
            for i in 0..cur.len() {
                let a = if i >= bpp {
                    cur.get(i - bpp).copied()?
                } else {
                    0
                };
                let b = prev.get(i).copied()?;
                let x = cur.get_mut(i)?;
                *x = x.wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8);
            }
        }
        4 => {
            for i in 0..cur.len() {
                let (a, c) = if i >= bpp {
                    (cur.get(i - bpp).copied()?, prev.get(i - bpp).copied()?)
                } else {
                    (0, 0)
                };
                let b = prev.get(i).copied()?;
                let x = cur.get_mut(i)?;
                *x = x.wrapping_add(paeth(a, b, c));
            }
        }
        _ => return None,
    }
    Some(())
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
        let mut image = decode_jpeg(stream, &filters, width, height)?;
        apply_soft_mask(doc, stream, &mut image, budget.saturating_sub(pixels));
        return Some(image);
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
        match (&colour, bits) {
            // The common cases, without per-sample unpacking.
            (Colour::Grey, 8) => out.extend_from_slice(row.get(..width)?),
            (Colour::Rgb, 8) => out.extend(row.chunks_exact(3).take(width).map(|p| {
                let [r, g, b] = match p {
                    &[r, g, b] => [r, g, b].map(u32::from),
                    _ => [0; 3],
                };
                ((r * 299 + g * 587 + b * 114) / 1000) as u8
            })),
            _ => {
                for x in 0..width {
                    for (c, s) in samples.iter_mut().enumerate() {
                        *s = sample(row, x * comps + c, bits)?;
                    }
                    let grey = match &colour {
                        Colour::Indexed(base, table) => {
                            let n = base.components();
                            let idx = samples.first().copied().unwrap_or(0) as usize;
                            let entry = table.get(idx * n..idx * n + n)?;
                            let mut base_samples = [0u32; 4];
                            for (b, &v) in base_samples.iter_mut().zip(entry) {
                                *b = u32::from(v);
                            }
                            to_grey(base, &base_samples, 255)
                        }
                        c => to_grey(c, &samples, max),
                    };
                    out.push(grey);
                }
            }
        }
    }
    if out.len() != pixels {
        return None;
    }
    if invert {
        for p in &mut out {
            *p = 255 - *p;
        }
    }
    let mut image = GreyImage {
        width,
        height,
        pixels: out,
    };
    if !image_mask {
        apply_soft_mask(doc, stream, &mut image, budget.saturating_sub(pixels));
    }
    Some(image)
}

/// Composites the image over white through its /SMask, as a viewer shows
/// it: where the mask is transparent the page (white) shows, whatever the
/// colour samples hold there (often black).
fn apply_soft_mask(doc: &Document, stream: &Stream, image: &mut GreyImage, budget: usize) {
    let Some(mask) = stream
        .dict
        .get(b"SMask")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_stream().ok())
    else {
        return;
    };
    // The mask's own /SMask is never followed (no recursion).
    if mask.dict.has(b"SMask") {
        return;
    }
    let Some(alpha) = decode_image_xobject(doc, mask, budget) else {
        return;
    };
    if alpha.width == 0 || alpha.height == 0 {
        return;
    }
    for y in 0..image.height {
        let ay = y * alpha.height / image.height;
        for x in 0..image.width {
            let ax = x * alpha.width / image.width;
            let a = u32::from(alpha.get(ax, ay));
            if let Some(p) = image.pixels.get_mut(y * image.width + x) {
                let v = u32::from(*p);
                *p = (255 - (a * (255 - v)) / 255) as u8;
            }
        }
    }
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

    #[test]
    fn finder_runs_are_found_with_their_centre() {
        // light, then dark-light-dark-dark-dark-light-dark at two pixels each
        let mut row = vec![255u8; 4];
        for (n, v) in [(1, 0u8), (1, 255), (3, 0), (1, 255), (1, 0)] {
            row.extend(std::iter::repeat_n(v, n * 2));
        }
        row.extend([255u8; 4]);
        assert_eq!(finder_centres_in_row(&row, 128), vec![(10, 14)]);
        // 1:1:1:1:1 is not a finder pattern.
        let stripes: Vec<u8> = (0..40)
            .map(|i| if (i / 2) % 2 == 0 { 0 } else { 255 })
            .collect();
        assert!(finder_centres_in_row(&stripes, 128).is_empty());
        assert!(finder_ratio(&[1, 1, 3, 1, 1]));
        assert!(!finder_ratio(&[1, 1, 1, 1, 1]));
        assert!(!finder_ratio(&[0, 1, 3, 1, 1]));
    }
}
