//! The modules of the C ABI (`ffi/src/lib.rs`), each from its own source file, at the crate
//! root where their `crate::` paths expect them. The `abi_stable` root module (`abi.rs`)
//! is left out: it is not part of the C ABI.

#![allow(non_camel_case_types, clippy::too_many_arguments)]

#[path = "../../ffi/src/boundary.rs"]
mod boundary;
#[path = "../../ffi/src/results.rs"]
mod results;

#[path = "../../ffi/src/annotations.rs"]
pub mod annotations;
#[path = "../../ffi/src/beats.rs"]
pub mod beats;
#[path = "../../ffi/src/model.rs"]
pub mod model;
#[path = "../../ffi/src/record.rs"]
pub mod record;
#[path = "../../ffi/src/status.rs"]
pub mod status;
#[path = "../../ffi/src/stream.rs"]
pub mod stream;
#[path = "../../ffi/src/summary.rs"]
pub mod summary;
#[path = "../../ffi/src/version.rs"]
pub mod version;
