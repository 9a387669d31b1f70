//! Trust store, certificate path validation, CRLs, private-key loading, the development PKI and the
//! timestamp authority.

pub mod cert;
pub mod crl;
pub mod devpki;
pub mod indication;
pub mod keys;
pub mod name;
pub mod path;
pub mod policy;
pub mod signature;
pub mod trust;
