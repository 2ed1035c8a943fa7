//! A Rust host loads the library's `abi_stable` root module at run time (layout and
//! version checked) and classifies through it, with the C ABI's results.

use abi_stable::library::RootModule;
use haresnet_abi::HaresnetModRef;
use haresnet_tests::*;

#[test]
fn rust_host_loads_the_root_module_and_classifies() {
    let module = HaresnetModRef::load_from_file(&library_path())
        .unwrap_or_else(|e| panic!("{}: {e}", library_path().display()));
    assert_eq!(module.version()().as_str(), env!("CARGO_PKG_VERSION"));
    // SAFETY: no arguments.
    assert_eq!(module.abi_version()(), unsafe {
        (api().haresnet_abi_version)()
    });

    let model = module.load_file()(weights_file().to_str().unwrap().into())
        .into_result()
        .unwrap();
    assert_eq!(model.segment_seconds(), 5.0);
    let labels: Vec<String> = model
        .labels()
        .into_iter()
        .map(|s| s.into_string())
        .collect();
    assert_eq!(labels, ["N", "AFIB", "AFL", "VT", "OTHER"]);
    // The card is the one the C ABI gives for the same weights.
    let card: serde_json::Value = serde_json::from_str(model.card_json().as_str()).unwrap();
    let engine_card = engine::Classifier::from_file(weights_file(), &Default::default())
        .unwrap()
        .card()
        .to_json();
    assert_eq!(model.card_json().as_str(), engine_card);
    assert_eq!(card["labels"], serde_json::json!(labels));
    assert_eq!(card["preprocess"]["segment_seconds"], 5.0);

    let rec = engine::Record::open(fixture("100_0000_0060")).unwrap();
    let samples = rec.read_physical(0, 0, rec.sig_len()).unwrap();
    let segments = model
        .classify(samples.as_slice().into(), 360.0)
        .into_result()
        .unwrap();
    let c_model = load_model();
    let want = classify(c_model, &samples, 360.0, None);
    assert_eq!(segments.len(), want.labels.len());
    for (i, s) in segments.iter().enumerate() {
        assert_eq!(s.start as i64, want.starts[i]);
        assert_eq!(s.label, want.labels[i]);
        assert_eq!(
            s.probabilities.as_slice(),
            &want.probabilities[i * 5..i * 5 + 5]
        );
        assert_eq!(s.heart_rate_bpm.to_bits(), want.heart_rates[i].to_bits());
    }
    // SAFETY: live model.
    unsafe { (api().haresnet_model_free)(c_model) };

    // Errors come back as messages.
    let mut bad = samples.clone();
    bad[3] = f32::NAN;
    let e = model
        .classify(bad.as_slice().into(), 360.0)
        .into_result()
        .unwrap_err();
    assert!(e.contains("index 3"), "{e}");
    let e = module.load_file()("no/such.hrn".into())
        .into_result()
        .err()
        .unwrap();
    assert!(e.contains("no/such.hrn"), "{e}");
    match module.load_embedded()(5, "all".into()).into_result() {
        Ok(m) => assert_eq!(m.segment_seconds(), 5.0),
        Err(e) => assert!(e.contains("no embedded weights"), "{e}"),
    }
}
