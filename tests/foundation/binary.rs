//! The real `vanthu` binary: `serve` on a free port, a demo clerk's login, SIGTERM and a clean
//! exit; the administration commands; configuration precedence; secrets kept out of the output.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::support::PostgresDatabase;
use crate::common;

const BINARY: &str = env!("CARGO_BIN_EXE_vanthu");

/// A command with a clean environment: no `VANTHU_*` from the caller leaks into it.
fn vanthu(dir: &Path) -> Command {
    let mut command = Command::new(BINARY);
    command.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("VANTHU_") {
            command.env_remove(key);
        }
    }
    command
}

fn run(command: &mut Command, stdin: Option<&str>) -> Output {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A running `vanthu serve` and the address it printed.
struct Server {
    child: Child,
    address: String,
    banner: String,
}

impl Server {
    fn start(command: &mut Command) -> Server {
        command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        let address = first
            .trim()
            .strip_prefix("vanthu listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_string();
        let mut rest = String::new();
        // The banner ends with the password line; read up to it without waiting for exit.
        for line in reader.lines() {
            let line = line.unwrap();
            rest.push_str(&line);
            rest.push('\n');
            if line.contains("password") {
                break;
            }
        }
        Server {
            child,
            address,
            banner: first + &rest,
        }
    }

    /// One HTTP/1.1 request over a plain TCP connection; returns status and body.
    fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.address
        );
        if let Some(token) = token {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        let body = body.unwrap_or("");
        if !body.is_empty() {
            request.push_str("Content-Type: application/json\r\n");
        }
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_string())
            .unwrap_or_default();
        (status, body)
    }

    fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self.request(
            "POST",
            "/api/v1/auth/login",
            None,
            Some(&format!(
                r#"{{"username":"{username}","password":"{password}"}}"#
            )),
        );
        assert_eq!(status, 200, "{body}");
        let json: Value = serde_json::from_str(&body).unwrap();
        json["token"].as_str().unwrap().to_string()
    }

    /// Sends SIGTERM and waits for the exit; returns the exit status and stderr.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let _ = self.child.kill();
                panic!("vanthu did not stop after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut errors = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut errors);
        }
        (status, errors)
    }
}

fn check_clerk_session(server: &Server) {
    let (ready, _) = server.request("GET", "/readyz", None, None);
    assert_eq!(ready, 200);
    let token = server.login("vanthu.dt", "vanthu-demo");
    let (status, body) = server.request("GET", "/api/v1/me", Some(&token), None);
    assert_eq!(status, 200, "{body}");
    let me: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(me["unit"]["code"], "vks-dt");
}

#[test]
fn serve_on_sqlite_answers_a_demo_clerk_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&mut vanthu(dir.path()));
    assert!(
        server.banner.contains("vanthu.dt (clerk)"),
        "{}",
        server.banner
    );
    assert!(server.banner.contains("password (mật khẩu): vanthu-demo"));
    check_clerk_session(&server);
    let (status, logs) = server.terminate();
    assert!(status.success(), "exit {status:?}; stderr:\n{logs}");
    assert!(logs.contains("SIGTERM received"), "{logs}");
    assert!(
        dir.path().join("data/vanthu.db").is_file(),
        "default ./data/vanthu.db"
    );

    // The audit chain of that run verifies with the same defaults.
    let verified = run(vanthu(dir.path()).args(["audit", "verify"]), None);
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(stdout(&verified).starts_with("audit log intact: "));
}

#[test]
fn serve_on_postgres_keeps_the_password_out_of_its_output() {
    let Some(admin_url) = common::require(
        "PostgreSQL (VANTHU_TEST_POSTGRES_URL)",
        common::postgres_url(),
    ) else {
        return;
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let database = runtime.block_on(PostgresDatabase::create(&admin_url));
    // The server trusts local connections, so the password is never checked, only carried.
    let url = database.url_with_password("Pg-s3cret-9876");
    let dir = tempfile::tempdir().unwrap();
    let custom_demo = "demo-Secret-2468";
    let server = Server::start(
        vanthu(dir.path())
            .env("VANTHU_DATABASE_URL", &url)
            .env("VANTHU_DEMO_PASSWORD", custom_demo)
            .env("VANTHU_LOG_FORMAT", "json"),
    );
    let token = server.login("vanthu.dt", custom_demo);
    let (status, _) = server.request("GET", "/api/v1/me", Some(&token), None);
    assert_eq!(status, 200);
    let banner = server.banner.clone();
    let (exit, logs) = server.terminate();
    assert!(exit.success(), "{logs}");
    for secret in ["Pg-s3cret-9876", custom_demo] {
        assert!(!banner.contains(secret), "stdout shows a secret:\n{banner}");
        assert!(!logs.contains(secret), "logs show a secret:\n{logs}");
    }
    // JSON logs: every line parses, and the database is named with its password redacted.
    assert!(
        logs.lines()
            .all(|line| serde_json::from_str::<Value>(line).is_ok()),
        "{logs}"
    );
    assert!(logs.contains(":***@"), "{logs}");
    assert!(
        !dir.path().join("data/vanthu.db").exists(),
        "nothing written to SQLite"
    );
    drop(runtime);
}

#[test]
fn administration_commands_work_on_the_database_serve_uses() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("elsewhere");
    let data = data.to_str().unwrap();
    let added = run(
        vanthu(dir.path()).args([
            "unit",
            "add",
            "--code",
            "vks-tn",
            "--name",
            "Viện kiểm sát nhân dân tỉnh Thái Nguyên",
            "--kind",
            "province",
            "--data-dir",
            data,
        ]),
        None,
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let child = run(
        vanthu(dir.path()).env("VANTHU_DATA_DIR", data).args([
            "unit",
            "add",
            "--code",
            "vks-vn",
            "--name",
            "VKSND huyện Võ Nhai",
            "--kind",
            "district",
            "--parent",
            "vks-tn",
        ]),
        None,
    );
    assert!(child.status.success(), "{}", stderr(&child));
    let duplicate = run(
        vanthu(dir.path()).args([
            "unit",
            "add",
            "--code",
            "vks-vn",
            "--name",
            "X",
            "--kind",
            "district",
            "--parent",
            "vks-tn",
            "--data-dir",
            data,
        ]),
        None,
    );
    assert_eq!(duplicate.status.code(), Some(1));
    assert!(
        stderr(&duplicate).contains("vks-vn"),
        "{}",
        stderr(&duplicate)
    );

    let user = run(
        vanthu(dir.path()).args([
            "user",
            "add",
            "--username",
            "vanthu.vn",
            "--full-name",
            "Hoàng Văn Minh",
            "--position",
            "Văn thư",
            "--unit",
            "vks-vn",
            "--role",
            "clerk",
            "--data-dir",
            data,
        ]),
        Some("mat-khau-vo-nhai\n"),
    );
    assert!(user.status.success(), "{}", stderr(&user));
    let listed = run(
        vanthu(dir.path()).args(["user", "list", "--json", "--data-dir", data]),
        None,
    );
    let users: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(users[0]["username"], "vanthu.vn");
    assert_eq!(users[0]["unit"], "vks-vn");
    assert_eq!(users[0]["roles"], serde_json::json!(["clerk"]));
    let set = run(
        vanthu(dir.path()).args(["user", "set-password", "vanthu.vn", "--data-dir", data]),
        Some("mat-khau-moi-2026\n"),
    );
    assert!(set.status.success(), "{}", stderr(&set));
    let units = run(
        vanthu(dir.path()).args(["unit", "list", "--json", "--data-dir", data]),
        None,
    );
    let units: Value = serde_json::from_slice(&units.stdout).unwrap();
    assert_eq!(units.as_array().unwrap().len(), 2);

    let intact = run(
        vanthu(dir.path()).args(["audit", "verify", "--data-dir", data]),
        None,
    );
    assert!(intact.status.success(), "{}", stderr(&intact));
    assert!(
        stdout(&intact).starts_with("audit log intact: 4 events"),
        "{}",
        stdout(&intact)
    );

    // Someone edits the log behind the service's back.
    let database = Path::new(data).join("vanthu.db");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", database.display()))
            .await
            .unwrap();
        sqlx::query("DROP TRIGGER audit_events_no_update")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_events SET actor = 'quantri' WHERE seq = 2")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let broken = run(
        vanthu(dir.path()).args(["audit", "verify", "--data-dir", data]),
        None,
    );
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stderr(&broken).contains("first broken link is at event #2"),
        "{}",
        stderr(&broken)
    );
}

#[test]
fn demo_accounts_follow_the_configuration_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = |command: &mut Command, extra: &[&str]| -> Vec<Value> {
        let output = run(
            command.args(["demo", "accounts", "--json"]).args(extra),
            None,
        );
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_slice::<Value>(&output.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let defaults = accounts(&mut vanthu(dir.path()), &[]);
    assert_eq!(defaults.len(), 59);
    let clerk = defaults
        .iter()
        .find(|a| a["username"] == "vanthu.dt")
        .unwrap();
    assert_eq!(clerk["password"], "vanthu-demo");
    assert_eq!(clerk["unit"], "vks-dt");
    assert_eq!(clerk["roles"], serde_json::json!(["clerk"]));
    for account in &defaults {
        let keys: Vec<&String> = account.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["password", "roles", "unit", "username"]);
    }

    let file = dir.path().join("vanthu.toml");
    std::fs::write(&file, "demo_password = \"from-the-file\"\n").unwrap();
    let from_file = accounts(
        &mut vanthu(dir.path()),
        &["--config", file.to_str().unwrap()],
    );
    assert_eq!(from_file[0]["password"], "from-the-file");
    let from_env = accounts(
        vanthu(dir.path())
            .env("VANTHU_CONFIG", &file)
            .env("VANTHU_DEMO_PASSWORD", "from-the-environment"),
        &[],
    );
    assert_eq!(from_env[0]["password"], "from-the-environment");

    let bad = run(
        vanthu(dir.path()).args(["serve", "--config", "/nonexistent/vanthu.toml"]),
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("/nonexistent/vanthu.toml"));
}
