//! A second reader: pdf-extract, for fonts certcheck's own decoder cannot
//! read (embedded Type1 and CFF programs with their own built-in encoding,
//! which pdf-extract parses). It is called only where the own reader left
//! codes undecoded, only on small documents (it has no limits of its own),
//! and inside catch_unwind (it panics on inputs it does not expect).

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use lopdf::Document;
use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use super::extract::{upright, Glyph, MAX_PAGES};

/// Characters collected at most.
const MAX_CHARS: usize = 200_000;

#[derive(Default)]
struct Collector {
    pages: Vec<Vec<Glyph>>,
    current: Vec<Glyph>,
    total: usize,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page: u32,
        _media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.current.clear();
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.pages.push(std::mem::take(&mut self.current));
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        if self.total >= MAX_CHARS {
            // Stops pdf-extract: enough has been read.
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        let (a, b, c, d) = (
            trm.m11 as f32,
            trm.m12 as f32,
            trm.m21 as f32,
            trm.m22 as f32,
        );
        let (ox, oy) = (trm.m31 as f32, trm.m32 as f32);
        if !(ox.is_finite() && oy.is_finite()) {
            return Ok(());
        }
        let size = (font_size as f32 * c.hypot(d)).abs();
        let advance = (width as f32 * font_size as f32 * a.hypot(b)).abs();
        let (x, y) = upright(a, b, ox, oy);
        let n = text.chars().count().max(1) as f32;
        for (i, ch) in text.chars().enumerate() {
            self.total += 1;
            self.current.push(Glyph {
                ch,
                x: x + advance * i as f32 / n,
                y,
                width: advance / n,
                size,
            });
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

thread_local! {
    /// Set while pdf-extract runs on this thread: its panics are expected,
    /// caught, and turned into a reason, so they are not printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Chains a panic hook that stays silent for this module's expected panics
/// and hands every other panic to the hook that was there before.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

fn is_image(s: &lopdf::Stream) -> bool {
    s.dict
        .get(b"Subtype")
        .ok()
        .and_then(|o| o.as_name().ok())
        .is_some_and(|n| n == b"Image")
}

/// The pages' characters as pdf-extract reads them; None where it fails
/// or where a stream would decode past the limits.
pub fn glyphs(doc: &Document) -> Option<Vec<Vec<Glyph>>> {
    if doc.page_iter().take(MAX_PAGES + 1).count() > MAX_PAGES {
        return None;
    }
    // pdf-extract decodes content streams, fonts and CMaps through lopdf,
    // without a bound: a document with any stream past the limits is not
    // handed to it (images it never decodes).
    let within_limits = doc.objects.values().all(|o| match o {
        lopdf::Object::Stream(s) => is_image(s) || crate::pdf::stream::check(s).is_ok(),
        _ => true,
    });
    if !within_limits {
        return None;
    }
    install_quiet_hook();
    let mut out = Collector::default();
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| pdf_extract::output_doc(doc, &mut out)));
    QUIET.with(|q| q.set(false));
    match result {
        Ok(Ok(())) => Some(out.pages),
        // Stopped by the character limit, or by an error part-way: what
        // was read so far is still worth comparing.
        Ok(Err(_)) => {
            if !out.current.is_empty() {
                out.pages.push(std::mem::take(&mut out.current));
            }
            Some(out.pages)
        }
        Err(_) => None,
    }
}
