"""`haresnet.batch` on a `LocalCluster` of two worker processes: MIT-BIH records give the
`haresnet classify` command's files byte for byte and its labels in the table (segments
flat, invalid, noisy, a tail's last window, a record shorter than a segment); a missing
and a corrupt record are reported while the others complete; a worker killed mid-job and
a cluster restarted mid-job still end with every record classified once."""

import csv
import io
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, need

try:
    import distributed
    import pandas as pd
    import pyarrow as pa
except ImportError as e:  # scripts/setup installs them
    distributed = None
    _missing = str(e)

import haresnet
from haresnet import batch

#: Normal sinus rhythm (100), no MLII so the first ECG lead (102: V5), MLII as the second
#: signal (114), atrial fibrillation with nodal rhythm (201), AF, flutter and VT (203).
RECORDS = ["100", "102", "114", "201", "203"]


@pytest.fixture(scope="module")
def client():
    need(distributed is not None, f"dask.distributed, pandas or pyarrow is missing ({globals().get('_missing')})")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as c:
        yield c


def run_cli(cli, weights_arg, paths, out):
    """`haresnet classify --out OUT` on `paths`: the reference files."""
    subprocess.run(
        [cli, "classify", "--quiet", "--weights", weights_arg, "--out", str(out), *map(str, paths)],
        check=True,
    )


def write_record(folder, name, x, fs):
    """`x` (samples × 2, mV; NaN written as the format's sentinel) as the format-16 record
    `name` (MLII, V1)."""
    digital = np.round(np.nan_to_num(x, nan=-32768 / 200) * 200).astype(np.int16)
    digital.tofile(folder / f"{name}.dat")
    (folder / f"{name}.hea").write_text(
        f"{name} 2 {fs:g} {len(digital)}\n"
        f"{name}.dat 16 200 16 0 0 0 0 MLII\n"
        f"{name}.dat 16 200 16 0 0 0 0 V1\n"
    )
    return folder / name


def excerpt_100():
    with haresnet.Record(FIXTURES / "100_0000_0060") as r:
        return np.stack([r.read(0), r.read(1)], axis=1), r.fs


def write_leads_off(folder):
    """A record with leads off and noise: the 60 s excerpt of record 100 and its first
    3.5 s again (so the tail after the last complete segment is long enough to be
    classified, as its last segment-long window), flat (0 mV) from 10 to 22 s, invalid
    (the format's sentinel, read as NaN) from 35 to 41 s and white noise from 45 to 55 s,
    so segments come out `flat`, `invalid_samples` and `noisy`."""
    x, fs = excerpt_100()
    x = np.concatenate([x, x[: int(3.5 * fs)]])
    x[int(10 * fs) : int(22 * fs), 0] = 0
    x[int(35 * fs) : int(41 * fs), 0] = np.nan
    noisy = slice(int(45 * fs), int(55 * fs))
    x[noisy, 0] = np.random.default_rng(7).normal(0, 1.0, noisy.stop - noisy.start)
    return write_record(folder, "leadsoff", x, fs)


def write_short(folder, name, seconds):
    """The first `seconds` of record 100's excerpt: shorter than a segment."""
    x, fs = excerpt_100()
    return write_record(folder, name, x[: int(seconds * fs)], fs)


def write_corrupt(folder, mitdb):
    """Record 100's header with a signal file cut short (a download that stopped)."""
    (folder / "corrupt.hea").write_text((mitdb / "100.hea").read_text().replace("100.dat", "corrupt.dat").replace("100 ", "corrupt ", 1))
    (folder / "corrupt.dat").write_bytes((mitdb / "100.dat").read_bytes()[:3000])
    return folder / "corrupt"


@pytest.fixture(scope="module")
def long_record(tmp_path_factory, mitdb, cli, weights):
    """A day-long record (record 201 48 times over, as one multi-segment record, the length
    of a Holter or Long-Term AF recording) and the command line's files for it."""
    folder = tmp_path_factory.mktemp("long")
    for ext in ("hea", "dat"):
        (folder / f"201.{ext}").symlink_to(mitdb / f"201.{ext}")
    n = 48
    (folder / "day.hea").write_text(f"day/{n} 2 360 {650000 * n}\n" + "201 650000\n" * n)
    out = folder / "cli"
    run_cli(cli, weights[1], [folder / "day"], out)
    return folder / "day", out


def test_records_give_the_command_lines_files_and_labels_and_failures_are_reported(
    client, mitdb, cli, weights, tmp_path
):
    kwargs, weights_arg = weights
    # MIT-BIH records end with a tail too short to classify (200 samples); leadsoff's is
    # its last window; a 3 s record is one short segment, a 1 s one too short.
    good = [mitdb / r for r in RECORDS] + [
        write_leads_off(tmp_path),
        write_short(tmp_path, "short3s", 3),
        write_short(tmp_path, "short1s", 1),
    ]
    missing = tmp_path / "nowhere" / "999"
    corrupt = write_corrupt(tmp_path, mitdb)
    run_cli(cli, weights_arg, good, tmp_path / "cli")

    options = {"weights": kwargs["path"]} if "path" in kwargs else {}
    table = batch.classify(
        [good[0], missing, *good[1:3], corrupt, *good[3:]], client, out=tmp_path / "batch", **options
    )

    names = [p.name for p in good]
    assert list(dict.fromkeys(table.record)) == [names[0], "999", *names[1:3], "corrupt", *names[3:]]
    # The command line's files, byte for byte: the CSV always; the rhythm annotations
    # wherever the lead is the record's first signal. For 114 (MLII is signal 1) the C ABI
    # writes channel 0 where the command line writes 1: the same annotations otherwise.
    written = sorted(os.listdir(tmp_path / "batch"))
    assert written == sorted(os.listdir(tmp_path / "cli")) == sorted(f"{n}.{e}" for n in names for e in ("csv", "hrs"))
    for name in names:
        assert (tmp_path / "batch" / f"{name}.csv").read_bytes() == (tmp_path / "cli" / f"{name}.csv").read_bytes(), name
        ours = haresnet.read_annotations(tmp_path / "batch" / name, "hrs")
        theirs = haresnet.read_annotations(tmp_path / "cli" / name, "hrs")
        if name == "114":
            assert {a.chan for a in theirs} == {1} and {a.chan for a in ours} == {0}
            assert ours == [a._replace(chan=0) for a in theirs]
        else:
            assert (tmp_path / "batch" / f"{name}.hrs").read_bytes() == (tmp_path / "cli" / f"{name}.hrs").read_bytes(), name

    # The table holds what the CSV files hold.
    for name in names:
        rows = list(csv.DictReader(io.StringIO((tmp_path / "cli" / f"{name}.csv").read_text())))
        got = table[table.record == name]
        assert len(got) == len(rows) > 0
        assert [r["label"] or None for r in rows] == [None if pd.isna(v) else v for v in got.label]
        assert [r["status"] for r in rows] == list(got.status)
        assert [r["start_s"] for r in rows] == [f"{v:.3f}" for v in got.start_s]
        assert [r["end_s"] for r in rows] == [f"{v:.3f}" for v in got.end_s]
        assert [r["p_AFIB"] for r in rows] == ["" if np.isnan(v) else f"{float(v):.6f}" for v in got.p_AFIB]
        assert [r["quality"] for r in rows] == ["" if np.isnan(v) else f"{float(v):.3f}" for v in got.quality]
        assert got.error.isna().all()
    leadsoff = table[table.record == "leadsoff"]
    # The noisy stretch is noisy, or VT where the network calls it VT (kept: ventricular
    # flutter looks like noise to the quality indices); either way it matches the CLI.
    assert {"classified", "flat", "invalid_samples"} <= set(leadsoff.status) <= {"classified", "flat", "invalid_samples", "noisy"}
    # The tail's row: the last window of the record, overlapping the last complete segment.
    assert (leadsoff.start.iloc[-1], leadsoff.end.iloc[-1]) == (int(58.5 * 360), int(63.5 * 360))
    assert leadsoff.status.iloc[-1] == "classified"
    assert table[table.record == "100"].status.iloc[-1] == "too_short"
    assert table[table.record == "100"].end.iloc[-1] == 650000
    short = table[table.record.isin(["short3s", "short1s"])]
    assert list(short.status) == ["classified", "too_short"] and list(short.end_s) == [3.0, 1.0]
    assert set(table[table.record == "201"].label) >= {"N", "AFIB"}
    assert set(table[table.record == "102"].lead) == {"V5"}
    assert set(table[table.record == "114"].lead) == {"MLII"}

    failed = table[table.status == "failed"].set_index("record")
    assert list(failed.index) == ["999", "corrupt"]
    assert "HARESNET_STATUS_IO" in failed.loc["999", "error"]
    assert "HARESNET_STATUS_FORMAT" in failed.loc["corrupt", "error"]
    assert failed.label.isna().all() and failed.start.isna().all() and failed.p_N.isna().all()


def test_a_records_list_and_arrow(client, mitdb, weights, tmp_path):
    kwargs, _ = weights
    options = {"weights": kwargs["path"]} if "path" in kwargs else {}
    (tmp_path / "RECORDS").write_text("# two records\n100\n\n201\n")
    listed = batch.classify(client=client, records_file=tmp_path / "RECORDS", data=mitdb, arrow=True, **options)
    given = batch.classify([mitdb / "100.hea", mitdb / "201"], client, **options)
    assert isinstance(listed, pa.Table)
    listed = listed.to_pandas()
    assert list(listed.columns) == list(given.columns)
    assert listed.columns[:6].tolist() == ["record", "start_s", "end_s", "status", "label", "heart_rate_bpm"]
    cols = ["record", "start_s", "status", "label", "p_N", "p_AFIB", "heart_rate_bpm", "start", "lead"]
    pd.testing.assert_frame_equal(listed[cols], given[cols], check_dtype=False)


def test_records_grouped_into_tasks_give_the_same_table(client, weights):
    kwargs, _ = weights
    options = {"weights": kwargs["path"]} if "path" in kwargs else {}
    paths = sorted(p.with_suffix("") for p in FIXTURES.glob("*.hea")) + [FIXTURES / "missing"]
    one = batch.classify(paths, client, **options)
    job = batch.submit(paths, client, records_per_task=3, **options)
    assert len(job.futures) == 2
    grouped = job.result()
    assert list(grouped.record.unique()) == [p.name for p in paths]
    pd.testing.assert_frame_equal(grouped.drop(columns="worker"), one.drop(columns="worker"))


def test_workers_load_the_same_library_as_the_client(client):
    paths = client.run(haresnet.library_path)
    assert set(paths.values()) == {haresnet.library_path()}
    if os.environ.get("HARESNET_EXPECT_BUNDLED"):
        # An installed wheel: the library is the one inside the package.
        assert haresnet.library_path() == str(Path(haresnet.__file__).parent / "libharesnet.so")


def executing_worker(client, job, record, timeout=60.0):
    """The worker running `record`'s task, once it has started."""
    key = job.futures[[name for name, _ in job.records].index(record)].key
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = client.run(lambda dask_worker: [ts.key for ts in dask_worker.state.executing])
        for worker, keys in running.items():
            if key in keys:
                return worker
        time.sleep(0.05)
    pytest.fail(f"{record} never started")


def check_once(table, records, long_record, out):
    """Every record classified once, the day-long one as the command line does."""
    counts = table.groupby("record", sort=False).size()
    assert list(counts.index) == records
    assert (table.status != "failed").all(), table[table.status == "failed"].error.tolist()
    path, cli_out = long_record
    assert (Path(out) / "day.csv").read_bytes() == (cli_out / "day.csv").read_bytes()
    assert (Path(out) / "day.hrs").read_bytes() == (cli_out / "day.hrs").read_bytes()
    assert counts["day"] == len((cli_out / "day.csv").read_text().splitlines()) - 1
    assert sorted(f for f in os.listdir(out) if not f.startswith(".")) == sorted(
        f"{r}.{e}" for r in records for e in ("csv", "hrs")
    )


def test_a_worker_killed_mid_job_has_its_records_run_again(client, mitdb, weights, long_record, tmp_path):
    kwargs, _ = weights
    options = {"weights": kwargs["path"]} if "path" in kwargs else {}
    records = ["day", "100", "201", "203"]
    job = batch.submit([long_record[0]] + [mitdb / r for r in records[1:]], client, out=tmp_path, **options)
    victim = executing_worker(client, job, "day")
    time.sleep(0.3)
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    table = job.result()
    check_once(table, records, long_record, tmp_path)
    # The day-long record was classified again, by another worker (or the restarted one,
    # which has another address).
    assert set(table[table.record == "day"].worker) != {victim}


def test_a_cluster_restarted_mid_job_runs_the_cancelled_records_again(client, mitdb, weights, long_record, tmp_path):
    kwargs, _ = weights
    options = {"weights": kwargs["path"]} if "path" in kwargs else {}
    records = ["day", "100", "201"]
    job = batch.submit([long_record[0]] + [mitdb / r for r in records[1:]], client, out=tmp_path, **options)
    executing_worker(client, job, "day")
    client.restart()  # cancels every task in flight
    check_once(job.result(), records, long_record, tmp_path)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "record paths or records_file"),
        ({"paths": ["a"], "records_file": "RECORDS"}, "not both"),
        ({"paths": ["a"], "data": "d"}, "needs records_file"),
        ({"paths": ["d/100", "e/100"], "out": "o"}, "two records are named 100"),
        ({"paths": ["a"], "annotator": "h.rs"}, "plain file extension"),
        ({"paths": ["a"], "segment": 3}, "2, 5 or 10"),
        ({"paths": ["a"], "hop": 0.0}, "hop"),
        ({"paths": ["a"], "smoothing_half_life": -1.0}, "smoothing_half_life"),
        ({"paths": ["a"], "threads": 2000}, "threads"),
        ({"paths": ["a"], "records_per_task": 0}, "records_per_task"),
    ],
)
def test_bad_arguments_are_refused_before_anything_runs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        batch.submit(client="tcp://127.0.0.1:1", **kwargs)


def test_an_empty_records_list_is_refused(tmp_path):
    (tmp_path / "RECORDS").write_text("# nothing\n\n")
    with pytest.raises(ValueError, match="lists no records"):
        batch.submit(records_file=tmp_path / "RECORDS", client="tcp://127.0.0.1:1")


def test_bad_weights_fail_once_before_the_records_run(client):
    with pytest.raises(haresnet.HaresnetError, match="HARESNET_STATUS_IO"):
        batch.submit(["a"], client, weights="/nonexistent/weights.hrn")
