//! The C ABI of haresnet (`libharesnet.so` / `.dylib` / `haresnet.dll`, and a static
//! library), described by the generated header `include/haresnet.h`.
//!
//! This crate only translates between C and the engine (`haresnet`): argument checks,
//! copies into caller buffers, status codes. Conventions, binding for every function:
//! - every fallible function returns an `int32_t` status (`HARESNET_STATUS_OK` = 0) and
//!   records a message for `haresnet_last_error` on failure;
//! - handles are created through `T **out` and freed with `haresnet_<t>_free`, which
//!   accepts NULL; each carries a kind tag checked on every call;
//! - outputs come last and are written only on success; buffers belong to the caller;
//! - every body runs inside [`boundary::call`], which catches panics.

// C names (`haresnet_model`) and C signatures (a classification takes its arrays
// one by one, as MATLAB and LabVIEW pass them).
#![allow(non_camel_case_types, clippy::too_many_arguments)]

mod abi;
mod boundary;
mod results;

// The header follows this order (kept apart so that formatting does not sort them).
pub mod status;

pub mod version;

pub mod model;

pub mod stream;

pub mod record;

pub mod annotations;

pub mod summary;

pub mod beats;

pub mod write;
