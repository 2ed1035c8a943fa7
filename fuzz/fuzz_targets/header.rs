#![no_main]
//! The header parser on arbitrary bytes.

use haresnet_fuzz::wfdb::Header;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Header::parse(data, std::path::Path::new("f.hea"));
});
