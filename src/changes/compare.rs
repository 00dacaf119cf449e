//! Value comparison of objects of two documents, resolved through
//! references: writers renumber objects, so an object number says nothing.
//! Cycle-safe (pairs under comparison are assumed equal, as in a
//! bisimulation) and bounded in depth and work; running out of budget
//! counts as "different", which fails closed.

use std::collections::{BTreeSet, HashMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::graph::pages;
use super::paint::{self, resolve};
use crate::pdf::limits;

/// Most object visits one value comparison may make.
const COMPARE_BUDGET: usize = 200_000;

/// Value comparison of objects of two documents, through references.
pub struct Comparer<'a> {
    pub a: &'a Document,
    pub b: &'a Document,
    /// Page object → 1-based page number, per document: a reference to a
    /// page (a destination, a back-link) means "that page", and two such
    /// references are equal when they name the same page number, whatever
    /// was changed on the page (the page walk reports that).
    pages_a: HashMap<ObjectId, usize>,
    pages_b: HashMap<ObjectId, usize>,
}

struct CompareState {
    assumed: HashSet<(ObjectId, ObjectId)>,
    budget: usize,
}

impl CompareState {
    /// A fresh comparison: nothing assumed equal, the whole budget left.
    fn new() -> CompareState {
        CompareState {
            assumed: HashSet::new(),
            budget: COMPARE_BUDGET,
        }
    }
}

impl<'a> Comparer<'a> {
    pub fn new(a: &'a Document, b: &'a Document) -> Self {
        let index = |d: &Document| -> HashMap<ObjectId, usize> {
            pages(d)
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.id.map(|id| (id, i + 1)))
                .collect()
        };
        Comparer {
            pages_a: index(a),
            pages_b: index(b),
            a,
            b,
        }
    }

    /// Whether `x` (in `a`) and `y` (in `b`) are the same value. Keys in
    /// `skip` are ignored in the top-level dictionaries only.
    pub fn equal(&self, x: &Object, y: &Object, skip: &[&[u8]]) -> bool {
        let mut st = CompareState::new();
        self.eq(x, y, skip, 0, &mut st)
    }

    fn eq(
        &self,
        x: &Object,
        y: &Object,
        skip: &[&[u8]],
        depth: usize,
        st: &mut CompareState,
    ) -> bool {
        if depth > limits::MAX_DEPTH || st.budget == 0 {
            return false;
        }
        st.budget -= 1;
        if let (Object::Reference(ra), Object::Reference(rb)) = (x, y) {
            match (self.pages_a.get(ra), self.pages_b.get(rb)) {
                (Some(pa), Some(pb)) => return pa == pb,
                (None, None) => {}
                _ => return false,
            }
            if !st.assumed.insert((*ra, *rb)) {
                return true;
            }
        }
        let x = resolve(self.a, x);
        let y = resolve(self.b, y);
        match (x, y) {
            (Object::Null, Object::Null) => true,
            (Object::Boolean(p), Object::Boolean(q)) => p == q,
            (Object::Integer(_) | Object::Real(_), Object::Integer(_) | Object::Real(_)) => {
                let p = number(x);
                let q = number(y);
                (p - q).abs() < 1e-6
            }
            (Object::Name(p), Object::Name(q)) => p == q,
            (Object::String(p, _), Object::String(q, _)) => p == q,
            (Object::Array(p), Object::Array(q)) => {
                p.len() == q.len()
                    && p.iter()
                        .zip(q.iter())
                        .all(|(i, j)| self.eq(i, j, &[], depth + 1, st))
            }
            (Object::Dictionary(p), Object::Dictionary(q)) => self.dict_eq(p, q, skip, depth, st),
            (Object::Stream(p), Object::Stream(q)) => {
                if p.content == q.content && self.dict_eq(&p.dict, &q.dict, &[b"Length"], depth, st)
                {
                    return true;
                }
                let (Some(dp), Some(dq)) = (paint::stream_bytes(p), paint::stream_bytes(q)) else {
                    return false;
                };
                dp == dq
                    && self.dict_eq(
                        &p.dict,
                        &q.dict,
                        &[b"Length", b"Filter", b"DecodeParms", b"DL"],
                        depth,
                        st,
                    )
            }
            _ => false,
        }
    }

    /// Whether two dictionaries are the same value, ignoring `skip` keys.
    pub fn equal_dicts(&self, p: &Dictionary, q: &Dictionary, skip: &[&[u8]]) -> bool {
        let mut st = CompareState::new();
        self.dict_eq(p, q, skip, 0, &mut st)
    }

    fn dict_eq(
        &self,
        p: &Dictionary,
        q: &Dictionary,
        skip: &[&[u8]],
        depth: usize,
        st: &mut CompareState,
    ) -> bool {
        let keys = dict_keys(p, q);
        keys.iter().all(|k| {
            if skip.contains(&k.as_slice()) {
                return true;
            }
            let x = p.get(k).unwrap_or(&Object::Null);
            let y = q.get(k).unwrap_or(&Object::Null);
            self.eq(x, y, &[], depth + 1, st)
        })
    }
}

fn number(o: &Object) -> f64 {
    match o {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        _ => 0.0,
    }
}

/// The keys of two dictionaries, in a stable order.
pub fn dict_keys(p: &Dictionary, q: &Dictionary) -> BTreeSet<Vec<u8>> {
    p.iter().chain(q.iter()).map(|(k, _)| k.clone()).collect()
}
