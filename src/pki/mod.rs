//! Trust store, certificate path validation, CRLs, private-key loading, the development PKI and the timestamp authority.
