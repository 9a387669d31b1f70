//! Message digest algorithms: identification, names, and hashing (ring for SHA-1 and SHA-2,
//! RustCrypto for SHA-224 and the legacy MD2 and MD5 that old certificates still carry).

use const_oid::ObjectIdentifier;
use serde::{Deserialize, Serialize};
use spki::{AlgorithmIdentifier, AlgorithmIdentifierOwned};

use super::error::UnsupportedAlgorithm;
use super::oid;

/// A message digest algorithm. The legacy ones are recognised and computed so that a verifier
/// can say "correct, but made with MD5" and leave the verdict to policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DigestAlgorithm {
    Md2,
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    pub fn from_oid(oid: ObjectIdentifier) -> Result<Self, UnsupportedAlgorithm> {
        Ok(match oid {
            oid::MD2 => DigestAlgorithm::Md2,
            oid::MD5 => DigestAlgorithm::Md5,
            oid::SHA1 => DigestAlgorithm::Sha1,
            oid::SHA224 => DigestAlgorithm::Sha224,
            oid::SHA256 => DigestAlgorithm::Sha256,
            oid::SHA384 => DigestAlgorithm::Sha384,
            oid::SHA512 => DigestAlgorithm::Sha512,
            other => {
                return Err(UnsupportedAlgorithm {
                    what: "digest",
                    oid: other,
                });
            }
        })
    }

    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Md2 => oid::MD2,
            DigestAlgorithm::Md5 => oid::MD5,
            DigestAlgorithm::Sha1 => oid::SHA1,
            DigestAlgorithm::Sha224 => oid::SHA224,
            DigestAlgorithm::Sha256 => oid::SHA256,
            DigestAlgorithm::Sha384 => oid::SHA384,
            DigestAlgorithm::Sha512 => oid::SHA512,
        }
    }

    /// Short name for reports: "SHA-256".
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md2 => "MD2",
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Sha1 => "SHA-1",
            DigestAlgorithm::Sha224 => "SHA-224",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// Digest size in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Md2 | DigestAlgorithm::Md5 => 16,
            DigestAlgorithm::Sha1 => 20,
            DigestAlgorithm::Sha224 => 28,
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }

    /// The identifier written into CMS: parameters absent, as RFC 5754 prefers.
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifier {
            oid: self.oid(),
            parameters: None,
        }
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut hasher = self.hasher();
        hasher.update(data);
        hasher.finish()
    }

    /// An incremental hasher, for data that arrives in pieces (PDF byte ranges).
    pub fn hasher(self) -> Hasher {
        let with_ring = |algorithm| HasherState::Ring(ring::digest::Context::new(algorithm));
        Hasher(match self {
            DigestAlgorithm::Md2 => HasherState::Md2(md2::Digest::new()),
            DigestAlgorithm::Md5 => HasherState::Md5(md5::Digest::new()),
            DigestAlgorithm::Sha1 => with_ring(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
            DigestAlgorithm::Sha224 => HasherState::Sha224(sha2::Sha224::default()),
            DigestAlgorithm::Sha256 => with_ring(&ring::digest::SHA256),
            DigestAlgorithm::Sha384 => with_ring(&ring::digest::SHA384),
            DigestAlgorithm::Sha512 => with_ring(&ring::digest::SHA512),
        })
    }
}

/// The SHA-256 of `data` as a fixed array: the fingerprint certificates and CRLs are indexed and
/// compared by.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut fingerprint = [0u8; 32];
    fingerprint.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, data).as_ref());
    fingerprint
}

/// A digest being computed piece by piece.
#[derive(Clone)]
pub struct Hasher(HasherState);

#[derive(Clone)]
enum HasherState {
    Ring(ring::digest::Context),
    Sha224(sha2::Sha224),
    Md5(md5::Md5),
    Md2(md2::Md2),
}

impl Hasher {
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            HasherState::Ring(context) => context.update(data),
            HasherState::Sha224(state) => sha2::Digest::update(state, data),
            HasherState::Md5(state) => md5::Digest::update(state, data),
            HasherState::Md2(state) => md2::Digest::update(state, data),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        match self.0 {
            HasherState::Ring(context) => context.finish().as_ref().to_vec(),
            HasherState::Sha224(state) => sha2::Digest::finalize(state).to_vec(),
            HasherState::Md5(state) => md5::Digest::finalize(state).to_vec(),
            HasherState::Md2(state) => md2::Digest::finalize(state).to_vec(),
        }
    }
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers for "abc" (RFC 1319, RFC 1321, FIPS 180-2).
    #[test]
    fn every_digest_matches_its_known_answer() {
        let cases = [
            (DigestAlgorithm::Md2, "da853b0d3f88d99b30283a69e6ded6bb"),
            (DigestAlgorithm::Md5, "900150983cd24fb0d6963f7d28e17f72"),
            (
                DigestAlgorithm::Sha1,
                "a9993e364706816aba3e25717850c26c9cd0d89d",
            ),
            (
                DigestAlgorithm::Sha224,
                "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
            ),
            (
                DigestAlgorithm::Sha256,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
        ];
        for (algorithm, expected) in cases {
            assert_eq!(
                hex::encode(algorithm.digest(b"abc")),
                expected,
                "{algorithm:?}"
            );
            assert_eq!(algorithm.digest(b"abc").len(), algorithm.output_len());
            assert_eq!(DigestAlgorithm::from_oid(algorithm.oid()), Ok(algorithm));
        }
    }

    #[test]
    fn pieces_hash_like_the_whole() {
        for algorithm in [
            DigestAlgorithm::Md5,
            DigestAlgorithm::Sha224,
            DigestAlgorithm::Sha384,
        ] {
            let mut hasher = algorithm.hasher();
            hasher.update(b"ab");
            hasher.update(b"c");
            assert_eq!(hasher.finish(), algorithm.digest(b"abc"));
        }
    }
}
