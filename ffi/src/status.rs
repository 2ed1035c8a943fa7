//! Status codes, their names, and the calling thread's last error message.

use std::ffi::c_char;

use crate::boundary::{self, Failure};

/// Success.
pub const HARESNET_STATUS_OK: i32 = 0;
/// A required pointer argument was NULL.
pub const HARESNET_STATUS_NULL_ARGUMENT: i32 = 1;
/// An argument is out of its domain: NaN samples, a sampling rate below 100 Hz, an empty
/// signal, an index out of range, a string that is not UTF-8, weights
/// not embedded in this build...
pub const HARESNET_STATUS_INVALID_ARGUMENT: i32 = 2;
/// A caller buffer is too small; the size needed was written to the `out_len` (or
/// `out_count`) argument.
pub const HARESNET_STATUS_BUFFER_TOO_SMALL: i32 = 3;
/// A file could not be opened, read or written.
pub const HARESNET_STATUS_IO: i32 = 4;
/// A WFDB file (header, signal or annotation file) is malformed.
pub const HARESNET_STATUS_FORMAT: i32 = 5;
/// A weights file or model is unusable.
pub const HARESNET_STATUS_MODEL: i32 = 6;
/// A handle of another kind was passed (a record where a model is expected...).
pub const HARESNET_STATUS_WRONG_HANDLE: i32 = 7;
/// No such item (a signal name absent from the record).
pub const HARESNET_STATUS_NOT_FOUND: i32 = 8;
/// An internal error (a panic) was caught; the library remains usable.
pub const HARESNET_STATUS_PANIC: i32 = 9;

/// The name of a status code, e.g. `"HARESNET_STATUS_BUFFER_TOO_SMALL"`, as a static
/// NUL-terminated string; `"HARESNET_STATUS_UNKNOWN"` for a code this version does not
/// know. Never NULL, never fails; the string must not be freed. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn haresnet_status_str(status: i32) -> *const c_char {
    let s: &'static [u8] = match status {
        HARESNET_STATUS_OK => b"HARESNET_STATUS_OK\0",
        HARESNET_STATUS_NULL_ARGUMENT => b"HARESNET_STATUS_NULL_ARGUMENT\0",
        HARESNET_STATUS_INVALID_ARGUMENT => b"HARESNET_STATUS_INVALID_ARGUMENT\0",
        HARESNET_STATUS_BUFFER_TOO_SMALL => b"HARESNET_STATUS_BUFFER_TOO_SMALL\0",
        HARESNET_STATUS_IO => b"HARESNET_STATUS_IO\0",
        HARESNET_STATUS_FORMAT => b"HARESNET_STATUS_FORMAT\0",
        HARESNET_STATUS_MODEL => b"HARESNET_STATUS_MODEL\0",
        HARESNET_STATUS_WRONG_HANDLE => b"HARESNET_STATUS_WRONG_HANDLE\0",
        HARESNET_STATUS_NOT_FOUND => b"HARESNET_STATUS_NOT_FOUND\0",
        HARESNET_STATUS_PANIC => b"HARESNET_STATUS_PANIC\0",
        _ => b"HARESNET_STATUS_UNKNOWN\0",
    };
    s.as_ptr().cast()
}

/// Copies the message of the calling thread's last failed call (empty if none has
/// failed) into `buf`, NUL-terminated.
///
/// The message stays until the next failure on the same thread; successful calls leave it
/// alone, so check status codes, not the message. `*out_len` receives the message's length
/// in bytes without the NUL: `buf` needs `*out_len + 1` bytes. A shorter buffer (`cap > 0`)
/// receives as much of the message as fits, always NUL-terminated, and the call returns
/// `HARESNET_STATUS_BUFFER_TOO_SMALL`; `buf` may be NULL when `cap` is 0 (size query).
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_BUFFER_TOO_SMALL`, or
/// `HARESNET_STATUS_NULL_ARGUMENT` (`out_len` NULL, or `buf` NULL with `cap > 0`); a
/// failure of this function does not replace the message it reports.
///
/// # Safety
///
/// `buf` must point to `cap` writable bytes (or be NULL with `cap` 0); `out_len` must
/// point to a writable `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_last_error(
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call_quiet(|| {
        let message = boundary::last_error();
        // SAFETY: the caller's contract above.
        unsafe { boundary::write_truncated(&message, buf, cap, out_len) }
    })
}

impl Failure {
    /// A NULL pointer where one is required.
    pub(crate) fn null(argument: &str) -> Self {
        Failure::new(HARESNET_STATUS_NULL_ARGUMENT, format!("{argument} is NULL"))
    }

    /// An argument out of its domain.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Failure::new(HARESNET_STATUS_INVALID_ARGUMENT, message)
    }

    /// A caller buffer of `cap` elements where `needed` are required.
    pub(crate) fn too_small(argument: &str, cap: usize, needed: usize) -> Self {
        Failure::new(
            HARESNET_STATUS_BUFFER_TOO_SMALL,
            format!("{argument} holds {cap}, {needed} needed"),
        )
    }
}

impl From<engine::Error> for Failure {
    fn from(e: engine::Error) -> Self {
        let status = match e.kind() {
            engine::ErrorKind::Io => HARESNET_STATUS_IO,
            engine::ErrorKind::Format => HARESNET_STATUS_FORMAT,
            engine::ErrorKind::InvalidArgument => HARESNET_STATUS_INVALID_ARGUMENT,
            engine::ErrorKind::Model => HARESNET_STATUS_MODEL,
        };
        Failure::new(status, e.to_string())
    }
}
