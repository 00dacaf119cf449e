//! Pictures for a file's page: page 1 as it was signed and as it is shown
//! now (by pdftoppm, when it is installed), the areas where they differ
//! marked, and the picture inside an electronic seal.
//!
//! pdftoppm is an external program: it reads the PDF on its standard input
//! and writes the PNG on its standard output (no file is written), under a
//! time limit and an output size limit, and a failure becomes a note on the
//! page, never an error of the check.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use image::{Rgba, RgbaImage};

use crate::report::Record;

/// Resolution of the page pictures (dots per inch): an A4 page is about
/// 600 × 840 pixels, enough to read a name.
const DPI: &str = "72";
/// How long one rendering may take.
const RENDER_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest PNG accepted from the renderer.
const MAX_PICTURE_BYTES: usize = 16 * 1024 * 1024;
/// Largest picture (pixels) compared for the marks.
const MAX_COMPARED_PIXELS: u64 = 16_000_000;
/// Side of the squares the two pictures are compared in (pixels).
const CELL: u32 = 8;

/// What a file's page shows of page 1.
#[derive(Debug, Clone, Default)]
pub struct Pictures {
    /// Page 1 of the signed revision, where a signature covers less than
    /// the whole file.
    pub signed: Option<Vec<u8>>,
    /// Page 1 as the file shows it now.
    pub shown: Option<Vec<u8>>,
    /// `shown` with the areas that differ from `signed` boxed in red.
    pub marked: Option<Vec<u8>>,
    /// How many areas differ.
    pub marked_areas: usize,
    /// Why there is no picture, where there is none.
    pub note: Option<Note>,
}

/// Why a picture is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// No renderer is installed.
    NoRenderer,
    /// The renderer failed on this file (or took too long).
    RenderFailed,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("cannot run the renderer: {0}")]
    Spawn(String),
    #[error("the renderer took longer than {0:?}")]
    Timeout(Duration),
    #[error("the renderer failed ({0})")]
    Failed(String),
    #[error("the renderer's picture is too large")]
    TooLarge,
}

impl Pictures {
    pub fn failed() -> Self {
        Pictures {
            note: Some(Note::RenderFailed),
            ..Pictures::default()
        }
    }

    /// Renders page 1 of `bytes` (and of `bytes[..signed_end]`, the signed
    /// revision, when given) with `renderer`.
    pub fn make(renderer: Option<&Path>, bytes: &[u8], signed_end: Option<usize>) -> Pictures {
        let Some(renderer) = renderer else {
            return Pictures {
                note: Some(Note::NoRenderer),
                ..Pictures::default()
            };
        };
        let shown = render_page1(renderer, bytes).ok();
        let signed = signed_end
            .and_then(|end| bytes.get(..end))
            .and_then(|signed| render_page1(renderer, signed).ok());
        let (marked, marked_areas) = match (&signed, &shown) {
            (Some(s), Some(n)) => mark_differences(s, n).unwrap_or((None, 0)),
            _ => (None, 0),
        };
        let note = (shown.is_none()).then_some(Note::RenderFailed);
        Pictures {
            signed,
            shown,
            marked,
            marked_areas,
            note,
        }
    }
}

/// pdftoppm on PATH (or named by `CERTCHECK_PDFTOPPM`).
pub fn find_pdftoppm() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CERTCHECK_PDFTOPPM") {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("pdftoppm"))
        .find(|p| p.is_file())
}

/// Page 1 of the PDF in `pdf` as a PNG.
pub fn render_page1(renderer: &Path, pdf: &[u8]) -> Result<Vec<u8>, RenderError> {
    let mut child = Command::new(renderer)
        .args(["-png", "-r", DPI, "-f", "1", "-l", "1", "-singlefile", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| RenderError::Spawn(e.to_string()))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(RenderError::Spawn("no pipes".into()));
    };
    // The PDF is written and the PNG read on their own threads, so neither
    // pipe can fill up and stall the other; the wait below is bounded.
    let input = pdf.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let read = stdout
            .take(MAX_PICTURE_BYTES as u64 + 1)
            .read_to_end(&mut out);
        read.map(|_| out)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > RENDER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = writer.join();
                let _ = reader.join();
                return Err(RenderError::Timeout(RENDER_TIMEOUT));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RenderError::Failed(e.to_string()));
            }
        }
    };
    let _ = writer.join();
    let out = reader
        .join()
        .map_err(|_| RenderError::Failed("reader".into()))?
        .map_err(|e| RenderError::Failed(e.to_string()))?;
    if out.len() > MAX_PICTURE_BYTES {
        return Err(RenderError::TooLarge);
    }
    if !status.success() || !out.starts_with(b"\x89PNG") {
        return Err(RenderError::Failed(status.to_string()));
    }
    Ok(out)
}

/// Where the signed revision of an altered file ends: the end of the
/// ByteRange of the signature that covers the least of the file (the
/// first signed version), when that is not the whole file.
pub fn signed_revision_end(record: &Record) -> Option<usize> {
    record
        .signatures
        .iter()
        .filter(|s| !s.covers_whole_file)
        .filter_map(|s| {
            let br = s.byte_range.as_ref()?;
            let (start, len) = (*br.get(2)?, *br.get(3)?);
            usize::try_from(start.checked_add(len)?).ok()
        })
        .filter(|&end| end > 0 && record.size.is_none_or(|size| (end as u64) <= size))
        .min()
}

/// `shown` with a red box around each area that differs from `signed`;
/// `None` when the pictures cannot be compared (other sizes, too large).
fn mark_differences(signed: &[u8], shown: &[u8]) -> Option<(Option<Vec<u8>>, usize)> {
    let a = decode(signed)?;
    let b = decode(shown)?;
    if a.dimensions() != b.dimensions() {
        return None;
    }
    let (w, h) = b.dimensions();
    let (cols, rows) = (w.div_ceil(CELL), h.div_ceil(CELL));
    let mut differs = vec![false; (cols as usize) * (rows as usize)];
    for y in 0..h {
        for x in 0..w {
            if pixel_differs(a.get_pixel(x, y), b.get_pixel(x, y)) {
                if let Some(cell) = differs.get_mut(((y / CELL) * cols + x / CELL) as usize) {
                    *cell = true;
                }
            }
        }
    }
    let boxes = areas(&differs, cols, rows);
    if boxes.is_empty() {
        return Some((None, 0));
    }
    let mut marked = b;
    for &(c0, r0, c1, r1) in &boxes {
        let pad = 2;
        let x0 = (c0 * CELL).saturating_sub(pad);
        let y0 = (r0 * CELL).saturating_sub(pad);
        let x1 = ((c1 + 1) * CELL + pad).min(w - 1);
        let y1 = ((r1 + 1) * CELL + pad).min(h - 1);
        draw_box(&mut marked, x0, y0, x1, y1);
    }
    let mut png = Vec::new();
    marked
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .ok()?;
    Some((Some(png), boxes.len()))
}

fn decode(png: &[u8]) -> Option<RgbaImage> {
    let reader =
        image::ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_COMPARED_PIXELS * 4);
    let mut reader = reader;
    reader.limits(limits);
    let img = reader.decode().ok()?;
    if u64::from(img.width()) * u64::from(img.height()) > MAX_COMPARED_PIXELS || img.width() == 0 {
        return None;
    }
    Some(img.to_rgba8())
}

fn pixel_differs(a: &Rgba<u8>, b: &Rgba<u8>) -> bool {
    a.0.iter().zip(b.0.iter()).any(|(x, y)| x.abs_diff(*y) > 48)
}

/// The bounding boxes (columns and rows, inclusive) of the groups of
/// touching cells that differ.
fn areas(differs: &[bool], cols: u32, rows: u32) -> Vec<(u32, u32, u32, u32)> {
    let mut seen = vec![false; differs.len()];
    let mut boxes = Vec::new();
    let at = |c: u32, r: u32| (r * cols + c) as usize;
    for r in 0..rows {
        for c in 0..cols {
            let i = at(c, r);
            if !differs.get(i).copied().unwrap_or(false) || seen.get(i).copied().unwrap_or(true) {
                continue;
            }
            let mut stack = vec![(c, r)];
            if let Some(s) = seen.get_mut(i) {
                *s = true;
            }
            let mut b = (c, r, c, r);
            while let Some((x, y)) = stack.pop() {
                b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
                // Neighbours within two cells: the letters of one word
                // make one box, not one per glyph.
                for dy in -2i64..=2 {
                    for dx in -2i64..=2 {
                        let (nx, ny) = (i64::from(x) + dx, i64::from(y) + dy);
                        if nx < 0 || ny < 0 || nx >= i64::from(cols) || ny >= i64::from(rows) {
                            continue;
                        }
                        let j = at(nx as u32, ny as u32);
                        if differs.get(j).copied().unwrap_or(false)
                            && !seen.get(j).copied().unwrap_or(true)
                        {
                            if let Some(s) = seen.get_mut(j) {
                                *s = true;
                            }
                            stack.push((nx as u32, ny as u32));
                        }
                    }
                }
            }
            boxes.push(b);
        }
    }
    boxes
}

fn draw_box(img: &mut RgbaImage, x0: u32, y0: u32, x1: u32, y1: u32) {
    let red = Rgba([220, 20, 20, 255]);
    for t in 0..2 {
        for x in x0..=x1 {
            for y in [y0 + t, y1.saturating_sub(t)] {
                if x < img.width() && y < img.height() {
                    img.put_pixel(x, y, red);
                }
            }
        }
        for y in y0..=y1 {
            for x in [x0 + t, x1.saturating_sub(t)] {
                if x < img.width() && y < img.height() {
                    img.put_pixel(x, y, red);
                }
            }
        }
    }
}

/// The picture inside the electronic seal of signature `index`, with its
/// content type; only PNG, JPEG and GIF pictures are served (anything else
/// could be read by a browser as something it is not).
pub fn seal_picture(file: &[u8], record: &Record, index: usize) -> Option<(&'static str, Vec<u8>)> {
    let sig = record.signatures.get(index)?;
    sig.seal.as_ref()?;
    let contents = signature_contents(file, sig.byte_range.as_deref()?)?;
    let picture = crate::seal::seal_picture(&contents)?;
    let content_type = if picture.starts_with(b"\x89PNG") {
        "image/png"
    } else if picture.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else if picture.starts_with(b"GIF8") {
        "image/gif"
    } else {
        return None;
    };
    Some((content_type, picture))
}

/// The signature value: the hex string in the ByteRange's gap, decoded.
fn signature_contents(file: &[u8], byte_range: &[i64]) -> Option<Vec<u8>> {
    let gap_start = usize::try_from(*byte_range.get(1)?).ok()?;
    let gap_end = usize::try_from(*byte_range.get(2)?).ok()?;
    let gap = file.get(gap_start..gap_end)?;
    if gap.len() > 2 * crate::pdf::limits::MAX_SIGNATURE_SIZE + 2 {
        return None;
    }
    let hex_digits: Vec<u8> = gap
        .iter()
        .copied()
        .filter(|b| b.is_ascii_hexdigit())
        .collect();
    let even = hex_digits.get(..hex_digits.len() & !1)?;
    hex::decode(even).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn touching_cells_make_one_area() {
        // 6 x 3 cells; two groups far apart.
        let cols = 12;
        let rows = 3;
        let mut d = vec![false; 36];
        d[0] = true;
        d[1] = true;
        d[11] = true;
        let boxes = areas(&d, cols, rows);
        assert_eq!(boxes, vec![(0, 0, 1, 0), (11, 0, 11, 0)]);
    }

    #[test]
    fn no_renderer_is_a_note_not_an_error() {
        let p = Pictures::make(None, b"%PDF-1.4", Some(4));
        assert_eq!(p.note, Some(Note::NoRenderer));
        assert!(p.shown.is_none());
    }

    #[test]
    fn a_missing_renderer_program_fails_cleanly() {
        let e = render_page1(Path::new("/nonexistent/pdftoppm"), b"%PDF-1.4");
        assert!(matches!(e, Err(RenderError::Spawn(_))));
    }
}
