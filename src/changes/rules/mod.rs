//! Benign-change rules: each explains one kind of change that does not
//! alter what the document shows.
