"""WFDB read throughput: haresnet against wfdb-python on the same files, in one run.

    cargo build --release -p haresnet --features cli
    python scripts/bench_read_wfdb.py --data ../shared/data/mitdb

Both read every record of the directory (its RECORDS list) to digital samples, every
signal, the whole record; each reports its fastest of --repeat passes (the first pass
warms the page cache). Needs `wfdb` and `numpy`.
"""

import argparse
import json
import os
import subprocess
import sys
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="directory of records with a RECORDS file")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--haresnet", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", "target"), "release", "haresnet"))
    args = ap.parse_args()

    with open(os.path.join(args.data, "RECORDS")) as f:
        names = f.read().split()
    ours = json.loads(subprocess.run(
        [args.haresnet, "bench-read", "--data", args.data, "--repeat", str(args.repeat), "--json"],
        check=True, capture_output=True, text=True).stdout)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
