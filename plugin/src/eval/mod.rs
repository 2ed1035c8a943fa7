//! Evaluation: metrics over a confusion matrix and the evaluation of a model on a split.
//!
//! Behind the `train` feature.

pub mod metrics;
pub mod predict;

pub use metrics::{ClassMetrics, ConfusionMatrix, MIN_SUPPORT, Report, group_table};
pub use predict::{argmax, probabilities, score};
