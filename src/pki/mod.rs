//! Trust store, certificate path validation, CRLs, private-key loading, the development PKI and the
//! timestamp authority.

pub mod crl;
pub mod devpki;
pub mod keys;
pub mod path;
pub mod trust;
