//! Shared helpers of the WFDB integration tests: where the fixtures and the shared data
//! live, and the skip-or-fail rule for absent data.
#![allow(dead_code)]

use std::path::PathBuf;

/// Root of the workspace.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `fixtures/` of the repository.
pub fn fixtures() -> PathBuf {
    workspace().join("fixtures")
}

/// A subdirectory of the shared data directory (`HARESNET_DATA`, default
/// `<workspace>/../shared/data`), or `None` with a notice when it is absent. Under `CI`
/// absence is a failure.
pub fn data_dir(sub: &str) -> Option<PathBuf> {
    let root = std::env::var_os("HARESNET_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/data"));
    let dir = root.join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} is missing (CI is set, so the data must be present)",
            dir.display()
        );
    }
    eprintln!(
        "notice: {} not found; set HARESNET_DATA to the shared data directory. Skipping.",
        dir.display()
    );
    None
}
