//! Stream data and references, read with limits.

use lopdf::{Document, Object};

/// How many references are followed before giving up (a cycle or a chain
/// no honest file has).
const MAX_DEREF: usize = 16;

/// The object `obj` stands for, following references; a dangling or
/// cyclic reference gives Null.
pub fn deref<'a>(doc: &'a Document, mut obj: &'a Object) -> &'a Object {
    for _ in 0..MAX_DEREF {
        match obj {
            Object::Reference(id) => match doc.get_object(*id) {
                Ok(o) => obj = o,
                Err(_) => return &Object::Null,
            },
            _ => return obj,
        }
    }
    &Object::Null
}
