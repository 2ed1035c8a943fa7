//! The header and the library from C and C++: the header compiles alone (C99 and C++11,
//! `-Wall -Wextra -Werror`, included twice), the C tests and the example program are
//! compiled against it and run: plainly, under AddressSanitizer and under valgrind.
//!
//! A C compiler is required (`scripts/setup` installs one); valgrind runs when installed
//! and is required when the environment variable `CI` is set.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use haresnet_tests::*;

fn include_dir() -> PathBuf {
    workspace_root().join("include")
}

#[track_caller]
fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({})\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Compiles C sources against the header and the shared library.
fn compile(sources: &[PathBuf], exe: &Path, extra: &[&str]) {
    // The library must exist before linking (see `haresnet_tests::api`).
    api();
    let lib_dir = profile_dir();
    run(Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-g"])
        .args(extra)
        .arg("-I")
        .arg(include_dir())
        .args(sources)
        .arg("-L")
        .arg(&lib_dir)
        .arg("-lharesnet")
        .arg("-lm")
        .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
        .arg("-o")
        .arg(exe));
}

/// The ABI version computed from the workspace's `Cargo.toml`.
fn abi_from_cargo() -> String {
    let toml = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
    let v = toml
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .unwrap()
        .trim_matches('"');
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap());
    let (major, minor) = (parts.next().unwrap(), parts.next().unwrap());
    ((major << 16) | minor).to_string()
}

#[test]
fn header_compiles_alone_as_c99_and_cpp11() {
    let dir = tempfile::tempdir().unwrap();
    let tu = dir.path().join("twice.c");
    // Included twice: the guard must hold. Nothing else included first.
    std::fs::write(
        &tu,
        "#include \"haresnet.h\"\n#include \"haresnet.h\"\n\
         int main(void) { return haresnet_abi_version() == HARESNET_ABI_VERSION ? 0 : 1; }\n",
    )
    .unwrap();
    run(Command::new("cc")
        .args([
            "-std=c99",
            "-pedantic",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fsyntax-only",
            "-I",
        ])
        .arg(include_dir())
        .arg(&tu));
    run(Command::new("c++")
        .args([
            "-std=c++11",
            "-pedantic",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-fsyntax-only",
            "-x",
            "c++",
            "-I",
        ])
        .arg(include_dir())
        .arg(&tu));
}

fn abi_test_args(out_dir: &Path) -> Vec<String> {
    vec![
        abi_from_cargo(),
        weights_file().display().to_string(),
        fixture("100_0000_0060").display().to_string(),
        out_dir.display().to_string(),
    ]
}

#[test]
fn c_tests_pass() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("abi");
    compile(&[workspace_root().join("tests/c/abi.c")], &exe, &[]);
    let out = run(Command::new(&exe).args(abi_test_args(dir.path())));
    assert!(String::from_utf8_lossy(&out.stdout).contains("all checks passed"));
}

#[test]
fn c_tests_are_clean_under_address_sanitizer() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("abi-asan");
    compile(
        &[workspace_root().join("tests/c/abi.c")],
        &exe,
        &["-fsanitize=address", "-fno-omit-frame-pointer"],
    );
    let out = run(Command::new(&exe).args(abi_test_args(dir.path())).env(
        "ASAN_OPTIONS",
        "detect_leaks=1:abort_on_error=0:exitcode=23",
    ));
    assert!(String::from_utf8_lossy(&out.stdout).contains("all checks passed"));
}

#[test]
fn c_tests_are_clean_under_valgrind() {
    let have_valgrind = Command::new("valgrind").arg("--version").output().is_ok();
    if !have_valgrind {
        assert!(
            std::env::var_os("CI").is_none(),
            "valgrind is required in CI (scripts/setup)"
        );
        eprintln!("valgrind is not installed: skipping (scripts/setup installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("abi-valgrind");
    compile(&[workspace_root().join("tests/c/abi.c")], &exe, &[]);
    let out = run(Command::new("valgrind")
        .args(["--leak-check=full", "--error-exitcode=1"])
        .arg(format!(
            "--suppressions={}",
            workspace_root().join("tests/valgrind.supp").display()
        ))
        .arg(&exe)
        .args(abi_test_args(dir.path())));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ERROR SUMMARY: 0 errors"), "{stderr}");
}

#[test]
fn example_program_classifies_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("classify_record");
    compile(
        &[workspace_root().join("bindings/c/classify_record.c")],
        &exe,
        &[],
    );
    let record = fixture("201_0420_0540");
    let out = run(Command::new(&exe).arg(&record).arg(weights_file()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!("{}: 24 segments of 5 s", record.display())
    );
    // Rhythm segments cover the two minutes without gaps, each with a class name.
    let mut end = "00:00:00".to_string();
    for line in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields[0], end, "{stdout}");
        assert_eq!(fields[1], "-");
        assert!(
            ["N", "AFIB", "AFL", "VT", "OTHER", "not"].contains(&fields[3]),
            "{line}"
        );
        end = fields[2].to_string();
    }
    assert_eq!(end, "00:02:00", "{stdout}");

    // Errors are reported with their status and message.
    let out = Command::new(&exe)
        .arg(dir.path().join("missing"))
        .arg(weights_file())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("HARESNET_STATUS_IO") && stderr.contains("missing.hea"),
        "{stderr}"
    );
}
