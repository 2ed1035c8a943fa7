//! `haresnet report` on a fixture record (built with `--features cli`): the JSON summary
//! adds up and matches `classify`'s CSV, and the page shows the same numbers, offline.
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

    // Episodes do not overlap, are listed longest first, and cover each class's time.
    let mut episodes: Vec<(f64, f64, String)> = s["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                f(&e["start_s"]),
                f(&e["end_s"]),
                e["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let durations: Vec<f64> = episodes.iter().map(|e| e.1 - e.0).collect();
    assert!(durations.windows(2).all(|w| w[0] >= w[1] - 1e-9));
    episodes.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(episodes.windows(2).all(|w| w[0].1 <= w[1].0 + 1e-9));
    for c in classes {
        let label = c["label"].as_str().unwrap();
        let in_episodes: f64 = episodes
            .iter()
            .filter(|e| e.2 == label)
            .map(|e| e.1 - e.0)
            .sum();
        assert!((in_episodes - f(&c["seconds"])).abs() < 1e-6, "{label}");
    }

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
        s["episodes"].as_array().unwrap().len().min(40)
    );

    // One strip per non-N class with an episode, each with the R peaks the classifier read
    // and, when the image pathway counts, attention maps over its seconds.
    let image_path_used = json["image_path_used"].as_bool().unwrap();
    let strips = json["strips"].as_array().unwrap();
    let non_n: std::collections::BTreeSet<&str> = episodes
        .iter()
        .map(|e| e.2.as_str())
        .filter(|l| *l != "N")
        .collect();
    assert_eq!(strips.len(), non_n.len());
    for strip in strips {
        let (start, end) = (f(&strip["start_s"]), f(&strip["end_s"]));
        assert!(end - start <= 10.0 + 1e-9 && end > start);
        let peaks: Vec<f64> = strip["r_peaks_s"]
            .as_array()
            .unwrap()
            .iter()
            .map(f)
            .collect();
        // Record 201 beats between about 40 and 180 per minute.
        let beats = (end - start) / 60.0;
        assert!(
            peaks.len() as f64 >= 40.0 * beats - 1.0 && peaks.len() as f64 <= 180.0 * beats + 1.0,
            "{} peaks in {} s",
            peaks.len(),
            end - start
        );
        assert!(peaks.windows(2).all(|w| w[0] < w[1]));
        assert!(peaks.iter().all(|&p| p >= start && p < end));
        let maps = strip["attention"].as_array().unwrap();
        if image_path_used {
            assert!(!maps.is_empty());
            assert!((f(&maps[0]["start_s"]) - start).abs() < 1e-9);
            assert!((f(&maps[maps.len() - 1]["end_s"]) - end).abs() < 1e-9);
        } else {
            assert!(maps.is_empty());
        }
    }
    assert_eq!(
        html.contains("image pathway is weighted zero"),
        !image_path_used && !strips.is_empty()
    );

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
