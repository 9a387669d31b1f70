//! Integration tests of the revision diff analysis (`verify::diff`): changes after a signed
//! revision made with the incremental writer (form filling, annotations, locks, certification),
//! the shadow, sneaky and evil-annotation attacks and cross-reference tricks written by hand,
//! hostile structures, and the documented verdicts of the third-party corpus.

mod common;

#[path = "diff/support.rs"]
mod support;

#[path = "diff/corpus.rs"]
mod corpus;

#[path = "diff/changes.rs"]
mod changes;

#[path = "diff/attacks.rs"]
mod attacks;

#[path = "diff/hostile.rs"]
mod hostile;

#[path = "diff/peers.rs"]
mod peers;
