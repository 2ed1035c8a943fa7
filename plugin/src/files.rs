//! Opening the files a record names, which are input like any other: regular files only
//! (a FIFO or a device would block or never end), sizes checked against documented caps
//! before anything is read, and names a file gives confined to the record's folder unless
//! the caller opts in.
//!
//! Every file the reader opens goes through here, so the rules hold in every front end.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::{Error, Result};

/// Largest header file read: a multi-segment header of about 30,000 segments.
pub const MAX_HEADER_BYTES: u64 = 1 << 20;
/// Largest annotation file read (about 8 million annotations, some 300 MB in memory):
/// beat annotations of two months of continuous ECG.
pub const MAX_ANNOTATION_BYTES: u64 = 16 << 20;
/// Largest weights file read (the shipped ones are under 1 MB).
pub const MAX_WEIGHTS_BYTES: u64 = 256 << 20;
/// Environment variable that lets file names in headers reach outside the record's folder
/// (`1`), as a WFDB search path would.
pub const ALLOW_OUTSIDE_ENV: &str = "HARESNET_ALLOW_OUTSIDE_FOLDER";

/// Opens `path` for reading if it is a regular file (after following links). A FIFO is
/// opened without blocking and refused, so a name that points at one cannot hang the
/// caller.
pub fn open_regular(path: &Path) -> Result<File> {
    open_regular_len(path).map(|(file, _)| file)
}

/// [`open_regular`] and the file's length, from the one `fstat` that checks its type.
fn open_regular_len(path: &Path) -> Result<(File, u64)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading otherwise waits for a writer; on a regular file the
        // flag changes nothing.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::format(path, None, "not a regular file"));
    }
    Ok((file, meta.len()))
}

/// The whole of the regular file `path`, refused when it is larger than `cap` bytes
/// (`what` names the kind of file in the message).
pub fn read_capped(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>> {
    let (file, len) = open_regular_len(path)?;
    if len > cap {
        return Err(Error::format(
            path,
            None,
            format!("{len} bytes, more than the {cap} bytes a {what} may have"),
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // `take` bounds the read even if the file grows while it is read.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > cap {
        return Err(Error::format(
            path,
            None,
            format!("grew past the {cap} bytes a {what} may have while it was read"),
        ));
    }
    Ok(bytes)
}

/// Whether names in headers may reach outside the record's folder.
fn outside_allowed() -> bool {
    std::env::var_os(ALLOW_OUTSIDE_ENV).is_some_and(|v| v == "1")
}

/// `dir.join(name)` for a file name read from `referrer` (a header), refused when the name
/// is absolute or climbs out of `dir` with `..`, unless [`ALLOW_OUTSIDE_ENV`] is `1`.
/// `what` names the field in the message (`signal 0 file`, `segment 3`).
pub fn confined(dir: &Path, name: &str, referrer: &Path, what: &str) -> Result<PathBuf> {
    let inside = Path::new(name)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside && !outside_allowed() {
        return Err(Error::format(
            referrer,
            None,
            format!(
                "{what} `{name}` lies outside the record's folder (absolute or with `..`); \
                 set {ALLOW_OUTSIDE_ENV}=1 to allow it"
            ),
        ));
    }
    Ok(dir.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_confined_to_the_folder() {
        let dir = Path::new("data");
        let hea = Path::new("data/r.hea");
        assert_eq!(
            confined(dir, "r.dat", hea, "file").unwrap(),
            Path::new("data/r.dat")
        );
        assert_eq!(
            confined(dir, "sub/r.dat", hea, "file").unwrap(),
            Path::new("data/sub/r.dat")
        );
        for bad in ["../r.dat", "sub/../../r.dat", "/etc/passwd"] {
            let e = confined(dir, bad, hea, "signal 0 file").unwrap_err();
            assert!(e.to_string().contains("outside the record's folder"), "{e}");
        }
    }

    #[test]
    fn only_regular_files_open() {
        let dir = tempfile::tempdir().unwrap();
        let e = open_regular(dir.path()).unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let f = dir.path().join("f");
        std::fs::write(&f, b"0123456789").unwrap();
        assert_eq!(read_capped(&f, 10, "test file").unwrap().len(), 10);
        let e = read_capped(&f, 9, "test file").unwrap_err().to_string();
        assert!(
            e.contains("more than the 9 bytes a test file may have"),
            "{e}"
        );
    }
}
