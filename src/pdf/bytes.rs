//! Byte search in the raw file, shared by the revision scan and the xref
//! reader (which sit side by side: revisions calls into xref, never the
//! reverse).

/// The first `needle` at or after `from`.
pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let hay_from = hay.get(from..)?;
    memchr::memmem::find(hay_from, needle).map(|p| p + from)
}

/// The last `needle` in `hay`.
pub(crate) fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}
