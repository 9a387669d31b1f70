//! Certificate revocation lists: parsing, signature and freshness checks, revocation status of a certificate at a time.
