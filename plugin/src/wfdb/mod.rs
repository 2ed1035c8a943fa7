//! Our own reader and writer of PhysioNet's WFDB format: headers (`.hea`), signal files in
//! every storage format (written in the common ones), and annotation files. It knows
//! nothing of the model.
//!
//! ```no_run
//! use haresnet::wfdb::{self, Record};
//! let rec = Record::open("mitdb/100")?;
//! let mlii = rec.channel_index("MLII").expect("record 100 has MLII");
//! let mv = rec.read_physical(mlii, 0, rec.sig_len())?;
//! let beats = wfdb::read_annotations("mitdb/100", "atr")?;
//! println!("{} samples, {} annotations, first: {}", mv.len(), beats.len(), beats[0].symbol());
//! # Ok::<(), haresnet::Error>(())
//! ```

pub mod annotation;
pub mod codes;
pub mod edf;
mod flac;
pub mod format;
pub mod header;
mod multiseg;
mod record;
pub mod search;
mod signal;
pub mod write;

pub use annotation::{
    Annotation, AnnotationFile, CustomLabel, annotation_path, code_of_symbol, encode_annotations,
    parse_annotations, read_annotation_file, read_annotations, write_annotations,
};
pub use format::Format;
pub use header::{BaseDate, BaseTime, Header, SegmentSpec, SignalSpec};
pub use record::{Record, Resolution, record_base};
pub use write::{RecordOut, Samples, SignalOut, write_record};
