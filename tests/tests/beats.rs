//! `haresnet_detect_r_peaks` through the shared library loaded at run time: the engine's
//! peaks, the buffer conventions (size query, short buffer untouched, outputs only on
//! success) and the documented failures.

use std::ptr::{null, null_mut};

use haresnet_tests::*;

fn mlii(record: &str) -> (Vec<f32>, f64) {
    let rec = engine::Record::open(fixture(record)).unwrap();
    let ch = rec.channel_index("MLII").unwrap();
    (rec.read_physical(ch, 0, rec.sig_len()).unwrap(), rec.fs())
}

/// Calls the function with a buffer of `cap` elements filled with -7.
fn detect(x: &[f32], fs: f64, cap: usize) -> (i32, Vec<i64>, usize) {
    let api = api();
    let mut peaks = vec![-7i64; cap];
    let mut len = usize::MAX;
    let ptr = if cap == 0 {
        null_mut()
    } else {
        peaks.as_mut_ptr()
    };
    // SAFETY: `x` holds `x.len()` floats, `peaks` `cap` elements (or NULL with 0).
    let status =
        unsafe { (api.haresnet_detect_r_peaks)(x.as_ptr(), x.len(), fs, ptr, cap, &mut len) };
    (status, peaks, len)
}

#[test]
fn peaks_are_the_engines_and_fit_the_documented_bound() {
    for record in ["100_0000_0060", "203_0740_0860"] {
        let (x, fs) = mlii(record);
        let expected: Vec<i64> = engine::dsp::detect_record(&x, fs)
            .unwrap()
            .iter()
            .map(|&p| p as i64)
            .collect();
        assert!(expected.len() > 60, "{record}: {}", expected.len());
        // The bound of the documentation: n / (0.25 fs) + 1.
        let bound = (x.len() as f64 / (0.25 * fs)) as usize + 1;
        let (status, peaks, len) = detect(&x, fs, bound);
        expect(status, OK, &[]);
        assert_eq!(len, expected.len());
        assert_eq!(&peaks[..len], &expected[..], "{record}");
        assert!(
            peaks[len..].iter().all(|&p| p == -7),
            "written past out_len"
        );
    }
}

#[test]
fn size_query_and_short_buffer() {
    let (x, fs) = mlii("100_0000_0060");
    let (status, _, needed) = detect(&x, fs, 0);
    expect(
        status,
        BUFFER_TOO_SMALL,
        &["haresnet_detect_r_peaks", "peaks"],
    );
    assert!(needed > 60);
    // One short: nothing written, the size needed reported.
    let (status, peaks, len) = detect(&x, fs, needed - 1);
    expect(status, BUFFER_TOO_SMALL, &[&needed.to_string()]);
    assert_eq!(len, needed);
    assert!(peaks.iter().all(|&p| p == -7));
    let (status, peaks, len) = detect(&x, fs, needed);
    expect(status, OK, &[]);
    assert_eq!(len, needed);
    assert!(peaks.iter().all(|&p| p >= 0));
}

#[test]
fn gaps_empty_and_flat_signals() {
    let (mut x, fs) = mlii("100_0000_0060");
    let whole = detect(&x, fs, 1000);
    let gap = (20.0 * fs) as usize..(25.0 * fs) as usize;
    x[gap.clone()].fill(f32::NAN);
    let (status, peaks, len) = detect(&x, fs, 1000);
    expect(status, OK, &[]);
    let peaks = &peaks[..len];
    assert!(peaks.iter().all(|&p| !gap.contains(&(p as usize))));
    assert!(len < whole.2 && len + 8 > whole.2, "{len} of {}", whole.2);
    // No samples (NULL allowed), and a flat signal: no peaks, OK.
    let api = api();
    let mut len = usize::MAX;
    // SAFETY: NULL samples with n = 0 and NULL peaks with cap = 0 are documented.
    let status = unsafe { (api.haresnet_detect_r_peaks)(null(), 0, fs, null_mut(), 0, &mut len) };
    expect(status, OK, &[]);
    assert_eq!(len, 0);
    let (status, _, len) = detect(&vec![0.25; 20_000], fs, 10);
    expect(status, OK, &[]);
    assert_eq!(len, 0);
}

#[test]
fn bad_arguments_are_refused_and_nothing_is_written() {
    let api = api();
    let (x, fs) = mlii("100_0000_0060");
    for bad in [0.0, 50.0, f64::NAN, f64::INFINITY, -360.0] {
        let (status, peaks, len) = detect(&x, bad, 10);
        expect(status, INVALID_ARGUMENT, &["sampling rate"]);
        assert_eq!(len, usize::MAX, "out_len written on failure");
        assert!(peaks.iter().all(|&p| p == -7));
    }
    let mut peaks = [0i64; 4];
    let mut len = 0usize;
    // SAFETY: each call passes one NULL that the function must refuse.
    unsafe {
        let status = (api.haresnet_detect_r_peaks)(null(), 10, fs, peaks.as_mut_ptr(), 4, &mut len);
        expect(status, NULL_ARGUMENT, &["samples is NULL"]);
        let status = (api.haresnet_detect_r_peaks)(
            x.as_ptr(),
            x.len(),
            fs,
            peaks.as_mut_ptr(),
            4,
            null_mut(),
        );
        expect(status, NULL_ARGUMENT, &["out_len is NULL"]);
        let status =
            (api.haresnet_detect_r_peaks)(x.as_ptr(), x.len(), fs, null_mut(), 4, &mut len);
        expect(status, NULL_ARGUMENT, &["peaks is NULL"]);
    }
}
