//! The CMS layer, key loading and the development PKI: round trips with every algorithm,
//! interoperability with OpenSSL in both directions, tamper detection, deferred signing, RFC 3161
//! tokens, key files and `vanthu pki dev-init`.

mod common;

#[path = "cms/support.rs"]
mod support;

#[path = "cms/devpki.rs"]
mod devpki;
#[path = "cms/keys.rs"]
mod keys;
#[path = "cms/openssl_made.rs"]
mod openssl_made;
#[path = "cms/roundtrip.rs"]
mod roundtrip;
#[path = "cms/tamper.rs"]
mod tamper;
#[path = "cms/timestamp.rs"]
mod timestamp;
