//! The WFDB search path: where a record named by a relative path (`mitdb/100`) is looked
//! for when it is not found as given, read from the `WFDB` environment variable as the
//! WFDB C library reads it (local folders only).
//!
//! - Components are separated by spaces, tabs, newlines, `;` or `:` (a `:` followed by
//!   `//` belongs to a URL). An empty component or `.` is the current folder.
//! - A value `@FILE` is replaced by the contents of the local file FILE (trailing newlines
//!   removed), up to 10 levels deep, as the C library does.
//! - URL components (`https://...`) are left out: this reader opens local files only.
//!   [`SearchPath::ignored`] lists them, for a caller to say so.
//! - A path that exists as given, or an absolute path, is used as given: the search path
//!   only adds places to look, so setting `WFDB` never hides a file named directly.
//! - A record found in a folder of the path takes its signal files from beside its header
//!   (the C library searches the path for each file; records keep their files together).

use std::path::{Path, PathBuf};

/// The environment variable that holds the search path.
pub const WFDB_ENV: &str = "WFDB";
/// How many `@FILE` indirections are followed.
const MAX_INDIRECTIONS: usize = 10;

/// A parsed search path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchPath {
    /// Local folders, in order (`.` for the current folder).
    pub folders: Vec<PathBuf>,
    /// Components that are not local folders (URLs), left out.
    pub ignored: Vec<String>,
}

impl SearchPath {
    /// The search path in the `WFDB` environment variable (empty when it is unset).
    pub fn from_env() -> Self {
        std::env::var(WFDB_ENV)
            .map(|v| Self::parse(&v))
            .unwrap_or_default()
    }

    /// Parses a search path's value, following `@FILE` indirections.
    pub fn parse(value: &str) -> Self {
        let mut value = value.to_string();
        for _ in 0..MAX_INDIRECTIONS {
            let Some(file) = value.strip_prefix('@') else {
                break;
            };
            // An unreadable file gives an empty path, as in the C library.
            value = std::fs::read_to_string(file)
                .map(|s| s.trim_end_matches(['\n', '\r']).to_string())
                .unwrap_or_default();
        }
        if value.starts_with('@') {
            return Self::default();
        }
        let mut out = Self::default();
        for component in split(&value) {
            if component.contains("://") {
                out.ignored.push(component);
            } else if component.is_empty() {
                out.folders.push(PathBuf::from("."));
            } else {
                out.folders.push(PathBuf::from(component));
            }
        }
        out
    }

    /// The first of `path` as given and `path` under each folder for which `exists` holds;
    /// `path` as given when none does or when it is absolute.
    pub fn find(&self, path: &Path, exists: impl Fn(&Path) -> bool) -> PathBuf {
        if path.is_absolute() || exists(path) {
            return path.to_path_buf();
        }
        self.folders
            .iter()
            .map(|f| f.join(path))
            .find(|p| exists(p))
            .unwrap_or_else(|| path.to_path_buf())
    }
}

/// The components of a search path: split at whitespace, `;` and `:` not starting `://`.
fn split(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut current = String::new();
    let mut started = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = value[i..].chars().next().unwrap_or(' ');
        let end = match c {
            ' ' | '\t' | '\n' | '\r' => {
                // Runs of whitespace separate components without making empty ones.
                if started {
                    out.push(std::mem::take(&mut current));
                    started = false;
                }
                i += 1;
                continue;
            }
            ';' => true,
            ':' => !value[i..].starts_with("://"),
            _ => false,
        };
        if end {
            out.push(std::mem::take(&mut current));
            started = false;
        } else {
            current.push(c);
            started = true;
        }
        i += c.len_utf8();
    }
    if started {
        out.push(current);
    }
    out
}

/// The record `path` names, searched for through the `WFDB` path when it does not exist
/// as given: a header `<path>.hea` (or the path's own header, as
/// [`record_base`](super::record_base) reads it) or an EDF file.
pub fn find_record(path: &Path) -> PathBuf {
    SearchPath::from_env().find(path, record_exists)
}

/// A file (an annotation file) searched for through the `WFDB` path when it does not
/// exist as given.
pub fn find_file(path: &Path) -> PathBuf {
    SearchPath::from_env().find(path, Path::is_file)
}

fn record_exists(path: &Path) -> bool {
    if super::edf::is_edf_path(path) && path.is_file() {
        return true;
    }
    let mut h = super::record_base(path).into_os_string();
    h.push(".hea");
    Path::new(&h).is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_as_the_wfdb_library_splits_them() {
        let p = SearchPath::parse(". /data/db:/other;rel  https://example.org/db\tlast");
        assert_eq!(
            p.folders,
            [".", "/data/db", "/other", "rel", "last"]
                .map(PathBuf::from)
                .to_vec()
        );
        assert_eq!(p.ignored, vec!["https://example.org/db".to_string()]);
        // An empty component (two separators) is the current folder.
        assert_eq!(
            SearchPath::parse("a::b").folders,
            ["a", ".", "b"].map(PathBuf::from).to_vec()
        );
        assert_eq!(SearchPath::parse("").folders, Vec::<PathBuf>::new());
    }

    #[test]
    fn indirection_and_search() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        std::fs::create_dir_all(db.join("mitdb")).unwrap();
        std::fs::write(db.join("mitdb/100.hea"), "100 0 360\n").unwrap();
        std::fs::write(db.join("mitdb/100.atr"), "").unwrap();
        let list = dir.path().join("path.txt");
        std::fs::write(&list, format!("/nowhere {}\n", db.display())).unwrap();
        let p = SearchPath::parse(&format!("@{}", list.display()));
        assert_eq!(p.folders, vec![PathBuf::from("/nowhere"), db.clone()]);
        assert_eq!(
            p.find(Path::new("mitdb/100"), record_exists),
            db.join("mitdb/100")
        );
        assert_eq!(
            p.find(Path::new("mitdb/100.atr"), Path::is_file),
            db.join("mitdb/100.atr")
        );
        // Not found anywhere: the path as given, for the error to name.
        assert_eq!(
            p.find(Path::new("mitdb/999"), record_exists),
            PathBuf::from("mitdb/999")
        );
        // A missing indirection file gives an empty path.
        assert_eq!(SearchPath::parse("@/no/such/file"), SearchPath::default());
    }
}
