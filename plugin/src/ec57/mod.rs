//! Comparison of a detector's annotations with reference annotations as ANSI/AAMI EC57
//! prescribes it: beat by beat for QRS detectors ([`beats`], as the WFDB `bxb` program
//! computes it) and episode by episode for atrial fibrillation detectors ([`af`], as the
//! WFDB `epicmp -a` program computes it).

pub mod af;
pub mod beats;

pub use beats::{
    BeatMatch, LEARNING_PERIOD_S, MATCH_WINDOW_S, Options, RecordScore, Reference, Totals, compare,
    test_beats,
};
