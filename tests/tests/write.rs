//! Writing records and annotation files through the C ABI: the files equal the engine's
//! byte for byte, read back exactly, and misuse gets a status and a message.

use std::ptr::{null, null_mut};

use engine::wfdb::write::{self, RecordOut, Samples, SignalOut};
use engine::wfdb::{self, Format, Record, Resolution};
use haresnet_tests::*;

fn digital(rec: &Record) -> Vec<Vec<i32>> {
    let all: Vec<usize> = (0..rec.n_sig()).collect();
    rec.read_digital_channels(&all, 0, rec.sig_len(), Resolution::PerSignal)
        .unwrap()
}

fn write_options() -> WriteOptions {
    let api = api();
    let mut o = WriteOptions::default();
    // SAFETY: `o` is a whole structure of the header's layout.
    let status = unsafe { (api.haresnet_write_options_init)(&mut o, size_of::<WriteOptions>()) };
    assert_eq!(status, OK);
    assert_eq!(o.struct_size as usize, size_of::<WriteOptions>());
    assert_eq!((o.base_year, o.base_time_seconds), (0, -1.0));
    o
}

fn read_file(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn record_write_equals_the_engine_byte_for_byte() {
    let api = api();
    let dir = tempfile::tempdir().unwrap();
    let src = Record::open(fixture("201_0420_0540")).unwrap();
    let d = digital(&src);
    let n = src.sig_len();
    let flat: Vec<i32> = d.concat();
    let mut opts = write_options();
    opts.base_year = 2024;
    opts.base_month = 2;
    opts.base_day = 29;
    opts.base_time_seconds = 13.0 * 3600.0 + 5.0 * 60.0 + 7.5;

    // Digital samples in 212 with the record's gains and baselines.
    let c_out = dir.path().join("c212");
    let (formats, gains, baselines) = ([212, 212], [200.0, 200.0], [1024, 1024]);
    // SAFETY: every array holds what the arguments say.
    let status = unsafe {
        (api.haresnet_record_write)(
            c_path(&c_out).as_ptr(),
            360.0,
            2,
            n,
            null(),
            flat.as_ptr(),
            formats.as_ptr(),
            gains.as_ptr(),
            baselines.as_ptr(),
            c("MLII\nV1").as_ptr(),
            null(),
            c("first line\nsecond line").as_ptr(),
            &opts,
        )
    };
    expect(status, OK, &[]);
    let back = Record::open(&c_out).unwrap();
    back.verify().unwrap();
    assert_eq!(digital(&back), d);
    assert_eq!(back.signal_names(), ["MLII", "V1"]);
    assert_eq!(back.header().comments, ["first line", "second line"]);
    assert_eq!(back.header().base_time.unwrap().to_string(), "13:05:07.500");
    assert_eq!(back.header().base_date.unwrap().to_string(), "29/02/2024");
    let mut record = RecordOut {
        fs: 360.0,
        base_time: back.header().base_time,
        base_date: back.header().base_date,
        comments: back.header().comments.clone(),
        ..Default::default()
    };
    for name in ["MLII", "V1"] {
        let mut s = SignalOut::new(name, Format::F212);
        s.gain = Some(200.0);
        s.baseline = Some(1024);
        record.signals.push(s);
    }
    let refs: Vec<&[i32]> = d.iter().map(Vec::as_slice).collect();
    let e_out = dir.path().join("e212");
    write::write_record(&e_out, &record, Samples::Digital(&refs)).unwrap();
    assert_eq!(
        read_file(&dir.path().join("c212.dat")),
        read_file(&dir.path().join("e212.dat"))
    );
    let strip = |s: Vec<u8>, name: &str| String::from_utf8(s).unwrap().replace(name, "R");
    assert_eq!(
        strip(read_file(&dir.path().join("c212.hea")), "c212"),
        strip(read_file(&dir.path().join("e212.hea")), "e212")
    );

    // Physical samples in FLAC with gains chosen, one given; NaN stays invalid.
    let mut p: Vec<Vec<f64>> = (0..2)
        .map(|k| {
            src.read_physical(k, 0, n)
                .unwrap()
                .into_iter()
                .map(f64::from)
                .collect()
        })
        .collect();
    p[1][100] = f64::NAN;
    let flat: Vec<f64> = p.concat();
    let gains = [f64::NAN, 400.0];
    let c_out = dir.path().join("c516");
    // SAFETY: as above.
    let status = unsafe {
        (api.haresnet_record_write)(
            c_path(&c_out).as_ptr(),
            360.0,
            2,
            n,
            flat.as_ptr(),
            null(),
            [516, 516].as_ptr(),
            gains.as_ptr(),
            null(),
            null(),
            c("mV\nmmHg").as_ptr(),
            null(),
            null(),
        )
    };
    expect(status, OK, &[]);
    let back = Record::open(&c_out).unwrap();
    back.verify().unwrap();
    assert_eq!(back.signals()[1].adc_gain, 400.0);
    assert_eq!(back.signals()[1].units, "mmHg");
    assert!(back.read_physical(1, 100, 101).unwrap()[0].is_nan());
    let mut record = RecordOut {
        fs: 360.0,
        ..Default::default()
    };
    record.signals = vec![
        SignalOut::new("", Format::Flac16),
        SignalOut::new("", Format::Flac16),
    ];
    record.signals[1].gain = Some(400.0);
    record.signals[1].baseline = Some(0);
    record.signals[1].units = "mmHg".into();
    let refs: Vec<&[f64]> = p.iter().map(Vec::as_slice).collect();
    let e_out = dir.path().join("e516");
    write::write_record(&e_out, &record, Samples::Physical(&refs)).unwrap();
    assert_eq!(
        read_file(&dir.path().join("c516.dat")),
        read_file(&dir.path().join("e516.dat"))
    );
}

#[test]
fn record_write_copy_converts_an_open_record() {
    let api = api();
    let dir = tempfile::tempdir().unwrap();
    let mut rec: Handle = null_mut();
    // SAFETY: valid string and out pointer.
    let status =
        unsafe { (api.haresnet_record_open)(c_path(&fixture("100_0000_0060")).as_ptr(), &mut rec) };
    expect(status, OK, &[]);
    let out = dir.path().join("copy");
    let channels = [1u32];
    // SAFETY: a live record, one channel.
    let status = unsafe {
        (api.haresnet_record_write_copy)(
            rec,
            c_path(&out).as_ptr(),
            24,
            channels.as_ptr(),
            1,
            360,
            7200,
            0,
        )
    };
    expect(status, OK, &[]);
    let src = Record::open(fixture("100_0000_0060")).unwrap();
    let back = Record::open(&out).unwrap();
    assert_eq!(back.signal_names(), ["V5"]);
    assert_eq!(back.signals()[0].format, Format::F24);
    assert_eq!(
        back.read_digital(0, 0, back.sig_len()).unwrap(),
        src.read_digital(1, 360, 7200).unwrap()
    );
    // Into 8 bits: only with new gains.
    // SAFETY: as above; NULL channels with 0 for all.
    let status = unsafe {
        (api.haresnet_record_write_copy)(rec, c_path(&out).as_ptr(), 80, null(), 0, 0, 21600, 0)
    };
    expect(status, INVALID_ARGUMENT, &["outside format 80", "rescal"]);
    // SAFETY: as above.
    let status = unsafe {
        (api.haresnet_record_write_copy)(rec, c_path(&out).as_ptr(), 80, null(), 0, 0, 21600, 1)
    };
    expect(status, OK, &[]);
    // SAFETY: as above.
    let status = unsafe {
        (api.haresnet_record_write_copy)(rec, c_path(&out).as_ptr(), 0, null(), 0, 5, 21601, 0)
    };
    expect(status, INVALID_ARGUMENT, &["[5, 21601)"]);
    // SAFETY: as above.
    let status = unsafe {
        (api.haresnet_record_write_copy)(
            rec,
            c_path(&out).as_ptr(),
            0,
            [7u32].as_ptr(),
            1,
            0,
            10,
            0,
        )
    };
    expect(status, INVALID_ARGUMENT, &["no signal 7"]);
    // A handle of another kind.
    let mut anns: Handle = null_mut();
    // SAFETY: valid strings and out pointer.
    let status = unsafe {
        (api.haresnet_annotations_read)(
            c_path(&fixture("100_0000_0060")).as_ptr(),
            c("atr").as_ptr(),
            &mut anns,
        )
    };
    expect(status, OK, &[]);
    // SAFETY: `anns` is live; the kind tag is what is tested.
    let status = unsafe {
        (api.haresnet_record_write_copy)(anns, c_path(&out).as_ptr(), 0, null(), 0, 0, 10, 0)
    };
    expect(status, WRONG_HANDLE, &[]);
    // SAFETY: live handles, freed once.
    unsafe {
        (api.haresnet_annotations_free)(anns);
        (api.haresnet_record_free)(rec);
    }
}

#[test]
fn annotations_write_any_annotation_and_read_back() {
    let api = api();
    let dir = tempfile::tempdir().unwrap();
    let want = wfdb::read_annotations(fixture("207_1530_1650"), "atr").unwrap();
    let samples: Vec<i64> = want.iter().map(|a| a.sample).collect();
    let codes: Vec<i32> = want.iter().map(|a| i32::from(a.code)).collect();
    let subtypes: Vec<i32> = want.iter().map(|a| i32::from(a.subtype)).collect();
    let chans: Vec<i32> = want.iter().map(|a| i32::from(a.chan)).collect();
    let nums: Vec<i32> = want.iter().map(|a| i32::from(a.num)).collect();
    let aux: Vec<String> = want.iter().map(|a| a.aux_str().into_owned()).collect();
    let aux = c(&aux.join("\n"));
    let record = dir.path().join("207");
    // SAFETY: every array holds `want.len()` values.
    let status = unsafe {
        (api.haresnet_annotations_write)(
            c_path(&record).as_ptr(),
            c("atr").as_ptr(),
            360.0,
            samples.as_ptr(),
            codes.as_ptr(),
            subtypes.as_ptr(),
            chans.as_ptr(),
            nums.as_ptr(),
            aux.as_ptr(),
            want.len(),
        )
    };
    expect(status, OK, &[]);
    let file = wfdb::read_annotation_file(record.with_extension("atr")).unwrap();
    assert_eq!(file.time_resolution, Some(360.0));
    assert_eq!(file.annotations.len(), want.len());
    for (a, b) in want.iter().zip(&file.annotations) {
        assert_eq!(
            (a.sample, a.code, a.subtype, a.chan, a.num, a.aux_str()),
            (b.sample, b.code, b.subtype, b.chan, b.num, b.aux_str())
        );
    }

    // Symbols to codes, and the fields left NULL.
    let code = |s: &str| {
        let mut v = -1;
        // SAFETY: valid string and out pointer.
        let status = unsafe { (api.haresnet_annotation_code)(c(s).as_ptr(), &mut v) };
        (status, v)
    };
    assert_eq!(code("V"), (OK, 5));
    assert_eq!(code("[15]"), (OK, 15));
    let (status, v) = code("VV");
    assert_eq!((status, v), (NOT_FOUND, -1));
    expect(status, NOT_FOUND, &["\"VV\""]);
    let (samples, codes) = ([10i64, 20, 20], [1, 5, 28]);
    // SAFETY: three values each.
    let status = unsafe {
        (api.haresnet_annotations_write)(
            c_path(&record).as_ptr(),
            c("b").as_ptr(),
            250.0,
            samples.as_ptr(),
            codes.as_ptr(),
            null(),
            null(),
            null(),
            null(),
            3,
        )
    };
    expect(status, OK, &[]);
    let got = wfdb::read_annotations(&record, "b").unwrap();
    assert_eq!(
        got.iter()
            .map(|a| (a.sample, a.symbol()))
            .collect::<Vec<_>>(),
        [(10, "N"), (20, "V"), (20, "+")]
    );

    // Refusals, each naming the annotation and the problem; nothing written.
    let try_write = |samples: &[i64], codes: &[i32], chans: Option<&[i32]>, aux: Option<&str>| {
        let aux = aux.map(c);
        // SAFETY: the arrays hold `samples.len()` values.
        unsafe {
            (api.haresnet_annotations_write)(
                c_path(&record).as_ptr(),
                c("bad").as_ptr(),
                250.0,
                samples.as_ptr(),
                codes.as_ptr(),
                null(),
                chans.map_or(null(), <[i32]>::as_ptr),
                null(),
                aux.as_ref().map_or(null(), |a| a.as_ptr()),
                samples.len(),
            )
        }
    };
    expect(
        try_write(&[1, 2], &[1, 0], None, None),
        INVALID_ARGUMENT,
        &["annotation 1", "code 0"],
    );
    expect(
        try_write(&[5, 2], &[1, 1], None, None),
        INVALID_ARGUMENT,
        &["before the previous"],
    );
    expect(
        try_write(&[1, 2], &[1, 1], Some(&[0, 256]), None),
        INVALID_ARGUMENT,
        &["chan 256"],
    );
    expect(
        try_write(&[1, 2], &[1, 1], None, Some("only one")),
        INVALID_ARGUMENT,
        &["aux", "2 expected"],
    );
    assert!(!record.with_extension("bad").exists());
    // SAFETY: NULL arrays with n > 0 are the error under test.
    let status = unsafe {
        (api.haresnet_annotations_write)(
            c_path(&record).as_ptr(),
            c("bad").as_ptr(),
            250.0,
            null(),
            null(),
            null(),
            null(),
            null(),
            null(),
            2,
        )
    };
    expect(status, NULL_ARGUMENT, &["samples is NULL"]);
}

#[test]
fn record_write_refuses_misuse_with_a_reason() {
    let api = api();
    let dir = tempfile::tempdir().unwrap();
    let out = c_path(&dir.path().join("r"));
    let d = [0i32, 1, 2, 3];
    let p = [0.0f64, 0.1, 0.2, 0.3];
    let call = |path: Str,
                fs: f64,
                n_sig: u32,
                phys: *const f64,
                dig: *const i32,
                formats: *const i32,
                names: Str,
                opts: *const WriteOptions| {
        // SAFETY: arrays of 4 values, n_sig * n_frames = 4 at most.
        unsafe {
            (api.haresnet_record_write)(
                path,
                fs,
                n_sig,
                4 / u64::from(n_sig.max(1)),
                phys,
                dig,
                formats,
                null(),
                null(),
                names,
                null(),
                null(),
                opts,
            )
        }
    };
    // One physical signal, well formed but for the options.
    let with_options = |opts: &WriteOptions| {
        call(
            out.as_ptr(),
            360.0,
            1,
            p.as_ptr(),
            null(),
            null(),
            null(),
            opts,
        )
    };
    type Str = *const std::ffi::c_char;
    expect(
        call(null(), 360.0, 1, p.as_ptr(), null(), null(), null(), null()),
        NULL_ARGUMENT,
        &["record_path"],
    );
    expect(
        call(
            out.as_ptr(),
            360.0,
            1,
            null(),
            null(),
            null(),
            null(),
            null(),
        ),
        NULL_ARGUMENT,
        &["physical and digital"],
    );
    expect(
        call(
            out.as_ptr(),
            360.0,
            1,
            p.as_ptr(),
            d.as_ptr(),
            null(),
            null(),
            null(),
        ),
        INVALID_ARGUMENT,
        &["both"],
    );
    expect(
        call(
            out.as_ptr(),
            0.0,
            1,
            p.as_ptr(),
            null(),
            null(),
            null(),
            null(),
        ),
        INVALID_ARGUMENT,
        &["not positive"],
    );
    expect(
        call(
            out.as_ptr(),
            360.0,
            1,
            p.as_ptr(),
            null(),
            [8].as_ptr(),
            null(),
            null(),
        ),
        INVALID_ARGUMENT,
        &["format 8 cannot be written"],
    );
    expect(
        call(
            out.as_ptr(),
            360.0,
            2,
            p.as_ptr(),
            null(),
            null(),
            c("one").as_ptr(),
            null(),
        ),
        INVALID_ARGUMENT,
        &["names", "2 expected"],
    );
    let big = [0i32, 40_000, 0, 0];
    expect(
        call(
            out.as_ptr(),
            360.0,
            1,
            null(),
            big.as_ptr(),
            null(),
            null(),
            null(),
        ),
        INVALID_ARGUMENT,
        &["sample 1 is 40000", "format 16"],
    );
    let bad_name = c_path(&dir.path().join("a b"));
    expect(
        call(
            bad_name.as_ptr(),
            360.0,
            1,
            p.as_ptr(),
            null(),
            null(),
            null(),
            null(),
        ),
        INVALID_ARGUMENT,
        &["record name"],
    );
    let mut opts = write_options();
    opts.base_year = 2020;
    opts.base_month = 13;
    expect(with_options(&opts), INVALID_ARGUMENT, &["month"]);
    let mut opts = write_options();
    opts.struct_size = 3;
    expect(with_options(&opts), INVALID_ARGUMENT, &["struct_size"]);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "refusals write nothing"
    );
    let missing = c_path(&dir.path().join("no/such/dir/r"));
    expect(
        call(
            missing.as_ptr(),
            360.0,
            1,
            p.as_ptr(),
            null(),
            null(),
            null(),
            null(),
        ),
        IO,
        &["no/such/dir"],
    );
    // SAFETY: NULL is the error under test.
    let status = unsafe { (api.haresnet_write_options_init)(null_mut(), 24) };
    expect(status, NULL_ARGUMENT, &["opts"]);
    let mut o = WriteOptions::default();
    // SAFETY: `o` is larger than the size given, which is too small for any layout.
    let status = unsafe { (api.haresnet_write_options_init)(&mut o, 4) };
    expect(status, INVALID_ARGUMENT, &["size 4"]);
}
