//! The engine's error type and WFDB reader, compiled from the engine's own source files,
//! plus the helpers the fuzz targets share.

#[path = "../../plugin/src/error.rs"]
pub mod error;
#[path = "../../plugin/src/files.rs"]
pub mod files;
#[path = "../../plugin/src/wfdb/mod.rs"]
pub mod wfdb;

pub use error::{Error, Result};

use std::path::{Path, PathBuf};

use wfdb::{Record, Resolution};

/// Whether the input classes of bugs already found, which the targets skip so that the
/// rest is fuzzed, are tried too: set `HARESNET_FUZZ_KNOWN_BUGS` to run the reproducers
/// in `artifacts-found/`.
pub fn known_bugs() -> bool {
    static SET: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SET.get_or_init(|| std::env::var_os("HARESNET_FUZZ_KNOWN_BUGS").is_some())
}

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

/// What the targets past the reader share: the engine's embedded classifiers, loaded once
/// per process.
#[cfg(feature = "engine")]
pub mod engine {
    use std::sync::OnceLock;

    use haresnet::weights::WeightSet;
    use haresnet::{Backend, Classifier, ClassifierOptions};

    /// Segment lengths of the embedded weights.
    pub const SECONDS: [u32; 3] = [2, 5, 10];

    /// The embedded classifier for `SECONDS[pick % 3]`, weight set `ds1` or `all`, run by
    /// the burn model or the inference path.
    pub fn classifier(pick: usize, ds1: bool, burn: bool) -> &'static Classifier {
        static LOADED: [OnceLock<Classifier>; 12] = [const { OnceLock::new() }; 12];
        let i = pick % 3 + 3 * usize::from(ds1) + 6 * usize::from(burn);
        LOADED[i].get_or_init(|| {
            let set = if ds1 { WeightSet::Ds1 } else { WeightSet::All };
            let options = ClassifierOptions {
                backend: if burn { Backend::Burn } else { Backend::Fast },
                ..ClassifierOptions::default()
            };
            Classifier::embedded_with(SECONDS[pick % 3], set, &options)
                .expect("the embedded weights load")
        })
    }
}
