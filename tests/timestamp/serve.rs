//! The real `vanthu serve`: the development TSA created on first start and reused, serial
//! numbers unique across a restart and across two instances sharing PostgreSQL, a configured
//! key sealed at rest and opened again, a certificate without the timeStamping EKU refused at
//! start, and no TSA without the demo.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vanthu::crypto::DigestAlgorithm;
use vanthu::pki::policy::ValidationPolicy;
use vanthu::pki::trust::{Role, TrustStore};
use vanthu::tsa::{ClientConfig, TimestampRequest, TsaClient};
use vanthu::verify::token::{Covered, ValidationContext, validate_token};

use crate::support::{self, PostgresDatabase, pki, write};

const BINARY: &str = env!("CARGO_BIN_EXE_vanthu");
const PASSPHRASE: &str = "mật khẩu niêm phong khóa TSA";

/// A `vanthu serve` child with what it printed so far.
pub struct Server {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

/// `vanthu serve --listen 127.0.0.1:0` with a clean environment (no `VANTHU_*` from the
/// caller) in `dir`; options follow.
pub fn vanthu(dir: &Path) -> Command {
    let mut command = Command::new(BINARY);
    command
        .current_dir(dir)
        .args(["serve", "--listen", "127.0.0.1:0"]);
    for (key, _) in std::env::vars() {
        if key.starts_with("VANTHU_") {
            command.env_remove(key);
        }
    }
    command
}

fn collect(reader: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            let mut text = sink.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    });
    text
}

impl Server {
    fn spawn(mut command: Command) -> Server {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        Server {
            child,
            stdout,
            stderr,
        }
    }

    /// Starts and waits for the banner's timestamp-authority line.
    pub fn start_with_tsa(command: Command) -> Server {
        let mut server = Server::spawn(command);
        server.wait_for("/tsa");
        server
    }

    fn wait_for(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if self.stdout.lock().unwrap().contains(needle) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "vanthu serve exited ({status}) before printing {needle:?}: {}",
                    self.stderr.lock().unwrap()
                );
            }
            assert!(Instant::now() < deadline, "no {needle:?} in time");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn banner(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    fn base(&self) -> String {
        let banner = self.banner();
        banner
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("vanthu listening on "))
            .expect("first banner line")
            .to_string()
    }

    pub fn tsa_url(&self) -> String {
        format!("{}/tsa", self.base())
    }

    /// Waits for the process to end by itself; returns its success and stderr.
    fn exit(mut self) -> (bool, String) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                return (status.success(), self.stderr.lock().unwrap().clone());
            }
            assert!(Instant::now() < deadline, "vanthu serve did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> TsaClient {
    TsaClient::new(ClientConfig {
        system_proxy: false,
        timeout: Duration::from_secs(30),
        ..ClientConfig::default()
    })
    .unwrap()
}

/// Asks for `count` tokens at once; returns their serial numbers.
async fn serials(url: &str, count: u8) -> Vec<Vec<u8>> {
    let client = client();
    let requests = (0..count).map(|index| {
        let client = client.clone();
        let url = url.to_string();
        async move {
            let request = TimestampRequest::for_data(DigestAlgorithm::Sha256, &[index; 3]);
            client.timestamp(&url, &request).await.expect("token")
        }
    });
    futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|obtained| obtained.token.tst_info.serial_number.as_bytes().to_vec())
        .collect()
}

fn all_distinct(serials: &[Vec<u8>]) -> bool {
    serials.iter().collect::<HashSet<_>>().len() == serials.len()
}

#[tokio::test]
async fn serve_runs_the_development_tsa_and_keeps_serials_across_a_restart() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("data");
    let start = || {
        let mut command = vanthu(folder.path());
        command.arg("--data-dir").arg(&data);
        Server::start_with_tsa(command)
    };
    let server = start();
    let banner = server.banner();
    assert!(banner.contains("NOT FOR PRODUCTION"), "{banner}");
    let pki_dir = data.join("pki");
    let root_pem = std::fs::read(pki_dir.join("root.cert.pem")).expect("dev PKI created");
    let tsa_key = std::fs::read_to_string(pki_dir.join("tsa.key.pem")).unwrap();
    assert!(
        tsa_key.starts_with("-----BEGIN PRIVATE KEY-----"),
        "the dev PKI stays plain"
    );

    let mut seen = serials(&server.tsa_url(), 4).await;
    let obtained = client()
        .timestamp(
            &server.tsa_url(),
            &TimestampRequest::for_data(DigestAlgorithm::Sha256, b"x"),
        )
        .await
        .unwrap();
    seen.push(obtained.token.tst_info.serial_number.as_bytes().to_vec());
    let mut store = TrustStore::new();
    for certificate in
        vanthu::pki::trust::certificates_from_bytes(Path::new("root"), &root_pem).unwrap()
    {
        store.add(certificate, Role::Anchor);
    }
    let policy = ValidationPolicy::default();
    let validation = validate_token(
        &obtained.der,
        Covered::Data(b"x"),
        &ValidationContext::new(&store, &policy),
    );
    assert!(validation.passed(), "{validation:#?}");
    drop(server);

    let server = start();
    assert_eq!(
        std::fs::read(pki_dir.join("root.cert.pem")).unwrap(),
        root_pem,
        "the development PKI is reused"
    );
    seen.extend(serials(&server.tsa_url(), 4).await);
    assert_eq!(seen.len(), 9);
    assert!(all_distinct(&seen), "{seen:?}");
}

#[tokio::test]
async fn without_the_demo_there_is_no_development_tsa() {
    let folder = tempfile::tempdir().unwrap();
    let data = folder.path().join("data");
    let mut command = vanthu(folder.path());
    command.arg("--data-dir").arg(&data).arg("--no-demo");
    let mut server = Server::spawn(command);
    server.wait_for("listening on");
    let reply = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(server.tsa_url())
        .header("content-type", "application/timestamp-query")
        .body(support::request_der(b"x", None, true))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 503);
    assert!(!data.join("pki").exists());
    assert!(!server.banner().contains("/tsa"));
}

/// The test PKI's TSA as files an operator would give.
fn operator_files(dir: &Path) {
    let pki = pki();
    write(dir, "tsa.key.pem", pki.tsa.key.to_pem().unwrap().as_bytes());
    write(dir, "tsa.cert.pem", pki.tsa.certificate_pem());
    write(
        dir,
        "chain.pem",
        support::pem_certificates(std::slice::from_ref(&pki.intermediate.certificate)),
    );
    write(
        dir,
        "person.cert.pem",
        pki.people["lanhdao.a"].certificate_pem(),
    );
    write(
        dir,
        "person.key.pem",
        pki.people["lanhdao.a"].key.to_pem().unwrap().as_bytes(),
    );
}

fn configured(dir: &Path, passphrase: Option<&str>) -> Command {
    let mut command = vanthu(dir);
    command
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args([
            "--no-demo",
            "--tsa-key",
            "tsa.key.pem",
            "--tsa-cert",
            "tsa.cert.pem",
        ])
        .args(["--tsa-chain", "chain.pem"]);
    if let Some(passphrase) = passphrase {
        command.env("VANTHU_TSA_KEY_PASSPHRASE", passphrase);
    }
    command
}

#[tokio::test]
async fn a_configured_key_is_sealed_at_rest_and_opened_again() {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    operator_files(dir);
    let mut first = configured(dir, Some(PASSPHRASE));
    first.args(["--tsa-policy", "1.3.6.1.4.1.32473.42"]);
    let server = Server::start_with_tsa(first);
    assert!(!server.banner().contains("NOT FOR PRODUCTION"));
    let sealed = std::fs::read_to_string(dir.join("tsa.key.pem")).unwrap();
    assert!(
        sealed.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{sealed}"
    );
    let obtained = client()
        .timestamp(
            &server.tsa_url(),
            &TimestampRequest::for_data(DigestAlgorithm::Sha256, b"x"),
        )
        .await
        .unwrap();
    assert_eq!(obtained.tsa_certificate, pki().tsa.certificate);
    assert_eq!(
        obtained.token.tst_info.policy.to_string(),
        "1.3.6.1.4.1.32473.42"
    );
    assert!(
        obtained
            .token
            .signed_data
            .certificates
            .contains(&pki().intermediate.certificate)
    );
    drop(server);

    let (succeeded, stderr) = Server::spawn(configured(dir, None)).exit();
    assert!(!succeeded);
    assert!(stderr.contains("VANTHU_TSA_KEY_PASSPHRASE"), "{stderr}");
    let (succeeded, stderr) = Server::spawn(configured(dir, Some("wrong"))).exit();
    assert!(!succeeded, "{stderr}");

    let server = Server::start_with_tsa(configured(dir, Some(PASSPHRASE)));
    assert!(
        client()
            .timestamp(
                &server.tsa_url(),
                &TimestampRequest::for_data(DigestAlgorithm::Sha256, b"y"),
            )
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn serve_refuses_a_tsa_certificate_without_the_timestamping_eku() {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    operator_files(dir);
    let mut command = vanthu(dir);
    command
        .arg("--data-dir")
        .arg(dir.join("data"))
        .args(["--no-demo", "--tsa-key", "person.key.pem"])
        .args(["--tsa-cert", "person.cert.pem"]);
    let (succeeded, stderr) = Server::spawn(command).exit();
    assert!(!succeeded);
    assert!(stderr.contains("timeStamping"), "{stderr}");
}

#[tokio::test]
async fn two_instances_sharing_postgresql_never_reuse_a_serial() {
    let Some(database) = PostgresDatabase::create("serials shared by two instances").await else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    operator_files(dir);
    let instance = |name: &str| {
        let mut command = vanthu(dir);
        command
            .arg("--data-dir")
            .arg(dir.join(name))
            .args(["--database-url", &database.url])
            .args([
                "--no-demo",
                "--tsa-key",
                "tsa.key.pem",
                "--tsa-cert",
                "tsa.cert.pem",
            ]);
        Server::start_with_tsa(command)
    };
    let first = instance("one");
    let second = instance("two");
    let (first_url, second_url) = (first.tsa_url(), second.tsa_url());
    let (mut seen, from_second) = tokio::join!(serials(&first_url, 12), serials(&second_url, 12));
    seen.extend(from_second);
    drop(first);
    let first = instance("one");
    let first_url = first.tsa_url();
    let (again, from_second) = tokio::join!(serials(&first_url, 6), serials(&second_url, 6));
    seen.extend(again);
    seen.extend(from_second);
    assert_eq!(seen.len(), 36);
    assert!(all_distinct(&seen), "{seen:?}");

    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    let logged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tsa_tokens")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(logged, 36);
    let changed = sqlx::query("UPDATE tsa_tokens SET policy = '1.2.3'")
        .execute(&pool)
        .await;
    assert!(changed.is_err(), "the log is append-only");
    pool.close().await;
}

#[tokio::test]
async fn the_sqlite_log_is_append_only() {
    let folder = tempfile::tempdir().unwrap();
    let url = vanthu::config::DatabaseUrl::sqlite_file(&folder.path().join("v.db")).unwrap();
    let store = vanthu::store::SqliteStore::open(&url, folder.path())
        .await
        .unwrap();
    let shared: Arc<dyn vanthu::store::Store> = Arc::new(store.clone());
    let authority = support::stored_authority(&shared);
    authority
        .timestamp_digest(DigestAlgorithm::Sha256, &[0; 32])
        .await
        .unwrap();
    for statement in [
        "UPDATE tsa_tokens SET policy = '1.2.3'",
        "DELETE FROM tsa_tokens",
    ] {
        assert!(
            sqlx::query(statement).execute(store.pool()).await.is_err(),
            "{statement}"
        );
    }
}
