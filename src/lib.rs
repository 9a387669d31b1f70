//! vanthu: official document routing, PAdES signing and signature verification for a provincial
//! People's Procuracy and its units.
//!
//! Data flows one way: `http` and `cli` call `workflow`, which calls `pdf`, `cms`, `pades`, `pki`,
//! `verify`, `audit` and `store`; none of those call back up. `domain` holds plain types and rules
//! shared by all of them and performs no I/O. `crypto` (algorithm identifiers, public keys,
//! digests and signature verification) is the bottom layer under `cms`, `pki` and `verify`, and
//! depends on nothing of ours. `tsa` (RFC 3161 timestamping: the authority that issues tokens
//! and the client that requests them) sits on `cms`, `pki` and `store`; `verify::token` judges
//! the tokens found in documents. `ltv` (PAdES B-T, B-LT, B-LTA: signing at a level, extending
//! and renewing signed documents) stands on `pades`, `tsa`, `pki` and `pdf`.
#![forbid(unsafe_code)]

pub mod audit;
pub mod cli;
pub mod cms;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error_chain;
pub mod http;
pub mod ltv;
pub mod pades;
pub mod pdf;
pub mod pki;
pub mod store;
pub mod tsa;
pub mod verify;
pub mod workflow;
