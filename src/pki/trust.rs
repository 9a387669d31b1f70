//! The trust store: trust anchors, intermediate certificates and CRLs loaded from files and folders.
//!
//! Anchors and intermediates are kept apart on purpose: a deployment decides which roots it trusts
//! (for a Procuracy, normally the Government Cipher Committee's dedicated G2 root), while
//! intermediates only help to complete paths that signatures leave incomplete. Certificates are
//! de-duplicated by SHA-256 and indexed by subject name and subject key identifier.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cert::{Certificate, CertificateError};
use super::crl::{Crl, CrlError, CrlSource, SourcedCrl};
use super::name::{DistinguishedName, NameKey};
use super::pem::{PemError, looks_like_pem, pem_blocks};

/// How a certificate is held by the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Trusted by configuration: a path that reaches it is anchored. Its self-signature is never
    /// checked.
    Anchor,
    /// Not trusted by itself: only a candidate link in a path.
    Intermediate,
}

/// Why a file could not be loaded. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: object {index}: not a usable certificate: {source}")]
    Certificate {
        path: PathBuf,
        index: usize,
        source: CertificateError,
    },
    #[error("{path}: object {index}: not a usable CRL: {source}")]
    Crl {
        path: PathBuf,
        index: usize,
        source: CrlError,
    },
    #[error("{path}: malformed PEM block {index}: {source}")]
    Pem {
        path: PathBuf,
        index: usize,
        source: PemError,
    },
    #[error("{path}: PEM block {index} is a {label}, not a CERTIFICATE or X509 CRL")]
    UnexpectedPem {
        path: PathBuf,
        index: usize,
        label: String,
    },
    #[error("{path}: neither a certificate ({certificate}) nor a CRL ({crl})")]
    Unrecognised {
        path: PathBuf,
        certificate: CertificateError,
        crl: CrlError,
    },
    #[error("{path}: contains no certificate and no CRL")]
    Empty { path: PathBuf },
    #[error("{path}: folders nested deeper than {max} levels")]
    TooDeep { path: PathBuf, max: usize },
}

/// What a load added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadSummary {
    pub files: usize,
    pub certificates_added: usize,
    /// Certificates already present (an intermediate loaded again as an anchor is promoted and
    /// counted as added).
    pub duplicates: usize,
    pub crls_added: usize,
}

impl std::ops::AddAssign for LoadSummary {
    fn add_assign(&mut self, other: Self) {
        self.files += other.files;
        self.certificates_added += other.certificates_added;
        self.duplicates += other.duplicates;
        self.crls_added += other.crls_added;
    }
}

/// File name extensions loaded from folders (files named explicitly load whatever their name).
pub const TRUST_FILE_EXTENSIONS: &[&str] = &["pem", "crt", "cer", "der", "crl"];

const MAX_FOLDER_DEPTH: usize = 8;

/// A certificate or CRL found in a file.
enum TrustObject {
    Certificate(Box<Certificate>),
    Crl(Box<Crl>),
}

/// Trust anchors, intermediates and CRLs.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Arc<Certificate>>,
    intermediates: Vec<Arc<Certificate>>,
    crls: Vec<SourcedCrl>,
    by_subject: HashMap<NameKey, Vec<(Role, usize)>>,
    by_key_id: HashMap<Vec<u8>, Vec<(Role, usize)>>,
    by_fingerprint: HashMap<[u8; 32], (Role, usize)>,
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a parsed certificate. Returns false when it was already present in that role or a
    /// stronger one.
    pub fn add(&mut self, cert: Certificate, role: Role) -> bool {
        let fingerprint = *cert.sha256();
        match self.by_fingerprint.get(&fingerprint) {
            Some((Role::Anchor, _)) => return false,
            Some((Role::Intermediate, _)) if role == Role::Intermediate => return false,
            Some((Role::Intermediate, index)) => {
                let index = *index;
                self.drop_intermediate(index);
            }
            None => {}
        }
        let cert = Arc::new(cert);
        let list = match role {
            Role::Anchor => &mut self.anchors,
            Role::Intermediate => &mut self.intermediates,
        };
        let index = list.len();
        list.push(Arc::clone(&cert));
        self.index(&cert, role, index);
        true
    }

    /// An intermediate becomes an anchor: drop its intermediate entry and re-index.
    fn drop_intermediate(&mut self, index: usize) {
        if index < self.intermediates.len() {
            self.intermediates.remove(index);
        }
        self.reindex();
    }

    fn reindex(&mut self) {
        self.by_subject.clear();
        self.by_key_id.clear();
        self.by_fingerprint.clear();
        let anchors = self.anchors.clone();
        let intermediates = self.intermediates.clone();
        for (index, cert) in anchors.iter().enumerate() {
            self.index(cert, Role::Anchor, index);
        }
        for (index, cert) in intermediates.iter().enumerate() {
            self.index(cert, Role::Intermediate, index);
        }
    }

    fn index(&mut self, cert: &Certificate, role: Role, index: usize) {
        self.by_fingerprint.insert(*cert.sha256(), (role, index));
        self.by_subject
            .entry(cert.subject().key().clone())
            .or_default()
            .push((role, index));
        if let Some(key_id) = cert.subject_key_id() {
            self.by_key_id
                .entry(key_id.to_vec())
                .or_default()
                .push((role, index));
        }
    }

    /// Adds a DER certificate.
    pub fn add_der(&mut self, der: &[u8], role: Role) -> Result<bool, CertificateError> {
        Ok(self.add(Certificate::from_der(der)?, role))
    }

    /// Adds a parsed CRL from the store's own files. Returns false for a duplicate.
    pub fn add_crl(&mut self, crl: Crl) -> bool {
        if self
            .crls
            .iter()
            .any(|known| known.crl.sha256() == crl.sha256())
        {
            return false;
        }
        self.crls.push(SourcedCrl {
            crl: Arc::new(crl),
            source: CrlSource::Store,
        });
        true
    }

    /// Loads a file or, recursively, a folder. Certificates take `role`; CRLs are kept whatever
    /// the role. The first unreadable or malformed file stops the load with an error naming it
    /// (what was read before stays loaded).
    pub fn load(&mut self, path: &Path, role: Role) -> Result<LoadSummary, TrustError> {
        let metadata = fs::metadata(path).map_err(|source| TrustError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        if metadata.is_dir() {
            self.load_folder(path, role, 0)
        } else {
            self.load_file(path, role)
        }
    }

    /// Loads trust anchors from a file or folder.
    pub fn load_anchors(&mut self, path: &Path) -> Result<LoadSummary, TrustError> {
        self.load(path, Role::Anchor)
    }

    /// Loads intermediates (and CRLs) from a file or folder.
    pub fn load_intermediates(&mut self, path: &Path) -> Result<LoadSummary, TrustError> {
        self.load(path, Role::Intermediate)
    }

    fn load_folder(
        &mut self,
        folder: &Path,
        role: Role,
        depth: usize,
    ) -> Result<LoadSummary, TrustError> {
        if depth > MAX_FOLDER_DEPTH {
            return Err(TrustError::TooDeep {
                path: folder.to_path_buf(),
                max: MAX_FOLDER_DEPTH,
            });
        }
        let read_error = |source| TrustError::Read {
            path: folder.to_path_buf(),
            source,
        };
        let mut entries: Vec<PathBuf> = fs::read_dir(folder)
            .map_err(read_error)?
            .map(|entry| entry.map(|entry| entry.path()))
            .collect::<Result<_, _>>()
            .map_err(read_error)?;
        entries.sort();
        let mut summary = LoadSummary::default();
        for entry in entries {
            if entry.is_dir() {
                summary += self.load_folder(&entry, role, depth + 1)?;
            } else if has_trust_extension(&entry) {
                summary += self.load_file(&entry, role)?;
            }
        }
        Ok(summary)
    }

    fn load_file(&mut self, path: &Path, role: Role) -> Result<LoadSummary, TrustError> {
        let bytes = fs::read(path).map_err(|source| TrustError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let objects = read_trust_objects(path, &bytes)?;
        let mut summary = LoadSummary {
            files: 1,
            ..LoadSummary::default()
        };
        for object in objects {
            match object {
                TrustObject::Certificate(cert) => {
                    if self.add(*cert, role) {
                        summary.certificates_added += 1;
                    } else {
                        summary.duplicates += 1;
                    }
                }
                TrustObject::Crl(crl) => {
                    if self.add_crl(*crl) {
                        summary.crls_added += 1;
                    }
                }
            }
        }
        Ok(summary)
    }

    pub fn anchors(&self) -> &[Arc<Certificate>] {
        &self.anchors
    }

    pub fn intermediates(&self) -> &[Arc<Certificate>] {
        &self.intermediates
    }

    pub fn crls(&self) -> &[SourcedCrl] {
        &self.crls
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty() && self.intermediates.is_empty() && self.crls.is_empty()
    }

    fn get(&self, (role, index): (Role, usize)) -> Option<(&Arc<Certificate>, Role)> {
        let list = match role {
            Role::Anchor => &self.anchors,
            Role::Intermediate => &self.intermediates,
        };
        list.get(index).map(|cert| (cert, role))
    }

    /// Certificates whose subject matches `name`, anchors first.
    pub fn by_subject(&self, name: &DistinguishedName) -> Vec<(&Arc<Certificate>, Role)> {
        let mut found: Vec<(&Arc<Certificate>, Role)> = self
            .by_subject
            .get(name.key())
            .into_iter()
            .flatten()
            .filter_map(|entry| self.get(*entry))
            .collect();
        found.sort_by_key(|(_, role)| *role != Role::Anchor);
        found
    }

    /// Certificates with this subject key identifier, anchors first.
    pub fn by_key_id(&self, key_id: &[u8]) -> Vec<(&Arc<Certificate>, Role)> {
        let mut found: Vec<(&Arc<Certificate>, Role)> = self
            .by_key_id
            .get(key_id)
            .into_iter()
            .flatten()
            .filter_map(|entry| self.get(*entry))
            .collect();
        found.sort_by_key(|(_, role)| *role != Role::Anchor);
        found
    }

    /// The role of this exact certificate in the store, if present.
    pub fn role_of(&self, cert: &Certificate) -> Option<Role> {
        self.by_fingerprint
            .get(cert.sha256())
            .map(|(role, _)| *role)
    }

    /// The anchor that is this certificate, or the same entity (same subject and key) as it.
    pub fn anchor_for(&self, cert: &Certificate) -> Option<&Arc<Certificate>> {
        self.by_subject(cert.subject())
            .into_iter()
            .filter(|(_, role)| *role == Role::Anchor)
            .map(|(anchor, _)| anchor)
            .find(|anchor| anchor.sha256() == cert.sha256() || anchor.same_entity(cert))
    }
}

fn has_trust_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| {
            TRUST_FILE_EXTENSIONS
                .iter()
                .any(|known| extension.eq_ignore_ascii_case(known))
        })
}

/// Reads every certificate and CRL of a PEM file (several blocks allowed) or the single object of
/// a DER file.
fn read_trust_objects(path: &Path, bytes: &[u8]) -> Result<Vec<TrustObject>, TrustError> {
    let objects = if looks_like_pem(bytes) {
        read_pem_objects(path, bytes)?
    } else {
        vec![read_der_object(path, bytes)?]
    };
    if objects.is_empty() {
        return Err(TrustError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(objects)
}

fn read_pem_objects(path: &Path, bytes: &[u8]) -> Result<Vec<TrustObject>, TrustError> {
    let blocks = pem_blocks(bytes).map_err(|error| TrustError::Pem {
        path: path.to_path_buf(),
        index: error.index(),
        source: error,
    })?;
    let mut objects = Vec::new();
    for (index, block) in blocks.into_iter().enumerate() {
        let object = match block.label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" => Certificate::from_der(&block.der)
                .map(|cert| TrustObject::Certificate(Box::new(cert)))
                .map_err(|source| TrustError::Certificate {
                    path: path.to_path_buf(),
                    index,
                    source,
                })?,
            "X509 CRL" => Crl::from_der(&block.der)
                .map(|crl| TrustObject::Crl(Box::new(crl)))
                .map_err(|source| TrustError::Crl {
                    path: path.to_path_buf(),
                    index,
                    source,
                })?,
            other => {
                return Err(TrustError::UnexpectedPem {
                    path: path.to_path_buf(),
                    index,
                    label: other.to_owned(),
                });
            }
        };
        objects.push(object);
    }
    Ok(objects)
}

/// A DER file holds a certificate or a CRL; which one is told by trying both.
fn read_der_object(path: &Path, bytes: &[u8]) -> Result<TrustObject, TrustError> {
    let certificate = match Certificate::from_der(bytes) {
        Ok(cert) => return Ok(TrustObject::Certificate(Box::new(cert))),
        Err(error) => error,
    };
    let crl = match Crl::from_der(bytes) {
        Ok(crl) => return Ok(TrustObject::Crl(Box::new(crl))),
        Err(error) => error,
    };
    Err(TrustError::Unrecognised {
        path: path.to_path_buf(),
        certificate,
        crl,
    })
}

/// Reads certificates from PEM or DER bytes (several PEM blocks allowed; CRL blocks are skipped).
/// For certificates that arrive outside the store (a `--cert` option, a test).
pub fn certificates_from_bytes(path: &Path, bytes: &[u8]) -> Result<Vec<Certificate>, TrustError> {
    Ok(read_trust_objects(path, bytes)?
        .into_iter()
        .filter_map(|object| match object {
            TrustObject::Certificate(cert) => Some(*cert),
            TrustObject::Crl(_) => None,
        })
        .collect())
}

/// Reads CRLs from PEM or DER bytes (a `--crl` file).
pub fn crls_from_bytes(path: &Path, bytes: &[u8]) -> Result<Vec<Crl>, TrustError> {
    Ok(read_trust_objects(path, bytes)?
        .into_iter()
        .filter_map(|object| match object {
            TrustObject::Crl(crl) => Some(*crl),
            TrustObject::Certificate(_) => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_extensions_are_case_insensitive() {
        assert!(has_trust_extension(Path::new("a/root.CER")));
        assert!(has_trust_extension(Path::new("b.crl")));
        assert!(!has_trust_extension(Path::new("README.md")));
        assert!(!has_trust_extension(Path::new("noext")));
    }

    #[test]
    fn garbage_file_names_itself() {
        let error = read_trust_objects(Path::new("bad.der"), b"\x30\x03\x02\x01\x01")
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(
            error.starts_with("bad.der: neither a certificate"),
            "{error}"
        );
    }
}
