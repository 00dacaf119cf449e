//! certcheck's own content-stream lexer and ToUnicode CMap reader on
//! arbitrary bytes: every operation is read to the end without a panic,
//! and the lexer always moves forward (so a page cannot hang it).
#![no_main]

use certcheck::text::cmap::CMap;
use certcheck::text::content::Lexer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut lexer = Lexer::new(data);
    let mut ops = 0usize;
    while let Some((_op, operands)) = lexer.next_op() {
        ops += 1;
        // Each operation consumes at least one byte.
        assert!(ops <= data.len() + 1, "lexer did not advance");
        for o in &operands {
            let _ = o.number();
        }
    }
    let cmap = CMap::parse_limited(data, 10_000);
    let _ = cmap.entries();
    let _ = cmap.has_unicode();
    for code in data.chunks(2).take(256) {
        let _ = cmap.code_len(code, 2);
        let _ = cmap.unicode(code);
        let _ = cmap.cid(code);
    }
});
