//! A memo of signature checks: path building meets the same certificate links and CRLs again
//! on every candidate path, and hostile inputs can offer many of them.

use std::collections::HashMap;

use crate::crypto::CryptoError;

/// Results of verifications already done, keyed by the SHA-256 of the signed object (a
/// certificate or CRL) and of the certificate whose key verified it.
#[derive(Debug, Default)]
pub struct VerificationCache(HashMap<([u8; 32], [u8; 32]), Result<(), CryptoError>>);

impl VerificationCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The result already known for this pair, if any.
    pub fn cached(
        &self,
        object: &[u8; 32],
        key_owner: &[u8; 32],
    ) -> Option<Result<(), CryptoError>> {
        self.0.get(&(*object, *key_owner)).cloned()
    }

    /// The cached result, or `verify`'s, remembered.
    pub fn get_or_verify(
        &mut self,
        object: &[u8; 32],
        key_owner: &[u8; 32],
        verify: impl FnOnce() -> Result<(), CryptoError>,
    ) -> Result<(), CryptoError> {
        self.0
            .entry((*object, *key_owner))
            .or_insert_with(verify)
            .clone()
    }
}
