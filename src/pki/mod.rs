//! Trust store, certificate path validation, CRLs, private-key loading, the development PKI and the
//! timestamp authority. Algorithms, keys and signature checks come from `crate::crypto`; what is
//! acceptable among them is decided in `policy`.

pub mod cache;
pub mod cert;
pub mod crl;
pub mod devpki;
pub mod indication;
pub mod keys;
pub mod name;
pub mod path;
pub mod pem;
pub mod policy;
pub mod trust;
