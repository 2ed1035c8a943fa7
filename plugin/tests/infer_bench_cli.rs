//! `haresnet bench` on the fixture records (built with `--features cli`): a short smoke
//! run of every part of the report, both implementations, in JSON.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::Command;

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
