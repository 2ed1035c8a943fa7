"""The MATLAB binding run for real, in GNU Octave: haresnet_mex built with `mkoctfile
--mex` by `haresnet.build_mex`, then each check of test_haresnet.m in its own Octave
process (classification equal to the command line tool's, streams, reading, writing
records and annotation files, errors, non-ASCII text, leaks).

The library and the command line tool are HARESNET_LIB and HARESNET_CLI (the Makefile's
binding-test sets both), else the workspace's debug builds. Without Octave the tests are
skipped, except under CI, where that is a failure: `scripts/setup` installs it.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MATLAB_DIR = HERE.parent
ROOT = HERE.parents[2]
RECORDS = ROOT / "fixtures" / "records"
CLI_RECORDS = ["100_0000_0060", "201_0420_0540", "203_0740_0860", "207_1530_1650"]
CHECKS = [
    "cli",
    "vector_equals_record",
    "stream_equals_whole",
    "read",
    "samples_per_frame",
    "errors",
    "utf8",
    "no_leaks",
    "summarize",
    "hostile",
    "edf",
    "write_record",
    "write_copy",
    "annotations",
    "write_errors",
]


def unavailable(why):
    if os.environ.get("CI"):
        pytest.fail(f"{why} (scripts/setup installs GNU Octave; CI must run these tests)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def octave():
    exe = shutil.which("octave-cli") or shutil.which("octave")
    if exe is None or shutil.which("mkoctfile") is None:
        unavailable("GNU Octave (octave-cli and mkoctfile) is not installed")
    return exe


def quoted(path):
    """A path as an Octave single-quoted string."""
    return "'" + str(path).replace("'", "''") + "'"


def run_octave(octave, code, cwd):
    # --no-history: Octave 7 reports an error at exit when it cannot save the history.
    return subprocess.run(
        [octave, "--no-history", "--norc", "--quiet", "--eval", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def built(octave, tmp_path_factory):
    """A folder with haresnet_mex built against the library, and the CLI's CSV of each
    fixture record in cli/."""
    lib = Path(os.environ.get("HARESNET_LIB", ROOT / "target" / "debug" / "libharesnet.so"))
    cli = Path(os.environ.get("HARESNET_CLI", ROOT / "target" / "debug" / "haresnet"))
    for path in (lib, cli):
        if not path.is_file():
            unavailable(f"{path} is not built")
    work = tmp_path_factory.mktemp("octave")
    done = run_octave(
        octave,
        f"addpath({quoted(MATLAB_DIR)}); "
        f"haresnet.build_mex({quoted(lib.parent)}, {quoted(ROOT / 'include')}, {quoted(work)});",
        work,
    )
    assert done.returncode == 0, f"building haresnet_mex failed:\n{done.stdout}\n{done.stderr}"
    records = [str(RECORDS / name) for name in CLI_RECORDS]
    done = subprocess.run(
        [str(cli), "classify", *records, "--out", str(work / "cli"), "--no-annotations"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{cli} classify failed:\n{done.stderr}"
    return work


@pytest.mark.parametrize("check", CHECKS)
def test_in_octave(octave, built, check):
    code = (
        f"addpath({quoted(MATLAB_DIR)}); addpath({quoted(HERE)}); addpath({quoted(built)}); "
        f"test_haresnet({quoted(RECORDS)}, {quoted(built)}, {quoted(check)});"
    )
    done = run_octave(octave, code, built)
    assert done.returncode == 0 and f"ok {check}" in done.stdout.splitlines(), (
        f"Octave check {check} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    )


def test_every_m_file_parses(octave):
    """Octave parses every m-file, those of the loadlibrary route included, which need
    MATLAB to run."""
    files = sorted(str(p) for p in MATLAB_DIR.rglob("*.m"))
    assert len(files) > 15
    code = f"addpath({quoted(MATLAB_DIR)}); "
    code += "".join(f"__parse_file__({quoted(f)}); " for f in files) + "disp('parsed');"
    done = run_octave(octave, code, HERE)
    assert done.returncode == 0 and "parsed" in done.stdout, done.stderr


def test_without_the_gateway_the_error_says_how_to_build_it(octave, tmp_path):
    if list(MATLAB_DIR.glob("haresnet_mex.*[!c]")):
        pytest.skip("a gateway is built in bindings/matlab")
    for call in ["haresnet.Model()", "haresnet.write_record('rec', [1; 2], 360)"]:
        code = (
            f"addpath({quoted(MATLAB_DIR)}); "
            f"try, {call}; catch err, printf('%s|%s\\n', err.identifier, err.message); end"
        )
        done = run_octave(octave, code, tmp_path)
        assert done.stdout.startswith("haresnet:no_mex|") and "haresnet.build_mex" in done.stdout, (
            call + ": " + done.stdout + done.stderr
        )


def test_under_valgrind(octave, built, tmp_path):
    """No invalid memory access in the gateway or the library, and no block lost with
    one of theirs on its stack, over the checks that exercise error paths and freeing
    (Octave's own leaks are not counted)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        unavailable("valgrind is not installed")
    checks = (
        "{'errors', 'stream_equals_whole', 'no_leaks', 'read', 'samples_per_frame', 'utf8', "
        "'write_record', 'annotations', 'write_errors'}"
    )
    code = (
        f"addpath({quoted(MATLAB_DIR)}); addpath({quoted(HERE)}); addpath({quoted(built)}); "
        f"test_haresnet({quoted(RECORDS)}, {quoted(built)}, {checks});"
    )
    log = tmp_path / "valgrind.log"
    done = subprocess.run(
        [
            valgrind,
            "--error-exitcode=99",
            # The MEX file and the library are unloaded before the leak report.
            "--keep-debuginfo=yes",
            "--errors-for-leak-kinds=none",
            "--leak-check=full",
            "--show-leak-kinds=definite,indirect",
            "--num-callers=40",
            f"--log-file={log}",
            octave,
            "--no-history",
            "--norc",
            "--quiet",
            "--eval",
            code,
        ],
        cwd=built,
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = log.read_text(errors="replace")
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stdout}\n{done.stderr}\n{report[-20000:]}"
    # Valgrind separates its records with an empty "==PID== " line.
    lost = [b for b in re.split(r"\n==\d+== \n", report) if " lost in loss record " in b and "haresnet" in b]
    assert not lost, "\n".join(lost)
