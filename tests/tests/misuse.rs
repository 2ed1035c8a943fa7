//! What a careless host does: NULL for each pointer, zero or short capacities, a handle of
//! the wrong kind (easy from MATLAB or LabVIEW, where every handle is a `void*`), NaN
//! samples. Every call returns its documented status with a message; nothing crashes.

use std::ptr::{null, null_mut};

use haresnet_tests::*;
use proptest::prelude::*;

const FS: f64 = 360.0;

struct Fixture {
    model: Handle,
    record: Handle,
    stream: Handle,
    annotations: Handle,
}

impl Fixture {
    fn new() -> Self {
        let api = api();
        let model = load_model();
        let record = open_record("100_0000_0060");
        let mut stream: Handle = null_mut();
        let mut annotations: Handle = null_mut();
        let path = c_path(&fixture("100_0000_0060"));
        let atr = c("atr");
        // SAFETY: live model, valid strings and out pointers.
        unsafe {
            expect(
                (api.haresnet_stream_new)(model, FS, null(), &mut stream),
                OK,
                &[],
            );
            expect(
                (api.haresnet_annotations_read)(path.as_ptr(), atr.as_ptr(), &mut annotations),
                OK,
                &[],
            );
        }
        Self {
            model,
            record,
            stream,
            annotations,
        }
    }

    /// Every handle but the one of kind `keep`.
    fn others(&self, keep: Handle) -> Vec<Handle> {
        [self.model, self.record, self.stream, self.annotations]
            .into_iter()
            .filter(|&h| h != keep)
            .collect()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let api = api();
        // SAFETY: live handles, freed once.
        unsafe {
            (api.haresnet_stream_free)(self.stream);
            (api.haresnet_annotations_free)(self.annotations);
            (api.haresnet_record_free)(self.record);
            (api.haresnet_model_free)(self.model);
        }
    }
}

/// Calls `f` with each handle in `handles` and expects `status` with a message naming
/// `words`.
#[track_caller]
fn each(handles: &[Handle], status: i32, words: &[&str], mut f: impl FnMut(Handle) -> i32) {
    for &h in handles {
        expect(f(h), status, words);
    }
}

#[test]
fn null_pointers_are_refused_by_name() {
    let api = api();
    let fx = Fixture::new();
    let (m, r, s, a) = (fx.model, fx.record, fx.stream, fx.annotations);
    let samples = vec![0.1f32; 1800];
    let path = c_path(weights_file());
    let atr = c("atr");
    let mlii = c("MLII");
    let (mut u32_out, mut u64_out, mut f64_out, mut usize_out, mut i32_out) =
        (0u32, 0u64, 0f64, 0usize, 0i32);
    let mut h: Handle = null_mut();
    let mut buf = [0u8; 64];
    let b = buf.as_mut_ptr().cast();
    let mut mo = ModelOptions::default();
    let mut co = ClassifyOptions::default();
    let starts = [0i64; 4];
    let labels = [0i32; 4];
    // SAFETY: every non-NULL pointer is valid; the NULLs are the errors under test.
    unsafe {
        expect(
            (api.haresnet_last_error)(b, 64, null_mut()),
            NULL_ARGUMENT,
            &[],
        );
        expect(
            (api.haresnet_model_options_init)(null_mut(), 8),
            NULL_ARGUMENT,
            &["opts is NULL"],
        );
        expect(
            (api.haresnet_classify_options_init)(null_mut(), 16),
            NULL_ARGUMENT,
            &["opts is NULL"],
        );
        expect(
            (api.haresnet_model_load_embedded)(5, null(), null(), null_mut()),
            NULL_ARGUMENT,
            &["out is NULL"],
        );
        expect(
            (api.haresnet_model_load_file)(null(), null(), &mut h),
            NULL_ARGUMENT,
            &["path is NULL"],
        );
        expect(
            (api.haresnet_model_load_file)(path.as_ptr(), null(), null_mut()),
            NULL_ARGUMENT,
            &["out is NULL"],
        );
        expect(
            (api.haresnet_model_num_classes)(null_mut(), &mut u32_out),
            NULL_ARGUMENT,
            &["model is NULL"],
        );
        expect(
            (api.haresnet_model_num_classes)(m, null_mut()),
            NULL_ARGUMENT,
            &["out is NULL"],
        );
        expect(
            (api.haresnet_model_class_name)(null_mut(), 0, b, 64, &mut usize_out),
            NULL_ARGUMENT,
            &["model"],
        );
        expect(
            (api.haresnet_model_class_name)(m, 0, null_mut(), 64, &mut usize_out),
            NULL_ARGUMENT,
            &["buf is NULL"],
        );
        expect(
            (api.haresnet_model_class_name)(m, 0, b, 64, null_mut()),
            NULL_ARGUMENT,
            &["out_len is NULL"],
        );
        expect(
            (api.haresnet_model_rate)(null_mut(), &mut f64_out),
            NULL_ARGUMENT,
            &["model"],
        );
        expect(
            (api.haresnet_model_rate)(m, null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        expect(
            (api.haresnet_model_segment_seconds)(null_mut(), &mut f64_out),
            NULL_ARGUMENT,
            &["model"],
        );
        expect(
            (api.haresnet_model_segment_seconds)(m, null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        expect(
            (api.haresnet_model_segment_len)(null_mut(), FS, &mut usize_out),
            NULL_ARGUMENT,
            &["model"],
        );
        expect(
            (api.haresnet_model_segment_len)(m, FS, null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        expect(
            (api.haresnet_model_segment_count)(null_mut(), 1, FS, null(), &mut usize_out),
            NULL_ARGUMENT,
            &["model"],
        );
        expect(
            (api.haresnet_model_segment_count)(m, 1, FS, null(), null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        expect(
            (api.haresnet_model_card_json)(null_mut(), b, 64, &mut usize_out),
            NULL_ARGUMENT,
            &["model"],
        );
        expect(
            (api.haresnet_model_card_json)(m, null_mut(), 64, &mut usize_out),
            NULL_ARGUMENT,
            &["buf is NULL"],
        );
        expect(
            (api.haresnet_model_card_json)(m, b, 64, null_mut()),
            NULL_ARGUMENT,
            &["out_len is NULL"],
        );
        let classify = |model, samples: *const f32, n, out_count| {
            (api.haresnet_model_classify)(
                model,
                samples,
                n,
                FS,
                null(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                out_count,
            )
        };
        expect(
            classify(null_mut(), samples.as_ptr(), 1800, &mut usize_out),
            NULL_ARGUMENT,
            &["model"],
        );
        expect(
            classify(m, null(), 1800, &mut usize_out),
            NULL_ARGUMENT,
            &["samples is NULL"],
        );
        expect(
            classify(m, samples.as_ptr(), 1800, null_mut()),
            NULL_ARGUMENT,
            &["out_count is NULL"],
        );
        expect(
            classify(m, null(), 0, &mut usize_out),
            INVALID_ARGUMENT,
            &["empty"],
        );
        let segment = |model, samples: *const f32, label| {
            (api.haresnet_model_classify_segment)(
                model,
                samples,
                1800,
                FS,
                label,
                null_mut(),
                0,
                null_mut(),
            )
        };
        expect(
            segment(null_mut(), samples.as_ptr(), &mut i32_out),
            NULL_ARGUMENT,
            &["model"],
        );
        expect(
            segment(m, null(), &mut i32_out),
            NULL_ARGUMENT,
            &["samples"],
        );
        expect(
            segment(m, samples.as_ptr(), null_mut()),
            NULL_ARGUMENT,
            &["out_label"],
        );
        expect(
            (api.haresnet_stream_new)(null_mut(), FS, null(), &mut h),
            NULL_ARGUMENT,
            &["model"],
        );
        expect(
            (api.haresnet_stream_new)(m, FS, null(), null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        expect(
            (api.haresnet_stream_push)(null_mut(), samples.as_ptr(), 1),
            NULL_ARGUMENT,
            &["stream"],
        );
        expect(
            (api.haresnet_stream_push)(s, null(), 1),
            NULL_ARGUMENT,
            &["samples"],
        );
        expect((api.haresnet_stream_push)(s, null(), 0), OK, &[]);
        expect(
            (api.haresnet_stream_ready)(null_mut(), &mut usize_out),
            NULL_ARGUMENT,
            &["stream"],
        );
        expect(
            (api.haresnet_stream_ready)(s, null_mut()),
            NULL_ARGUMENT,
            &["out_count"],
        );
        expect(
            (api.haresnet_stream_read)(
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                &mut usize_out,
            ),
            NULL_ARGUMENT,
            &["stream"],
        );
        expect(
            (api.haresnet_stream_read)(
                s,
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                null_mut(),
            ),
            NULL_ARGUMENT,
            &["out_count"],
        );
        expect(
            (api.haresnet_record_open)(null(), &mut h),
            NULL_ARGUMENT,
            &["path"],
        );
        expect(
            (api.haresnet_record_open)(path.as_ptr(), null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        expect(
            (api.haresnet_record_num_signals)(null_mut(), &mut u32_out),
            NULL_ARGUMENT,
            &["record"],
        );
        expect(
            (api.haresnet_record_num_signals)(r, null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        expect(
            (api.haresnet_record_length)(null_mut(), &mut u64_out),
            NULL_ARGUMENT,
            &["record"],
        );
        expect(
            (api.haresnet_record_length)(r, null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        expect(
            (api.haresnet_record_fs)(null_mut(), &mut f64_out),
            NULL_ARGUMENT,
            &["record"],
        );
        expect(
            (api.haresnet_record_fs)(r, null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        for f in [
            api.haresnet_record_signal_name,
            api.haresnet_record_signal_units,
        ] {
            expect(
                f(null_mut(), 0, b, 64, &mut usize_out),
                NULL_ARGUMENT,
                &["record"],
            );
            expect(
                f(r, 0, null_mut(), 64, &mut usize_out),
                NULL_ARGUMENT,
                &["buf"],
            );
            expect(f(r, 0, b, 64, null_mut()), NULL_ARGUMENT, &["out_len"]);
        }
        for f in [
            api.haresnet_record_signal_gain,
            api.haresnet_record_signal_rate,
        ] {
            expect(f(null_mut(), 0, &mut f64_out), NULL_ARGUMENT, &["record"]);
            expect(f(r, 0, null_mut()), NULL_ARGUMENT, &["out"]);
        }
        expect(
            (api.haresnet_record_find_signal)(null_mut(), mlii.as_ptr(), &mut u32_out),
            NULL_ARGUMENT,
            &["record"],
        );
        expect(
            (api.haresnet_record_find_signal)(r, null(), &mut u32_out),
            NULL_ARGUMENT,
            &["name"],
        );
        expect(
            (api.haresnet_record_find_signal)(r, mlii.as_ptr(), null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        let mut fbuf = [0f32; 4];
        expect(
            (api.haresnet_record_read)(null_mut(), 0, 0, 4, fbuf.as_mut_ptr(), 4, &mut usize_out),
            NULL_ARGUMENT,
            &["record"],
        );
        expect(
            (api.haresnet_record_read)(r, 0, 0, 4, null_mut(), 4, &mut usize_out),
            NULL_ARGUMENT,
            &["buf"],
        );
        expect(
            (api.haresnet_record_read)(r, 0, 0, 4, fbuf.as_mut_ptr(), 4, null_mut()),
            NULL_ARGUMENT,
            &["out_len"],
        );
        let rc = |record, model, out_count| {
            (api.haresnet_record_classify)(
                record,
                model,
                null(),
                null(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                out_count,
            )
        };
        expect(
            rc(null_mut(), m, &mut usize_out),
            NULL_ARGUMENT,
            &["record"],
        );
        expect(rc(r, null_mut(), &mut usize_out), NULL_ARGUMENT, &["model"]);
        expect(rc(r, m, null_mut()), NULL_ARGUMENT, &["out_count"]);
        expect(
            (api.haresnet_annotations_read)(null(), atr.as_ptr(), &mut h),
            NULL_ARGUMENT,
            &["record_path"],
        );
        expect(
            (api.haresnet_annotations_read)(path.as_ptr(), null(), &mut h),
            NULL_ARGUMENT,
            &["annotator"],
        );
        expect(
            (api.haresnet_annotations_read)(path.as_ptr(), atr.as_ptr(), null_mut()),
            NULL_ARGUMENT,
            &["out"],
        );
        expect(
            (api.haresnet_annotations_count)(null_mut(), &mut usize_out),
            NULL_ARGUMENT,
            &["annotations"],
        );
        expect(
            (api.haresnet_annotations_count)(a, null_mut()),
            NULL_ARGUMENT,
            &["out_count"],
        );
        expect(
            (api.haresnet_annotations_fields)(
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                &mut usize_out,
            ),
            NULL_ARGUMENT,
            &["annotations"],
        );
        expect(
            (api.haresnet_annotations_fields)(
                a,
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                null_mut(),
            ),
            NULL_ARGUMENT,
            &["out_count"],
        );
        for f in [
            api.haresnet_annotations_symbol,
            api.haresnet_annotations_aux,
        ] {
            expect(
                f(null_mut(), 0, b, 64, &mut usize_out),
                NULL_ARGUMENT,
                &["annotations"],
            );
            expect(
                f(a, 0, null_mut(), 64, &mut usize_out),
                NULL_ARGUMENT,
                &["buf"],
            );
            expect(f(a, 0, b, 64, null_mut()), NULL_ARGUMENT, &["out_len"]);
        }
        let w = |model, p, ann, st, lb| {
            (api.haresnet_annotations_write_rhythm)(model, p, ann, FS, st, lb, 4)
        };
        expect(
            w(
                null_mut(),
                path.as_ptr(),
                atr.as_ptr(),
                starts.as_ptr(),
                labels.as_ptr(),
            ),
            NULL_ARGUMENT,
            &["model"],
        );
        expect(
            w(m, null(), atr.as_ptr(), starts.as_ptr(), labels.as_ptr()),
            NULL_ARGUMENT,
            &["record_path"],
        );
        expect(
            w(m, path.as_ptr(), null(), starts.as_ptr(), labels.as_ptr()),
            NULL_ARGUMENT,
            &["annotator"],
        );
        expect(
            w(m, path.as_ptr(), atr.as_ptr(), null(), labels.as_ptr()),
            NULL_ARGUMENT,
            &["starts"],
        );
        expect(
            w(m, path.as_ptr(), atr.as_ptr(), starts.as_ptr(), null()),
            NULL_ARGUMENT,
            &["labels"],
        );

        // Options structures not initialised.
        expect(
            (api.haresnet_model_load_file)(path.as_ptr(), &mo, &mut h),
            INVALID_ARGUMENT,
            &["struct_size is 0"],
        );
        expect(
            (api.haresnet_model_segment_count)(m, 1, FS, &co, &mut usize_out),
            INVALID_ARGUMENT,
            &["struct_size is 0"],
        );
        expect(
            (api.haresnet_model_options_init)(&mut mo, 0),
            INVALID_ARGUMENT,
            &["sizeof"],
        );
        expect(
            (api.haresnet_classify_options_init)(&mut co, 8),
            INVALID_ARGUMENT,
            &["sizeof"],
        );

        // Destructors accept NULL.
        (api.haresnet_model_free)(null_mut());
        (api.haresnet_record_free)(null_mut());
        (api.haresnet_stream_free)(null_mut());
        (api.haresnet_annotations_free)(null_mut());
    }
}

#[test]
fn wrong_handle_kinds_are_refused() {
    let api = api();
    let fx = Fixture::new();
    // A pointer to something that is no handle at all (but readable).
    let fake = Box::into_raw(Box::new([0x1234_5678u32; 16])).cast::<std::ffi::c_void>();
    let mut models = fx.others(fx.model);
    let mut records = fx.others(fx.record);
    let mut streams = fx.others(fx.stream);
    let mut anns = fx.others(fx.annotations);
    for v in [&mut models, &mut records, &mut streams, &mut anns] {
        v.push(fake);
    }
    let (mut u32_out, mut u64_out, mut f64_out, mut n, mut h) =
        (0u32, 0u64, 0f64, 0usize, null_mut());
    let mut buf = [0u8; 64];
    let b = buf.as_mut_ptr().cast();
    let samples = vec![0.1f32; 1800];
    let mlii = c("MLII");
    let path = c_path(&fixture("100_0000_0060"));
    let hrn = c("hrn");
    // SAFETY: every pointer is valid; the kinds are the errors under test.
    unsafe {
        each(&models, WRONG_HANDLE, &["is not a haresnet_model"], |x| {
            (api.haresnet_model_num_classes)(x, &mut u32_out)
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_model_class_name)(x, 0, b, 64, &mut n)
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_model_rate)(x, &mut f64_out)
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_model_segment_seconds)(x, &mut f64_out)
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_model_segment_len)(x, FS, &mut n)
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_model_segment_count)(x, 1, FS, null(), &mut n)
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_model_card_json)(x, b, 64, &mut n)
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_model_classify)(
                x,
                samples.as_ptr(),
                1800,
                FS,
                null(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                &mut n,
            )
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_model_classify_segment)(
                x,
                samples.as_ptr(),
                1800,
                FS,
                &mut 0,
                null_mut(),
                0,
                null_mut(),
            )
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_stream_new)(x, FS, null(), &mut h)
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_record_classify)(
                fx.record,
                x,
                null(),
                null(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                &mut n,
            )
        });
        each(&models, WRONG_HANDLE, &["model"], |x| {
            (api.haresnet_annotations_write_rhythm)(
                x,
                path.as_ptr(),
                hrn.as_ptr(),
                FS,
                null(),
                null(),
                0,
            )
        });
        each(&records, WRONG_HANDLE, &["is not a haresnet_record"], |x| {
            (api.haresnet_record_num_signals)(x, &mut u32_out)
        });
        each(&records, WRONG_HANDLE, &["record"], |x| {
            (api.haresnet_record_length)(x, &mut u64_out)
        });
        each(&records, WRONG_HANDLE, &["record"], |x| {
            (api.haresnet_record_fs)(x, &mut f64_out)
        });
        each(&records, WRONG_HANDLE, &["record"], |x| {
            (api.haresnet_record_signal_name)(x, 0, b, 64, &mut n)
        });
        each(&records, WRONG_HANDLE, &["record"], |x| {
            (api.haresnet_record_signal_units)(x, 0, b, 64, &mut n)
        });
        each(&records, WRONG_HANDLE, &["record"], |x| {
            (api.haresnet_record_signal_gain)(x, 0, &mut f64_out)
        });
        each(&records, WRONG_HANDLE, &["record"], |x| {
            (api.haresnet_record_signal_rate)(x, 0, &mut f64_out)
        });
        each(&records, WRONG_HANDLE, &["record"], |x| {
            (api.haresnet_record_find_signal)(x, mlii.as_ptr(), &mut u32_out)
        });
        each(&records, WRONG_HANDLE, &["record"], |x| {
            (api.haresnet_record_read)(x, 0, 0, 1, b.cast(), 1, &mut n)
        });
        each(&records, WRONG_HANDLE, &["record"], |x| {
            (api.haresnet_record_classify)(
                x,
                fx.model,
                null(),
                null(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                &mut n,
            )
        });
        each(&streams, WRONG_HANDLE, &["is not a haresnet_stream"], |x| {
            (api.haresnet_stream_push)(x, samples.as_ptr(), 1)
        });
        each(&streams, WRONG_HANDLE, &["stream"], |x| {
            (api.haresnet_stream_ready)(x, &mut n)
        });
        each(&streams, WRONG_HANDLE, &["stream"], |x| {
            (api.haresnet_stream_read)(x, null_mut(), null_mut(), null_mut(), null_mut(), 0, &mut n)
        });
        each(
            &anns,
            WRONG_HANDLE,
            &["is not a haresnet_annotations"],
            |x| (api.haresnet_annotations_count)(x, &mut n),
        );
        each(&anns, WRONG_HANDLE, &["annotations"], |x| {
            (api.haresnet_annotations_fields)(
                x,
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                &mut n,
            )
        });
        each(&anns, WRONG_HANDLE, &["annotations"], |x| {
            (api.haresnet_annotations_symbol)(x, 0, b, 64, &mut n)
        });
        each(&anns, WRONG_HANDLE, &["annotations"], |x| {
            (api.haresnet_annotations_aux)(x, 0, b, 64, &mut n)
        });
        // A destructor given the wrong kind leaves the handle alone and says so.
        (api.haresnet_model_free)(fx.record);
        expect(
            WRONG_HANDLE,
            WRONG_HANDLE,
            &["haresnet_model_free", "is haresnet_record"],
        );
        (api.haresnet_record_free)(fake);
        expect(WRONG_HANDLE, WRONG_HANDLE, &["not a haresnet handle"]);
        (api.haresnet_stream_free)(fx.model);
        (api.haresnet_annotations_free)(fx.stream);
        drop(Box::from_raw(fake.cast::<[u32; 16]>()));
    }
    // The handles still work.
    assert_eq!(num_classes(fx.model), 5);
    // SAFETY: live record.
    expect(
        unsafe { (api.haresnet_record_num_signals)(fx.record, &mut u32_out) },
        OK,
        &[],
    );
}

#[test]
fn zero_and_short_capacities_report_the_size_needed() {
    let api = api();
    let fx = Fixture::new();
    let mut n = 0usize;
    let mut buf = [0x55u8; 8];
    // SAFETY: buffers hold what `cap` says.
    unsafe {
        // Strings: cap 0 asks; a short buffer is left alone.
        expect(
            (api.haresnet_model_class_name)(fx.model, 1, null_mut(), 0, &mut n),
            BUFFER_TOO_SMALL,
            &[],
        );
        assert_eq!(n, 4); // "AFIB"
        expect(
            (api.haresnet_model_class_name)(fx.model, 1, buf.as_mut_ptr().cast(), 4, &mut n),
            BUFFER_TOO_SMALL,
            &["5 needed"],
        );
        assert_eq!(buf, [0x55; 8]);
        expect(
            (api.haresnet_model_class_name)(fx.model, 1, buf.as_mut_ptr().cast(), 5, &mut n),
            OK,
            &[],
        );
        assert_eq!(&buf[..5], b"AFIB\0");
        expect(
            (api.haresnet_model_card_json)(fx.model, null_mut(), 0, &mut n),
            BUFFER_TOO_SMALL,
            &[],
        );
        let card_len = n;
        buf = [0x55; 8];
        expect(
            (api.haresnet_model_card_json)(fx.model, buf.as_mut_ptr().cast(), 8, &mut n),
            BUFFER_TOO_SMALL,
            &[&format!("{} needed", card_len + 1)],
        );
        assert_eq!(n, card_len);
        assert_eq!(buf, [0x55; 8]);
        expect(
            (api.haresnet_record_signal_units)(fx.record, 0, null_mut(), 0, &mut n),
            BUFFER_TOO_SMALL,
            &[],
        );
        assert_eq!(n, 2);
        expect(
            (api.haresnet_annotations_symbol)(fx.annotations, 0, null_mut(), 0, &mut n),
            BUFFER_TOO_SMALL,
            &[],
        );
        // Arrays.
        expect(
            (api.haresnet_annotations_fields)(
                fx.annotations,
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                &mut n,
            ),
            BUFFER_TOO_SMALL,
            &[],
        );
        let mut count = 0usize;
        expect(
            (api.haresnet_annotations_count)(fx.annotations, &mut count),
            OK,
            &[],
        );
        assert_eq!(n, count);
        expect(
            (api.haresnet_record_read)(fx.record, 0, 0, 10, null_mut(), 0, &mut n),
            BUFFER_TOO_SMALL,
            &[],
        );
        assert_eq!(n, 10);
        let mut probs = [0f32; 4];
        let samples = vec![0.1f32; 1800];
        expect(
            (api.haresnet_model_classify_segment)(
                fx.model,
                samples.as_ptr(),
                1800,
                FS,
                &mut 0,
                probs.as_mut_ptr(),
                4,
                null_mut(),
            ),
            BUFFER_TOO_SMALL,
            &["probabilities holds 4, 5 needed"],
        );
        // A stream with nothing ready: cap 0 is enough.
        expect(
            (api.haresnet_stream_read)(
                fx.stream,
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                &mut n,
            ),
            OK,
            &[],
        );
        assert_eq!(n, 0);
    }
}

fn status_of(f: impl FnOnce() -> i32) -> i32 {
    f()
}

/// Values within the header's contract that once took the host down: a status each.
#[test]
fn extreme_values_get_a_status() {
    let api = api();
    let model = load_model();
    let dir = tempfile::tempdir().unwrap();
    let out = c_path(&dir.path().join("far"));
    let hrs = c("hrs");
    // SAFETY: live model, valid strings; arrays hold what their lengths say.
    unsafe {
        // Segment starts near INT64_MAX: each 2^31 samples of gap took a SKIP word of the
        // file (a 10 GB allocation); starts past 2^47 samples are refused.
        let starts = [0i64, i64::MAX - 10];
        let labels = [0i32, 1];
        expect(
            (api.haresnet_annotations_write_rhythm)(
                model,
                out.as_ptr(),
                hrs.as_ptr(),
                FS,
                starts.as_ptr(),
                labels.as_ptr(),
                2,
            ),
            INVALID_ARGUMENT,
            &["past the latest time written"],
        );
        // Finite samples of 1e37 mV (an ADC gain of 1e-34) overflowed the resampler.
        let huge: Vec<f32> = (0..3600).map(|i| 1e37 * (i as f32 * 0.05).sin()).collect();
        let r = classify(model, &huge, FS, None);
        assert_eq!(r.labels.len(), 2);
        // A signal shorter than half a segment: the size query and the call agree on one
        // row, a too_short one.
        let short = [0.1f32; 100];
        let mut count = 7usize;
        expect(
            (api.haresnet_model_segment_count)(model, short.len(), FS, null(), &mut count),
            OK,
            &[],
        );
        assert_eq!(count, 1);
        let mut label = 0i32;
        expect(
            (api.haresnet_model_classify)(
                model,
                short.as_ptr(),
                short.len(),
                FS,
                null(),
                null_mut(),
                &mut label,
                null_mut(),
                null_mut(),
                1,
                &mut count,
            ),
            OK,
            &[],
        );
        assert_eq!((count, label), (1, -1));
        // A header claiming 10^15 frames over a 12 s file: size queries check the files,
        // so a host never allocates what the header claims.
        let path = c_path(&workspace_root().join("fixtures/hostile/huge-length"));
        let mut rec: Handle = null_mut();
        expect((api.haresnet_record_open)(path.as_ptr(), &mut rec), OK, &[]);
        let mut len = 0u64;
        expect((api.haresnet_record_length)(rec, &mut len), OK, &[]);
        let mut n = 0usize;
        expect(
            (api.haresnet_record_read)(rec, 0, 0, len, null_mut(), 0, &mut n),
            FORMAT,
            &["base.dat", "truncated"],
        );
        expect(
            (api.haresnet_record_classify)(
                rec,
                model,
                null(),
                null(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                0,
                &mut n,
            ),
            FORMAT,
            &["truncated"],
        );
        // What the files hold reads; an empty range needs no buffer.
        expect(
            (api.haresnet_record_read)(rec, 0, 0, 4320, null_mut(), 0, &mut n),
            BUFFER_TOO_SMALL,
            &[],
        );
        assert_eq!(n, 4320);
        expect(
            (api.haresnet_record_read)(rec, 0, 7, 7, null_mut(), 0, &mut n),
            OK,
            &[],
        );
        assert_eq!(n, 0);
        (api.haresnet_record_free)(rec);
        (api.haresnet_model_free)(model);

        // A pool of 2^32 - 1 threads would start them all.
        let mut opts = ModelOptions::default();
        expect(
            (api.haresnet_model_options_init)(&mut opts, size_of::<ModelOptions>()),
            OK,
            &[],
        );
        opts.threads = u32::MAX;
        let mut m: Handle = null_mut();
        let all = c("all");
        expect(
            (api.haresnet_model_load_embedded)(5, all.as_ptr(), &opts, &mut m),
            INVALID_ARGUMENT,
            &["more than the 1024"],
        );
        assert!(m.is_null());

        // A misaligned later array: nothing written to the earlier ones.
        let path = c_path(&fixture("100_0000_0060"));
        let atr = c("atr");
        let mut anns: Handle = null_mut();
        expect(
            (api.haresnet_annotations_read)(path.as_ptr(), atr.as_ptr(), &mut anns),
            OK,
            &[],
        );
        let mut k = 0usize;
        expect((api.haresnet_annotations_count)(anns, &mut k), OK, &[]);
        let mut samples = vec![-7i64; k];
        let mut raw = vec![0i32; k + 1];
        let misaligned = raw.as_mut_ptr().cast::<u8>().add(1).cast::<i32>();
        let status = (api.haresnet_annotations_fields)(
            anns,
            samples.as_mut_ptr(),
            misaligned,
            null_mut(),
            null_mut(),
            null_mut(),
            k,
            &mut k,
        );
        assert_ne!(status, OK);
        assert!(samples.iter().all(|&s| s == -7), "written on failure");
        (api.haresnet_annotations_free)(anns);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any rate, length, hop, smoothing half-life and capacity: a documented status, and a
    /// count that matches the segment count whenever the call succeeds or reports a short
    /// buffer.
    #[test]
    fn classify_arguments(
        fs in prop_oneof![Just(f64::NAN), Just(-1.0), Just(0.0), 50.0..1000.0f64, Just(f64::INFINITY)],
        n in 0usize..4000,
        hop in prop_oneof![Just(0.0), Just(-1.0), 0.001..10.0f64, Just(f64::NAN)],
        half_life in prop_oneof![Just(-1.0), Just(0.0), 0.001..100.0f64, Just(f64::NAN), Just(f64::NEG_INFINITY)],
        cap in 0usize..8,
        nan_at in proptest::option::of(0usize..4000),
    ) {
        let api = api();
        let model = load_model();
        let mut samples: Vec<f32> = (0..n).map(|i| (i as f32 * 0.05).sin()).collect();
        if let Some(i) = nan_at.filter(|&i| i < n) {
            samples[i] = f32::NAN;
        }
        let mut opts = ClassifyOptions::default();
        let mut r = Results::with_capacity(cap, 5);
        let (mut count, mut written) = (usize::MAX, usize::MAX);
        // SAFETY: arrays hold `cap` segments.
        let (count_status, status) = unsafe {
            (api.haresnet_classify_options_init)(&mut opts, size_of::<ClassifyOptions>());
            opts.hop_seconds = hop;
            opts.smoothing_half_life_seconds = half_life;
            (
                status_of(|| (api.haresnet_model_segment_count)(model, n, fs, &opts, &mut count)),
                status_of(|| (api.haresnet_model_classify)(
                    model, samples.as_ptr(), n, fs, &opts, r.starts.as_mut_ptr(), r.labels.as_mut_ptr(),
                    r.probabilities.as_mut_ptr(), r.heart_rates.as_mut_ptr(), cap, &mut written,
                )),
            )
        };
        prop_assert!([OK, INVALID_ARGUMENT, BUFFER_TOO_SMALL].contains(&status), "status {}", status);
        if status != OK {
            prop_assert!(!last_error().is_empty());
        }
        if status == OK || status == BUFFER_TOO_SMALL {
            prop_assert_eq!(count_status, OK);
            prop_assert_eq!(written, count);
        }
        if status == OK {
            prop_assert!(count <= cap);
            r.truncate(count, 5);
            prop_assert!(r.labels.iter().all(|&l| (-1..5).contains(&l)));
        }
        // SAFETY: live model.
        unsafe { (api.haresnet_model_free)(model) };
    }

    /// Any index, range and capacity on a record: a documented status, never a write past
    /// `cap`.
    #[test]
    fn record_read_arguments(
        channel in 0u32..4,
        from in prop_oneof![0u64..21700, Just(u64::MAX)],
        len in prop_oneof![0u64..3000, Just(u64::MAX)],
        cap in 0usize..3000,
    ) {
        let api = api();
        let record = open_record("100_0000_0060");
        let to = from.saturating_add(len);
        let mut buf = vec![f32::MAX; cap + 16];
        let mut n = usize::MAX;
        // SAFETY: `buf` holds more than `cap` floats.
        let status = unsafe { (api.haresnet_record_read)(record, channel, from, to, buf.as_mut_ptr(), cap, &mut n) };
        prop_assert!([OK, INVALID_ARGUMENT, BUFFER_TOO_SMALL].contains(&status), "status {}", status);
        prop_assert!(buf[cap..].iter().all(|&v| v == f32::MAX), "wrote past cap");
        if status == OK {
            prop_assert_eq!(n as u64, to - from);
            prop_assert!(channel < 2 && to <= 21600);
        }
        if status == BUFFER_TOO_SMALL {
            prop_assert_eq!(n as u64, to - from);
            prop_assert!(n > cap);
        }
        // SAFETY: live record.
        unsafe { (api.haresnet_record_free)(record) };
    }

    /// Any bytes as a path or annotator: a documented status.
    #[test]
    fn string_arguments(path in proptest::collection::vec(1u8..=255, 0..40), annotator in "[a-z]{0,4}") {
        let api = api();
        let mut p = path.clone();
        p.push(0);
        let ann = c(&annotator);
        let mut h: Handle = null_mut();
        // SAFETY: NUL-terminated strings, valid out pointer.
        let (s1, s2) = unsafe {
            let s1 = (api.haresnet_record_open)(p.as_ptr().cast(), &mut h);
            (api.haresnet_record_free)(h);
            let s2 = (api.haresnet_annotations_read)(p.as_ptr().cast(), ann.as_ptr(), &mut h);
            (api.haresnet_annotations_free)(h);
            (s1, s2)
        };
        prop_assert!([OK, INVALID_ARGUMENT, IO, FORMAT].contains(&s1), "open: {}", s1);
        prop_assert!([OK, INVALID_ARGUMENT, IO, FORMAT].contains(&s2), "annotations: {}", s2);
    }
}
