//! The QRS detector alone: the R peaks of a whole signal, for acquisition software that
//! wants the beats without the classifier.

use engine::dsp::BeatDetector;

use crate::boundary::{self, Failure};

/// Detects the R peaks of a whole signal: `n` samples of one ECG lead in mV at `fs` Hz
/// (100 Hz to 1 MHz), as `haresnet beats` detects them in a record. No model is needed.
///
/// `peaks` receives the sample index of each R peak, ascending, and `*out_len` their
/// number. Peaks are at least 250 ms apart, so `n / (0.25 * fs) + 1` elements always
/// suffice; with a smaller `cap` (0 with `peaks` NULL asks) the call returns
/// `HARESNET_STATUS_BUFFER_TOO_SMALL` with the number needed in `*out_len` and `peaks`
/// untouched (the detection then runs again on the second call). Non-finite samples (NaN,
/// infinity) are gaps: no peak is placed in them and each finite stretch is detected
/// alone. A flat signal, or one shorter than about a second, has no peaks.
///
/// Returns `HARESNET_STATUS_OK`; `HARESNET_STATUS_NULL_ARGUMENT` (`samples` NULL with
/// `n > 0`, `out_len` NULL, or `peaks` NULL with `cap > 0`);
/// `HARESNET_STATUS_INVALID_ARGUMENT` (`fs` out of range); `HARESNET_STATUS_BUFFER_TOO_SMALL`.
///
/// # Safety
///
/// `samples` holds `n` floats; `peaks` is NULL or holds `cap` writable elements; `out_len`
/// is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn haresnet_detect_r_peaks(
    samples: *const f32,
    n: usize,
    fs: f64,
    peaks: *mut i64,
    cap: usize,
    out_len: *mut usize,
) -> i32 {
    boundary::call("haresnet_detect_r_peaks", || {
        // SAFETY: the caller's contract, for every argument; all checked before any work.
        let (samples, out_len, buffer) = unsafe {
            let samples = boundary::slice(samples, n, "samples")?;
            let out_len = boundary::out(out_len, "out_len")?;
            let buffer = match boundary::out_slice(peaks, cap, "peaks")? {
                Some(b) => b,
                None if cap == 0 => &mut [],
                None => return Err(Failure::null("peaks")),
            };
            (samples, out_len, buffer)
        };
        let found = BeatDetector::new(fs)?.detect(samples)?;
        *out_len = found.len();
        if found.len() > cap {
            return Err(Failure::too_small("peaks", cap, found.len()));
        }
        for (o, &p) in buffer.iter_mut().zip(&found) {
            *o = p as i64;
        }
        Ok(())
    })
}
