#![no_main]
//! The annotation parser on arbitrary bytes, and the writer on what it reads.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| haresnet_fuzz::exercise_annotations(data));
