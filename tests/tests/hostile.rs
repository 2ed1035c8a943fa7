//! Every hostile record (`fixtures/hostile/`, and those made here at run time because git
//! cannot hold them or they are large) through every command of the CLI and through the C
//! ABI (`hostile_abi`), each run in a child process with a time limit and a limit on its
//! address space. Each run must end with a documented exit status and, when it fails, a
//! message: never a signal, a panic, a hang, a memory blow-up or an unbounded message.
//!
//! The CLI is the one `make test` builds beside this crate's tests (`target/debug/haresnet`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use haresnet_tests::*;

/// Longest a run may take (a debug build classifying a 12 s record takes well under 1 s).
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// Address space a run may reserve, in KiB (`ulimit -v`): the model, the thread pool and a
/// record's blocks fit many times over, a header's claim of 10^15 samples does not.
const MEMORY_LIMIT_KIB: u64 = 3 << 20;
/// Longest standard error a run may print: messages quote fields, which must be cut.
const MAX_STDERR: usize = 16 << 10;

fn cli() -> PathBuf {
    let exe = profile_dir().join("haresnet");
    assert!(
        exe.is_file(),
        "{} is missing: build it with `cargo build --workspace --features haresnet/cli --lib --tests`",
        exe.display()
    );
    exe
}

struct Run {
    code: i32,
    stderr: String,
    elapsed: Duration,
}

/// Runs `program args` under the limits, its output in files (a full pipe would look like
/// a hang), and panics on a signal or a hang.
fn run_limited(program: &Path, args: &[&str], scratch: &Path) -> Run {
    let (out, err) = (scratch.join("stdout"), scratch.join("stderr"));
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(program)
        .args(args)
        .current_dir(scratch)
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{program:?} {args:?} still running after {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = String::from_utf8_lossy(&std::fs::read(&err).unwrap()).into_owned();
    let code = status.code().unwrap_or_else(|| {
        panic!("{program:?} {args:?} was killed by a signal ({status})\nstderr:\n{stderr}")
    });
    Run {
        code,
        stderr,
        elapsed: start.elapsed(),
    }
}

/// The hostile records of the corpus and of [`made_at_run_time`], as record paths.
fn records(made: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for dir in [
        workspace_root().join("fixtures/hostile"),
        made.to_path_buf(),
    ] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "hea") {
                paths.push(p.with_extension(""));
            }
        }
    }
    paths.sort();
    paths
}

/// The attacks that cannot be committed: FIFOs, and files too large for the repository
/// (sparse where their content does not matter, since their size is refused first).
fn made_at_run_time(dir: &Path) {
    let ok_header = std::fs::read_to_string(workspace_root().join("fixtures/hostile/ok.hea"))
        .unwrap()
        .replace("base.dat", "ok.dat");
    std::fs::copy(
        workspace_root().join("fixtures/hostile/base.dat"),
        dir.join("ok.dat"),
    )
    .unwrap();
    let mkfifo = |name: &str| {
        let status = Command::new("mkfifo").arg(dir.join(name)).status().unwrap();
        assert!(status.success(), "mkfifo {name}");
    };
    // A header that is a FIFO: opening it for reading would wait for a writer forever.
    mkfifo("fifo-header.hea");
    // A signal file that is a FIFO.
    std::fs::write(
        dir.join("fifo-signal.hea"),
        ok_header.replace("ok.dat", "fifo-signal.dat"),
    )
    .unwrap();
    mkfifo("fifo-signal.dat");
    // 10^6 segment lines (5 MB): parsing and opening them took 29 s and 2.9 GB.
    let mut big = String::from("big-header/1000000 2 360 1000000\n");
    big.push_str(&"ok 1\n".repeat(1_000_000));
    std::fs::write(dir.join("big-header.hea"), big).unwrap();
    // A 100 MiB annotation file beside a good record.
    std::fs::write(dir.join("big-atr.hea"), &ok_header).unwrap();
    File::create(dir.join("big-atr.atr"))
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    // A header with a 50 MiB field.
    let mut huge = ok_header.replace("MLII", "MLII ");
    huge.truncate(huge.find(" MLII").unwrap());
    std::fs::write(dir.join("huge-field.hea"), huge).unwrap();
    let f = File::options()
        .append(true)
        .open(dir.join("huge-field.hea"))
        .unwrap();
    f.set_len(50 << 20).unwrap();
    // Fields under the size cap but long enough to flood a message if echoed whole: a
    // 900 kB signal name (no ECG lead to choose, so the error lists the names) and a
    // 500 kB gain field.
    let name = "N".repeat(900_000);
    std::fs::write(
        dir.join("long-name.hea"),
        format!("long-name 1 360 4320\nok.dat 16 200 12 0 0 0 0 {name}\n"),
    )
    .unwrap();
    let gain = format!("200{}", "x".repeat(500_000));
    std::fs::write(
        dir.join("long-gain.hea"),
        format!("long-gain 1 360 4320\nok.dat 16 {gain} 12 0 0 0 0 MLII\n"),
    )
    .unwrap();
}

/// What some records must give beyond a clean failure: `(record, command, exit code,
/// words of standard error)`.
const EXPECTED: &[(&str, &str, i32, &str)] = &[
    ("ok", "info", 0, ""),
    ("ok", "classify", 0, ""),
    ("ok", "report", 0, ""),
    // `-q` silences the notice; `report` gives it.
    ("broken-reference", "classify", 0, ""),
    (
        "broken-reference",
        "report",
        0,
        "reference annotations not compared",
    ),
    ("parent-path", "info", 3, "outside the record's folder"),
    ("absolute-path", "info", 3, "outside the record's folder"),
    ("multiseg-parent", "info", 3, "outside the record's folder"),
    (
        "multiseg-absolute",
        "info",
        3,
        "outside the record's folder",
    ),
    ("huge-length", "classify", 3, "truncated"),
    ("max-length", "classify", 3, ""),
    ("tiny-gain", "classify", 0, ""),
    ("short-record", "classify", 0, ""),
    ("fifo-header", "info", 3, "not a regular file"),
    ("fifo-signal", "info", 3, "not a regular file"),
    ("big-header", "info", 3, "more than the"),
    ("huge-field", "info", 3, "more than the"),
    ("big-atr", "ann", 3, "more than the"),
    ("big-atr", "classify", 0, ""),
    ("big-atr", "report", 0, "reference annotations not compared"),
    ("many-signals", "info", 3, "at most 4096"),
    ("many-segments", "info", 3, "at most 32768"),
    ("long-name", "classify", 3, "bytes cut"),
    ("long-gain", "info", 3, "bytes cut"),
];

#[test]
fn no_hostile_record_aborts_hangs_or_floods() {
    let made = tempfile::tempdir().unwrap();
    made_at_run_time(made.path());
    let cli = cli();
    let abi = Path::new(env!("CARGO_BIN_EXE_hostile_abi"));
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for record in records(made.path()) {
        let name = record.file_name().unwrap().to_string_lossy().into_owned();
        let rec = record.to_str().unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let out = scratch.path().join("out");
        let out = out.to_str().unwrap();
        let commands: [(&str, &Path, Vec<&str>); 6] = [
            ("info", &cli, vec!["info", rec]),
            ("read", &cli, vec!["read", rec]),
            ("ann", &cli, vec!["ann", rec, "atr"]),
            ("classify", &cli, vec!["classify", "-q", rec, "--out", out]),
            ("report", &cli, vec!["report", rec, "--out", out]),
            ("c-abi", abi, vec![rec, scratch.path().to_str().unwrap()]),
        ];
        for (command, program, args) in commands {
            let run = run_limited(program, &args, scratch.path());
            let what = format!("{name} / {command}: exit {}", run.code);
            if run.elapsed > slowest.0 {
                slowest = (run.elapsed, what.clone());
            }
            let expected = EXPECTED
                .iter()
                .find(|(r, c, ..)| *r == name && *c == command);
            let problem = if run.stderr.contains("panicked") || run.code == 101 {
                Some("panicked")
            } else if ![0, 1, 2, 3].contains(&run.code) {
                Some("an undocumented exit status")
            } else if run.code != 0 && run.stderr.trim().is_empty() {
                Some("failed without a message")
            } else if run.stderr.len() > MAX_STDERR {
                Some("an unbounded message")
            } else if let Some((.., code, words)) = expected {
                (run.code != *code || !run.stderr.contains(words))
                    .then_some("not what was expected of it")
            } else {
                None
            };
            if let Some(problem) = problem {
                let shown: String = run.stderr.chars().take(2000).collect();
                failures.push(format!("{what}: {problem}\n{shown}"));
            }
        }
    }
    eprintln!("slowest run: {} ({:?})", slowest.1, slowest.0);
    assert!(failures.is_empty(), "{}", failures.join("\n---\n"));
}
