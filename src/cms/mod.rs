//! CMS SignedData: building and parsing, PAdES signed attributes, the external-signer trait and the RFC 3161 timestamp client.
