//! The one way in from C: every exported body runs in [`call`], which catches panics (a
//! host such as MATLAB or LabVIEW must survive them), turns failures into status codes
//! and records the message for `haresnet_last_error`. Also the checked conversions of raw
//! arguments (pointers, slices, strings, handles, options structures) and the writers of
//! caller buffers.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::status::{
    HARESNET_STATUS_BUFFER_TOO_SMALL, HARESNET_STATUS_OK, HARESNET_STATUS_PANIC,
    HARESNET_STATUS_WRONG_HANDLE,
};

/// Why a call failed: its status code and message.
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: i32,
    pub message: String,
}

impl Failure {
    pub(crate) fn new(status: i32, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

pub(crate) type Outcome = Result<(), Failure>;

thread_local! {
    /// The only mutable state of the library: each thread's last error message.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

pub(crate) fn last_error() -> String {
    LAST_ERROR
        .try_with(|e| e.borrow().clone())
        .unwrap_or_default()
}

fn set_last_error(message: String) {
    // During thread teardown the slot may be gone; the status code still reports the failure.
    let _ = LAST_ERROR.try_with(|e| *e.borrow_mut() = message);
}

/// Runs the body of the exported function `function`: its status, with the message of a
/// failure or a caught panic recorded as the thread's last error, prefixed with the name.
pub(crate) fn call(function: &'static str, body: impl FnOnce() -> Outcome) -> i32 {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        test_hook::maybe_panic(function);
        body()
    }));
    match outcome {
        Ok(Ok(())) => HARESNET_STATUS_OK,
        Ok(Err(f)) => {
            set_last_error(format!("{function}: {}", f.message));
            f.status
        }
        Err(payload) => {
            set_last_error(format!(
                "{function}: internal error (panic): {}",
                panic_message(payload)
            ));
            HARESNET_STATUS_PANIC
        }
    }
}

/// [`call`] for `haresnet_last_error`, whose own failures must not replace the message
/// it exists to report.
pub(crate) fn call_quiet(body: impl FnOnce() -> Outcome) -> i32 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => HARESNET_STATUS_OK,
        Ok(Err(f)) => f.status,
        Err(payload) => {
            drop_quietly(payload);
            HARESNET_STATUS_PANIC
        }
    }
}

/// Runs a body that has no status to return (destructors), swallowing a panic.
pub(crate) fn call_void(function: &'static str, body: impl FnOnce()) {
    let status = call(function, || {
        body();
        Ok(())
    });
    debug_assert!(status == HARESNET_STATUS_OK || status == HARESNET_STATUS_PANIC);
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let message = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    };
    drop_quietly(payload);
    message
}

/// Drops a panic payload, whose own `Drop` may panic in turn.
fn drop_quietly(payload: Box<dyn Any + Send>) {
    let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
}

/// The test-only hook that proves a panic does not reach the host: in builds with debug
/// assertions (what `cargo test` builds), when the environment variable
/// `HARESNET_TEST_PANIC` names an exported function at the first call of the process,
/// every call of that function panics inside the boundary. Release builds compile it out.
mod test_hook {
    #[cfg(debug_assertions)]
    pub(super) fn maybe_panic(function: &str) {
        static TARGET: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
        let target = TARGET.get_or_init(|| std::env::var("HARESNET_TEST_PANIC").ok());
        if target.as_deref() == Some(function) {
            panic!("HARESNET_TEST_PANIC asked {function} to panic");
        }
    }

    #[cfg(not(debug_assertions))]
    #[inline(always)]
    pub(super) fn maybe_panic(_function: &str) {}
}

/// An input array of `len` elements; NULL is accepted when `len` is 0.
///
/// # Safety
///
/// `ptr` is NULL or valid for reads of `len` elements for `'a`.
pub(crate) unsafe fn slice<'a, T>(
    ptr: *const T,
    len: usize,
    argument: &str,
) -> Result<&'a [T], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    check_array(ptr, len, argument)?;
    // SAFETY: checked non-NULL, aligned and within isize::MAX bytes; valid by contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An optional output array of `len` elements: `None` for NULL.
///
/// # Safety
///
/// `ptr` is NULL or valid for writes of `len` elements for `'a`, not aliased.
pub(crate) unsafe fn out_slice<'a, T>(
    ptr: *mut T,
    len: usize,
    argument: &str,
) -> Result<Option<&'a mut [T]>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    if len == 0 {
        return Ok(Some(&mut []));
    }
    check_array(ptr.cast_const(), len, argument)?;
    // SAFETY: as in `slice`, for writes.
    Ok(Some(unsafe { std::slice::from_raw_parts_mut(ptr, len) }))
}

fn check_array<T>(ptr: *const T, len: usize, argument: &str) -> Result<(), Failure> {
    if ptr.is_null() {
        return Err(Failure::null(argument));
    }
    check_aligned(ptr, argument)?;
    if len
        .checked_mul(size_of::<T>())
        .is_none_or(|bytes| bytes > isize::MAX as usize)
    {
        return Err(Failure::invalid(format!(
            "{argument}: {len} elements exceed the address space"
        )));
    }
    Ok(())
}

fn check_aligned<T>(ptr: *const T, argument: &str) -> Result<(), Failure> {
    if !ptr.is_aligned() {
        return Err(Failure::invalid(format!(
            "{argument} is not aligned to {} bytes",
            align_of::<T>()
        )));
    }
    Ok(())
}

/// A C options structure that may grow: fields are only ever added at its end, so each
/// earlier layout is a prefix of the current one.
///
/// # Safety
///
/// Implemented only by `#[repr(C)]` structures of fixed-width scalars (any bytes make a
/// valid value) whose first field is `uint32_t struct_size`, with [`Self::LAYOUTS`]
/// ascending and ending with `size_of::<Self>()`.
pub(crate) unsafe trait Options: Copy {
    /// The size of each layout callers may have been compiled against, oldest first.
    const LAYOUTS: &'static [usize];

    /// The defaults, with `struct_size` set to `struct_size`.
    fn defaults(struct_size: u32) -> Self;
}

/// The layout of `T` that a caller's structure of `size` bytes holds: the largest that
/// fits, so that a field is read or written only when the caller has all of it.
fn layout<T: Options>(size: usize) -> Option<usize> {
    debug_assert_eq!(T::LAYOUTS.last(), Some(&size_of::<T>()));
    T::LAYOUTS.iter().rev().copied().find(|&l| l <= size)
}

/// Fills the caller's options structure of `size` bytes (`sizeof *opts` as the caller
/// compiled it) with the defaults of the fields its layout has, and records that layout's
/// size in `struct_size`.
///
/// # Safety
///
/// `ptr` is NULL or valid for writes of `size` bytes.
pub(crate) unsafe fn init_options<T: Options>(ptr: *mut T, size: usize, argument: &str) -> Outcome {
    if ptr.is_null() {
        return Err(Failure::null(argument));
    }
    check_aligned(ptr.cast_const(), argument)?;
    let len = layout::<T>(size).ok_or_else(|| {
        Failure::invalid(format!(
            "size {size} is smaller than any layout of the structure ({} bytes at least): pass \
             sizeof *{argument}",
            T::LAYOUTS[0]
        ))
    })?;
    let value = T::defaults(len as u32);
    // SAFETY: `len <= size` bytes are writable by contract, `len <= size_of::<T>()`; a
    // reference to `*ptr` would claim all of `T`, which an older caller's structure lacks.
    unsafe {
        std::ptr::copy_nonoverlapping((&raw const value).cast::<u8>(), ptr.cast::<u8>(), len)
    };
    Ok(())
}

/// An optional options structure: the defaults for NULL, else the fields its
/// `struct_size` declares, over the defaults of the fields added since.
///
/// # Safety
///
/// `ptr` is NULL or valid for reads of its `struct_size` bytes.
pub(crate) unsafe fn options<T: Options>(
    ptr: *const T,
    argument: &str,
) -> Result<Option<T>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    check_aligned(ptr, argument)?;
    // SAFETY: every layout starts with the u32 `struct_size`; aligned, readable by contract.
    let struct_size = unsafe { ptr.cast::<u32>().read() };
    let len = layout::<T>(struct_size as usize).ok_or_else(|| {
        Failure::invalid(format!(
            "{argument}->struct_size is {struct_size}, expected at least {}: initialise the \
             structure with its _init function",
            T::LAYOUTS[0]
        ))
    })?;
    let mut value = T::defaults(struct_size);
    // SAFETY: `len <= struct_size` bytes are readable by contract and `len <= size_of::<T>()`;
    // whole fields of plain scalars, so any bytes make a valid value.
    unsafe { std::ptr::copy_nonoverlapping(ptr.cast::<u8>(), (&raw mut value).cast::<u8>(), len) };
    Ok(Some(value))
}

/// A required NUL-terminated UTF-8 string.
///
/// # Safety
///
/// `ptr` is NULL or points to a NUL-terminated string valid for `'a`.
pub(crate) unsafe fn string<'a>(ptr: *const c_char, argument: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(argument));
    }
    // SAFETY: non-NULL and NUL-terminated by contract.
    unsafe { CStr::from_ptr(ptr) }
        .to_str()
        .map_err(|e| Failure::invalid(format!("{argument} is not valid UTF-8: {e}")))
}

/// An optional string: `None` for NULL.
///
/// # Safety
///
/// As [`string`].
pub(crate) unsafe fn opt_string<'a>(
    ptr: *const c_char,
    argument: &str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { string(ptr, argument) }.map(Some)
}

/// Writes `value` to a required output pointer.
///
/// # Safety
///
/// `ptr` is NULL or valid for writes of a `T`.
pub(crate) unsafe fn write<T>(ptr: *mut T, value: T, argument: &str) -> Outcome {
    // SAFETY: forwarded contract.
    let out = unsafe { out(ptr, argument) }?;
    *out = value;
    Ok(())
}

/// A required output pointer, checked before any work so that a NULL fails fast.
///
/// # Safety
///
/// `ptr` is NULL or valid for writes of a `T` for `'a`, not aliased.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T, argument: &str) -> Result<&'a mut T, Failure> {
    check_aligned(ptr.cast_const(), argument)?;
    // SAFETY: forwarded contract.
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(argument))
}

/// An optional output pointer: `None` for NULL.
///
/// # Safety
///
/// As [`out`].
pub(crate) unsafe fn out_opt<'a, T>(
    ptr: *mut T,
    argument: &str,
) -> Result<Option<&'a mut T>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded contract.
    unsafe { out(ptr, argument) }.map(Some)
}

/// Copies `s` and a NUL into `buf` when it fits (`cap > s.len()`); otherwise leaves `buf`
/// alone and fails with `BUFFER_TOO_SMALL`. `*out_len` gets `s.len()` either way.
///
/// # Safety
///
/// `buf` is NULL or valid for writes of `cap` bytes; `out_len` is NULL or writable.
pub(crate) unsafe fn write_str(
    s: &str,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> Outcome {
    // SAFETY: forwarded contract.
    let (out_len, buf) = unsafe { string_buffer(buf, cap, out_len) }?;
    *out_len = s.len();
    match buf {
        Some(buf) if buf.len() > s.len() => {
            copy_str(s, buf);
            Ok(())
        }
        _ => Err(Failure::new(
            HARESNET_STATUS_BUFFER_TOO_SMALL,
            format!("buffer of {cap} bytes, {} needed", s.len() + 1),
        )),
    }
}

/// [`write_str`], but a short buffer receives as much of `s` as fits (cut at a character
/// boundary), NUL-terminated.
///
/// # Safety
///
/// As [`write_str`].
pub(crate) unsafe fn write_truncated(
    s: &str,
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> Outcome {
    // SAFETY: forwarded contract.
    let (out_len, buf) = unsafe { string_buffer(buf, cap, out_len) }?;
    *out_len = s.len();
    let Some(buf) = buf else {
        return Err(Failure::new(
            HARESNET_STATUS_BUFFER_TOO_SMALL,
            "empty buffer",
        ));
    };
    if buf.len() > s.len() {
        copy_str(s, buf);
        return Ok(());
    }
    let mut end = buf.len() - 1;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    copy_str(&s[..end], buf);
    Err(Failure::new(
        HARESNET_STATUS_BUFFER_TOO_SMALL,
        "message truncated",
    ))
}

/// `out_len` and, when `cap > 0`, the buffer as bytes.
///
/// # Safety
///
/// As [`write_str`].
unsafe fn string_buffer<'a>(
    buf: *mut c_char,
    cap: usize,
    out_len: *mut usize,
) -> Result<(&'a mut usize, Option<&'a mut [u8]>), Failure> {
    // SAFETY: forwarded contract.
    let out_len = unsafe { out(out_len, "out_len") }?;
    if cap == 0 {
        return Ok((out_len, None));
    }
    // SAFETY: forwarded contract.
    let buf =
        unsafe { out_slice(buf.cast::<u8>(), cap, "buf") }?.ok_or_else(|| Failure::null("buf"))?;
    Ok((out_len, Some(buf)))
}

fn copy_str(s: &str, buf: &mut [u8]) {
    buf[..s.len()].copy_from_slice(s.as_bytes());
    buf[s.len()] = 0;
}

/// The Rust side of an opaque C handle type.
pub(crate) trait Opaque {
    /// What the handle holds.
    type Inner;
    /// The kind tag stored at the start of every handle of this type.
    const TAG: u32;
    /// The C type name, for messages.
    const NAME: &'static str;
    /// The name of the handle argument of the functions on this type.
    const ARG: &'static str;
}

/// What a handle points to: the kind tag first (at the same offset for every kind, so a
/// handle of the wrong kind is recognised before anything else is read), then the value.
#[repr(C)]
struct Handle<T> {
    tag: u32,
    value: T,
}

/// Tag written into a handle as it is freed, so that a second free or a use after free is
/// often caught as `WRONG_HANDLE` rather than corrupting memory (never guaranteed).
const FREED: u32 = 0xDEAD_0000;

/// Names of the tags, for messages about wrong handles.
fn tag_name(tag: u32) -> &'static str {
    use crate::{annotations, model, record, stream};
    match tag {
        model::TAG => "haresnet_model",
        record::TAG => "haresnet_record",
        stream::TAG => "haresnet_stream",
        annotations::TAG => "haresnet_annotations",
        FREED => "a freed handle",
        _ => "not a haresnet handle",
    }
}

/// Moves `value` into a new handle.
pub(crate) fn new_handle<C: Opaque>(value: C::Inner) -> *mut C {
    Box::into_raw(Box::new(Handle { tag: C::TAG, value })).cast()
}

/// Checks the tag of a non-NULL handle pointer.
///
/// # Safety
///
/// `ptr` is NULL or points to a live handle made by [`new_handle`].
unsafe fn check_tag<C: Opaque>(ptr: *const C, argument: &str) -> Outcome {
    if ptr.is_null() {
        return Err(Failure::null(argument));
    }
    let tag_ptr = ptr.cast::<u32>();
    if !tag_ptr.is_aligned() || !ptr.cast::<Handle<C::Inner>>().is_aligned() {
        return Err(Failure::new(
            HARESNET_STATUS_WRONG_HANDLE,
            format!("{argument} is not a {} (misaligned pointer)", C::NAME),
        ));
    }
    // SAFETY: every handle starts with its u32 tag (`Handle` is repr(C)).
    let tag = unsafe { tag_ptr.read() };
    if tag != C::TAG {
        return Err(Failure::new(
            HARESNET_STATUS_WRONG_HANDLE,
            format!("{argument} is not a {}: it is {}", C::NAME, tag_name(tag)),
        ));
    }
    Ok(())
}

/// The value behind a handle, shared.
///
/// # Safety
///
/// `ptr` is NULL or points to a live handle made by [`new_handle`] for `'a`.
pub(crate) unsafe fn handle<'a, C: Opaque>(
    ptr: *const C,
    argument: &str,
) -> Result<&'a C::Inner, Failure> {
    // SAFETY: forwarded contract; the tag proves the type.
    unsafe {
        check_tag(ptr, argument)?;
        Ok(&(*ptr.cast::<Handle<C::Inner>>()).value)
    }
}

/// The value behind a handle, exclusive.
///
/// # Safety
///
/// As [`handle`], and no other reference to the handle is live (one thread at a time).
pub(crate) unsafe fn handle_mut<'a, C: Opaque>(
    ptr: *mut C,
    argument: &str,
) -> Result<&'a mut C::Inner, Failure> {
    // SAFETY: forwarded contract; the tag proves the type.
    unsafe {
        check_tag(ptr, argument)?;
        Ok(&mut (*ptr.cast::<Handle<C::Inner>>()).value)
    }
}

/// The shape of every property getter: the value behind the handle, `body` computing the
/// property, the result written to `out`.
///
/// # Safety
///
/// `ptr` is NULL or a live handle made by [`new_handle`]; `out` is NULL or writable.
pub(crate) unsafe fn accessor<C: Opaque, T>(
    function: &'static str,
    ptr: *const C,
    out: *mut T,
    body: impl FnOnce(&C::Inner) -> Result<T, Failure>,
) -> i32 {
    call(function, || {
        // SAFETY: forwarded contract.
        unsafe {
            let value = handle(ptr, C::ARG)?;
            let out = self::out(out, "out")?;
            *out = body(value)?;
        }
        Ok(())
    })
}

/// Frees a handle: NULL is ignored, a handle of another kind is refused (recorded as the
/// last error) and left alone.
///
/// # Safety
///
/// `ptr` is NULL or a handle made by [`new_handle`], not used afterwards.
pub(crate) unsafe fn free_handle<C: Opaque>(function: &'static str, ptr: *mut C) {
    if ptr.is_null() {
        return;
    }
    call_void(function, || {
        // SAFETY: forwarded contract.
        if let Err(f) = unsafe { check_tag(ptr, "handle") } {
            set_last_error(format!("{function}: {}", f.message));
            return;
        }
        let handle = ptr.cast::<Handle<C::Inner>>();
        // SAFETY: the tag proves `ptr` came from `new_handle::<C>`.
        unsafe {
            (*handle).tag = FREED;
            drop(Box::from_raw(handle));
        }
    });
}
