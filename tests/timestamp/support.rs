//! Shared fixtures: small development PKIs (one per key algorithm, made once per test binary),
//! stores, authorities, requests, hand-made tokens (for TSAs that misbehave in ways ours never
//! does), and throwaway PostgreSQL databases.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};

use der::Encode;
use der::asn1::{Int, OctetString};
use sqlx::AssertSqlSafe;
use time::OffsetDateTime;
use vanthu::cms::timestamp::GeneralizedTimeFraction;
use vanthu::cms::{self, Accuracy, LocalKey, MessageImprint, Signer, TstInfo};
use vanthu::config::{DatabaseUrl, StorageSettings};
use vanthu::crypto::DigestAlgorithm;
use vanthu::pki::devpki::{
    self, Credential, DevPki, DevPkiSpec, KeyAlgorithm, PersonSpec, UnitSpec,
};
use vanthu::pki::trust::{Role, TrustStore};
use vanthu::store::{NewTimestampRecord, Store, StoreError};
use vanthu::tsa::{
    AuthorityConfig, SerialAllocator, StoreSerials, TimeStampReq, TimestampAuthority,
};

use crate::common;

/// One unit and one person: enough for every timestamp test, quick to generate.
pub fn small_spec() -> DevPkiSpec {
    DevPkiSpec {
        units: vec![UnitSpec {
            code: "vks-a".into(),
            name: "Viện kiểm sát nhân dân huyện A".into(),
        }],
        people: vec![PersonSpec {
            username: "lanhdao.a".into(),
            full_name: "Nguyễn Văn A".into(),
            position: "Viện trưởng".into(),
            unit_name: "Viện kiểm sát nhân dân huyện A".into(),
        }],
    }
}

/// The P-256 test PKI, generated once per test binary.
pub fn pki() -> &'static DevPki {
    static PKI: OnceLock<DevPki> = OnceLock::new();
    PKI.get_or_init(|| devpki::generate(&small_spec(), KeyAlgorithm::P256).expect("P-256 PKI"))
}

/// The RSA-2048 test PKI.
pub fn rsa_pki() -> &'static DevPki {
    static PKI: OnceLock<DevPki> = OnceLock::new();
    PKI.get_or_init(|| devpki::generate(&small_spec(), KeyAlgorithm::Rsa2048).expect("RSA PKI"))
}

/// A second, unrelated PKI (its root is trusted by nobody).
pub fn foreign_pki() -> &'static DevPki {
    static PKI: OnceLock<DevPki> = OnceLock::new();
    PKI.get_or_init(|| devpki::generate(&small_spec(), KeyAlgorithm::P256).expect("foreign PKI"))
}

/// The TSA signer of a PKI, with its chain.
pub fn tsa_signer(pki: &DevPki) -> LocalKey {
    pki.signer_for(&pki.tsa, "tsa").expect("TSA signer")
}

/// A signer for a certificate issued by the PKI's intermediate, with the chain.
pub fn signer_for(pki: &DevPki, credential: &Credential) -> LocalKey {
    pki.signer_for(credential, "test").expect("signer")
}

/// A trust store whose only anchor is the PKI's root, with both CRLs.
pub fn trust(pki: &DevPki) -> TrustStore {
    let mut store = TrustStore::new();
    store.add_der(&pki.root.certificate, Role::Anchor).unwrap();
    for crl in [&pki.root_crl, &pki.intermediate_crl] {
        store.add_crl(vanthu::pki::crl::Crl::from_der(crl).unwrap());
    }
    store
}

/// Serial numbers from a counter: for tests that do not look at persistence.
#[derive(Debug, Default)]
pub struct CountingSerials(AtomicI64);

#[async_trait::async_trait]
impl SerialAllocator for CountingSerials {
    async fn allocate(&self, _record: &NewTimestampRecord) -> Result<i64, StoreError> {
        Ok(self.0.fetch_add(1, Ordering::SeqCst) + 1)
    }
}

/// A store that cannot allocate anything (the database is down).
#[derive(Debug, Default)]
pub struct BrokenSerials;

#[async_trait::async_trait]
impl SerialAllocator for BrokenSerials {
    async fn allocate(&self, _record: &NewTimestampRecord) -> Result<i64, StoreError> {
        Err(StoreError::Corrupt {
            what: "timestamp log",
            reason: "the disk is on fire".into(),
        })
    }
}

/// An authority of the P-256 PKI with counted serials.
pub fn authority() -> TimestampAuthority {
    authority_with(
        pki(),
        AuthorityConfig::default(),
        Arc::new(CountingSerials::default()),
    )
}

pub fn authority_with(
    pki: &DevPki,
    config: AuthorityConfig,
    serials: Arc<dyn SerialAllocator>,
) -> TimestampAuthority {
    TimestampAuthority::new(Arc::new(tsa_signer(pki)), config, serials).expect("authority")
}

/// A SQLite store in a temporary folder.
pub async fn sqlite_store() -> (tempfile::TempDir, Arc<dyn Store>) {
    let folder = tempfile::tempdir().unwrap();
    let data_dir = folder.path().join("data");
    let storage = StorageSettings {
        database_url: DatabaseUrl::sqlite_file(&data_dir.join("vanthu.db")).unwrap(),
        data_dir,
    };
    let store = vanthu::store::open(&storage).await.unwrap();
    (folder, store)
}

/// An authority whose serials come from `store`.
pub fn stored_authority(store: &Arc<dyn Store>) -> TimestampAuthority {
    authority_with(
        pki(),
        AuthorityConfig::default(),
        Arc::new(StoreSerials(store.clone())),
    )
}

/// A DER request for the SHA-256 of `data`.
pub fn request_der(data: &[u8], nonce: Option<&[u8]>, cert_req: bool) -> Vec<u8> {
    request(data, nonce, cert_req).to_der_bytes().unwrap()
}

pub fn request(data: &[u8], nonce: Option<&[u8]>, cert_req: bool) -> TimeStampReq {
    TimeStampReq::new(
        DigestAlgorithm::Sha256,
        &DigestAlgorithm::Sha256.digest(data),
        None,
        nonce.map(|bytes| Int::new(bytes).unwrap()),
        cert_req,
    )
    .unwrap()
}

/// What a hand-made token should say, starting from a request.
pub struct HandMade {
    pub imprint: MessageImprint,
    pub nonce: Option<Int>,
    pub policy: const_oid::ObjectIdentifier,
    pub gen_time: OffsetDateTime,
    pub include_certificates: bool,
}

impl HandMade {
    pub fn answering(request: &TimeStampReq) -> Self {
        HandMade {
            imprint: request.message_imprint.clone(),
            nonce: request.nonce.clone(),
            policy: vanthu::tsa::DEFAULT_POLICY,
            gen_time: OffsetDateTime::now_utc(),
            include_certificates: true,
        }
    }

    /// Signs the TSTInfo with any signer, as a TSA that cuts corners would.
    pub fn sign(&self, signer: &dyn Signer) -> Vec<u8> {
        let tst_info = TstInfo {
            version: 1,
            policy: self.policy,
            message_imprint: self.imprint.clone(),
            serial_number: Int::new(&[0x2a]).unwrap(),
            gen_time: GeneralizedTimeFraction(self.gen_time),
            accuracy: Some(Accuracy {
                seconds: Some(1),
                millis: None,
                micros: None,
            }),
            ordering: false,
            nonce: self.nonce.clone(),
            tsa: None,
            extensions: None,
        };
        let content = tst_info.to_der().unwrap();
        let algorithm = signer.signature_algorithm();
        let attributes = cms::signed_attributes_for(
            cms::oid::ID_CT_TST_INFO,
            algorithm.digest(),
            &algorithm.digest().digest(&content),
            signer.certificate(),
        )
        .unwrap();
        let signature = signer.sign(attributes.der()).unwrap();
        let mut certificates = vec![signer.certificate().to_vec()];
        certificates.extend(signer.chain().iter().cloned());
        if self.include_certificates {
            cms::assemble_with_content(
                &attributes,
                Some(&content),
                algorithm,
                &signature,
                &certificates,
            )
            .unwrap()
        } else {
            cms::assemble_without_certificates(
                &attributes,
                Some(&content),
                algorithm,
                &signature,
                &certificates,
            )
            .unwrap()
        }
    }
}

/// A different imprint of the same algorithm.
pub fn other_imprint(imprint: &MessageImprint) -> MessageImprint {
    MessageImprint {
        hash_algorithm: imprint.hash_algorithm.clone(),
        hashed_message: OctetString::new(DigestAlgorithm::Sha256.digest(b"something else"))
            .unwrap(),
    }
}

pub fn openssl() -> Option<PathBuf> {
    common::require("openssl", common::tool("openssl"))
}

/// Runs openssl in `dir`; returns stdout, panics with stderr on failure.
pub fn run_openssl(openssl: &Path, dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = Command::new(openssl)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "openssl {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

pub fn pem_certificates(certificates: &[Vec<u8>]) -> String {
    certificates
        .iter()
        .map(|der| devpki::certificate_pem(der))
        .collect()
}

/// A PostgreSQL database with a unique name, dropped when this is dropped.
pub struct PostgresDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PostgresDatabase {
    /// `None` (skipped, or a failure under CI) when no test server is configured.
    pub async fn create(why: &str) -> Option<Self> {
        let admin_url = common::require(
            &format!("PostgreSQL (VANTHU_TEST_POSTGRES_URL) for {why}"),
            common::postgres_url(),
        )?;
        let name = format!("vanthu_tsa_{}", uuid::Uuid::new_v4().simple());
        let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let mut url = url::Url::parse(&admin_url).unwrap();
        url.set_path(&name);
        Some(PostgresDatabase {
            admin_url,
            url: url.to_string(),
            name,
        })
    }
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop may run inside a runtime, which cannot be blocked on: use a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(admin) = sqlx::PgPool::connect(&admin_url).await {
                    let _ = sqlx::query(AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&admin)
                    .await;
                    admin.close().await;
                }
            });
        });
        let _ = dropped.join();
    }
}
