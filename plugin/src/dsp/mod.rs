//! Signal processing: everything between samples in physical units and the model's input.
//!
//! The pipeline (see [`Preprocessor`]) works on one segment at a time, so a segment's
//! result depends only on its own samples:
//!
//! 1. [`resample`] the segment from its input rate to the model rate (250 Hz);
//! 2. [`filter`]: zero-phase Butterworth band-pass (0.5–40 Hz);
//! 3. [`qrs`]: R peaks on the filtered signal, [`ectopy`] the beats unlike the dominant
//!    one, and [`rr`] rhythm features from them;
//! 4. [`normalize`] to zero mean and unit variance (flat and non-finite segments guarded);
//! 5. [`fold`] to a 2-D image of overlapping windows.
//!
//! Each prepared segment also carries its signal-quality indices ([`quality`]), from which
//! the classifier judges whether it can be read at all, and, when the weights have an atrial
//! stage, the features it reads: the atrial activity between the beats ([`atrial`]) and the
//! width and rate of the QRS complexes ([`ventricular`]).
//!
//! Apart from the pipeline, [`beats`] finds the R peaks of a whole signal of any length
//! (the beats themselves, for users; the classifier detects each segment alone).
//!
//! This module knows nothing of files or of the model.

pub mod atrial;
pub mod beats;
pub mod ectopy;
pub mod filter;
pub mod fold;
pub mod normalize;
mod pipeline;
pub mod qrs;
pub mod quality;
pub mod resample;
pub mod rr;
pub mod segment;
pub mod ventricular;

pub use beats::{BeatDetector, detect_record};
pub use pipeline::{
    MAX_INPUT_RATE_HZ, MIN_INPUT_RATE_HZ, OLDEST_PREPROCESS_VERSION, PREPROCESS_VERSION, Prepared,
    PreprocessConfig, Preprocessor,
};
pub use rr::{
    Morphology, N_RR, N_RR_CONTEXT, N_RR_V2, N_RR_V3, RR_CONTEXT_S, RrContext, SegmentPeaks,
};
pub use segment::{SegmentRanges, Tail, segment_len, segment_ranges, tail};
