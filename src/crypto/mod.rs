//! Algorithm identifiers, public keys, digests and signature verification: the one vocabulary
//! `cms`, `pki` and `verify` share. No policy (SHA-1, MD5 and small RSA keys are recognised and
//! verified; whether they are acceptable is `pki::policy`'s call), no CMS, no PDF, nothing of
//! ours below it.
//!
//! Verification takes a message or a prehash ([`Signed`]) and picks ring where ring implements
//! the combination, else the RustCrypto prehash verifiers (`rsa`, `p256`, `p384`, `p521`): P-521,
//! RSA outside 2048–8192 bits, PSS with an uncommon salt, legacy digests, CMS without signed
//! attributes.

pub mod algorithm;
pub mod digest;
pub mod error;
pub mod key;
pub mod oid;
mod verify;

pub use algorithm::SignatureAlgorithm;
pub use digest::{DigestAlgorithm, Hasher, sha256};
pub use error::{CryptoError, UnsupportedAlgorithm};
pub use key::{EcCurve, KeyKind, PublicKey, private_key_kind};
pub use verify::Signed;
