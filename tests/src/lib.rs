//! Host-style access to the haresnet C ABI for the tests: the shared library loaded at run
//! time with `libloading` (as MATLAB's `loadlibrary` and LabVIEW do), every function looked
//! up by name, handles as untyped pointers; plus the fixtures and a weights file.

use std::ffi::{CStr, CString, c_char, c_void};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use engine::model::HaResNetConfig;
use engine::weights::{ModelCard, WeightSet, WeightsFile};
use libloading::Library;

/// Any handle, as a host without the header's types sees it.
pub type Handle = *mut c_void;

pub const OK: i32 = 0;
pub const NULL_ARGUMENT: i32 = 1;
pub const INVALID_ARGUMENT: i32 = 2;
pub const BUFFER_TOO_SMALL: i32 = 3;
pub const IO: i32 = 4;
pub const FORMAT: i32 = 5;
pub const MODEL: i32 = 6;
pub const WRONG_HANDLE: i32 = 7;
pub const NOT_FOUND: i32 = 8;
pub const PANIC: i32 = 9;

/// `haresnet_model_options`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct ModelOptions {
    pub struct_size: u32,
    pub threads: u32,
}

/// `haresnet_classify_options`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct ClassifyOptions {
    pub struct_size: u32,
    pub invalid_samples: i32,
    pub hop_seconds: f64,
    pub smoothing_half_life_seconds: f64,
}

/// `haresnet_classify_options` as callers compiled against the first header have it.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct ClassifyOptionsV1 {
    pub struct_size: u32,
    pub invalid_samples: i32,
    pub hop_seconds: f64,
}

/// `haresnet_write_options`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy)]
pub struct WriteOptions {
    pub struct_size: u32,
    pub base_year: i32,
    pub base_month: i32,
    pub base_day: i32,
    pub base_time_seconds: f64,
}

pub const INVALID_SAMPLES_DEFAULT: i32 = 0;
pub const INVALID_SAMPLES_REFUSE: i32 = 1;
pub const INVALID_SAMPLES_SKIP: i32 = 2;

type Str = *const c_char;
type OutStr = *mut c_char;

macro_rules! api {
    ($($name:ident: fn($($arg:ty),* $(,)?) $(-> $ret:ty)?;)*) => {
        /// Every exported function, looked up by name.
        pub struct Api {
            $(pub $name: unsafe extern "C" fn($($arg),*) $(-> $ret)?,)*
            _library: Library,
        }

        impl Api {
            /// Loads the library at `path` and looks up every function.
            pub fn load(path: &Path) -> Result<Api, libloading::Error> {
                // SAFETY: loading runs no initialisers with preconditions, and each symbol
                // is given the signature the header declares.
                unsafe {
                    let library = Library::new(path)?;
                    $(let $name = *library.get::<unsafe extern "C" fn($($arg),*) $(-> $ret)?>(
                        concat!(stringify!($name), "\0").as_bytes())?;)*
                    Ok(Api { $($name,)* _library: library })
                }
            }

            /// Every exported function's name.
            pub const NAMES: &[&str] = &[$(stringify!($name)),*];
        }
    };
}

api! {
    haresnet_version: fn() -> Str;
    haresnet_abi_version: fn() -> u32;
    haresnet_status_str: fn(i32) -> Str;
    haresnet_last_error: fn(OutStr, usize, *mut usize) -> i32;
    haresnet_model_options_init: fn(*mut ModelOptions, usize) -> i32;
    haresnet_classify_options_init: fn(*mut ClassifyOptions, usize) -> i32;
    haresnet_model_load_embedded: fn(u32, Str, *const ModelOptions, *mut Handle) -> i32;
    haresnet_model_load_file: fn(Str, *const ModelOptions, *mut Handle) -> i32;
    haresnet_model_free: fn(Handle);
    haresnet_model_num_classes: fn(Handle, *mut u32) -> i32;
    haresnet_model_class_name: fn(Handle, u32, OutStr, usize, *mut usize) -> i32;
    haresnet_model_rate: fn(Handle, *mut f64) -> i32;
    haresnet_model_segment_seconds: fn(Handle, *mut f64) -> i32;
    haresnet_model_segment_len: fn(Handle, f64, *mut usize) -> i32;
    haresnet_model_segment_count: fn(Handle, usize, f64, *const ClassifyOptions, *mut usize) -> i32;
    haresnet_model_card_json: fn(Handle, OutStr, usize, *mut usize) -> i32;
    haresnet_model_classify: fn(Handle, *const f32, usize, f64, *const ClassifyOptions,
        *mut i64, *mut i32, *mut f32, *mut f32, usize, *mut usize) -> i32;
    haresnet_model_classify_segment: fn(Handle, *const f32, usize, f64, *mut i32, *mut f32,
        usize, *mut f32) -> i32;
    haresnet_stream_new: fn(Handle, f64, *const ClassifyOptions, *mut Handle) -> i32;
    haresnet_stream_push: fn(Handle, *const f32, usize) -> i32;
    haresnet_stream_ready: fn(Handle, *mut usize) -> i32;
    haresnet_stream_read: fn(Handle, *mut i64, *mut i32, *mut f32, *mut f32, usize,
        *mut usize) -> i32;
    haresnet_stream_free: fn(Handle);
    haresnet_record_open: fn(Str, *mut Handle) -> i32;
    haresnet_record_free: fn(Handle);
    haresnet_record_num_signals: fn(Handle, *mut u32) -> i32;
    haresnet_record_length: fn(Handle, *mut u64) -> i32;
    haresnet_record_fs: fn(Handle, *mut f64) -> i32;
    haresnet_record_signal_name: fn(Handle, u32, OutStr, usize, *mut usize) -> i32;
    haresnet_record_signal_units: fn(Handle, u32, OutStr, usize, *mut usize) -> i32;
    haresnet_record_signal_gain: fn(Handle, u32, *mut f64) -> i32;
    haresnet_record_signal_rate: fn(Handle, u32, *mut f64) -> i32;
    haresnet_record_find_signal: fn(Handle, Str, *mut u32) -> i32;
    haresnet_record_read: fn(Handle, u32, u64, u64, *mut f32, usize, *mut usize) -> i32;
    haresnet_record_classify: fn(Handle, Handle, Str, *const ClassifyOptions, *mut i64,
        *mut i32, *mut f32, *mut f32, usize, *mut usize) -> i32;
    haresnet_annotations_read: fn(Str, Str, *mut Handle) -> i32;
    haresnet_annotations_free: fn(Handle);
    haresnet_annotations_count: fn(Handle, *mut usize) -> i32;
    haresnet_annotations_fields: fn(Handle, *mut i64, *mut i32, *mut i32, *mut i32, *mut i32,
        usize, *mut usize) -> i32;
    haresnet_annotations_symbol: fn(Handle, usize, OutStr, usize, *mut usize) -> i32;
    haresnet_annotations_aux: fn(Handle, usize, OutStr, usize, *mut usize) -> i32;
    haresnet_annotations_write_rhythm: fn(Handle, Str, Str, f64, *const i64, *const i32,
        usize) -> i32;
    haresnet_summarize: fn(Handle, f64, u64, *const i64, *const i32, usize, *mut f64, usize,
        *mut f64, *mut f64) -> i32;
    haresnet_detect_r_peaks: fn(*const f32, usize, f64, *mut i64, usize, *mut usize) -> i32;
    haresnet_write_options_init: fn(*mut WriteOptions, usize) -> i32;
    haresnet_record_write: fn(Str, f64, u32, u64, *const f64, *const i32, *const i32,
        *const f64, *const i32, Str, Str, Str, *const WriteOptions) -> i32;
    haresnet_record_write_copy: fn(Handle, Str, i32, *const u32, usize, u64, u64, i32) -> i32;
    haresnet_annotations_write: fn(Str, Str, f64, *const i64, *const i32, *const i32,
        *const i32, *const i32, Str, usize) -> i32;
    haresnet_annotation_code: fn(Str, *mut i32) -> i32;
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The directory of the build profile that built this test binary
/// (`<target>/<profile>`), where the shared library is.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    // <target>/<profile>/deps/<test binary>, or <target>/<profile>/<program> for the
    // crate's own programs.
    let dir = exe.parent().expect("binaries live in a directory");
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.parent()
            .expect("deps/ is inside the profile")
            .to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

/// Path of the shared library built beside the tests.
pub fn library_path() -> PathBuf {
    profile_dir().join(format!(
        "{}haresnet{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ))
}

/// How to build the library the tests load.
const BUILD_HINT: &str = "build it first with `cargo build --workspace --features haresnet/cli \
     --lib --tests` (what `make test` does): `cargo test` builds the test targets, not \
     necessarily the `cdylib`";

/// The library, loaded once per test process. Refused when missing or older than the
/// sources it is built from, so that a test never passes against a stale build.
pub fn api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let path = library_path();
        let built = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or_else(|e| panic!("{}: {e}; {BUILD_HINT}", path.display()));
        let root = workspace_root();
        for dir in [
            "ffi/src",
            "ffi/build.rs",
            "ffi/Cargo.toml",
            "plugin/src",
            "plugin/weights",
        ] {
            if let Some(newer) = newer_than(&root.join(dir), built) {
                panic!(
                    "{} is older than {}; {BUILD_HINT}",
                    path.display(),
                    newer.display()
                );
            }
        }
        Api::load(&path)
            .unwrap_or_else(|e| panic!("cannot load {}: {e}; {BUILD_HINT}", path.display()))
    })
}

/// A file under `path` (or `path` itself) modified after `time`. The command-line tool's
/// sources (`plugin/src/bin`) are not the library's: cargo does not relink the library
/// when they change, so they would leave it "stale" for good.
fn newer_than(path: &Path, time: std::time::SystemTime) -> Option<PathBuf> {
    if path.ends_with("plugin/src/bin") {
        return None;
    }
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_dir() {
        std::fs::read_dir(path)
            .ok()?
            .flatten()
            .find_map(|e| newer_than(&e.path(), time))
    } else {
        meta.modified()
            .ok()
            .filter(|&m| m > time)
            .map(|_| path.to_path_buf())
    }
}

/// The calling thread's last error message, through `haresnet_last_error`.
pub fn last_error() -> String {
    let api = api();
    let mut len = 0usize;
    // SAFETY: size query with a NULL buffer and cap 0, as documented.
    let status = unsafe { (api.haresnet_last_error)(std::ptr::null_mut(), 0, &mut len) };
    assert!(
        status == OK || status == BUFFER_TOO_SMALL,
        "status {status}"
    );
    let mut buf = vec![0u8; len + 1];
    // SAFETY: `buf` holds `len + 1` bytes.
    let status = unsafe { (api.haresnet_last_error)(buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    assert_eq!(status, OK);
    CStr::from_bytes_until_nul(&buf)
        .expect("NUL-terminated")
        .to_string_lossy()
        .into_owned()
}

/// Asserts that `status` is `want` and, for a failure, that the last error mentions each
/// of `words`; returns the message.
#[track_caller]
pub fn expect(status: i32, want: i32, words: &[&str]) -> String {
    let message = if status == OK {
        String::new()
    } else {
        last_error()
    };
    assert_eq!(status, want, "status {status}, expected {want}: {message}");
    for w in words {
        assert!(message.contains(w), "{message:?} does not mention {w:?}");
    }
    message
}

/// A C string.
pub fn c(s: &str) -> CString {
    CString::new(s).expect("no NUL inside")
}

/// A C string from a path.
pub fn c_path(p: &Path) -> CString {
    c(p.to_str().expect("test paths are UTF-8"))
}

/// The committed fixture records (`fixtures/records/`).
pub fn fixture(name: &str) -> PathBuf {
    workspace_root().join("fixtures/records").join(name)
}

/// A small untrained network for 5 s segments, written once per process as a weights
/// file (a trained one is embedded in release builds; the tests assert structure,
/// statuses and consistency, which an untrained network has too). Small so that
/// thousands of classifications stay fast.
pub fn weights_file() -> &'static Path {
    static FILE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &FILE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let path = dir.path().join("rhythm-5s-test.hrn");
            write_weights(&path, 5.0, 7);
            (dir, path)
        })
        .1
}

/// Writes an untrained network for segments of `seconds` as a weights file.
pub fn write_weights(path: &Path, seconds: f64, seed: u64) {
    let network = HaResNetConfig::new(5)
        .with_embed_channels(4)
        .with_stage_channels(vec![4, 8])
        .with_stage_blocks(vec![1, 1])
        .with_lstm_hidden(4)
        .with_rr_features(engine::dsp::N_RR)
        .with_rr_hidden(vec![8]);
    let card = ModelCard::rhythm(
        &format!("rhythm-{seconds}s-untrained"),
        WeightSet::All,
        seconds,
        network,
    );
    let device = engine::model::device::inference_device();
    let model = card
        .network
        .init_seeded(&device, seed)
        .expect("a valid configuration");
    let file = WeightsFile {
        weights: engine::model::to_bytes(&model).expect("weights encode"),
        card,
    };
    file.write(path).expect("the weights file is written");
}

/// Loads [`weights_file`] through the C ABI.
pub fn load_model() -> Handle {
    let api = api();
    let mut model: Handle = std::ptr::null_mut();
    let path = c_path(weights_file());
    // SAFETY: valid string and out pointer; NULL options mean defaults.
    let status =
        unsafe { (api.haresnet_model_load_file)(path.as_ptr(), std::ptr::null(), &mut model) };
    expect(status, OK, &[]);
    assert!(!model.is_null());
    model
}

/// Opens a fixture record through the C ABI.
pub fn open_record(name: &str) -> Handle {
    let api = api();
    let mut record: Handle = std::ptr::null_mut();
    let path = c_path(&fixture(name));
    // SAFETY: valid string and out pointer.
    let status = unsafe { (api.haresnet_record_open)(path.as_ptr(), &mut record) };
    expect(status, OK, &[]);
    record
}

/// Results of a classification as the C ABI returns them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Results {
    pub starts: Vec<i64>,
    pub labels: Vec<i32>,
    pub probabilities: Vec<f32>,
    pub heart_rates: Vec<f32>,
}

impl Results {
    /// Arrays for `n` segments of `classes` classes.
    pub fn with_capacity(n: usize, classes: usize) -> Self {
        Self {
            starts: vec![-7; n],
            labels: vec![-7; n],
            probabilities: vec![-7.0; n * classes],
            heart_rates: vec![-7.0; n],
        }
    }

    /// Keeps the first `n` segments.
    pub fn truncate(&mut self, n: usize, classes: usize) {
        self.starts.truncate(n);
        self.labels.truncate(n);
        self.probabilities.truncate(n * classes);
        self.heart_rates.truncate(n);
    }

    /// Equality that treats NaN as equal to NaN (bit-identical results).
    pub fn same_as(&self, other: &Results) -> bool {
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        self.starts == other.starts
            && self.labels == other.labels
            && bits(&self.probabilities) == bits(&other.probabilities)
            && bits(&self.heart_rates) == bits(&other.heart_rates)
    }
}

/// The number of classes of a model.
// Handles go to the library, which checks them, as a host's would.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn num_classes(model: Handle) -> usize {
    let mut n = 0u32;
    // SAFETY: live model, valid out pointer.
    expect(
        unsafe { (api().haresnet_model_num_classes)(model, &mut n) },
        OK,
        &[],
    );
    n as usize
}

/// Classifies `samples` through `haresnet_model_classify`, sizing the arrays first.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
pub fn classify(
    model: Handle,
    samples: &[f32],
    fs: f64,
    opts: Option<&ClassifyOptions>,
) -> Results {
    let api = api();
    let classes = num_classes(model);
    let opts = opts.map_or(std::ptr::null(), |o| o as *const _);
    let mut n = 0usize;
    // SAFETY: valid arguments; NULL arrays with cap 0 ask for the count.
    let status = unsafe {
        (api.haresnet_model_classify)(
            model,
            samples.as_ptr(),
            samples.len(),
            fs,
            opts,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
            &mut n,
        )
    };
    expect(status, BUFFER_TOO_SMALL, &[]);
    let mut r = Results::with_capacity(n, classes);
    let mut written = 0usize;
    // SAFETY: each array holds `n` segments.
    let status = unsafe {
        (api.haresnet_model_classify)(
            model,
            samples.as_ptr(),
            samples.len(),
            fs,
            opts,
            r.starts.as_mut_ptr(),
            r.labels.as_mut_ptr(),
            r.probabilities.as_mut_ptr(),
            r.heart_rates.as_mut_ptr(),
            n,
            &mut written,
        )
    };
    expect(status, OK, &[]);
    assert_eq!(written, n);
    r
}

/// Reads a string through one of the `(buf, cap, out_len)` functions, given as a closure
/// over those three arguments.
pub fn read_string(f: impl Fn(*mut c_char, usize, *mut usize) -> i32) -> Result<String, i32> {
    let mut len = 0usize;
    let status = f(std::ptr::null_mut(), 0, &mut len);
    if status != BUFFER_TOO_SMALL {
        return Err(status);
    }
    let mut buf = vec![0x55u8; len + 1];
    let mut len2 = 0usize;
    let status = f(buf.as_mut_ptr().cast(), buf.len(), &mut len2);
    if status != OK {
        return Err(status);
    }
    assert_eq!(len, len2);
    assert_eq!(buf[len], 0, "NUL-terminated");
    Ok(String::from_utf8(buf[..len].to_vec()).expect("UTF-8"))
}
