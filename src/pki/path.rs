//! Certificate path building and validation at a given time, from an end-entity certificate to a trust anchor.
