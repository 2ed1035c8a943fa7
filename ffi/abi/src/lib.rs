//! The interface between haresnet's shared library and Rust hosts that load it at run time
//! with `abi_stable`: the root module ([`HaresnetModRef`]) the library exports and the
//! types its functions exchange. `abi_stable` checks the module's layout and version when
//! it loads the library, so a host built against another major version is refused instead
//! of crashing.
//!
//! ```no_run
//! use abi_stable::library::RootModule;
//! use haresnet_abi::HaresnetModRef;
//!
//! let module = HaresnetModRef::load_from_file("target/release/libharesnet.so".as_ref())?;
//! // Errors cross the boundary as `RString` messages.
//! let model = module.load_embedded()(5, "all".into()).into_result().map_err(String::from)?;
//! let signal = vec![0.0f32; 3600];
//! let segments = model.classify(signal.as_slice().into(), 360.0).into_result().map_err(String::from)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// `#[sabi_trait]` (abi_stable 0.11.3) expands to impls inside a generated module.
#![allow(non_local_definitions)]

use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::std_types::{RBox, RResult, RSlice, RStr, RString, RVec};
use abi_stable::{StableAbi, declare_root_module_statics, package_version_strings, sabi_trait};

/// The result for one segment, as the C ABI's arrays give it.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct Segment {
    /// First sample of the segment.
    pub start: u64,
    /// Class index, -1 when the segment was not analysable.
    pub label: i32,
    /// One probability per class; NaN when not analysable.
    pub probabilities: RVec<f32>,
    /// Mean heart rate in beats per minute, NaN when unknown.
    pub heart_rate_bpm: f32,
}

/// A loaded model. Shareable between threads.
#[sabi_trait]
pub trait Model: Send + Sync {
    /// Class names, in the order of [`Segment::probabilities`].
    fn labels(&self) -> RVec<RString>;

    /// Segment duration in seconds.
    fn segment_seconds(&self) -> f64;

    /// Classifies a whole signal: samples of one lead in mV at `fs` Hz (NaN refused).
    #[sabi(last_prefix_field)]
    fn classify(&self, samples: RSlice<'_, f32>, fs: f64) -> RResult<RVec<Segment>, RString>;

    /// The model card, what the loaded weights are (labels, preprocessing, smoothing,
    /// training, metrics), as the JSON of the cards shipped beside the weights; the same
    /// text as `haresnet_model_card_json` in C.
    ///
    /// Added after the first version: a library from before it has no such method, and
    /// `abi_stable` then runs this default (empty: no card known) instead of panicking.
    fn card_json(&self) -> RString {
        RString::new()
    }
}

/// A model behind an `abi_stable` trait object.
pub type ModelBox = Model_TO<'static, RBox<()>>;

/// The functions a Rust host needs, exported by the library as its root module.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = HaresnetModRef)))]
#[sabi(missing_field(panic))]
pub struct HaresnetMod {
    /// The library version, `MAJOR.MINOR.PATCH`.
    pub version: extern "C" fn() -> RString,
    /// `(MAJOR << 16) | MINOR`, as `haresnet_abi_version()` in C.
    pub abi_version: extern "C" fn() -> u32,
    /// The embedded weights for segments of the given seconds, from a weight set
    /// (`"all"` or `"ds1"`).
    pub load_embedded: extern "C" fn(u32, RStr<'_>) -> RResult<ModelBox, RString>,
    /// A model from a weights file (`.hrn`).
    #[sabi(last_prefix_field)]
    pub load_file: extern "C" fn(RStr<'_>) -> RResult<ModelBox, RString>,
}

impl RootModule for HaresnetModRef {
    declare_root_module_statics! {HaresnetModRef}
    const BASE_NAME: &'static str = "haresnet";
    const NAME: &'static str = "haresnet";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}
