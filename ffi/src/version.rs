//! Library and ABI versions. The header's `HARESNET_VERSION_*` and `HARESNET_ABI_VERSION`
//! macros come from the same `Cargo.toml` version (written by `build.rs`).

use std::ffi::c_char;

/// Parses a decimal version component at compile time.
const fn parse(s: &str) -> u32 {
    let bytes = s.as_bytes();
    let mut value = 0u32;
    let mut i = 0;
    while i < bytes.len() {
        assert!(
            bytes[i].is_ascii_digit(),
            "version component is not a number"
        );
        value = value * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    value
}

pub(crate) const MAJOR: u32 = parse(env!("CARGO_PKG_VERSION_MAJOR"));
pub(crate) const MINOR: u32 = parse(env!("CARGO_PKG_VERSION_MINOR"));
/// `major << 16 | minor`: callers compiled against the same major version work with any
/// later minor version.
pub(crate) const ABI_VERSION: u32 = (MAJOR << 16) | MINOR;

/// The library version, `"MAJOR.MINOR.PATCH"`, as a static NUL-terminated string that
/// must not be freed. Never fails. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn haresnet_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI version of the library, `(MAJOR << 16) | MINOR`: compare its major part
/// (`>> 16`) with that of `HARESNET_ABI_VERSION` from the header the caller was compiled
/// against and refuse a mismatch. Never fails. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn haresnet_abi_version() -> u32 {
    ABI_VERSION
}
