"""WFDB read and write throughput: haresnet against wfdb-python on the same files, in one
run.

    cargo build --release -p haresnet --features cli
    python scripts/bench_read_wfdb.py --data ../shared/data/mitdb [--write-format 212]

Both read every record of the directory (its RECORDS list) to digital samples, every
signal, the whole record; each reports its fastest of --repeat passes (the first pass
warms the page cache). With --write-format, both then write every record, its digital
samples already in memory, in that format (header and signal files, into a temporary
folder; wfdb-python with `wrsamp`). Needs `wfdb` and `numpy`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


import wfdb


def bench_wfdb_python(data, names, repeat):
    best, samples = float("inf"), 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        samples = 0
        for name in names:
            r = wfdb.rdrecord(os.path.join(data, name), physical=False)
            samples += r.d_signal.size
        best = min(best, time.perf_counter() - t0)
    return best, samples


def bench_wfdb_python_write(data, names, repeat, fmt):
    records = [wfdb.rdrecord(os.path.join(data, name), physical=False) for name in names]
    out = tempfile.mkdtemp(prefix="wfdb-python-bench-write-")
    best = float("inf")
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            for name, r in zip(names, records):
                wfdb.wrsamp(name, fs=r.fs, units=r.units, sig_name=r.sig_name, d_signal=r.d_signal,
                            fmt=[fmt] * r.n_sig, adc_gain=r.adc_gain, baseline=r.baseline,
                            comments=r.comments, write_dir=out)
            best = min(best, time.perf_counter() - t0)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="directory of records with a RECORDS file")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--write-format", help="also measure writing in this format (212, 16, 516...)")
    ap.add_argument("--haresnet", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "haresnet"))
    args = ap.parse_args()

    with open(os.path.join(args.data, "RECORDS")) as f:
        names = f.read().split()
    command = [args.haresnet, "bench-read", "--data", args.data, "--repeat", str(args.repeat), "--json"]
    if args.write_format:
        command += ["--write-format", args.write_format]
    ours = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    py_s, py_samples = bench_wfdb_python(args.data, names, args.repeat)
    if py_samples != ours["samples"]:
        print(f"sample counts differ: haresnet {ours['samples']}, wfdb-python {py_samples}")
        return 1
    mb = ours["bytes"] / 1e6
    print(f"{len(names)} records, {ours['samples']:,} samples, {mb:.1f} MB of signal files, "
          f"best of {args.repeat}")
    print(f"{'reader':<22}{'seconds':>9}{'M samples/s':>13}{'MB/s':>9}")
    for label, s in [("haresnet", ours["seconds"]), (f"wfdb-python {wfdb.__version__}", py_s)]:
        print(f"{label:<22}{s:>9.4f}{ours['samples'] / s / 1e6:>13.1f}{mb / s:>9.1f}")
    print(f"haresnet is {py_s / ours['seconds']:.1f}x faster")
    if args.write_format:
        py_w = bench_wfdb_python_write(args.data, names, args.repeat, args.write_format)
        wmb = ours["write_bytes"] / 1e6
        print(f"\nwriting format {args.write_format}: {wmb:.1f} MB of signal files, best of {args.repeat}")
        print(f"{'writer':<22}{'seconds':>9}{'M samples/s':>13}{'MB/s':>9}")
        for label, s in [("haresnet", ours["write_seconds"]), (f"wfdb-python {wfdb.__version__}", py_w)]:
            print(f"{label:<22}{s:>9.4f}{ours['samples'] / s / 1e6:>13.1f}{wmb / s:>9.1f}")
        print(f"haresnet writes {py_w / ours['write_seconds']:.1f}x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
