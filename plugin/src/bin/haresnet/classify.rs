//! `haresnet classify RECORD...`: per-segment rhythm labels and probabilities of WFDB
//! records, as CSV and as WFDB rhythm annotations, with a summary per record.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use haresnet::classify::{Classifier, ClassifyOptions, InvalidSamples, SegmentResult};
use haresnet::summary::{self, Reference, Summary};
use haresnet::weights::WeightSet;
use haresnet::wfdb::{self, Annotation, Record};
use haresnet::{Error, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::{EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE};

/// Segments read and classified at a time: bounds memory on day-long records and lets the
/// progress bar move within a record.
const BLOCK_SEGMENTS: usize = 256;

/// How a record is classified: the options `classify` and `report` share.
#[derive(clap::Args)]
pub struct ClassifyArgs {
    /// Segment length in seconds [default: 5, or the weights file's].
    #[arg(long, value_parser = parse_segment)]
    pub segment: Option<u32>,
    /// Weights: the embedded `all` (trained on every record) or `ds1` (inter-patient
    /// training records only), or a weights file (.hrn).
    #[arg(long, default_value = "all", value_name = "all|ds1|FILE")]
    pub weights: String,
    /// Signal to classify [default: MLII, else the first ECG lead, named on stderr].
    #[arg(long, value_name = "NAME")]
    pub lead: Option<String>,
    /// Seconds between segment starts [default: the segment length].
    #[arg(long, value_name = "SECONDS")]
    pub hop: Option<f64>,
    /// Half-life of the smoothing of consecutive segments' probabilities, in seconds; 0:
    /// each segment's own [default: the weights' own, in their model card].
    #[arg(long, value_name = "SECONDS")]
    pub smoothing_half_life: Option<f64>,
    /// Classify segments too noisy to read as well (status `classified`, their quality in
    /// the `quality` column) instead of reporting them as `noisy`.
    #[arg(long)]
    pub classify_noisy: bool,
    /// Let a segment in a record's first seconds use the rhythm after it as well as
    /// before it (its context is otherwise the little that precedes it); later segments
    /// are unchanged.
    #[arg(long)]
    pub offline: bool,
    /// Reference annotator compared with the classification, when the record has one.
    #[arg(long, default_value = "atr", value_name = "NAME")]
    pub reference: String,
}

impl ClassifyArgs {
    /// The classifier these options name.
    pub fn classifier(&self) -> Result<Classifier> {
        load_classifier(&self.weights, self.segment)
    }

    /// The options of a record's classification (invalid samples skipped), or what is
    /// wrong with them as a usage error.
    pub fn options(&self) -> std::result::Result<ClassifyOptions, String> {
        if let Some(h) = self.hop
            && !(h.is_finite() && h > 0.0)
        {
            return Err(format!(
                "--hop must be a positive number of seconds, got {h}"
            ));
        }
        if let Some(h) = self.smoothing_half_life {
            haresnet::smoothing::check_half_life(h)
                .map_err(|e| format!("--smoothing-half-life: {e}"))?;
        }
        Ok(ClassifyOptions {
            hop_seconds: self.hop,
            invalid_samples: InvalidSamples::Skip,
            attention: false,
            smoothing_half_life_seconds: self.smoothing_half_life,
            classify_noisy: self.classify_noisy,
            offline: self.offline,
        })
    }
}

/// Arguments of `classify`.
#[derive(clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct Args {
    /// WFDB records: the record path, its header or any of its files (`100`, `100.hea`,
    /// `A00001.mat`).
    #[arg(required_unless_present = "records", conflicts_with = "records")]
    record: Vec<PathBuf>,
    /// A file listing record names, one per line (like PhysioNet's `RECORDS`).
    #[arg(long, value_name = "FILE")]
    records: Option<PathBuf>,
    /// Directory the names in `--records` are relative to (default: the list's directory).
    #[arg(long, value_name = "DIR", requires = "records")]
    data: Option<PathBuf>,
    /// Write `<record>.csv` and the annotation file of each record into DIR (created if
    /// needed). Without it, or with `-`, the CSV goes to standard output and no file is
    /// written.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Annotator name of the rhythm annotation file written per record.
    #[arg(long, default_value = "hrs", value_name = "NAME")]
    annotator: String,
    /// Write no annotation files.
    #[arg(long)]
    no_annotations: bool,
    #[command(flatten)]
    classify: ClassifyArgs,
    /// Records classified at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    jobs: u32,
    /// Write the per-record summary as CSV to FILE instead of to stderr.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Nothing on stderr but errors: no progress bar, notices or summary.
    #[arg(long, short)]
    quiet: bool,
}

impl Args {
    /// The output folder; `None` for standard output (no `--out`, or `--out -`).
    fn out_dir(&self) -> Option<&Path> {
        self.out.as_deref().filter(|p| *p != Path::new("-"))
    }
}

const AFTER_HELP: &str = "\
Output CSV columns: record,start_s,end_s,status,label,heart_rate_bpm,p_<class>...,quality \
with status `classified`, `flat` (no signal), `invalid_samples` (NaN in the record) or \
`noisy` (too noisy to read: quality below the weights' threshold; `--classify-noisy` \
classifies it all the same); label and probabilities are empty unless classified, heart \
rate unless two beats were found, quality (0 unreadable to 1 clean) when the signal was \
judged.

Annotation file (`<record>.<annotator>`, read by `rdann -r <record> -a <annotator>`): a \
rhythm annotation `+` at each change of rhythm, its aux string `(` and the class \
(`(N`, `(AFIB`, `(AFL`, `(VT`, `(OTHER`); where nothing was classified (flat, invalid or noisy \
segments, the end of the record shorter than a segment) a `~` annotation with subtype -1 \
(signals unreadable, as MIT-BIH marks it), and `~` with subtype 0 where classification \
resumes.

Exit status: 0 all records classified, 1 some failed (each named on stderr), 2 usage \
error, 3 nothing could be done.";

fn parse_segment(s: &str) -> std::result::Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n @ (2 | 5 | 10)) => Ok(n),
        _ => Err(format!(
            "segment length must be 2, 5 or 10 seconds, got {s:?}"
        )),
    }
}

/// Loads the classifier the options name: embedded weights by set, or a weights file
/// (whose segment length must agree with `--segment` when both are given).
pub fn load_classifier(weights: &str, segment: Option<u32>) -> Result<Classifier> {
    let options = haresnet::ClassifierOptions::default();
    match weights {
        "all" | "ds1" => {
            Classifier::embedded_with(segment.unwrap_or(5), WeightSet::parse(weights)?, &options)
        }
        file => {
            let c = Classifier::from_file(file, &options)?;
            match segment {
                Some(s) if f64::from(s) != c.segment_seconds() => Err(Error::invalid(format!(
                    "{file} holds weights for {} s segments, not {s} s",
                    c.segment_seconds()
                ))),
                _ => Ok(c),
            }
        }
    }
}

/// The signal to classify: `requested` by name, else MLII, else the first ECG lead. The
/// second value says which signal was picked when it was not asked for and is not MLII.
pub fn choose_lead(record: &Record, requested: Option<&str>) -> Result<(usize, Option<String>)> {
    let names = record.signal_names();
    let listed = || names.join(", ");
    if let Some(name) = requested {
        return record
            .channel_index(name)
            .or_else(|| name.parse::<usize>().ok().filter(|&i| i < names.len()))
            .map(|i| (i, None))
            .ok_or_else(|| Error::invalid(format!("no signal `{name}` (signals: {})", listed())));
    }
    if let Some(i) = record.channel_index("MLII") {
        return Ok((i, None));
    }
    names
        .iter()
        .position(|n| is_ecg_lead(n))
        .map(|i| {
            (
                i,
                Some(format!("no MLII; classifying `{}` (signal {i})", names[i])),
            )
        })
        .ok_or_else(|| {
            Error::invalid(format!(
                "no MLII and no other ECG lead (signals: {}); choose one with --lead",
                listed()
            ))
        })
}

/// Whether a signal name is an ECG lead: the limb and precordial leads (with or without
/// the MIT-BIH `ML` prefix), or a name saying ECG.
fn is_ecg_lead(name: &str) -> bool {
    let n = name.trim().to_ascii_uppercase();
    let lead = n.strip_prefix("ML").unwrap_or(&n);
    const LEADS: [&str; 13] = [
        "I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6", "V",
    ];
    LEADS.contains(&lead) || n.contains("ECG") || n.contains("EKG")
}

/// One record classified.
pub struct Classified {
    /// The record.
    pub record: Record,
    /// The classified signal.
    pub channel: usize,
    /// Which lead was picked, when it was not asked for and is not MLII.
    pub lead_note: Option<String>,
    /// Per-segment results, starts in samples from the start of the record.
    pub results: Vec<SegmentResult>,
}

/// Opens `path`, picks the lead and classifies it a block of segments at a time;
/// `progress` is told the seconds of signal done after each block.
pub fn classify_record(
    path: &Path,
    classifier: &Classifier,
    lead: Option<&str>,
    options: &ClassifyOptions,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<Classified> {
    let record = Record::open(path)?;
    let (channel, lead_note) = choose_lead(&record, lead)?;
    let fs = record.fs();
    let total = usize::try_from(record.sig_len())
        .map_err(|_| Error::invalid(format!("{}: record too long", path.display())))?;
    let len = classifier.segment_len(fs)?;
    // Refuses an empty record and a bad hop.
    classifier.segment_count(total, fs, options)?;
    // The hop in samples, as the classifier derives it (it has checked it above).
    let hop = options
        .hop_seconds
        .map_or(len, |h| (h * fs).round() as usize);
    if options.offline {
        // The context after a segment needs the signal at once.
        let samples = record.read_physical(channel, 0, total as u64)?;
        let results = classifier.classify_with(&samples, fs, options)?;
        progress(total as f64 / fs);
        return Ok(Classified {
            record,
            channel,
            lead_note,
            results,
        });
    }
    let count = haresnet::dsp::segment_ranges(total, len, hop)?.len();
    // One stream over the record: its rhythm context runs across the blocks, so the
    // results are those of the whole signal at once.
    let mut stream = classifier.stream(fs, options)?;
    // Grown as blocks are read, never sized from the header's length: a header can claim
    // more samples than its files hold.
    let mut results = Vec::new();
    let mut first = 0;
    let mut read_to = 0;
    while first < count {
        let n = BLOCK_SEGMENTS.min(count - first);
        let to = (first + n - 1) * hop + len;
        let samples = record.read_physical(channel, read_to as u64, to as u64)?;
        results.extend(stream.push(&samples)?);
        progress(n as f64 * hop.min(len) as f64 / fs);
        read_to = to;
        first += n;
    }
    // The tail after the last complete segment, when there is one.
    if read_to < total {
        let samples = record.read_physical(channel, read_to as u64, total as u64)?;
        stream.push(&samples)?;
        progress((total - read_to) as f64 / fs);
    }
    results.extend(stream.finish()?);
    Ok(Classified {
        record,
        channel,
        lead_note,
        results,
    })
}

/// The record's `annotator` annotations, `None` when it has no such file. They are only
/// compared against, so a file that cannot be read is a warning (the second value), never
/// a reason to lose the record's classification.
pub fn read_reference(path: &Path, annotator: &str) -> (Option<Vec<Annotation>>, Option<String>) {
    match wfdb::read_annotations(path, annotator) {
        Ok(anns) => (Some(anns), None),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            (None, None)
        }
        Err(e) => (
            None,
            Some(format!("reference annotations not compared: {e}")),
        ),
    }
}

/// The record name used in outputs: the file name without `.hea`.
pub fn record_name(path: &Path) -> String {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    name.strip_suffix(".hea")
        .map(str::to_string)
        .unwrap_or(name)
}

/// The CSV header line (with its newline).
pub fn csv_header(labels: &[String]) -> String {
    let p: Vec<String> = labels.iter().map(|l| format!("p_{l}")).collect();
    format!(
        "record,start_s,end_s,status,label,heart_rate_bpm,{},quality\n",
        p.join(",")
    )
}

/// CSV rows of one record's results.
pub fn csv_rows(name: &str, results: &[SegmentResult], labels: &[String], fs: f64) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for r in results {
        let _ = write!(
            out,
            "{name},{:.3},{:.3},{},{},{}",
            r.start as f64 / fs,
            r.end as f64 / fs,
            summary::status_name(r.status),
            r.label
                .and_then(|l| labels.get(l))
                .map_or("", String::as_str),
            r.heart_rate_bpm
                .map(|h| format!("{h:.1}"))
                .unwrap_or_default(),
        );
        for i in 0..labels.len() {
            match r.probabilities.get(i) {
                Some(p) => {
                    let _ = write!(out, ",{p:.6}");
                }
                None => out.push(','),
            }
        }
        match r.quality {
            Some(q) => {
                let _ = write!(out, ",{q:.3}");
            }
            None => out.push(','),
        }
        out.push('\n');
    }
    out
}

/// The result of one record of the batch.
struct Done {
    name: String,
    csv: String,
    summary: Summary,
    lead: String,
}

pub fn run(args: &Args) -> ExitCode {
    match batch(args) {
        Ok(code) => code,
        Err((code, message)) => {
            eprintln!("haresnet classify: {message}");
            ExitCode::from(code)
        }
    }
}

fn usage(message: impl std::fmt::Display) -> (u8, String) {
    (EXIT_USAGE, message.to_string())
}

fn failure(e: impl std::fmt::Display) -> (u8, String) {
    (EXIT_FAILURE, e.to_string())
}

/// The record paths named on the command line or in `--records`.
fn record_paths(args: &Args) -> std::result::Result<Vec<PathBuf>, (u8, String)> {
    if args.records.is_none() {
        return Ok(args.record.iter().map(wfdb::record_base).collect());
    }
    batch_records(&args.record, args.records.as_deref(), args.data.as_deref())
}

/// The records of a batch: `record` as given, or those `records` lists (one name a line,
/// `#` comments, like PhysioNet's `RECORDS`) under `data` (default: the list's folder).
pub fn batch_records(
    record: &[PathBuf],
    records: Option<&Path>,
    data: Option<&Path>,
) -> std::result::Result<Vec<PathBuf>, (u8, String)> {
    let Some(list) = records else {
        return Ok(record.to_vec());
    };
    let text = std::fs::read_to_string(list).map_err(|e| usage(Error::io(list, e)))?;
    let dir = match data {
        Some(d) => d.to_path_buf(),
        None => list.parent().unwrap_or(Path::new("")).to_path_buf(),
    };
    let paths: Vec<PathBuf> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| dir.join(l))
        .collect();
    if paths.is_empty() {
        return Err(usage(format!("{} lists no records", list.display())));
    }
    Ok(paths)
}

fn batch(args: &Args) -> std::result::Result<ExitCode, (u8, String)> {
    let options = args.classify.options().map_err(usage)?;
    if args.annotator.is_empty() || args.annotator.contains(['/', '\\', '.']) {
        return Err(usage(format!(
            "--annotator must be a plain file extension, got {:?}",
            args.annotator
        )));
    }
    let paths = record_paths(args)?;
    let mut seen = HashSet::new();
    for p in &paths {
        let name = record_name(p);
        if !seen.insert(name.clone()) && args.out_dir().is_some() {
            return Err(usage(format!(
                "two records are named {name}: their output files would collide"
            )));
        }
    }
    let classifier = args.classify.classifier().map_err(failure)?;
    let labels = classifier.labels().to_vec();
    if let Some(out) = args.out_dir() {
        std::fs::create_dir_all(out).map_err(|e| failure(Error::io(out, e)))?;
    }

    let seconds_total: f64 = paths
        .iter()
        .filter_map(|p| Record::open(p).ok())
        .map(|r| r.sig_len() as f64 / r.fs())
        .sum();
    let bar = progress_bar(args.quiet, seconds_total);
    let progress = |s: f64| bar.inc(s.round() as u64);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs as usize)
        .thread_name(|i| format!("haresnet-classify-{i}"))
        .build()
        .map_err(failure)?;
    let failed = Mutex::new(0usize);
    let done: Vec<Option<Done>> = pool.install(|| {
        paths
            .par_iter()
            .map(|path| {
                let outcome = one_record(args, path, &classifier, &options, &progress);
                match outcome {
                    Ok(d) => {
                        for note in d.1.iter().filter(|_| !args.quiet) {
                            bar.suspend(|| eprintln!("{}: {note}", d.0.name));
                        }
                        Some(d.0)
                    }
                    Err(e) => {
                        *failed.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                        bar.suspend(|| eprintln!("haresnet classify: {}: {e}", path.display()));
                        None
                    }
                }
            })
            .collect()
    });
    bar.finish_and_clear();
    let failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
    let ok: Vec<&Done> = done.iter().flatten().collect();

    if args.out_dir().is_none() && !ok.is_empty() {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let written = out
            .write_all(csv_header(&labels).as_bytes())
            .and_then(|()| ok.iter().try_for_each(|d| out.write_all(d.csv.as_bytes())))
            .and_then(|()| out.flush());
        match written {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(failure(Error::io("standard output", e))),
        }
    }
    match &args.summary {
        Some(path) => {
            let mut text = summary_csv_header(&labels);
            for d in &ok {
                text.push_str(&summary_csv_row(d));
            }
            std::fs::write(path, text).map_err(|e| failure(Error::io(path, e)))?;
        }
        None if !args.quiet => {
            for d in &ok {
                eprintln!("{}", summary_line(d));
            }
        }
        None => {}
    }
    Ok(ExitCode::from(match (failed, ok.len()) {
        (0, _) => EXIT_OK,
        (_, 0) => EXIT_FAILURE,
        _ => EXIT_PARTIAL,
    }))
}

fn progress_bar(quiet: bool, seconds: f64) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar =
        ProgressBar::with_draw_target(Some(seconds.round() as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} s of signal ({eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Classifies one record and writes its files; the second value holds its notes (the lead
/// chosen, a reference that could not be read).
fn one_record(
    args: &Args,
    path: &Path,
    classifier: &Classifier,
    options: &ClassifyOptions,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<(Done, Vec<String>)> {
    let name = record_name(path);
    let c = classify_record(
        path,
        classifier,
        args.classify.lead.as_deref(),
        options,
        progress,
    )?;
    let fs = c.record.fs();
    let labels = classifier.labels();
    let (reference, reference_note) = read_reference(path, &args.classify.reference);
    let summary = Summary::new(
        &c.results,
        labels,
        fs,
        c.record.sig_len(),
        reference.as_deref().map(|annotations| Reference {
            annotator: &args.classify.reference,
            annotations,
        }),
    );
    let csv = csv_rows(&name, &c.results, labels, fs);
    // Files only into the folder asked for: nothing lands in the current folder.
    if let Some(out) = args.out_dir() {
        let file = out.join(format!("{name}.csv"));
        let text = csv_header(labels) + &csv;
        std::fs::write(&file, text).map_err(|e| Error::io(&file, e))?;
        if !args.no_annotations {
            let chan = u8::try_from(c.channel).unwrap_or(u8::MAX);
            let anns = summary::rhythm_annotations(&summary.timeline, labels, chan)?;
            wfdb::write_annotations(out.join(format!("{name}.{}", args.annotator)), fs, &anns)?;
        }
    }
    let lead = c.record.signal_names()[c.channel].to_string();
    Ok((
        Done {
            name,
            csv,
            summary,
            lead,
        },
        c.lead_note.into_iter().chain(reference_note).collect(),
    ))
}

fn summary_csv_header(labels: &[String]) -> String {
    let mut cols = vec![
        "record".to_string(),
        "lead".into(),
        "duration_s".into(),
        "analysed_s".into(),
        "unclassified_s".into(),
    ];
    cols.extend(labels.iter().map(|l| format!("{l}_s")));
    cols.extend(labels.iter().map(|l| format!("{l}_pct")));
    cols.extend(
        [
            "af_burden_pct",
            "episodes",
            "reference_agreement_pct",
            "call",
        ]
        .map(String::from),
    );
    cols.join(",") + "\n"
}

/// One answer for the whole recording, as handheld recorders give one: `unreadable` when
/// less than half of it was classified, else the rhythm of most of its classified time.
pub fn recording_call(s: &haresnet::summary::Summary) -> String {
    if s.analysed_s < s.duration_s / 2.0 || s.analysed_s <= 0.0 {
        return "unreadable".into();
    }
    s.classes
        .iter()
        .max_by(|a, b| a.seconds.total_cmp(&b.seconds))
        .map_or_else(|| "unreadable".into(), |c| c.label.clone())
}

fn summary_csv_row(d: &Done) -> String {
    let s = &d.summary;
    let mut cols = vec![
        d.name.clone(),
        d.lead.clone(),
        format!("{:.3}", s.duration_s),
        format!("{:.3}", s.analysed_s),
        format!("{:.3}", s.unclassified_s),
    ];
    cols.extend(s.classes.iter().map(|c| format!("{:.3}", c.seconds)));
    cols.extend(s.classes.iter().map(|c| format!("{:.2}", c.percent)));
    cols.push(
        s.af_burden_percent
            .map(|p| format!("{p:.2}"))
            .unwrap_or_default(),
    );
    cols.push(s.episodes.len().to_string());
    cols.push(
        s.agreement
            .as_ref()
            .and_then(|a| a.percent)
            .map(|p| format!("{p:.2}"))
            .unwrap_or_default(),
    );
    cols.push(recording_call(s));
    cols.join(",") + "\n"
}

fn summary_line(d: &Done) -> String {
    let s = &d.summary;
    let classes: Vec<String> = s
        .classes
        .iter()
        .filter(|c| c.seconds > 0.0)
        .map(|c| {
            format!(
                "{} {} ({:.1} %)",
                c.label,
                crate::clock(c.seconds),
                c.percent
            )
        })
        .collect();
    let mut line = format!(
        "{} [{}]: {} analysed of {}; {}",
        d.name,
        d.lead,
        crate::clock(s.analysed_s),
        crate::clock(s.duration_s),
        if classes.is_empty() {
            "nothing classified".to_string()
        } else {
            classes.join(", ")
        }
    );
    if let Some(b) = s.af_burden_percent {
        line += &format!("; AF burden {b:.1} %");
    }
    if let Some(a) = &s.agreement
        && let Some(p) = a.percent
    {
        line += &format!(
            "; agrees with `{}` over {p:.1} % of the time compared",
            a.annotator
        );
    }
    line
}
