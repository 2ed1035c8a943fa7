"""Benchmark (not a test): the whole MIT-BIH Arrhythmia Database (48 records, 24 h of
signal) classified by `haresnet.batch` on a Dask `LocalCluster` of 1 and of 2 worker
processes (one thread each; and 1 worker whose model uses every core, `threads=0`),
beside the command line's `haresnet classify --jobs 1` and `--jobs 2`, every run writing the per-record CSV and `.hrs` files. Each configuration
runs `--repeat` times after one warm-up run; the median wall time and CPU time (all the
processes of the run: the command; Dask's workers, scheduler and client) are reported,
and the cluster's start-up apart. The batch's files are checked against the command's.

    .venv/bin/python scripts/bench_dask.py --data ../shared/data/mitdb \\
        --lib target/dist/libharesnet.so --haresnet target/dist/haresnet

(`make install-build` builds both: release without debug information.) Prints a Markdown
table, as in the README's Speed section.
"""

import argparse
import filecmp
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, type=Path, help="MIT-BIH folder (with its RECORDS file)")
    ap.add_argument("--lib", type=Path, help="the library to load (HARESNET_LIB), default: as haresnet finds it")
    ap.add_argument("--haresnet", default="target/dist/haresnet", help="the command to compare with")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per configuration (after one warm-up)")
    ap.add_argument("--workers", default="1,2", help="Dask worker processes to try, comma-separated")
    args = ap.parse_args()
    # The package of this tree, here and in the worker processes (which inherit the
    # environment); the library as asked, before haresnet is imported.
    package = str(ROOT / "bindings" / "python")
    sys.path.insert(0, package)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [package, os.environ.get("PYTHONPATH")]))
    if args.lib:
        os.environ["HARESNET_LIB"] = str(args.lib.resolve())

    import distributed
    import psutil

    import haresnet
    from haresnet import batch

    records = args.data / "RECORDS"
    names = [n.strip() for n in records.read_text().splitlines() if n.strip() and not n.startswith("#")]
    hours = 0.0
    for n in names:
        with haresnet.Record(args.data / n) as r:
            hours += r.length / r.fs / 3600
    tmp = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    rows = []

    def timed(label, run, repeat, cpu):
        """Runs `run` 1 + `repeat` times; wall time and CPU time (`cpu()`: seconds used so
        far by everything the run uses) of each."""
        times, cpus = [], []
        for i in range(repeat + 1):
            out = tmp / label.replace(" ", "_")
            shutil.rmtree(out, ignore_errors=True)
            c, t = cpu(), time.perf_counter()
            run(out)
            times.append(time.perf_counter() - t)
            cpus.append(cpu() - c)
        median = statistics.median(times[1:])
        rows.append((label, times[0], median, statistics.median(cpus[1:])))
        print(f"{label}: warm-up {times[0]:.2f} s, median {median:.2f} s of {repeat}", file=sys.stderr)
        return out

    def cli_cpu():
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    try:
        cli_out = None
        for jobs in (1, 2):
            def run_cli(out, jobs=jobs):
                subprocess.run(
                    [args.haresnet, "classify", "--quiet", "--jobs", str(jobs), "--records", str(records),
                     "--out", str(out)],
                    check=True,
                )
            cli_out = timed(f"haresnet classify --jobs {jobs}", run_cli, args.repeat, cli_cpu)
        # (worker processes, the model's inference threads): 1 is batch's default (Dask's
        # worker threads are the parallelism), 0 the process's pool over every core.
        configs = [(int(w), 1) for w in args.workers.split(",")] + [(1, 0)]
        for workers, threads in configs:
            t = time.perf_counter()
            with distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster, distributed.Client(cluster) as client:
                startup = time.perf_counter() - t

                def dask_cpu():
                    # The worker processes' CPU time and this process's (the client and,
                    # in a LocalCluster, the scheduler).
                    workers = client.run(lambda: sum(psutil.Process().cpu_times()[:2]))
                    return sum(workers.values()) + time.process_time()

                def run_batch(out):
                    table = batch.classify(records_file=records, client=client, out=out, threads=threads)
                    failed = table[table.status == "failed"]
                    assert failed.empty, failed.error.tolist()

                label = f"haresnet.batch, {workers} worker{'s' if workers > 1 else ''}"
                if threads != 1:
                    label += f", threads={threads}"
                out = timed(label, run_batch, args.repeat, dask_cpu)
                rows[-1] = rows[-1] + (startup,)
            differ = [f for f in sorted(os.listdir(cli_out)) if not filecmp.cmp(cli_out / f, out / f, shallow=False)]
            # 114's annotations: channel 0 from the C ABI, 1 from the command (README).
            assert set(differ) <= {"114.hrs"}, differ
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    load = os.getloadavg()
    print(f"{len(names)} records, {hours:.1f} h of signal; {os.cpu_count()} cores "
          f"({platform.processor() or platform.machine()}), load average {load[0]:.2f} at the end; "
          f"library {haresnet.library_path()}, Python {platform.python_version()}, "
          f"distributed {distributed.__version__}")
    print()
    print("| run | wall time (median) | records/s | × real time | CPU time | first run | cluster start-up |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, first, median, cpu, *startup in rows:
        start = f"{startup[0]:.1f} s" if startup else ""
        print(f"| {label} | {median:.2f} s | {len(names) / median:.1f} | {hours * 3600 / median:,.0f} "
              f"| {cpu:.2f} s | {first:.2f} s | {start} |")


if __name__ == "__main__":
    main()
