//! Hard limits that keep any input from costing unbounded time or memory.

/// Largest file certcheck reads (bytes).
pub const MAX_FILE_SIZE: u64 = 512 * 1024 * 1024;
/// Most revisions (incremental updates) followed.
pub const MAX_REVISIONS: usize = 256;
/// Most objects in one document.
pub const MAX_OBJECTS: usize = 500_000;
/// Largest decoded stream (bytes).
pub const MAX_DECODED_STREAM: usize = 64 * 1024 * 1024;
/// Largest ratio of decoded to encoded size for one stream.
pub const MAX_DECOMPRESSION_RATIO: usize = 1_000;
/// Deepest nesting of arrays/dictionaries or object references followed.
pub const MAX_DEPTH: usize = 64;
/// Largest /Contents signature value (bytes, decoded).
pub const MAX_SIGNATURE_SIZE: usize = 4 * 1024 * 1024;
