//! Prerequisites shared by the integration tests: where the peers, the corpus and PostgreSQL are,
//! and the one rule for a missing prerequisite — skip with a printed reason, except under
//! `CI=true`, where it is a failure.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// True when running under CI, where every skip is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

/// Returns the prerequisite when present. When absent, prints why the calling test is skipped, or
/// panics under `CI=true`.
pub fn require<T>(what: &str, found: Option<T>) -> Option<T> {
    if found.is_none() {
        if in_ci() {
            panic!("prerequisite missing under CI=true: {what}");
        }
        eprintln!("SKIPPED: prerequisite missing: {what}");
    }
    found
}

/// The repository's root folder.
pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` next to the repository (or `VANTHU_SHARED_DIR`): corpus, trust roots and peer tools.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("VANTHU_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_dir().join("../shared"));
    dir.join("DESIGN.md").is_file().then_some(dir)
}

/// The third-party signed and attack PDFs with their manifest.
pub fn corpus_dir() -> Option<PathBuf> {
    shared_dir()
        .map(|dir| dir.join("corpus"))
        .filter(|dir| dir.join("manifest.tsv").is_file())
}

/// The public Vietnamese trust anchors and intermediates.
pub fn trust_vn_dir() -> Option<PathBuf> {
    shared_dir()
        .map(|dir| dir.join("trust-vn"))
        .filter(|dir| dir.is_dir())
}

/// The virtual environment's `bin` folder where `setup-peers` installed pyHanko.
pub fn peers_bin() -> Option<PathBuf> {
    let venv = std::env::var_os("PEERS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/opt/vanthu-peers"));
    let bin = venv.join("bin");
    bin.join("pyhanko").is_file().then_some(bin)
}

/// `../shared/tools/peer-verify`, usable only once the peers are installed.
pub fn peer_verify() -> Option<PathBuf> {
    peers_bin()?;
    tool("pdfsig")?;
    tool("qpdf")?;
    tool("certutil")?;
    let script = shared_dir()?.join("tools/peer-verify");
    script.is_file().then_some(script)
}

/// A command on `PATH`.
pub fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// The PostgreSQL server the behaviour tests also run against (`VANTHU_TEST_POSTGRES_URL`).
pub fn postgres_url() -> Option<String> {
    std::env::var("VANTHU_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
}
