#!/usr/bin/env python3
"""QRS detectors on the MIT-BIH Arrhythmia Database, in one run, scored by one matcher.

Each record's lead (MLII; the first signal of 102 and 104, which have none) is read once
with wfdb-python; then haresnet's detector (through its Python binding), wfdb-python's
XQRS and NeuroKit2's detectors each find its R peaks, timed on the same array in the same
process, one thread. Each detector's peaks are written as WFDB annotation files, scored
with `haresnet eval-beats` (ANSI/AAMI EC57: 150 ms match window, first 5 minutes not
scored, ventricular flutter episodes left out), and a Markdown table is printed.

The peers come from scripts/requirements-bench.txt, in a venv of their own:

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r scripts/requirements-bench.txt
    cargo build --release -p haresnet-ffi -p haresnet --features haresnet/cli
    HARESNET_LIB=target/release/libharesnet.so .venv-bench/bin/python scripts/bench_beats.py \\
        --data ../shared/data/mitdb --out runs/beats --haresnet target/release/haresnet
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import wfdb
import wfdb.processing

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bindings" / "python"))
import haresnet  # noqa: E402


def ours(x, fs):
    return haresnet.detect_r_peaks(x, fs)


def xqrs(x, fs):
    return wfdb.processing.xqrs_detect(sig=x, fs=fs, verbose=False)


def neurokit(method):
    import neurokit2 as nk

    def detect(x, fs):
        # NeuroKit2's own pipeline: each method's cleaning, then its peak finder.
        clean = nk.ecg_clean(x, sampling_rate=fs, method=method)
        _, info = nk.ecg_peaks(clean, sampling_rate=fs, method=method)
        return info["ECG_R_Peaks"]

    return detect


def detectors(names):
    """(annotator, label, function) of each detector asked for."""
    import neurokit2 as nk

    table = {
        "haresnet": ("qrs", f"haresnet {haresnet.version()} (`haresnet.detect_r_peaks`)", ours),
        "xqrs": ("xqrs", f"wfdb-python {wfdb.__version__} XQRS (`xqrs_detect`)", xqrs),
        "nk": ("nk", f"NeuroKit2 {nk.__version__} `neurokit`", neurokit("neurokit")),
        "nkpt": ("nkpt", f"NeuroKit2 {nk.__version__} `pantompkins1985`", neurokit("pantompkins1985")),
    }
    return [table[n] for n in names]


def lead(record):
    names = record.sig_name
    channel = names.index("MLII") if "MLII" in names else 0
    return record.p_signal[:, channel].astype(np.float32), names[channel]


def write(out, name, annotator, peaks, fs):
    peaks = np.unique(np.asarray(peaks, dtype=np.int64))
    wfdb.wrann(name, annotator, peaks, symbol=["N"] * len(peaks), fs=fs, write_dir=str(out))


def score(cli, data, out, annotator):
    result = subprocess.run(
        [cli, "eval-beats", "--data", str(data), "--test-dir", str(out), "--test", annotator, "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout)["totals"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, required=True, help="the MIT-BIH directory (with RECORDS)")
    p.add_argument("--out", type=Path, required=True, help="where the annotation files go")
    p.add_argument("--haresnet", default=str(ROOT / "target" / "release" / "haresnet"), help="the haresnet command")
    p.add_argument("--detectors", default="haresnet,xqrs,nk,nkpt", help="comma-separated: haresnet,xqrs,nk,nkpt")
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    records = (args.data / "RECORDS").read_text().split()
    chosen = detectors(args.detectors.split(","))
    seconds = {a: [] for a, _, _ in chosen}
    signal_s = 0.0
    for name in records:
        record = wfdb.rdrecord(str(args.data / name))
        x, used = lead(record)
        fs = record.fs
        signal_s += len(x) / fs
        line = [f"{name} [{used}]"]
        for annotator, _, detect in chosen:
            start = time.perf_counter()
            peaks = detect(x, fs)
            elapsed = time.perf_counter() - start
            seconds[annotator].append(elapsed)
            write(args.out, name, annotator, peaks, fs)
            line.append(f"{annotator} {len(peaks)} beats {elapsed:.3f} s")
        print(", ".join(line), file=sys.stderr, flush=True)

    # The command line as a user runs it, reading the records itself: all records, one job.
    cli_s = None
    if "haresnet" in args.detectors.split(","):
        start = time.perf_counter()
        subprocess.run(
            [args.haresnet, "beats", "--quiet", "--records", str(args.data / "RECORDS"), "--out", str(args.out / "cli")],
            check=True,
        )
        cli_s = time.perf_counter() - start

    rows = []
    for annotator, label, _ in chosen:
        t = score(args.haresnet, args.data, args.out, annotator)
        s = np.array(seconds[annotator])
        rows.append(
            {
                "detector": label,
                "annotator": annotator,
                **t,
                "mean_s_per_record": float(s.mean()),
                "median_s_per_record": float(np.median(s)),
                "total_s": float(s.sum()),
            }
        )
    pct = lambda v: "-" if v is None else f"{100 * v:.2f}"  # noqa: E731
    print(
        "| detector | TP | FN | FP | gross Se % | gross +P % | average Se % | average +P % "
        "| s per record (mean / median) | total s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['detector']} | {r['tp']} | {r['fn']} | {r['fp']} | {pct(r['gross_se'])} | {pct(r['gross_ppv'])} "
            f"| {pct(r['average_se'])} | {pct(r['average_ppv'])} "
            f"| {r['mean_s_per_record']:.3f} / {r['median_s_per_record']:.3f} | {r['total_s']:.1f} |"
        )
    print(f"\n{len(records)} records, {signal_s / 3600:.1f} h of signal; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    if cli_s is not None:
        print(f"`haresnet beats --records RECORDS` (reading included, one job): {cli_s:.2f} s for all records")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "cli_seconds": cli_s, "records": len(records)}, indent=2))


if __name__ == "__main__":
    main()
