//! The engine's error type and WFDB reader, compiled from the engine's own source files,
//! plus the helpers the fuzz targets share.

#[path = "../../plugin/src/error.rs"]
pub mod error;
#[path = "../../plugin/src/wfdb/mod.rs"]
pub mod wfdb;

pub use error::{Error, Result};

use std::path::{Path, PathBuf};

use wfdb::{Record, Resolution};

/// A directory private to this fuzzing process (in memory where the system offers it).
pub fn scratch() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("haresnet-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Writes a record (header text and one signal file) and reads everything from it:
/// whole record, a sub-range (checked against the whole read), physical values and the
/// checksums. Errors are fine; panics and disagreements are bugs.
pub fn exercise_record(header: &str, dat: &[u8], range: (u64, u64)) {
    let dir = scratch();
    std::fs::write(dir.join("f.hea"), header).expect("write header");
    std::fs::write(dir.join("f.dat"), dat).expect("write signal file");
    let Ok(rec) = Record::open(dir.join("f")) else {
        return;
    };
    let all: Vec<usize> = (0..rec.n_sig()).collect();
    let n = rec.sig_len().min(1 << 16);
    let Ok(whole) = rec.read_digital_channels(&all, 0, n, Resolution::PerSignal) else {
        return;
    };
    let (a, b) = (range.0.min(n), range.0.saturating_add(range.1).min(n));
    let part = rec
        .read_digital_channels(&all, a, b, Resolution::PerSignal)
        .expect("a sub-range of a readable range reads");
    for (i, p) in part.iter().enumerate() {
        let spf = rec.signals()[i].samples_per_frame as usize;
        assert_eq!(&p[..], &whole[i][a as usize * spf..b as usize * spf]);
    }
    let _ = rec.read_physical_channels(&all, a, b, Resolution::Expanded);
    let _ = rec.verify();
}

/// Parses an annotation file and checks that re-encoding what was read reproduces it.
pub fn exercise_annotations(bytes: &[u8]) {
    let Ok(file) = wfdb::parse_annotations(bytes, Path::new("f.atr")) else {
        return;
    };
    if let Ok(encoded) = wfdb::encode_annotations(360.0, &file.annotations) {
        let back = wfdb::parse_annotations(&encoded, Path::new("re.atr")).expect("re-read");
        assert_eq!(back.annotations, file.annotations);
    }
}
