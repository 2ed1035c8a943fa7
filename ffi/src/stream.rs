//! Streams: samples pushed in chunks of any size, each segment's result ready as soon as
//! its last sample has arrived.

use std::collections::VecDeque;

use engine::{SegmentResult, Stream};

use crate::boundary::{self, Opaque};
use crate::model::{self, haresnet_classify_options, haresnet_model};
use crate::results::Outputs;

pub(crate) const TAG: u32 = 0x4852_5354;

/// A classification stream over one lead.
///
/// Thread safety: a stream is used by one thread at a time (it may move between threads).
pub struct haresnet_stream {
    _opaque: [u8; 0],
}

/// A stream and the results it produced that the caller has not read yet.
pub(crate) struct StreamState {
    stream: Stream,
    ready: VecDeque<SegmentResult>,
}

impl Opaque for haresnet_stream {
    type Inner = StreamState;
    const TAG: u32 = TAG;
    const NAME: &'static str = "haresnet_stream";
    const ARG: &'static str = "stream";
}

/// Creates a stream classifying samples of one lead at `fs` Hz (at least 100 Hz) with
/// `model`, with options `opts` (NULL for defaults: consecutive segments, NaN or infinite
/// samples refused).
///
/// The stream keeps the model alive: the model may be freed first. On success `*out`
/// receives the stream, to be freed with `haresnet_stream_free`; on failure `*out` is
/// set to NULL.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`out` NULL);
/// `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (bad `fs` or
/// options).
///
/// # Safety
///
/// `model` is NULL or a live model; `opts` is NULL or initialised; `out` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_stream_new(
    model: *const haresnet_model,
    fs: f64,
    opts: *const haresnet_classify_options,
    out: *mut *mut haresnet_stream,
) -> i32 {
    boundary::call("haresnet_stream_new", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let out = boundary::out(out, "out")?;
            *out = std::ptr::null_mut();
            let classifier = model::model(model)?;
            let stream = classifier.stream(fs, &model::classify_options(opts, false)?)?;
            *out = boundary::new_handle::<haresnet_stream>(StreamState {
                stream,
                ready: VecDeque::new(),
            });
        }
        Ok(())
    })
}

/// Adds `n` samples (mV) to the stream and classifies every segment they complete; read
/// the results with `haresnet_stream_read`. With invalid samples refused (the default), a
/// chunk holding a NaN or infinite sample is refused whole and the stream is left as it
/// was.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`samples` NULL with
/// `n > 0`); `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_INVALID_ARGUMENT` (NaN or
/// infinite samples, naming the first by its index in the stream);
/// `HARESNET_STATUS_MODEL`.
///
/// # Safety
///
/// `stream` is NULL or a live stream used by no other thread; `samples` holds `n` floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_stream_push(
    stream: *mut haresnet_stream,
    samples: *const f32,
    n: usize,
) -> i32 {
    boundary::call("haresnet_stream_push", || {
        // SAFETY: the caller's contract, for every argument.
        let (state, samples) = unsafe {
            (
                boundary::handle_mut::<haresnet_stream>(stream, "stream")?,
                boundary::slice(samples, n, "samples")?,
            )
        };
        let results = state.stream.push(samples)?;
        state.ready.extend(results);
        Ok(())
    })
}

/// Ends the stream: the row of its tail, when samples remain after its last complete
/// segment, becomes ready to read (the last segment-long window of what was pushed, a
/// short segment when less than a segment was pushed in all, or a
/// `HARESNET_SEGMENT_TOO_SHORT` row), as `haresnet_model_classify` gives it for the whole
/// signal. Pushing after this is `HARESNET_STATUS_INVALID_ARGUMENT`; finishing twice adds
/// nothing.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_MODEL`.
///
/// # Safety
///
/// `stream` is NULL or a live stream used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_stream_finish(stream: *mut haresnet_stream) -> i32 {
    boundary::call("haresnet_stream_finish", || {
        // SAFETY: the caller's contract.
        let state = unsafe { boundary::handle_mut::<haresnet_stream>(stream, "stream") }?;
        let results = state.stream.finish()?;
        state.ready.extend(results);
        Ok(())
    })
}

/// Copies the status (`HARESNET_SEGMENT_*`) and signal quality (in [0, 1], NaN when not
/// judged) of every ready result into the caller's arrays (either may be NULL), without
/// moving the results: call it before `haresnet_stream_read`, which moves them. When
/// `cap` is smaller than the number ready, the call returns
/// `HARESNET_STATUS_BUFFER_TOO_SMALL` with that number in `*out_count`.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`out_count` NULL);
/// `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `stream` is NULL or a live stream used by no other thread; each non-NULL array is
/// writable for `cap` entries; `out_count` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_stream_read_status(
    stream: *const haresnet_stream,
    statuses: *mut i32,
    qualities: *mut f32,
    cap: usize,
    out_count: *mut usize,
) -> i32 {
    let outputs = Outputs {
        starts: std::ptr::null_mut(),
        labels: std::ptr::null_mut(),
        probabilities: std::ptr::null_mut(),
        heart_rates: std::ptr::null_mut(),
        statuses,
        qualities,
        cap,
        out_count,
    };
    boundary::call("haresnet_stream_read_status", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let state = boundary::handle::<haresnet_stream>(stream, "stream")?;
            let ready: Vec<SegmentResult> = state.ready.iter().cloned().collect();
            outputs.write(&ready, 0, 0)
        }
    })
}

/// The number of results ready to be read, into `*out_count`.
///
/// Returns `HARESNET_STATUS_OK`, `HARESNET_STATUS_NULL_ARGUMENT` or
/// `HARESNET_STATUS_WRONG_HANDLE`.
///
/// # Safety
///
/// `stream` is NULL or a live stream used by no other thread; `out_count` is NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_stream_ready(
    stream: *const haresnet_stream,
    out_count: *mut usize,
) -> i32 {
    boundary::call("haresnet_stream_ready", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let state = boundary::handle::<haresnet_stream>(stream, "stream")?;
            boundary::write(out_count, state.ready.len(), "out_count")
        }
    })
}

/// Moves every ready result into the caller's arrays, as `haresnet_model_classify` fills
/// them (starts count from the first sample pushed; any array may be NULL). When `cap` is
/// smaller than the number ready, the call returns `HARESNET_STATUS_BUFFER_TOO_SMALL` with
/// that number in `*out_count` and keeps the results. `*out_count` is 0 when none are
/// ready.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`out_count` NULL);
/// `HARESNET_STATUS_WRONG_HANDLE`; `HARESNET_STATUS_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `stream` is NULL or a live stream used by no other thread; each non-NULL array is
/// writable for `cap` segments (`cap * num_classes` floats for `probabilities`);
/// `out_count` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_stream_read(
    stream: *mut haresnet_stream,
    starts: *mut i64,
    labels: *mut i32,
    probabilities: *mut f32,
    heart_rates: *mut f32,
    cap: usize,
    out_count: *mut usize,
) -> i32 {
    let outputs = Outputs {
        starts,
        labels,
        probabilities,
        heart_rates,
        statuses: std::ptr::null_mut(),
        qualities: std::ptr::null_mut(),
        cap,
        out_count,
    };
    boundary::call("haresnet_stream_read", || {
        // SAFETY: the caller's contract, for every argument.
        unsafe {
            let state = boundary::handle_mut::<haresnet_stream>(stream, "stream")?;
            let classes = state.stream.classifier().num_classes();
            outputs.write(state.ready.make_contiguous(), classes, 0)?;
            // Written: the results are the caller's now.
            state.ready.clear();
        }
        Ok(())
    })
}

/// Frees a stream (and the results not read). NULL is accepted and ignored; a handle of
/// another kind is left alone (the last error says so). Must not be called twice.
///
/// # Safety
///
/// `stream` is NULL or a stream from `haresnet_stream_new`, used by no other thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_stream_free(stream: *mut haresnet_stream) {
    // SAFETY: the caller's contract.
    unsafe { boundary::free_handle("haresnet_stream_free", stream) }
}
