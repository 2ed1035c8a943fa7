//! Training: the `rhythm` task's labels, the dataset of each protocol, augmentation, the
//! trainer (seeded, resumable, patient-wise validation) and the rhythm-branch pre-training.
//!
//! Behind the `train` feature; the library users load only needs `classify`.

pub mod atrial_stage;
pub mod augment;
pub mod batch;
pub mod config;
pub mod context;
pub mod corpus;
pub mod cv;
pub mod dataset;
pub mod ensemble;
pub mod logistic;
pub mod noise;
pub mod quality;
pub mod recorded_noise;
pub mod rhythm;
pub mod rr;
pub mod sampler;
pub mod semi_synthetic;
pub mod ship;
pub mod split;
pub mod trainer;

pub use augment::Augment;
pub use config::{Recipe, TrainConfig, Validation};
pub use context::ContextTable;
pub use corpus::{Corpus, Lead, RecordData, Segment, Skipped, class_counts, list_records};
pub use dataset::{Dataset, DatasetSummary, HeldOut, SplitCounts};
pub use rhythm::{N_CLASSES, Rhythm, Timeline};
pub use split::Protocol;
