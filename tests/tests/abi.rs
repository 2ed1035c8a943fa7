//! Every function of the C ABI driven through the shared library loaded at run time, with
//! answers checked against the engine's own on the fixture records.

use std::ptr::{null, null_mut};

use haresnet_tests::*;

const FS: f64 = 360.0;

fn mlii(record: &str) -> Vec<f32> {
    let rec = engine::Record::open(fixture(record)).unwrap();
    let ch = rec.channel_index("MLII").unwrap();
    rec.read_physical(ch, 0, rec.sig_len()).unwrap()
}

/// The `version` of the workspace's `Cargo.toml`.
fn cargo_version() -> (u32, u32, u32) {
    let toml = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
    let line = toml
        .lines()
        .find(|l| l.starts_with("version = "))
        .expect("the workspace sets a version");
    let v = line.trim_start_matches("version = ").trim_matches('"');
    let parts: Vec<u32> = v.split('.').map(|p| p.parse().unwrap()).collect();
    (parts[0], parts[1], parts[2])
}

#[test]
fn versions_match_cargo_toml() {
    let api = api();
    let (major, minor, patch) = cargo_version();
    // SAFETY: static strings, no arguments.
    let version = unsafe { std::ffi::CStr::from_ptr((api.haresnet_version)()) };
    assert_eq!(
        version.to_str().unwrap(),
        format!("{major}.{minor}.{patch}")
    );
    // SAFETY: no arguments.
    assert_eq!(
        unsafe { (api.haresnet_abi_version)() },
        (major << 16) | minor
    );

    // The header's macros, as the C preprocessor computes them.
    let header = std::fs::read_to_string(workspace_root().join("include/haresnet.h")).unwrap();
    let define = |name: &str| {
        header
            .lines()
            .find_map(|l| l.strip_prefix(&format!("#define {name} ")))
            .unwrap_or_else(|| panic!("{name} is defined"))
            .trim()
            .to_string()
    };
    assert_eq!(define("HARESNET_VERSION_MAJOR"), major.to_string());
    assert_eq!(define("HARESNET_VERSION_MINOR"), minor.to_string());
    assert_eq!(define("HARESNET_VERSION_PATCH"), patch.to_string());
    // The computed number is checked by the C test (tests/c/abi.c) against this value,
    // passed on its command line; here, that the macro computes it from the parts.
    assert_eq!(
        define("HARESNET_ABI_VERSION"),
        "((HARESNET_VERSION_MAJOR << 16) | HARESNET_VERSION_MINOR)"
    );
}

#[test]
fn status_names_are_static_and_stable() {
    let api = api();
    let names = [
        (OK, "HARESNET_STATUS_OK"),
        (NULL_ARGUMENT, "HARESNET_STATUS_NULL_ARGUMENT"),
        (INVALID_ARGUMENT, "HARESNET_STATUS_INVALID_ARGUMENT"),
        (BUFFER_TOO_SMALL, "HARESNET_STATUS_BUFFER_TOO_SMALL"),
        (IO, "HARESNET_STATUS_IO"),
        (FORMAT, "HARESNET_STATUS_FORMAT"),
        (MODEL, "HARESNET_STATUS_MODEL"),
        (WRONG_HANDLE, "HARESNET_STATUS_WRONG_HANDLE"),
        (NOT_FOUND, "HARESNET_STATUS_NOT_FOUND"),
        (PANIC, "HARESNET_STATUS_PANIC"),
        (-1, "HARESNET_STATUS_UNKNOWN"),
        (1000, "HARESNET_STATUS_UNKNOWN"),
    ];
    let header = std::fs::read_to_string(workspace_root().join("include/haresnet.h")).unwrap();
    for (code, name) in names {
        // SAFETY: any code is accepted.
        let s = unsafe { std::ffi::CStr::from_ptr((api.haresnet_status_str)(code)) };
        assert_eq!(s.to_str().unwrap(), name);
        if (0..1000).contains(&code) {
            assert!(
                header.contains(&format!("#define {name} {code}\n")),
                "{name} = {code}"
            );
        }
    }
}

#[test]
fn last_error_copies_truncates_and_survives_success() {
    let api = api();
    let mut n = 0u32;
    // SAFETY: NULL model is the error under test.
    let status = unsafe { (api.haresnet_model_num_classes)(null_mut(), &mut n) };
    let message = expect(
        status,
        NULL_ARGUMENT,
        &["haresnet_model_num_classes", "model is NULL"],
    );
    // A successful call leaves the message alone.
    // SAFETY: no arguments.
    unsafe { (api.haresnet_abi_version)() };
    assert_eq!(last_error(), message);

    // A short buffer: truncated, NUL-terminated, BUFFER_TOO_SMALL and the full length.
    let mut buf = [0x55u8; 8];
    let mut len = 0usize;
    // SAFETY: `buf` holds 8 bytes.
    let status = unsafe { (api.haresnet_last_error)(buf.as_mut_ptr().cast(), buf.len(), &mut len) };
    assert_eq!(status, BUFFER_TOO_SMALL);
    assert_eq!(len, message.len());
    assert_eq!(&buf[..7], &message.as_bytes()[..7]);
    assert_eq!(buf[7], 0);
    // NULL out_len or NULL buffer with a capacity: refused, message kept.
    // SAFETY: the NULLs are the errors under test.
    unsafe {
        assert_eq!(
            (api.haresnet_last_error)(buf.as_mut_ptr().cast(), 8, null_mut()),
            NULL_ARGUMENT
        );
        assert_eq!(
            (api.haresnet_last_error)(null_mut(), 8, &mut len),
            NULL_ARGUMENT
        );
    }
    assert_eq!(last_error(), message);

    // Messages are per thread.
    std::thread::spawn(|| assert_eq!(last_error(), ""))
        .join()
        .unwrap();
}

#[test]
fn embedded_weights_load_or_report_their_absence() {
    let api = api();
    for seconds in [2u32, 5, 10] {
        for set in [None, Some("all"), Some("ds1")] {
            let set_c = set.map(c);
            let mut model: Handle = std::ptr::dangling_mut();
            // SAFETY: valid arguments.
            let status = unsafe {
                (api.haresnet_model_load_embedded)(
                    seconds,
                    set_c.as_ref().map_or(null(), |s| s.as_ptr()),
                    null(),
                    &mut model,
                )
            };
            if status == OK {
                assert!(!model.is_null());
                let mut s = 0.0;
                // SAFETY: live model.
                unsafe {
                    expect((api.haresnet_model_segment_seconds)(model, &mut s), OK, &[]);
                }
                assert_eq!(s, f64::from(seconds));
                if seconds == 5 {
                    let r = classify(model, &mlii("100_0000_0060"), FS, None);
                    assert_eq!(r.labels.len(), 12);
                    assert!(r.labels.iter().all(|l| (-1..5).contains(l)));
                }
                // SAFETY: live model, freed once.
                unsafe { (api.haresnet_model_free)(model) };
            } else {
                // Until trained weights are embedded in this build.
                expect(status, INVALID_ARGUMENT, &["no embedded weights"]);
                assert!(model.is_null(), "out is cleared on failure");
            }
        }
    }
    let mut model: Handle = null_mut();
    // SAFETY: valid arguments; the values are the errors under test.
    unsafe {
        let bad = c("ds2");
        let status = (api.haresnet_model_load_embedded)(5, bad.as_ptr(), null(), &mut model);
        expect(status, INVALID_ARGUMENT, &["ds2"]);
        let status = (api.haresnet_model_load_embedded)(7, null(), null(), &mut model);
        expect(status, INVALID_ARGUMENT, &["7 s"]);
    }
}

/// Writes an untrained network as `plugin/weights/rhythm-5s-all.hrn` (never committed) so
/// that a build exercises the embedded-weights path before trained weights exist:
/// `cargo test -p haresnet-tests --test abi -- --ignored write_untrained_embedded_weights`,
/// then build again. Refuses to replace an existing file.
#[test]
#[ignore = "writes into plugin/weights; run by hand"]
fn write_untrained_embedded_weights() {
    let path = workspace_root().join("plugin/weights/rhythm-5s-all.hrn");
    assert!(
        !path.exists(),
        "{} exists: not replacing it",
        path.display()
    );
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    write_weights(&path, 5.0, 1);
}

#[test]
fn model_load_file_with_options_and_errors() {
    let api = api();
    let mut opts = ModelOptions::default();
    // SAFETY: valid pointers and sizes.
    unsafe {
        expect(
            (api.haresnet_model_options_init)(&mut opts, size_of::<ModelOptions>()),
            OK,
            &[],
        );
        assert_eq!(opts.struct_size as usize, size_of::<ModelOptions>());
        assert_eq!(opts.threads, 0);
        expect(
            (api.haresnet_model_options_init)(&mut opts, 4),
            INVALID_ARGUMENT,
            &["sizeof"],
        );
    }
    opts.threads = 2;
    let path = c_path(weights_file());
    let mut model: Handle = null_mut();
    // SAFETY: valid arguments.
    unsafe {
        expect(
            (api.haresnet_model_load_file)(path.as_ptr(), &opts, &mut model),
            OK,
            &[],
        );
    }
    let samples = mlii("100_0000_0060");
    let with_pool = classify(model, &samples, FS, None);
    let shared = load_model();
    assert!(with_pool.same_as(&classify(shared, &samples, FS, None)));
    // SAFETY: live handles, freed once.
    unsafe {
        (api.haresnet_model_free)(model);
        (api.haresnet_model_free)(shared);
    }

    let mut bad = opts;
    bad.struct_size = 3;
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.hrn");
    std::fs::write(&garbage, b"HARESNET but not really").unwrap();
    let missing = dir.path().join("missing.hrn");
    // SAFETY: valid pointers; the contents are the errors under test.
    unsafe {
        let mut m: Handle = std::ptr::dangling_mut();
        expect(
            (api.haresnet_model_load_file)(path.as_ptr(), &bad, &mut m),
            INVALID_ARGUMENT,
            &["struct_size"],
        );
        assert!(m.is_null());
        let g = c_path(&garbage);
        expect(
            (api.haresnet_model_load_file)(g.as_ptr(), null(), &mut m),
            MODEL,
            &["garbage.hrn"],
        );
        let p = c_path(&missing);
        expect(
            (api.haresnet_model_load_file)(p.as_ptr(), null(), &mut m),
            IO,
            &["missing.hrn"],
        );
        let not_utf8 = [0xffu8, 0xfe, 0];
        expect(
            (api.haresnet_model_load_file)(not_utf8.as_ptr().cast(), null(), &mut m),
            INVALID_ARGUMENT,
            &["UTF-8"],
        );
    }
}

#[test]
fn model_properties() {
    let api = api();
    let model = load_model();
    let engine_model = engine::Classifier::from_file(weights_file(), &Default::default()).unwrap();
    assert_eq!(num_classes(model), 5);
    for (i, want) in ["N", "AFIB", "AFL", "VT", "OTHER"].iter().enumerate() {
        // SAFETY: live model; the closure passes the buffer arguments through.
        let name = read_string(|b, cap, len| unsafe {
            (api.haresnet_model_class_name)(model, i as u32, b, cap, len)
        });
        assert_eq!(name.as_deref(), Ok(*want));
    }
    let mut rate = 0.0;
    let mut seconds = 0.0;
    let mut len = 0usize;
    let mut count = 0usize;
    // SAFETY: live model, valid out pointers.
    unsafe {
        expect(
            (api.haresnet_model_class_name)(model, 5, null_mut(), 0, &mut len),
            INVALID_ARGUMENT,
            &["class index 5"],
        );
        expect((api.haresnet_model_rate)(model, &mut rate), OK, &[]);
        expect(
            (api.haresnet_model_segment_seconds)(model, &mut seconds),
            OK,
            &[],
        );
        expect(
            (api.haresnet_model_segment_len)(model, FS, &mut len),
            OK,
            &[],
        );
        expect(
            (api.haresnet_model_segment_count)(model, 21600, FS, null(), &mut count),
            OK,
            &[],
        );
        assert_eq!(rate, engine_model.model_rate());
        assert_eq!(seconds, 5.0);
        assert_eq!(len, 1800);
        assert_eq!(count, 12);
        let mut opts = ClassifyOptions::default();
        expect(
            (api.haresnet_classify_options_init)(&mut opts, size_of::<ClassifyOptions>()),
            OK,
            &[],
        );
        opts.hop_seconds = 2.5;
        expect(
            (api.haresnet_model_segment_count)(model, 21600, FS, &opts, &mut count),
            OK,
            &[],
        );
        assert_eq!(count, 23);
        expect(
            (api.haresnet_model_segment_len)(model, 50.0, &mut len),
            INVALID_ARGUMENT,
            &["at least 100 Hz"],
        );
        (api.haresnet_model_free)(model);
    }
}

#[test]
fn model_card_json_describes_the_embedded_weights() {
    let api = api();
    let mut model: Handle = null_mut();
    let all = c("all");
    // SAFETY: valid arguments.
    let status = unsafe { (api.haresnet_model_load_embedded)(5, all.as_ptr(), null(), &mut model) };
    expect(status, OK, &[]);
    // SAFETY: live model; the closure passes the buffer arguments through.
    let json =
        read_string(|b, cap, len| unsafe { (api.haresnet_model_card_json)(model, b, cap, len) })
            .expect("the card is copied");
    let engine_card = engine::Classifier::embedded(5, engine::weights::WeightSet::All)
        .unwrap()
        .card()
        .to_json();
    assert_eq!(json, engine_card);
    let card: serde_json::Value = serde_json::from_str(&json).expect("the card is JSON");
    assert_eq!(card["name"], "rhythm-5s-all");
    let labels: Vec<String> = (0..num_classes(model) as u32)
        .map(|i| {
            // SAFETY: live model; the closure passes the buffer arguments through.
            read_string(|b, cap, len| unsafe {
                (api.haresnet_model_class_name)(model, i, b, cap, len)
            })
            .unwrap()
        })
        .collect();
    assert_eq!(card["labels"], serde_json::json!(labels));
    assert_eq!(card["postprocess"]["smoothing_half_life_seconds"], 5.0);
    assert!(
        card["training"]["command"]
            .as_str()
            .is_some_and(|c| c.starts_with("haresnet ")),
        "the exact training command: {}",
        card["training"]
    );
    // The header promises the schema of the cards shipped beside the weights.
    let shipped =
        std::fs::read_to_string(workspace_root().join("plugin/weights/rhythm-5s-all.json"))
            .unwrap();
    assert_eq!(
        card,
        serde_json::from_str::<serde_json::Value>(&shipped).unwrap()
    );

    // One byte short (no room for the NUL): the length needed, the buffer untouched.
    let mut buf = vec![0x55u8; json.len()];
    let mut len = 0usize;
    // SAFETY: `buf` holds `buf.len()` bytes; the NULLs are the errors under test.
    unsafe {
        let card_json = api.haresnet_model_card_json;
        expect(
            card_json(model, buf.as_mut_ptr().cast(), buf.len(), &mut len),
            BUFFER_TOO_SMALL,
            &[&format!("{} needed", json.len() + 1)],
        );
        assert_eq!(len, json.len());
        assert!(buf.iter().all(|&b| b == 0x55), "buffer untouched");
        len = 7;
        expect(
            card_json(null_mut(), buf.as_mut_ptr().cast(), buf.len(), &mut len),
            NULL_ARGUMENT,
            &["haresnet_model_card_json", "model is NULL"],
        );
        assert_eq!(len, 7, "out_len untouched on failure");
        expect(
            card_json(model, buf.as_mut_ptr().cast(), buf.len(), null_mut()),
            NULL_ARGUMENT,
            &["out_len is NULL"],
        );
        assert!(buf.iter().all(|&b| b == 0x55), "buffer untouched");
        (api.haresnet_model_free)(model);
    }
}

#[test]
fn classify_matches_the_engine_and_every_entry_point_agrees() {
    let api = api();
    let model = load_model();
    let engine_model = engine::Classifier::from_file(weights_file(), &Default::default()).unwrap();
    let samples = mlii("201_0420_0540");
    let got = classify(model, &samples, FS, None);
    let want = engine_model.classify(&samples, FS).unwrap();
    assert_eq!(got.starts.len(), want.len());
    assert_eq!(want.len(), 24);
    for (i, w) in want.iter().enumerate() {
        assert_eq!(got.starts[i], w.start as i64);
        assert_eq!(got.labels[i], w.label.map_or(-1, |l| l as i32));
        assert_eq!(
            &got.probabilities[i * 5..i * 5 + 5],
            w.probabilities.as_slice()
        );
        let sum: f32 = got.probabilities[i * 5..i * 5 + 5].iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "{sum}");
        match w.heart_rate_bpm {
            Some(h) => assert_eq!(got.heart_rates[i], h),
            None => assert!(got.heart_rates[i].is_nan()),
        }
    }

    // One segment at a time gives the same as the whole signal.
    for i in [0usize, 7, 23] {
        let seg = &samples[i * 1800..(i + 1) * 1800];
        let mut label = -7;
        let mut probs = [0f32; 5];
        let mut hr = 0f32;
        // SAFETY: `seg` holds 1800 samples, `probs` 5 floats.
        let status = unsafe {
            (api.haresnet_model_classify_segment)(
                model,
                seg.as_ptr(),
                seg.len(),
                FS,
                &mut label,
                probs.as_mut_ptr(),
                5,
                &mut hr,
            )
        };
        expect(status, OK, &[]);
        assert_eq!(label, got.labels[i]);
        assert_eq!(&probs[..], &got.probabilities[i * 5..i * 5 + 5]);
        assert_eq!(hr.to_bits(), got.heart_rates[i].to_bits());
        // Optional outputs may be NULL.
        let mut label2 = -7;
        // SAFETY: as above, optional outputs NULL.
        let status = unsafe {
            (api.haresnet_model_classify_segment)(
                model,
                seg.as_ptr(),
                seg.len(),
                FS,
                &mut label2,
                null_mut(),
                0,
                null_mut(),
            )
        };
        expect(status, OK, &[]);
        assert_eq!(label2, label);
    }

    // Only the wanted arrays.
    let mut labels = vec![0i32; 24];
    let mut n = 0usize;
    // SAFETY: `labels` holds 24 segments; other arrays NULL.
    let status = unsafe {
        (api.haresnet_model_classify)(
            model,
            samples.as_ptr(),
            samples.len(),
            FS,
            null(),
            null_mut(),
            labels.as_mut_ptr(),
            null_mut(),
            null_mut(),
            24,
            &mut n,
        )
    };
    expect(status, OK, &[]);
    assert_eq!(labels, got.labels);

    // A short array: BUFFER_TOO_SMALL, the count, arrays untouched.
    let mut short = Results::with_capacity(23, 5);
    // SAFETY: arrays hold 23 segments, as `cap` says.
    let status = unsafe {
        (api.haresnet_model_classify)(
            model,
            samples.as_ptr(),
            samples.len(),
            FS,
            null(),
            short.starts.as_mut_ptr(),
            short.labels.as_mut_ptr(),
            short.probabilities.as_mut_ptr(),
            short.heart_rates.as_mut_ptr(),
            23,
            &mut n,
        )
    };
    expect(status, BUFFER_TOO_SMALL, &["23", "24"]);
    assert_eq!(n, 24);
    assert!(short.same_as(&Results::with_capacity(23, 5)));
    // SAFETY: live model.
    unsafe { (api.haresnet_model_free)(model) };
}

#[test]
fn nan_samples_are_refused_with_their_index_or_skipped() {
    let api = api();
    let model = load_model();
    let mut samples = mlii("100_0000_0060");
    samples[4000] = f32::NAN;
    samples[9000] = f32::INFINITY;
    let mut n = 0usize;
    let mut labels = vec![0i32; 12];
    // SAFETY: `labels` holds 12 segments.
    let status = unsafe {
        (api.haresnet_model_classify)(
            model,
            samples.as_ptr(),
            samples.len(),
            FS,
            null(),
            null_mut(),
            labels.as_mut_ptr(),
            null_mut(),
            null_mut(),
            12,
            &mut n,
        )
    };
    expect(status, INVALID_ARGUMENT, &["index 4000", "2 sample(s)"]);

    let mut opts = ClassifyOptions::default();
    // SAFETY: valid pointer and size.
    unsafe { (api.haresnet_classify_options_init)(&mut opts, size_of::<ClassifyOptions>()) };
    opts.invalid_samples = INVALID_SAMPLES_SKIP;
    let r = classify(model, &samples, FS, Some(&opts));
    assert_eq!(r.labels.len(), 12);
    assert_eq!(r.labels[2], -1);
    assert_eq!(r.labels[5], -1);
    assert!(r.probabilities[10..15].iter().all(|p| p.is_nan()));
    assert!(
        r.labels
            .iter()
            .enumerate()
            .all(|(i, &l)| (i == 2 || i == 5) || (0..5).contains(&l))
    );

    // One segment with NaN, and a stream chunk with NaN (refused whole, stream intact).
    let seg = &samples[3600..5400];
    let mut label = 0;
    // SAFETY: `seg` holds 1800 samples.
    let status = unsafe {
        (api.haresnet_model_classify_segment)(
            model,
            seg.as_ptr(),
            seg.len(),
            FS,
            &mut label,
            null_mut(),
            0,
            null_mut(),
        )
    };
    expect(status, INVALID_ARGUMENT, &["index 400"]);
    opts.invalid_samples = 9;
    let mut out = 0usize;
    // SAFETY: valid pointers.
    let status = unsafe { (api.haresnet_model_segment_count)(model, 100, FS, &opts, &mut out) };
    expect(status, INVALID_ARGUMENT, &["invalid_samples is 9"]);
    // SAFETY: live model.
    unsafe { (api.haresnet_model_free)(model) };
}

/// Classify options as `haresnet_classify_options_init` fills them.
fn init_classify_options() -> ClassifyOptions {
    let mut opts = ClassifyOptions::default();
    // SAFETY: valid pointer and size.
    let status =
        unsafe { (api().haresnet_classify_options_init)(&mut opts, size_of::<ClassifyOptions>()) };
    expect(status, OK, &[]);
    opts
}

#[test]
fn smoothing_half_life_is_the_weights_own_unless_the_options_say_otherwise() {
    let api = api();
    let mut model: Handle = null_mut();
    // SAFETY: valid arguments.
    let status = unsafe { (api.haresnet_model_load_embedded)(5, null(), null(), &mut model) };
    expect(status, OK, &[]);
    let own = engine::Classifier::embedded(5, engine::weights::WeightSet::All)
        .unwrap()
        .card()
        .postprocess
        .smoothing_half_life_seconds;
    assert_eq!(
        own, 5.0,
        "the header documents the embedded weights' half-life"
    );
    let samples = mlii("201_0420_0540");
    let init = init_classify_options();
    assert_eq!(init.struct_size as usize, size_of::<ClassifyOptions>());
    assert_eq!(init.smoothing_half_life_seconds, -1.0);
    let default = classify(model, &samples, FS, None);
    assert_eq!(default.labels.len(), 24);
    assert!(default.same_as(&classify(model, &samples, FS, Some(&init))));
    let with = |half_life: f64| ClassifyOptions {
        smoothing_half_life_seconds: half_life,
        ..init
    };

    // Off: each segment's own probabilities. The first segment has no past to blend with.
    let off = classify(model, &samples, FS, Some(&with(0.0)));
    assert_eq!(off.starts, default.starts);
    assert_eq!(off.probabilities[..5], default.probabilities[..5]);
    let differ = (1..24)
        .filter(|i| off.probabilities[i * 5..i * 5 + 5] != default.probabilities[i * 5..i * 5 + 5])
        .count();
    assert!(differ > 0, "smoothing changed no segment");
    assert!(classify(model, &samples, FS, Some(&with(own))).same_as(&default));
    assert!(!classify(model, &samples, FS, Some(&with(60.0))).same_as(&default));

    // Not a number of seconds: refused by every entry point taking options.
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let opts = with(bad);
        let mut n = 0usize;
        let mut stream: Handle = null_mut();
        // SAFETY: valid pointers; the half-life is the error under test.
        unsafe {
            expect(
                (api.haresnet_model_classify)(
                    model,
                    samples.as_ptr(),
                    samples.len(),
                    FS,
                    &opts,
                    null_mut(),
                    null_mut(),
                    null_mut(),
                    null_mut(),
                    0,
                    &mut n,
                ),
                INVALID_ARGUMENT,
                &["smoothing_half_life_seconds", "half-life"],
            );
            expect(
                (api.haresnet_stream_new)(model, FS, &opts, &mut stream),
                INVALID_ARGUMENT,
                &["half-life"],
            );
        }
        assert!(stream.is_null());
    }

    // A caller compiled against the first header: a 16-byte structure, followed here by
    // bytes the library must neither write (init) nor read (a NaN half-life if it did).
    #[repr(C)]
    struct Guarded {
        opts: ClassifyOptionsV1,
        after: f64,
    }
    assert_eq!(size_of::<ClassifyOptionsV1>(), 16);
    let mut old = Guarded {
        opts: ClassifyOptionsV1::default(),
        after: f64::NAN,
    };
    // `opts` comes first: a pointer to all of `old` is one to its options.
    let as_current = (&raw mut old).cast::<ClassifyOptions>();
    // SAFETY: `old` holds at least the 16 bytes passed.
    unsafe {
        expect(
            (api.haresnet_classify_options_init)(as_current, 16),
            OK,
            &[],
        )
    };
    assert_eq!(old.opts.struct_size, 16);
    assert_eq!(old.opts.invalid_samples, INVALID_SAMPLES_DEFAULT);
    assert_eq!(old.opts.hop_seconds, 0.0);
    assert!(old.after.is_nan(), "init wrote past the caller's 16 bytes");
    // SAFETY: `old` is 24 initialised bytes laid out as the current structure.
    let got = classify(model, &samples, FS, Some(unsafe { &*as_current }));
    assert!(got.same_as(&default));
    // A size between two layouts is read as the older one; below the first, refused.
    // SAFETY: as above.
    let between = unsafe {
        (*as_current).struct_size = 20;
        &*as_current
    };
    assert!(classify(model, &samples, FS, Some(between)).same_as(&default));
    // SAFETY: as above.
    unsafe { (*as_current).struct_size = 15 };
    let mut count = 0usize;
    // SAFETY: valid pointers; the sizes are the errors under test.
    unsafe {
        expect(
            (api.haresnet_model_segment_count)(model, samples.len(), FS, as_current, &mut count),
            INVALID_ARGUMENT,
            &["struct_size is 15", "at least 16"],
        );
        expect(
            (api.haresnet_classify_options_init)(as_current, 15),
            INVALID_ARGUMENT,
            &["sizeof"],
        );
        (api.haresnet_model_free)(model);
    }
}

#[test]
fn stream_gives_the_whole_signal_results_for_any_chunking() {
    let api = api();
    let model = load_model();
    let samples = mlii("203_0740_0860");
    let whole = classify(model, &samples, FS, None);
    for chunk in [1usize, 997, 1800, 50_000] {
        let mut stream: Handle = null_mut();
        // SAFETY: live model, valid out pointer.
        expect(
            unsafe { (api.haresnet_stream_new)(model, FS, null(), &mut stream) },
            OK,
            &[],
        );
        let mut got = Results::default();
        for (k, part) in samples.chunks(chunk).enumerate() {
            // SAFETY: live stream, `part` holds its length.
            expect(
                unsafe { (api.haresnet_stream_push)(stream, part.as_ptr(), part.len()) },
                OK,
                &[],
            );
            if k % 3 != 0 {
                continue; // results accumulate until read
            }
            let mut ready = 0usize;
            // SAFETY: live stream.
            expect(
                unsafe { (api.haresnet_stream_ready)(stream, &mut ready) },
                OK,
                &[],
            );
            let mut r = Results::with_capacity(ready, 5);
            let mut n = 99usize;
            // SAFETY: arrays hold `ready` segments.
            let status = unsafe {
                (api.haresnet_stream_read)(
                    stream,
                    r.starts.as_mut_ptr(),
                    r.labels.as_mut_ptr(),
                    r.probabilities.as_mut_ptr(),
                    r.heart_rates.as_mut_ptr(),
                    ready,
                    &mut n,
                )
            };
            expect(status, OK, &[]);
            assert_eq!(n, ready);
            got.starts.extend(r.starts);
            got.labels.extend(r.labels);
            got.probabilities.extend(r.probabilities);
            got.heart_rates.extend(r.heart_rates);
        }
        let mut ready = 0usize;
        // SAFETY: live stream.
        unsafe { (api.haresnet_stream_ready)(stream, &mut ready) };
        if ready > 0 {
            let mut n = 0usize;
            // SAFETY: cap 0 with NULL arrays asks for the count and keeps the results.
            let status = unsafe {
                (api.haresnet_stream_read)(
                    stream,
                    null_mut(),
                    null_mut(),
                    null_mut(),
                    null_mut(),
                    0,
                    &mut n,
                )
            };
            expect(status, BUFFER_TOO_SMALL, &[]);
            assert_eq!(n, ready);
            let mut r = Results::with_capacity(ready, 5);
            // SAFETY: arrays hold `ready` segments.
            let status = unsafe {
                (api.haresnet_stream_read)(
                    stream,
                    r.starts.as_mut_ptr(),
                    r.labels.as_mut_ptr(),
                    r.probabilities.as_mut_ptr(),
                    r.heart_rates.as_mut_ptr(),
                    ready,
                    &mut n,
                )
            };
            expect(status, OK, &[]);
            got.starts.extend(r.starts);
            got.labels.extend(r.labels);
            got.probabilities.extend(r.probabilities);
            got.heart_rates.extend(r.heart_rates);
        }
        assert!(got.same_as(&whole), "chunks of {chunk}");
        // SAFETY: live stream, freed once.
        unsafe { (api.haresnet_stream_free)(stream) };
    }

    // NaN in a chunk: refused whole, naming its index in the stream; the stream carries on.
    let mut stream: Handle = null_mut();
    // SAFETY: live model.
    unsafe { (api.haresnet_stream_new)(model, FS, null(), &mut stream) };
    // The model may go before its streams.
    // SAFETY: live model, freed once.
    unsafe { (api.haresnet_model_free)(model) };
    let mut bad = samples[1000..2000].to_vec();
    bad[10] = f32::NAN;
    // SAFETY: live stream, valid slices.
    unsafe {
        expect(
            (api.haresnet_stream_push)(stream, samples.as_ptr(), 1000),
            OK,
            &[],
        );
        expect(
            (api.haresnet_stream_push)(stream, bad.as_ptr(), bad.len()),
            INVALID_ARGUMENT,
            &["index 1010"],
        );
        expect(
            (api.haresnet_stream_push)(stream, samples[1000..].as_ptr(), samples.len() - 1000),
            OK,
            &[],
        );
        let mut ready = 0usize;
        expect((api.haresnet_stream_ready)(stream, &mut ready), OK, &[]);
        assert_eq!(ready, whole.labels.len());
        let mut labels = vec![0i32; ready];
        let mut n = 0usize;
        expect(
            (api.haresnet_stream_read)(
                stream,
                null_mut(),
                labels.as_mut_ptr(),
                null_mut(),
                null_mut(),
                ready,
                &mut n,
            ),
            OK,
            &[],
        );
        assert_eq!(labels, whole.labels);
        expect((api.haresnet_stream_ready)(stream, &mut ready), OK, &[]);
        assert_eq!(ready, 0);
        (api.haresnet_stream_free)(stream);
    }
}

#[test]
fn record_metadata_and_samples_match_the_engine() {
    let api = api();
    let path = fixture("201_0420_0540");
    let rec = engine::Record::open(&path).unwrap();
    let record = open_record("201_0420_0540");
    let mut n_sig = 0u32;
    let mut len = 0u64;
    let mut fs = 0.0;
    // SAFETY: live record, valid out pointers.
    unsafe {
        expect(
            (api.haresnet_record_num_signals)(record, &mut n_sig),
            OK,
            &[],
        );
        expect((api.haresnet_record_length)(record, &mut len), OK, &[]);
        expect((api.haresnet_record_fs)(record, &mut fs), OK, &[]);
    }
    assert_eq!((n_sig, len, fs), (2, 43200, 360.0));
    for i in 0..2u32 {
        let spec = &rec.signals()[i as usize];
        // SAFETY: live record; buffer arguments passed through.
        let name = read_string(|b, cap, l| unsafe {
            (api.haresnet_record_signal_name)(record, i, b, cap, l)
        });
        // SAFETY: as above.
        let units = read_string(|b, cap, l| unsafe {
            (api.haresnet_record_signal_units)(record, i, b, cap, l)
        });
        assert_eq!(name.unwrap(), spec.description);
        assert_eq!(units.unwrap(), "mV");
        let (mut gain, mut rate, mut index) = (0.0, 0.0, 99u32);
        // SAFETY: live record, valid out pointers.
        unsafe {
            expect(
                (api.haresnet_record_signal_gain)(record, i, &mut gain),
                OK,
                &[],
            );
            expect(
                (api.haresnet_record_signal_rate)(record, i, &mut rate),
                OK,
                &[],
            );
            let cname = c(&spec.description);
            expect(
                (api.haresnet_record_find_signal)(record, cname.as_ptr(), &mut index),
                OK,
                &[],
            );
        }
        assert_eq!((gain, rate, index), (200.0, 360.0, i));
    }
    let mut index = 7u32;
    let mut gain = 0.0;
    let mut l = 0usize;
    // SAFETY: live record; the names and indices are the errors under test.
    unsafe {
        let v5 = c("V5");
        expect(
            (api.haresnet_record_find_signal)(record, v5.as_ptr(), &mut index),
            NOT_FOUND,
            &["V5", "MLII, V1"],
        );
        assert_eq!(index, 7);
        expect(
            (api.haresnet_record_signal_gain)(record, 2, &mut gain),
            INVALID_ARGUMENT,
            &["index 2"],
        );
        expect(
            (api.haresnet_record_signal_name)(record, 2, null_mut(), 0, &mut l),
            INVALID_ARGUMENT,
            &["has 2 signals"],
        );
    }

    let want = rec.read_physical(1, 1000, 4600).unwrap();
    let mut buf = vec![0f32; 3600];
    let mut n = 0usize;
    // SAFETY: `buf` holds 3600 floats.
    unsafe {
        expect(
            (api.haresnet_record_read)(record, 1, 1000, 4600, null_mut(), 0, &mut n),
            BUFFER_TOO_SMALL,
            &[],
        );
        assert_eq!(n, 3600);
        expect(
            (api.haresnet_record_read)(record, 1, 1000, 4600, buf.as_mut_ptr(), 3599, &mut n),
            BUFFER_TOO_SMALL,
            &["3599", "3600"],
        );
        assert!(buf.iter().all(|&v| v == 0.0), "untouched");
        expect(
            (api.haresnet_record_read)(record, 1, 1000, 4600, buf.as_mut_ptr(), 3600, &mut n),
            OK,
            &[],
        );
        assert_eq!(n, 3600);
        assert_eq!(buf, want);
        expect(
            (api.haresnet_record_read)(record, 0, 5, 5, buf.as_mut_ptr(), 1, &mut n),
            OK,
            &[],
        );
        assert_eq!(n, 0);
        expect(
            (api.haresnet_record_read)(record, 0, 43000, 43201, buf.as_mut_ptr(), 3600, &mut n),
            INVALID_ARGUMENT,
            &["43201", "43200 frames"],
        );
        expect(
            (api.haresnet_record_read)(record, 0, 10, 5, buf.as_mut_ptr(), 3600, &mut n),
            INVALID_ARGUMENT,
            &[],
        );
        expect(
            (api.haresnet_record_read)(record, 2, 0, 5, buf.as_mut_ptr(), 3600, &mut n),
            INVALID_ARGUMENT,
            &["index 2"],
        );
        (api.haresnet_record_free)(record);
    }

    // Opening errors name the file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.hea"), "bad 2 notanumber 100\n").unwrap();
    let mut r: Handle = std::ptr::dangling_mut();
    // SAFETY: valid strings and out pointer.
    unsafe {
        let missing = c_path(&dir.path().join("missing"));
        expect(
            (api.haresnet_record_open)(missing.as_ptr(), &mut r),
            IO,
            &["missing.hea"],
        );
        assert!(r.is_null());
        let bad = c_path(&dir.path().join("bad"));
        expect(
            (api.haresnet_record_open)(bad.as_ptr(), &mut r),
            FORMAT,
            &["bad.hea"],
        );
    }
}

#[test]
fn record_classify_equals_classifying_its_mlii() {
    let api = api();
    let model = load_model();
    let record = open_record("207_1530_1650");
    let samples = mlii("207_1530_1650");
    let whole = classify(model, &samples, FS, None);
    let classes = 5;
    let mut r = Results::with_capacity(whole.labels.len(), classes);
    let mut n = 0usize;
    // SAFETY: live handles; arrays hold `whole.labels.len()` segments.
    unsafe {
        expect(
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
                &mut n,
            ),
            BUFFER_TOO_SMALL,
            &[],
        );
        assert_eq!(n, whole.labels.len());
        expect(
            (api.haresnet_record_classify)(
                record,
                model,
                null(),
                null(),
                r.starts.as_mut_ptr(),
                r.labels.as_mut_ptr(),
                r.probabilities.as_mut_ptr(),
                r.heart_rates.as_mut_ptr(),
                n,
                &mut n,
            ),
            OK,
            &[],
        );
        assert!(r.same_as(&whole));
        let v1 = c("V1");
        expect(
            (api.haresnet_record_classify)(
                record,
                model,
                v1.as_ptr(),
                null(),
                null_mut(),
                r.labels.as_mut_ptr(),
                null_mut(),
                null_mut(),
                n,
                &mut n,
            ),
            OK,
            &[],
        );
        let v5 = c("V5");
        expect(
            (api.haresnet_record_classify)(
                record,
                model,
                v5.as_ptr(),
                null(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                n,
                &mut n,
            ),
            NOT_FOUND,
            &["V5"],
        );
        (api.haresnet_record_free)(record);
        (api.haresnet_model_free)(model);
    }
}

#[test]
fn annotations_match_the_engine() {
    let api = api();
    let path = fixture("203_0740_0860");
    let want = engine::wfdb::read_annotations(&path, "atr").unwrap();
    let mut anns: Handle = null_mut();
    let cpath = c_path(&path);
    let atr = c("atr");
    // SAFETY: valid strings and out pointer.
    expect(
        unsafe { (api.haresnet_annotations_read)(cpath.as_ptr(), atr.as_ptr(), &mut anns) },
        OK,
        &[],
    );
    let mut count = 0usize;
    // SAFETY: live handle.
    expect(
        unsafe { (api.haresnet_annotations_count)(anns, &mut count) },
        OK,
        &[],
    );
    assert_eq!(count, want.len());
    assert!(count > 100);
    let (mut samples, mut codes, mut subtypes, mut chans, mut nums) = (
        vec![0i64; count],
        vec![0i32; count],
        vec![0i32; count],
        vec![0i32; count],
        vec![0i32; count],
    );
    let mut n = 0usize;
    // SAFETY: arrays hold `count` elements (one short first).
    unsafe {
        expect(
            (api.haresnet_annotations_fields)(
                anns,
                samples.as_mut_ptr(),
                null_mut(),
                null_mut(),
                null_mut(),
                null_mut(),
                count - 1,
                &mut n,
            ),
            BUFFER_TOO_SMALL,
            &[],
        );
        assert_eq!(n, count);
        assert!(samples.iter().all(|&s| s == 0));
        expect(
            (api.haresnet_annotations_fields)(
                anns,
                samples.as_mut_ptr(),
                codes.as_mut_ptr(),
                subtypes.as_mut_ptr(),
                chans.as_mut_ptr(),
                nums.as_mut_ptr(),
                count,
                &mut n,
            ),
            OK,
            &[],
        );
    }
    let mut rhythms = Vec::new();
    for (i, a) in want.iter().enumerate() {
        assert_eq!(
            (samples[i], codes[i], subtypes[i], chans[i], nums[i]),
            (
                a.sample,
                i32::from(a.code),
                i32::from(a.subtype),
                i32::from(a.chan),
                i32::from(a.num)
            )
        );
        // SAFETY: live handle; buffer arguments passed through.
        let symbol = read_string(|b, cap, l| unsafe {
            (api.haresnet_annotations_symbol)(anns, i, b, cap, l)
        });
        // SAFETY: as above.
        let aux =
            read_string(|b, cap, l| unsafe { (api.haresnet_annotations_aux)(anns, i, b, cap, l) });
        assert_eq!(symbol.unwrap(), a.symbol());
        let aux = aux.unwrap();
        assert_eq!(aux, a.aux_str());
        if a.symbol() == "+" {
            rhythms.push(aux);
        }
    }
    assert!(
        rhythms.contains(&"(AFIB".to_string()) && rhythms.contains(&"(VT".to_string()),
        "{rhythms:?}"
    );
    let mut l = 0usize;
    // SAFETY: live handle; the index is the error under test.
    unsafe {
        expect(
            (api.haresnet_annotations_aux)(anns, count, null_mut(), 0, &mut l),
            INVALID_ARGUMENT,
            &["out of range"],
        );
        (api.haresnet_annotations_free)(anns);
        let mut a: Handle = std::ptr::dangling_mut();
        let nope = c("nope");
        expect(
            (api.haresnet_annotations_read)(cpath.as_ptr(), nope.as_ptr(), &mut a),
            IO,
            &["203_0740_0860.nope"],
        );
        assert!(a.is_null());
    }
}

#[test]
fn rhythm_annotations_round_trip() {
    let api = api();
    let model = load_model();
    let record = open_record("201_0420_0540");
    let mut r = Results::with_capacity(24, 5);
    let mut n = 0usize;
    // SAFETY: live handles; arrays hold 24 segments.
    unsafe {
        expect(
            (api.haresnet_record_classify)(
                record,
                model,
                null(),
                null(),
                r.starts.as_mut_ptr(),
                r.labels.as_mut_ptr(),
                null_mut(),
                null_mut(),
                24,
                &mut n,
            ),
            OK,
            &[],
        );
    }
    assert_eq!(n, 24);
    // Force changes and a gap, whatever the untrained network said.
    r.labels[3] = 1;
    r.labels[4] = -1;
    r.labels[5] = -1;
    r.labels[6] = 4;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("201_0420_0540");
    let cout = c_path(&out);
    let hrn = c("hrn");
    // SAFETY: live model, arrays of 24.
    let status = unsafe {
        (api.haresnet_annotations_write_rhythm)(
            model,
            cout.as_ptr(),
            hrn.as_ptr(),
            FS,
            r.starts.as_ptr(),
            r.labels.as_ptr(),
            24,
        )
    };
    expect(status, OK, &[]);
    let names = ["N", "AFIB", "AFL", "VT", "OTHER"];
    let anns = engine::wfdb::read_annotations(&out, "hrn").unwrap();
    // Walk the segments: each change of label has its annotation at the segment start.
    let mut expected = Vec::new();
    let mut prev: Option<i32> = None;
    for (s, &l) in r.starts.iter().zip(&r.labels) {
        if prev != Some(l) {
            if l == -1 {
                expected.push((*s, "~".to_string(), String::new()));
            } else {
                if prev == Some(-1) {
                    expected.push((*s, "~".to_string(), String::new()));
                }
                expected.push((*s, "+".to_string(), format!("({}", names[l as usize])));
            }
        }
        prev = Some(l);
    }
    let got: Vec<(i64, String, String)> = anns
        .iter()
        .map(|a| (a.sample, a.symbol().to_string(), a.aux_str().into_owned()))
        .collect();
    assert_eq!(got, expected);
    wfdb_python_reads(&out, "hrn", &expected);

    let mut bad = r.labels.clone();
    bad[0] = 5;
    // SAFETY: as above; the values are the errors under test.
    unsafe {
        expect(
            (api.haresnet_annotations_write_rhythm)(
                model,
                cout.as_ptr(),
                hrn.as_ptr(),
                FS,
                r.starts.as_ptr(),
                bad.as_ptr(),
                24,
            ),
            INVALID_ARGUMENT,
            &["labels[0] is 5"],
        );
        bad[0] = -2;
        expect(
            (api.haresnet_annotations_write_rhythm)(
                model,
                cout.as_ptr(),
                hrn.as_ptr(),
                FS,
                r.starts.as_ptr(),
                bad.as_ptr(),
                24,
            ),
            INVALID_ARGUMENT,
            &["labels[0] is -2"],
        );
        let nowhere = c_path(&dir.path().join("no/such/dir/r"));
        expect(
            (api.haresnet_annotations_write_rhythm)(
                model,
                nowhere.as_ptr(),
                hrn.as_ptr(),
                FS,
                r.starts.as_ptr(),
                r.labels.as_ptr(),
                24,
            ),
            IO,
            &["no/such/dir"],
        );
        (api.haresnet_record_free)(record);
        (api.haresnet_model_free)(model);
    }
}

/// A Python with wfdb-python: `HARESNET_WFDB_PYTHON`, the `.venv` that `scripts/setup`
/// makes, or `python3` if it imports wfdb.
fn wfdb_python() -> Option<std::path::PathBuf> {
    let candidates = std::env::var_os("HARESNET_WFDB_PYTHON")
        .map(Into::into)
        .into_iter()
        .chain([workspace_root().join(".venv/bin/python"), "python3".into()]);
    for python in candidates {
        let ok = std::process::Command::new(&python)
            .args(["-c", "import wfdb"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(python);
        }
    }
    None
}

/// wfdb-python reads the annotation file `record.annotator` as `expected`
/// (sample, symbol, aux).
fn wfdb_python_reads(
    record: &std::path::Path,
    annotator: &str,
    expected: &[(i64, String, String)],
) {
    let Some(python) = wfdb_python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs wfdb-python (scripts/setup)"
        );
        eprintln!("notice: no Python with wfdb-python; skipping its reading of the rhythm file");
        return;
    };
    let script = "import sys, wfdb\n\
        a = wfdb.rdann(sys.argv[1], sys.argv[2])\n\
        for s, sym, aux in zip(a.sample, a.symbol, a.aux_note):\n    print(f'{s}\\t{sym}\\t{aux}')\n";
    let out = std::process::Command::new(&python)
        .args(["-c", script])
        .arg(record)
        .arg(annotator)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<(i64, String, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].parse().unwrap(),
                f[1].to_string(),
                f[2].trim_end_matches('\0').to_string(),
            )
        })
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn summary_adds_up_and_refuses_what_does_not() {
    let api = api();
    let model = load_model();
    // 24 segments of 5 s over a 120 s signal: four of each class, then four not analysed.
    let starts: Vec<i64> = (0..24).map(|i| i * 1800).collect();
    let labels: Vec<i32> = (0..24).map(|i| if i < 20 { i % 5 } else { -1 }).collect();
    let summarize = |total: u64, starts: &[i64], labels: &[i32], cap: usize| {
        let mut seconds = vec![-1.0f64; cap];
        let (mut analysed, mut burden) = (-1.0f64, -1.0f64);
        // SAFETY: live model; arrays of the lengths given.
        let status = unsafe {
            (api.haresnet_summarize)(
                model,
                FS,
                total,
                starts.as_ptr(),
                labels.as_ptr(),
                starts.len(),
                seconds.as_mut_ptr(),
                cap,
                &mut analysed,
                &mut burden,
            )
        };
        (status, seconds, analysed, burden)
    };
    let (status, seconds, analysed, burden) = summarize(43200, &starts, &labels, 5);
    expect(status, OK, &[]);
    assert_eq!(seconds, [20.0; 5]);
    assert_eq!(analysed, 100.0);
    // AFIB and AFL: 40 of the 100 analysed seconds.
    assert!((burden - 40.0).abs() < 1e-9, "{burden}");
    // A longer signal adds unanalysed time only.
    let (status, longer, analysed, _) = summarize(50000, &starts, &labels, 5);
    expect(status, OK, &[]);
    assert_eq!((longer, analysed), (seconds, 100.0));
    // Nothing analysed: no burden.
    let (status, _, analysed, burden) = summarize(43200, &starts, &[-1; 24], 5);
    expect(status, OK, &[]);
    assert!(analysed == 0.0 && burden.is_nan());

    // Outputs are untouched on failure.
    let (status, seconds, analysed, _) = summarize(43200, &starts, &labels, 4);
    expect(status, BUFFER_TOO_SMALL, &["class_seconds", "5 classes"]);
    assert!(seconds.iter().all(|&s| s == -1.0) && analysed == -1.0);
    let mut bad = labels.clone();
    bad[3] = 5;
    expect(
        summarize(43200, &starts, &bad, 5).0,
        INVALID_ARGUMENT,
        &["labels[3]", "5"],
    );
    let mut shuffled = starts.clone();
    shuffled.swap(1, 2);
    expect(
        summarize(43200, &shuffled, &labels, 5).0,
        INVALID_ARGUMENT,
        &["starts[2]", "non-decreasing"],
    );
    // The last segment may end with the signal (a tail's row); one starting past it is
    // refused.
    expect(
        summarize(40000, &starts, &labels, 5).0,
        INVALID_ARGUMENT,
        &["segment 23", "past the signal"],
    );
    assert_eq!(summarize(41401, &starts, &labels, 5).0, OK);
    // NULL handle and NULL arrays with a count are refused, not read; NULL outputs are
    // skipped.
    let bare = |model: Handle, starts: *const i64| {
        // SAFETY: the pointers are live or NULL; NULL is what is under test.
        unsafe {
            (api.haresnet_summarize)(
                model,
                FS,
                43200,
                starts,
                labels.as_ptr(),
                24,
                null_mut(),
                0,
                null_mut(),
                null_mut(),
            )
        }
    };
    expect(bare(null_mut(), starts.as_ptr()), NULL_ARGUMENT, &["model"]);
    expect(bare(model, null()), NULL_ARGUMENT, &["starts"]);
    expect(bare(model, starts.as_ptr()), OK, &[]);
    // SAFETY: a live model, freed once.
    unsafe {
        (api.haresnet_model_free)(model);
    }
}
