//! `haresnet bench` on the fixture records (built with `--features cli`): a short smoke
//! run of every part of the report, both implementations, in JSON; and `haresnet
//! model-info` on weights files.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::Command;

use haresnet::weights::{self, WeightSet};

#[test]
fn bench_reports_speed_latency_memory_and_the_gemm_rate() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/records");
    let out = Command::new(env!("CARGO_BIN_EXE_haresnet"))
        .args(["bench", "--data"])
        .arg(&fixtures)
        .args([
            "--seconds",
            "5",
            "--threads",
            "1",
            "--records",
            "2",
            "--latency-segments",
            "3",
            "--json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["records"], 2);
    assert!(report["peak_memory_mib"].as_f64().unwrap() > 1.0);
    assert!(report["gemm_512_gflops"][0]["gflops"].as_f64().unwrap() > 0.1);
    let results = report["results"].as_array().unwrap();
    let backends: Vec<&str> = results
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect();
    assert_eq!(backends, ["fast", "burn"]);
    // The shipped weights read no image feature: the fast path runs the head alone, burn
    // the whole network.
    let shipped = weights::embedded(5, WeightSet::All).is_ok();
    assert_eq!(results[0]["image_pathway_skipped"], shipped);
    assert_eq!(results[1]["image_pathway_skipped"], false);
    let mflop = |r: &serde_json::Value| r["mflop_per_segment"].as_f64().unwrap();
    assert!(mflop(&results[1]) > 80.0, "{}", results[1]);
    assert_eq!(mflop(&results[0]) < 0.1, shipped, "{}", results[0]);
    for r in results {
        let run = &r["runs"][0];
        // The excerpts of 100 (1 min) and 201 (2 min): 12 + 24 segments of 5 s.
        assert_eq!(run["segments"], 36, "{r}");
        assert!(run["segments_per_s"].as_f64().unwrap() > 0.0);
        assert!(run["x_real_time"].as_f64().unwrap() > 0.0);
        let latency = &r["latency"];
        assert_eq!(latency["segments"], 3, "{r}");
        assert!(latency["p99_ms"].as_f64().unwrap() >= latency["p50_ms"].as_f64().unwrap());
    }

    let missing = Command::new(env!("CARGO_BIN_EXE_haresnet"))
        .args(["bench", "--data", "no/such/directory"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
}

#[test]
fn model_info_describes_weights_files() {
    let weights_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("weights");
    let plain = weights_dir.join("segment-split/plain-5s-segment.hrn");
    let out = Command::new(env!("CARGO_BIN_EXE_haresnet"))
        .args(["model-info", "--weights", "embedded"])
        .arg(&plain)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.contains("[B, 1, "))
        .map(|l| {
            l.split("  ")
                .filter(|c| !c.trim().is_empty())
                .map(str::trim)
                .collect()
        })
        .collect();
    let embedded = rows.len() - 1;
    let shipped = weights::SHIPPED_SEGMENT_SECONDS
        .iter()
        .flat_map(|&s| [WeightSet::All, WeightSet::Ds1].map(|set| weights::embedded(s, set)))
        .filter(Result::is_ok)
        .count();
    assert_eq!(embedded, shipped, "{stdout}");
    // The plain network: no rhythm branch, the whole network on the fast path (86 MFLOP).
    let last = rows.last().unwrap();
    assert_eq!(&last[..3], ["5 s", "[B, 1, 49, 50]", "none"], "{stdout}");
    assert_eq!(last[4], "85,943,023");
    assert_eq!(last[5], last[4]);
    // Embedded weights skip the image pathway: the fast path costs a few kFLOP.
    for row in &rows[..embedded] {
        let fast: u64 = row[5].replace(',', "").parse().unwrap();
        assert!(fast < 100_000, "{stdout}");
    }

    let missing = Command::new(env!("CARGO_BIN_EXE_haresnet"))
        .args(["model-info", "--weights", "no/such.hrn"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such.hrn"));
}
