//! haresnet: an ECG rhythm classifier (HA-ResNet) with its own WFDB reader.
//!
//! Module boundaries: [`wfdb`] and [`dsp`] know nothing of the model; `model` and `infer`
//! know nothing of files; `classify` joins them. The C ABI lives in the `haresnet-ffi`
//! crate and only translates.

pub mod atrial_stage;
pub mod classify;
pub mod dsp;
pub mod ec57;
pub mod error;
#[cfg(feature = "train")]
pub mod eval;
pub mod files;
pub mod holter;
pub mod infer;
pub mod model;
pub mod report;
pub mod rhythm;
pub mod smoothing;
pub mod summary;
#[cfg(feature = "train")]
pub mod train;
pub mod weights;
pub mod wfdb;

pub use classify::{
    Backend, Classifier, ClassifierOptions, ClassifyOptions, SegmentResult, Stream,
};
pub use error::{Error, ErrorKind, Result};
pub use wfdb::{Annotation, Record, read_annotations, write_annotations};
