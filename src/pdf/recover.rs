//! Recovery of a file whose xref is damaged, as real readers do it: scan
//! for `N G obj`, write a fresh xref table and trailer after the bytes, and
//! let lopdf read that. The result is only accepted by the caller when
//! everything the catalog's page tree refers to can be resolved.

use std::collections::BTreeMap;

use regex::bytes::Regex;

use super::limits::MAX_OBJECTS;

/// Returns the file with a rebuilt xref appended, or `None` when no object
/// or no catalog can be found.
pub fn rebuild(bytes: &[u8]) -> Option<Vec<u8>> {
    let objects = scan_objects(bytes);
    if objects.is_empty() {
        return None;
    }
    let root = find_trailer_entry(bytes, "Root").or_else(|| find_catalog(bytes, &objects))?;
    let info = find_trailer_entry(bytes, "Info");
    let encrypt = find_trailer_entry(bytes, "Encrypt");
    let id = find_trailer_id(bytes);
    let max = objects.keys().next_back().copied()?;
    let size = max.checked_add(1)?;
    let mut out = Vec::with_capacity(bytes.len() + 20 * (size as usize) + 256);
    out.extend_from_slice(bytes);
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let xref_at = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for n in 0..size {
        match objects.get(&n) {
            Some(&(offset, generation)) => {
                out.extend_from_slice(format!("{offset:010} {generation:05} n \n").as_bytes())
            }
            None => out.extend_from_slice(b"0000000000 65535 f \n"),
        }
    }
    let mut trailer = format!("trailer\n<< /Size {size} /Root {root}");
    if let Some(info) = info {
        trailer.push_str(&format!(" /Info {info}"));
    }
    if let Some(enc) = encrypt {
        trailer.push_str(&format!(" /Encrypt {enc}"));
    }
    if let Some(id) = id {
        trailer.push_str(&format!(" /ID {id}"));
    }
    trailer.push_str(&format!(" >>\nstartxref\n{xref_at}\n%%EOF\n"));
    out.extend_from_slice(trailer.as_bytes());
    Some(out)
}

/// Every `N G obj` at the start of a line (or of the file), the last one
/// of each number winning as in an incremental update.
fn scan_objects(bytes: &[u8]) -> BTreeMap<u32, (usize, u16)> {
    let mut out = BTreeMap::new();
    let Ok(re) = Regex::new(r"(?-u)(?:^|[\r\n])[ \t]*(\d{1,10})[ \t\r\n]+(\d{1,5})[ \t\r\n]+obj\b")
    else {
        return out;
    };
    for caps in re.captures_iter(bytes).take(MAX_OBJECTS) {
        let (Some(num), Some(generation)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        let parse =
            |m: regex::bytes::Match| std::str::from_utf8(m.as_bytes()).ok()?.parse::<u64>().ok();
        let (Some(n), Some(g)) = (parse(num), parse(generation)) else {
            continue;
        };
        let (Ok(n), Ok(g)) = (u32::try_from(n), u16::try_from(g)) else {
            continue;
        };
        if n as usize >= MAX_OBJECTS {
            continue;
        }
        out.insert(n, (num.start(), g));
    }
    out
}

/// `/Key N G R` from the last trailer (classic or xref-stream dictionary).
fn find_trailer_entry(bytes: &[u8], key: &str) -> Option<String> {
    let pattern = format!(r"(?-u)/{key}\s+(\d{{1,10}})\s+(\d{{1,5}})\s+R");
    let re = Regex::new(&pattern).ok()?;
    let trailer_at = last_trailer_start(bytes)?;
    let tail = bytes.get(trailer_at..)?;
    let caps = re.captures(tail)?;
    let n = std::str::from_utf8(caps.get(1)?.as_bytes()).ok()?;
    let g = std::str::from_utf8(caps.get(2)?.as_bytes()).ok()?;
    Some(format!("{n} {g} R"))
}

fn last_trailer_start(bytes: &[u8]) -> Option<usize> {
    let t = bytes.windows(7).rposition(|w| w == b"trailer");
    let x = bytes
        .windows(10)
        .rposition(|w| w == b"/Type/XRef" || w == b"/Type /XRe");
    t.max(x)
}

fn find_trailer_id(bytes: &[u8]) -> Option<String> {
    let re = Regex::new(r"(?-u)/ID\s*\[\s*(<[0-9A-Fa-f]*>)\s*(<[0-9A-Fa-f]*>)\s*\]").ok()?;
    let trailer_at = last_trailer_start(bytes)?;
    let caps = re.captures(bytes.get(trailer_at..)?)?;
    let a = std::str::from_utf8(caps.get(1)?.as_bytes()).ok()?;
    let b = std::str::from_utf8(caps.get(2)?.as_bytes()).ok()?;
    Some(format!("[{a} {b}]"))
}

/// The last object whose dictionary says `/Type /Catalog`.
fn find_catalog(bytes: &[u8], objects: &BTreeMap<u32, (usize, u16)>) -> Option<String> {
    let re = Regex::new(r"(?-u)/Type\s*/Catalog\b").ok()?;
    let at = re.find_iter(bytes).last()?.start();
    let (n, (_, g)) = objects
        .iter()
        .filter(|(_, (off, _))| *off <= at)
        .max_by_key(|(_, (off, _))| *off)?;
    Some(format!("{n} {g} R"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilds_an_xref_with_wrong_offsets() {
        let body = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nxref\n0 3\n0000000000 65535 f \n0000000003 00000 n \n0000000005 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n7\n%%EOF\n";
        let fixed = rebuild(body).expect("objects and a root are present");
        let doc = lopdf::Document::load_mem(&fixed).expect("the rebuilt file loads");
        assert!(doc.catalog().is_ok());
        assert_eq!(doc.objects.len(), 2);
    }

    #[test]
    fn nothing_to_rebuild_in_garbage() {
        assert!(rebuild(b"\xff\xd8\xff\xe0 JFIF garbage").is_none());
    }
}
