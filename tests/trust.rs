//! Trust store, certificate path validation, CRLs and the verification report model.

mod common;

mod trust {
    pub mod pki;

    mod chains;
    mod hostile;
    mod real_data;
    mod report;
    mod revocation;
    mod store;
}
