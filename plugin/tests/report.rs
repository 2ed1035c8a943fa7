//! `haresnet report` on a fixture record (built with `--features cli`): the JSON summary
//! adds up and matches `classify`'s CSV, and the page shows the same numbers, offline.
//! The hand-computed checks of the figures are unit tests in `summary` and `holter`.
#![cfg(feature = "cli")]

mod front_support;

use front_support::{fixture, haresnet, parse_csv, text, weights_arg};
use serde_json::Value;

const RECORD: &str = "201_0420_0540";

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The text of the element with `id` in `html`.
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no element {id}"));
    let rest = &html[at + id.len() + 6..];
    &rest[..rest.find('<').unwrap()]
}

#[test]
fn report_numbers_add_up_and_match_classify() {
    let tmp = tempfile::tempdir().unwrap();
    let weights = weights_arg(tmp.path());
    let rec = fixture(RECORD).to_str().unwrap().to_string();
    let o = haresnet(
        &["report", &rec, "--weights", &weights, "--out", "r"],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join(format!("r/{RECORD}.json"))).unwrap(),
    )
    .unwrap();
    let html = std::fs::read_to_string(tmp.path().join(format!("r/{RECORD}.html"))).unwrap();
    let s = &json["summary"];

    // Time per class adds up to the analysed time; analysed + unclassified = duration.
    let classes = s["classes"].as_array().unwrap();
    let total: f64 = classes.iter().map(|c| f(&c["seconds"])).sum();
    assert!((total - f(&s["analysed_s"])).abs() < 1e-6);
    assert!((f(&s["analysed_s"]) + f(&s["unclassified_s"]) - f(&s["duration_s"])).abs() < 1e-6);
    assert_eq!(f(&s["duration_s"]), 120.0);

    // Episodes: in time order, never sinus rhythm, not overlapping, each made of its
    // class's segments and the single segments merged into it (5 s each).
    let episodes: Vec<(f64, f64, String)> = s["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let (start, end) = (f(&e["start_s"]), f(&e["end_s"]));
            let n = f(&e["segments"]) + f(&e["interruptions"]);
            assert!((5.0 * n - (end - start)).abs() < 1e-6, "{e}");
            assert!(e["heart_rate"]["mean_bpm"].as_f64().is_some(), "{e}");
            (start, end, e["label"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(!episodes.is_empty());
    assert!(episodes.windows(2).all(|w| w[0].1 <= w[1].0 + 1e-9));
    assert!(episodes.iter().all(|e| e.2 != "N"));
    // The AF burden per hour of a two-minute record is one bin, the burden itself.
    let hours = s["af_burden_per_hour"].as_array().unwrap();
    assert_eq!(hours.len(), 1);
    if let Some(b) = s["af_burden_percent"].as_f64() {
        assert!((f(&hours[0]["percent"]) - b).abs() < 1e-9);
    }

    // Beats: the figures the page shows are the JSON's.
    let beats = &json["beats"];
    let mean = f(&beats["mean_bpm"]);
    // Record 201 beats between about 40 and 180 per minute.
    assert!((40.0..180.0).contains(&mean), "{mean}");
    assert_eq!(by_id(&html, "hr-mean"), format!("{mean:.0} bpm"));
    assert_eq!(by_id(&html, "beats"), beats["beats_total"].to_string());
    let (lo, hi) = (f(&beats["min_rate"]["bpm"]), f(&beats["max_rate"]["bpm"]));
    assert!(lo <= mean && mean <= hi);
    assert!(by_id(&html, "hr-min").starts_with(&format!("{lo:.0} bpm at 0:")));
    assert_eq!(
        by_id(&html, "pauses"),
        beats["pauses"].as_array().unwrap().len().to_string()
    );
    // No start time in the header: times are elapsed and said to be.
    assert!(html.contains("times are elapsed from the start"));

    // The same record through `classify`: the same seconds per class.
    let o = haresnet(
        &[
            "classify",
            "--weights",
            &weights,
            "--no-annotations",
            "--quiet",
            &rec,
        ],
        tmp.path(),
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let (labels, rows) = parse_csv(&text(&o.stdout));
    for (label, c) in labels.iter().zip(classes) {
        let n = rows.iter().filter(|r| r.label == *label).count() as f64;
        assert!((5.0 * n - f(&c["seconds"])).abs() < 1e-6, "{label}");
        // The page shows the JSON's numbers.
        assert_eq!(
            by_id(&html, &format!("seconds-{label}")),
            format!("{:.3}", f(&c["seconds"]))
        );
        assert_eq!(
            by_id(&html, &format!("percent-{label}")),
            format!("{:.1} %", f(&c["percent"]))
        );
    }
    if let Some(b) = s["af_burden_percent"].as_f64() {
        assert_eq!(by_id(&html, "af-burden"), format!("{b:.1} %"));
    }
    // Record 201 has reference rhythm annotations: agreement is shown.
    let a = &s["agreement"];
    assert_eq!(a["annotator"], "atr");
    assert!(f(&a["compared_s"]) > 0.0 && f(&a["compared_s"]) <= f(&s["analysed_s"]) + 1e-9);
    assert_eq!(
        by_id(&html, "agreement"),
        format!("{:.1} %", f(&a["percent"]))
    );
    assert_eq!(
        html.matches("class=\"episode\"").count(),
        s["episodes"].as_array().unwrap().len().min(200)
    );

    // Strips: the onset of each non-N class with an episode, then the fastest and slowest
    // heart rate and the longest pause; 7 s of both leads, the R peaks inside.
    let image_path_used = json["image_path_used"].as_bool().unwrap();
    let strips = json["strips"].as_array().unwrap();
    let non_n: std::collections::BTreeSet<&str> = episodes.iter().map(|e| e.2.as_str()).collect();
    let onsets = strips.iter().filter(|s| s["kind"] == "onset").count();
    assert_eq!(onsets, non_n.len());
    assert!(strips.iter().any(|s| s["kind"] == "fastest"));
    assert!(strips.iter().any(|s| s["kind"] == "slowest"));
    for strip in strips {
        let (start, end) = (f(&strip["start_s"]), f(&strip["end_s"]));
        assert!((end - start - 7.0).abs() < 1e-6, "{start}..{end}");
        let leads = strip["leads"].as_array().unwrap();
        assert_eq!(leads.len(), 2);
        assert_eq!(leads[0]["name"], "MLII");
        assert_eq!(leads[0]["classified"], true);
        assert_eq!(leads[1]["classified"], false);
        let peaks: Vec<f64> = strip["r_peaks_s"]
            .as_array()
            .unwrap()
            .iter()
            .map(f)
            .collect();
        assert!(peaks.len() >= 3, "{} peaks", peaks.len());
        assert!(peaks.windows(2).all(|w| w[0] < w[1]));
        assert!(peaks.iter().all(|&p| p >= start && p < end));
        assert_eq!(
            strip["attention"].as_array().unwrap().is_empty(),
            !image_path_used
        );
    }
    // Strips are drawn on paper of 25 mm/s: 7 s is 175 mm.
    assert!(html.contains("width=\"177.0mm\""));
    // The provenance comes last.
    assert!(html.find("About this analysis").unwrap() > html.find("ECG strips").unwrap());
    assert!(html.contains("@media print"));

    // Self-contained and carrying the disclaimer and the model card.
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
    assert!(html.contains("not a medical device"));
    assert!(html.contains(json["model"]["name"].as_str().unwrap()));
    let half_life = f(&json["model"]["postprocess"]["smoothing_half_life_seconds"]);
    assert_eq!(
        html.contains(&format!("half-life {half_life} s")),
        half_life > 0.0,
        "the card's smoothing is shown"
    );
}
