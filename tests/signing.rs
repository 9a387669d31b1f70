//! Integration tests of the PAdES signer (`vanthu::pades`) and `vanthu sign`: a spread of inputs
//! signed with RSA, RSA-PSS and P-256 keys and judged by the independent peers, the person-then-
//! seal double signature with its Decree 30 appearances rendered and compared with a golden image,
//! certification and field locks, deferred signing with a key only the test holds, and every
//! refusal of the "bad input" list.

mod common;

/// Generated input documents, shared with the pdf tests.
#[path = "pdf/support.rs"]
mod inputs;

/// The signature and seal images, shared with the appearance tests.
#[path = "appearance/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

/// The golden-image comparison, shared with the appearance tests.
#[path = "appearance/golden.rs"]
mod golden;

mod signing {
    mod appearance;
    mod certification;
    mod cli;
    mod deferred;
    mod refusals;
    mod spread;
    pub mod support;
}
