//! `haresnet bench`: classification speed over a database, as users see it (reading
//! excluded, preprocessing included): segments/s and × real time at 2, 5 and 10 s on one
//! thread and on all cores, for the fast path and burn in the same run; one-segment
//! latency through a [`Stream`](haresnet::Stream); load time; peak memory; achieved
//! GFLOP/s next to the machine's measured f32 matrix-multiply rate.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use haresnet::classify::{Backend, Classifier, ClassifierOptions, ClassifyOptions};
use haresnet::infer::yardstick;
use haresnet::model::{HaResNetConfig, cost};
use haresnet::weights::{self, ModelCard, WeightSet, WeightsFile};
use haresnet::{Error, Record, dsp};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

/// Arguments of `bench`.
#[derive(clap::Args)]
pub struct Args {
    /// Directory of records (or a directory holding `mitdb/`); default: the environment
    /// variable `HARESNET_DATA`.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Weights file to load instead of the embedded weights (its segment length only).
    #[arg(long, value_name = "FILE")]
    weights: Option<PathBuf>,
    /// Segment lengths in seconds.
    #[arg(long, value_delimiter = ',', default_value = "2,5,10")]
    seconds: Vec<u32>,
    /// Implementations to measure (`fast`, `burn`).
    #[arg(long, value_delimiter = ',', default_value = "fast,burn")]
    backends: Vec<String>,
    /// Thread counts; 0 means all cores.
    #[arg(long, value_delimiter = ',', default_value = "1,0")]
    threads: Vec<usize>,
    /// Use only the first N records.
    #[arg(long)]
    records: Option<usize>,
    /// Segments timed one by one through a stream, for the latency percentiles.
    #[arg(long, default_value_t = 200)]
    latency_segments: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// One record's lead, in mV.
struct Lead {
    samples: Vec<f32>,
    fs: f64,
}

fn data_dir(args: &Args) -> haresnet::Result<PathBuf> {
    let dir = match &args.data {
        Some(d) => d.clone(),
        None => std::env::var_os("HARESNET_DATA")
            .map(PathBuf::from)
            .ok_or_else(|| {
                Error::invalid("no data directory: pass --data or set HARESNET_DATA".to_string())
            })?,
    };
    let mitdb = dir.join("mitdb");
    Ok(if mitdb.is_dir() { mitdb } else { dir })
}

/// The MLII lead of every record that has one; the others are named.
fn read_leads(dir: &Path, limit: Option<usize>) -> haresnet::Result<(Vec<Lead>, Vec<String>)> {
    let mut names = crate::bench_read::record_names(dir)?;
    if let Some(n) = limit {
        names.truncate(n);
    }
    let (mut leads, mut skipped) = (Vec::new(), Vec::new());
    for name in names {
        let record = Record::open(dir.join(&name))?;
        match record.channel_index("MLII") {
            Some(ch) => leads.push(Lead {
                samples: record.read_physical(ch, 0, record.sig_len())?,
                fs: record.fs(),
            }),
            None => skipped.push(name),
        }
    }
    if leads.is_empty() {
        return Err(Error::invalid(format!(
            "{}: no record with an MLII lead",
            dir.display()
        )));
    }
    Ok((leads, skipped))
}

/// Where the weights come from for one segment length.
enum Source {
    Bytes(Vec<u8>, String),
    Untrained(Box<ModelCard>),
}

impl Source {
    fn for_length(seconds: u32, file: Option<&Path>) -> haresnet::Result<Self> {
        if let Some(path) = file {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            return Ok(Source::Bytes(bytes, path.display().to_string()));
        }
        Ok(match weights::embedded(seconds, WeightSet::All) {
            Ok(bytes) => Source::Bytes(bytes.to_vec(), format!("embedded {seconds} s/all")),
            Err(_) => Source::Untrained(Box::new(ModelCard::rhythm(
                &format!("rhythm-{seconds}s-untrained"),
                WeightSet::All,
                f64::from(seconds),
                HaResNetConfig::new(weights::RHYTHM_LABELS.len()).with_rr_features(dsp::N_RR),
            ))),
        })
    }

    fn describe(&self) -> String {
        match self {
            Source::Bytes(_, origin) => origin.clone(),
            Source::Untrained(_) => {
                "no embedded weights: an untrained network with the shipped configuration".into()
            }
        }
    }

    fn load(&self, options: &ClassifierOptions) -> haresnet::Result<Classifier> {
        match self {
            Source::Bytes(bytes, _) => Classifier::from_bytes(bytes, options),
            Source::Untrained(card) => Classifier::untrained((**card).clone(), 1, options),
        }
    }
}

fn backend(name: &str) -> haresnet::Result<Backend> {
    match name.trim() {
        "fast" => Ok(Backend::Fast),
        "burn" => Ok(Backend::Burn),
        other => Err(Error::invalid(format!(
            "unknown backend {other:?}: expected fast or burn"
        ))),
    }
}

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn load_average() -> Option<String> {
    let s = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3
}

/// Runs the benchmark.
pub fn run(args: &Args) -> haresnet::Result<()> {
    let dir = data_dir(args)?;
    let backends: Vec<Backend> = args
        .backends
        .iter()
        .map(|b| backend(b))
        .collect::<haresnet::Result<_>>()?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads: Vec<usize> = args
        .threads
        .iter()
        .map(|&t| if t == 0 { cores } else { t })
        .collect();
    threads.dedup();
    let load_before = load_average();
    let (leads, skipped) = read_leads(&dir, args.records)?;
    let signal_seconds: f64 = leads.iter().map(|l| l.samples.len() as f64 / l.fs).sum();

    let mut gemm = Vec::new();
    for &t in &threads {
        let pool = haresnet::model::device::thread_pool(t)?;
        gemm.push(pool.install(|| yardstick::matmul_gflops(512, t, 1.0)));
    }

    let lengths: Vec<u32> = match &args.weights {
        Some(path) => {
            let file = WeightsFile::read(path)?;
            vec![file.card.preprocess.segment_seconds.round() as u32]
        }
        None => args.seconds.clone(),
    };
    let total = (lengths.len() * threads.len() * backends.len() * leads.len()) as u64;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut results = Vec::new();
    for &seconds in &lengths {
        let source = Source::for_length(seconds, args.weights.as_deref())?;
        for &b in &backends {
            let options = ClassifierOptions {
                threads: 0,
                backend: b,
            };
            let start = Instant::now();
            let classifier = source.load(&options)?;
            let load_ms = start.elapsed().as_secs_f64() * 1e3;
            let card = classifier.card();
            let (rows, cols) = card.preprocess.image_shape();
            let network_cost = cost(&card.network, rows, cols)?;
            // The fast path skips the image pathway of weights whose head ignores it.
            let image_skipped = b == Backend::Fast && !classifier.image_path_used();
            let flops = if image_skipped {
                network_cost.head_flops
            } else {
                network_cost.flops
            } as f64;

            let mut runs = Vec::new();
            for (ti, &t) in threads.iter().enumerate() {
                let options = ClassifierOptions {
                    threads: t,
                    backend: b,
                };
                let classifier = source.load(&options)?;
                bar.set_message(format!("{seconds} s, {}, {t} thread(s)", b.name()));
                let start = Instant::now();
                let mut segments = 0usize;
                for lead in &leads {
                    segments += classifier.classify(&lead.samples, lead.fs)?.len();
                    bar.inc(1);
                }
                let elapsed = start.elapsed().as_secs_f64();
                let rate = segments as f64 / elapsed;
                let gflops = rate * flops / 1e9;
                runs.push(json!({
                    "threads": t,
                    "segments": segments,
                    "seconds": elapsed,
                    "segments_per_s": rate,
                    "x_real_time": signal_seconds / elapsed,
                    "gflops": gflops,
                    "gemm_gflops": gemm[ti],
                    "percent_of_gemm": 100.0 * gflops / gemm[ti],
                }));
            }

            // One segment per push, as acquisition software feeds a stream.
            let lead = &leads[0];
            let len = classifier.segment_len(lead.fs)?;
            let mut stream = classifier.stream(lead.fs, &ClassifyOptions::default())?;
            let mut times = Vec::with_capacity(args.latency_segments);
            let available = lead.samples.len() / len;
            for i in 0..args.latency_segments.min(available) + 5 {
                let k = i % available;
                let segment = &lead.samples[k * len..(k + 1) * len];
                let start = Instant::now();
                let out = stream.push(segment)?;
                let t = start.elapsed();
                std::hint::black_box(out);
                // The first pushes warm caches and size buffers.
                if i >= 5 {
                    times.push(t);
                }
            }
            times.sort();
            let latency = (!times.is_empty())
                .then(|| json!({"p50_ms": percentile(&times, 0.5), "p99_ms": percentile(&times, 0.99), "segments": times.len()}));
            results.push(json!({
                "segment_seconds": seconds,
                "backend": b.name(),
                "weights": source.describe(),
                "kernels": if b == Backend::Fast { haresnet::infer::Kernels::detect().name() } else { "burn" },
                "mflop_per_segment": flops / 1e6,
                "image_pathway_skipped": image_skipped,
                "load_ms": load_ms,
                "runs": runs,
                "latency": latency,
            }));
        }
    }
    bar.finish_and_clear();
    let report = json!({
        "data": dir.display().to_string(),
        "records": leads.len(),
        "skipped_without_mlii": skipped,
        "signal_hours": signal_seconds / 3600.0,
        "cores": cores,
        "gemm_512_gflops": threads.iter().zip(&gemm).map(|(t, g)| json!({"threads": t, "gflops": g})).collect::<Vec<_>>(),
        "results": results,
        "peak_memory_mib": peak_memory_kib().map(|k| k as f64 / 1024.0),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    });
    if args.json {
        println!("{report}");
    } else {
        print_text(&report);
    }
    Ok(())
}

fn print_text(r: &Value) {
    let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    println!(
        "{} records ({:.1} h of signal) from {}; skipped without MLII: {}",
        r["records"],
        f(&r["signal_hours"]),
        r["data"].as_str().unwrap_or(""),
        r["skipped_without_mlii"]
    );
    for g in r["gemm_512_gflops"].as_array().into_iter().flatten() {
        println!(
            "f32 GEMM 512³ on {} thread(s): {:.1} GFLOP/s",
            g["threads"],
            f(&g["gflops"])
        );
    }
    for res in r["results"].as_array().into_iter().flatten() {
        println!(
            "\n{} s, {} ({}), {:.3} MFLOP/segment{}; weights: {}; load {:.1} ms",
            res["segment_seconds"],
            res["backend"].as_str().unwrap_or(""),
            res["kernels"].as_str().unwrap_or(""),
            f(&res["mflop_per_segment"]),
            if res["image_pathway_skipped"].as_bool() == Some(true) {
                " (image pathway skipped: the head reads no image feature)"
            } else {
                ""
            },
            res["weights"].as_str().unwrap_or(""),
            f(&res["load_ms"])
        );
        for run in res["runs"].as_array().into_iter().flatten() {
            println!(
                "  {} thread(s): {} segments in {:.2} s = {:.0} segments/s, {:.0}× real time, \
                 {:.1} GFLOP/s ({:.0} % of GEMM)",
                run["threads"],
                run["segments"],
                f(&run["seconds"]),
                f(&run["segments_per_s"]),
                f(&run["x_real_time"]),
                f(&run["gflops"]),
                f(&run["percent_of_gemm"])
            );
        }
        if let Some(l) = res["latency"].as_object() {
            println!(
                "  one segment through a stream: p50 {:.3} ms, p99 {:.3} ms ({} segments)",
                f(&l["p50_ms"]),
                f(&l["p99_ms"]),
                l["segments"]
            );
        }
    }
    println!(
        "\npeak memory {:.0} MiB; load average {} before, {} after",
        f(&r["peak_memory_mib"]),
        r["load_average_before"].as_str().unwrap_or("?"),
        r["load_average_after"].as_str().unwrap_or("?")
    );
}
