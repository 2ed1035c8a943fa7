"""Classifying many WFDB records on a Dask cluster (`dask.distributed`): one task per
record, each classified as `haresnet classify` classifies it, the results gathered into
one pandas DataFrame (or Arrow table), and optionally the same files the command writes
(`<record>.csv`, byte for byte, and `<record>.hrs`).

    from distributed import Client, LocalCluster
    from haresnet import batch

    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        table = batch.classify(records_file="mitdb/RECORDS", out="results", client=client)
    table[table.status == "failed"]           # records that could not be classified, and why

The same code runs on any cluster: `client` is a `distributed.Client` (or a scheduler
address). Record paths, `out` and a weights file are paths on the workers, so on several
machines they live on a file system every worker mounts. Each worker needs this package
(the wheel carries the library) and `distributed`; nothing else.

A record is one task and is never split: the rhythm context (the beats of the 60 s before
a segment) and the smoothing of consecutive segments are causal and carry over the whole
record, so chunks classified apart would differ from the whole record unless the state
went from one chunk to the next, which would make them run one after another anyway.
A day-long record takes a few seconds.

A record that fails (missing, corrupt, no ECG lead, no samples) becomes one row with
status `failed` and the message in `error`; the others go on. A record shorter than a
segment is no failure: as on the command line, it gets one row (a short segment, or
`too_short`). A worker that dies has its records run again elsewhere (Dask's own
rescheduling); a record whose task Dask gives up on (it killed
`distributed.scheduler.allowed-failures` workers) is reported as failed too. Files are
written under a temporary name and renamed, so a record's files are complete or absent.
Progress: `progress=True` shows Dask's progress bar; the dashboard
shows the tasks as `haresnet_classify`.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import socket
import tempfile
import threading
import uuid
from ctypes import POINTER, byref, c_double, c_int32, c_int64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

import haresnet
from haresnet._lib import SEGMENT_STATUS_NAMES, lib

if TYPE_CHECKING:
    import distributed
    import pandas
    import pyarrow

__all__ = ["classify", "submit", "Job", "records_from_list", "classify_record", "classify_records", "STATUSES"]

PathLike = Union[str, "os.PathLike[str]"]

#: Values of the `status` column: a segment's, as the CSV writes them (the C ABI's
#: `HARESNET_SEGMENT_*` codes in order), and `failed` for the one row of a record that
#: could not be classified.
STATUSES = SEGMENT_STATUS_NAMES + ("failed",)
_CLASSIFIED = SEGMENT_STATUS_NAMES.index("classified")

#: Times a record's task is submitted again after Dask cancelled it (`client.restart()`
#: cancels every task in flight).
_RESUBMITS = 3


@dataclass(frozen=True)
class _Options:
    """How each record is classified and where its files go (sent with every task)."""

    weights: str
    segment: Optional[int]
    lead: Optional[str]
    hop: Optional[float]
    smoothing_half_life: Optional[float]
    classify_noisy: bool
    offline: bool
    threads: int
    out: Optional[str]
    annotator: Optional[str]  # None: no annotation files


# ---------------------------------------------------------------------------------------
# The records of a batch, named as the command line names them.


def records_from_list(records_file: PathLike, data: Optional[PathLike] = None) -> List[str]:
    """The record paths a list names (one record name a line, `#` comments and blank lines
    skipped, like PhysioNet's `RECORDS`), relative to `data` (default: the list's folder),
    as `haresnet classify --records FILE [--data DIR]` reads it."""
    with open(records_file, encoding="utf-8") as f:
        text = f.read()
    folder = os.fspath(data) if data is not None else os.path.dirname(os.fspath(records_file))
    names = [line.strip() for line in text.splitlines()]
    paths = [os.path.join(folder, n) for n in names if n and not n.startswith("#")]
    if not paths:
        raise ValueError(f"{os.fspath(records_file)} lists no records")
    return paths


def _record_base(path: str) -> str:
    """The record a path names (the record path, its header or another of its files), as
    the command line reads its arguments (`wfdb::record_base`)."""
    if path.endswith(".hea"):
        return path[: -len(".hea")]
    stem, ext = os.path.splitext(path)
    if ext and not os.path.isfile(path + ".hea") and os.path.isfile(stem + ".hea"):
        return stem
    return path


def _record_name(path: str) -> str:
    """The record's name in outputs: the file name without `.hea`."""
    name = os.path.basename(path) or path
    return name[: -len(".hea")] if name.endswith(".hea") else name


# ---------------------------------------------------------------------------------------
# One record, on a worker.

_models: Dict[Tuple[Any, ...], haresnet.Model] = {}
_models_lock = threading.Lock()


def _load_model(weights: str, segment: Optional[int], threads: int) -> haresnet.Model:
    """The model `weights` names (`all`, `ds1` or a weights file), as the command line loads
    it: a file's segment length must agree with `segment` when both are given."""
    if weights in ("all", "ds1"):
        return haresnet.Model(segment_seconds=segment or 5, weights=weights, threads=threads)
    model = haresnet.Model(path=weights, threads=threads)
    if segment is not None and float(segment) != model.segment_seconds:
        raise ValueError(f"{weights} holds weights for {model.segment_seconds:g} s segments, not {segment} s")
    return model


def _model(options: _Options) -> haresnet.Model:
    """The model for `options`, loaded once per worker thread (a model with its own
    `threads` serves one task at a time best) or, with `threads=0` (the process's shared
    pool), once per process."""
    key = (options.weights, options.segment, options.threads, threading.get_ident() if options.threads else None)
    model = _models.get(key)
    if model is None:
        model = _load_model(options.weights, options.segment, options.threads)
        with _models_lock:
            model = _models.setdefault(key, model)
    return model


_LEADS = {"I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6", "V"}


def _is_ecg_lead(name: str) -> bool:
    """Whether a signal name is an ECG lead, as the command line judges it."""
    n = "".join(c.upper() if c.isascii() else c for c in name.strip())
    lead = n[2:] if n.startswith("ML") else n
    return lead in _LEADS or "ECG" in n or "EKG" in n


def _choose_lead(names: Sequence[str], requested: Optional[str]) -> Tuple[int, Optional[str]]:
    """The signal to classify, as the command line chooses it: `requested` by name or index,
    else MLII, else the first ECG lead. The note says which lead was picked when it was not
    asked for and is not MLII."""
    listed = ", ".join(names)
    if requested is not None:
        if requested in names:
            return names.index(requested), None
        if re.fullmatch(r"\+?[0-9]+", requested) and int(requested) < len(names):
            i = int(requested)
            if names.index(names[i]) != i:
                # The C ABI selects a record's signal by name.
                raise ValueError(f"signal {i} shares its name `{names[i]}` with signal {names.index(names[i])}")
            return i, None
        raise ValueError(f"no signal `{requested}` (signals: {listed})")
    if "MLII" in names:
        return names.index("MLII"), None
    for i, n in enumerate(names):
        if _is_ecg_lead(n):
            return i, f"no MLII; classifying `{n}` (signal {i})"
    raise ValueError(f"no MLII and no other ECG lead (signals: {listed}); choose one with lead=")


def _samples_per_frame(record: haresnet.Record) -> int:
    """The largest number of samples per frame among the record's signals (1 for almost
    every record): the C ABI classifies at the frame rate times this."""
    most = 1
    rate = c_double()
    for i in range(len(record.signal_names)):
        haresnet._check(lib.haresnet_record_signal_rate(record._handle, i, byref(rate)))
        most = max(most, int(round(rate.value / record.fs)))
    return most


def _ends(starts: np.ndarray, seg_len: int, total: int) -> np.ndarray:
    """Each row's end, as the classifier's `SegmentResult::end`: a segment's start plus its
    length, cut at the record's end (the tail's row: its last window ends there, and a
    short segment or a `too_short` tail ends there too)."""
    return np.minimum(np.asarray(starts, np.int64) + seg_len, total)


def _csv(name, labels, fs, ends, results) -> str:
    """`<record>.csv` as `haresnet classify` writes it (`classify::csv_header` and
    `csv_rows`, header included)."""
    header = "record,start_s,end_s,status,label,heart_rate_bpm," + ",".join("p_" + l for l in labels) + ",quality\n"
    unclassified = "," * len(labels)
    lines = [header]
    for start, end, label, p, hr, st, q in zip(
        results.starts.tolist(),
        ends.tolist(),
        results.labels.tolist(),
        results.probabilities.tolist(),
        results.heart_rates.tolist(),
        results.statuses.tolist(),
        results.qualities.tolist(),
    ):
        line = (
            f"{name},{start / fs:.3f},{end / fs:.3f},{SEGMENT_STATUS_NAMES[st]},"
            f"{labels[label] if label >= 0 else ''},{'' if math.isnan(hr) else format(hr, '.1f')}"
        )
        # A segment without probabilities: NaN from the C ABI, empty fields in the CSV.
        has_p = not all(math.isnan(v) for v in p)
        line += "," + ",".join([format(v, ".6f") for v in p]) if has_p else unclassified
        lines.append(line + ("," if math.isnan(q) else f",{q:.3f}") + "\n")
    return "".join(lines)


def _rhythm_points(starts: np.ndarray, ends: np.ndarray, labels: np.ndarray, statuses: np.ndarray, total: int):
    """The segments as the command line's rhythm timeline sees them (`summary::timeline`):
    each segment from its start to the next one's (the tail's window, which overlaps the
    last complete segment, cuts it short), a segment that is not `classified` or has no
    label as unclassified (-1), samples no segment covers (a gap) as unclassified too. Given to
    `haresnet_annotations_write_rhythm`, which writes a `+` or `~` at each change, they give
    the annotations the command line writes."""
    order = np.argsort(starts, kind="stable")
    out_s: List[int] = []
    out_l: List[int] = []
    last_end = None
    for k, i in enumerate(order.tolist()):
        start = int(starts[i])
        end = int(ends[i]) if k + 1 == len(order) else min(int(ends[i]), int(starts[order[k + 1]]))
        end = min(end, total)
        if start >= end:
            continue
        gap_from = 0 if last_end is None else last_end
        if gap_from < start:
            out_s.append(gap_from)
            out_l.append(-1)
        out_s.append(start)
        out_l.append(int(labels[i]) if statuses[i] == _CLASSIFIED else -1)
        last_end = end
    if last_end is None:
        last_end = 0
    if last_end < total:
        out_s.append(last_end)
        out_l.append(-1)
    return np.array(out_s, np.int64), np.array(out_l, np.int32)


def _write_rhythm(model, record_path: str, annotator: str, fs: float, starts, labels) -> None:
    s = np.ascontiguousarray(starts, np.int64)
    lab = np.ascontiguousarray(labels, np.int32)
    haresnet._check(
        lib.haresnet_annotations_write_rhythm(
            model._handle,
            record_path.encode(),
            annotator.encode(),
            fs,
            s.ctypes.data_as(POINTER(c_int64)),
            lab.ctypes.data_as(POINTER(c_int32)),
            s.size,
        )
    )


def _write_files(options: _Options, name: str, csv_text: str, model, fs, points) -> None:
    """`<out>/<name>.csv` and `<out>/<name>.<annotator>`, each written under a temporary
    name and renamed: a file is complete or absent, even when the worker dies."""
    out = options.out
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{name}.", dir=out)
    try:
        moves = [(os.path.join(tmp, name + ".csv"), os.path.join(out, name + ".csv"))]
        with open(moves[0][0], "w", encoding="utf-8", newline="") as f:
            f.write(csv_text)
        if options.annotator:
            _write_rhythm(model, os.path.join(tmp, name), options.annotator, fs, *points)
            file = f"{name}.{options.annotator}"
            moves.append((os.path.join(tmp, file), os.path.join(out, file)))
        for src, dst in moves:
            os.replace(src, dst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def classify_record(path: PathLike, name: Optional[str] = None, options: Optional[_Options] = None) -> Dict[str, Any]:
    """Classifies one record as `haresnet classify` does and, when `options.out` is set,
    writes its files: the body of each task (it needs no Dask). Never raises for the
    record's own failures: they come back as `{"ok": False, "error": message}`."""
    path = os.fspath(path)
    name = name if name is not None else _record_name(path)
    options = options or _Options("all", None, None, None, None, False, False, 1, None, None)
    outcome: Dict[str, Any] = {"record": name, "path": path, "worker": _worker_name()}
    try:
        model = _model(options)
        with haresnet.Record(path) as record:
            channel, note = _choose_lead(record.signal_names, options.lead)
            lead = record.signal_names[channel]
            results = record.classify(
                model,
                signal=lead,
                hop_seconds=options.hop,
                smoothing_half_life=options.smoothing_half_life,
                classify_noisy=options.classify_noisy,
                offline=options.offline,
            )
            spf = _samples_per_frame(record)
            fs = record.fs * spf
            total = record.length * spf
            seg_len = model.segment_len(fs)
        ends = _ends(results.starts, seg_len, total)
        if options.out is not None:
            points = _rhythm_points(results.starts, ends, results.labels, results.statuses, total)
            _write_files(options, name, _csv(name, model.labels, fs, ends, results), model, fs, points)
    except Exception as e:  # the record's failure, reported in the table
        message = str(e) if isinstance(e, (haresnet.HaresnetError, ValueError, OSError)) else f"{type(e).__name__}: {e}"
        outcome.update(ok=False, error=message)
        return outcome
    outcome.update(
        ok=True,
        lead=lead,
        note=note,
        fs=fs,
        seg_len=seg_len,
        starts=results.starts,
        ends=ends,
        labels=results.labels,
        probabilities=results.probabilities,
        heart_rates=results.heart_rates,
        statuses=results.statuses,
        qualities=results.qualities,
    )
    return outcome


def _labels(options: _Options) -> List[str]:
    """The class names of the model `options` names (run on a worker: it checks that the
    weights load where the records will be classified)."""
    return list(_model(options).labels)


# ---------------------------------------------------------------------------------------
# The batch, from the client.


def _table(outcomes: List[Dict[str, Any]], labels: Sequence[str], arrow: bool):
    """One row per segment (failed records: one row with status `failed`), in the order of
    the records given, then of the segments."""
    import pandas as pd

    counts = [len(o["starts"]) if o["ok"] else 1 for o in outcomes]
    n = sum(counts)

    def per_record(key, default=None):
        return np.repeat(np.array([o.get(key, default) for o in outcomes], dtype=object), counts)

    start = np.zeros(n, np.int64)
    end = np.zeros(n, np.int64)
    missing = np.zeros(n, bool)
    fs = np.ones(n, np.float64)
    status = np.empty(n, object)
    label = np.full(n, None, object)
    heart = np.full(n, np.nan, np.float32)
    quality = np.full(n, np.nan, np.float32)
    probabilities = np.full((n, len(labels)), np.nan, np.float32)
    names = np.array(list(labels) + [None], dtype=object)
    at = 0
    for o, k in zip(outcomes, counts):
        rows = slice(at, at + k)
        if o["ok"]:
            start[rows] = o["starts"]
            end[rows] = o["ends"]
            fs[rows] = o["fs"]
            status[rows] = np.array(STATUSES, dtype=object)[o["statuses"]]
            label[rows] = names[o["labels"]]  # -1 picks the trailing None
            heart[rows] = o["heart_rates"]
            quality[rows] = o["qualities"]
            probabilities[rows] = o["probabilities"]
        else:
            missing[rows] = True
            status[rows] = "failed"
        at += k
    start_s = np.where(missing, np.nan, start / fs)
    end_s = np.where(missing, np.nan, end / fs)
    columns: Dict[str, Any] = {
        "record": per_record("record"),
        "start_s": start_s,
        "end_s": end_s,
        "status": status,
        "label": label,
        "heart_rate_bpm": heart,
    }
    for c, name in enumerate(labels):
        columns[f"p_{name}"] = probabilities[:, c]
    columns["quality"] = quality
    columns["start"] = pd.arrays.IntegerArray(start, missing.copy())
    columns["end"] = pd.arrays.IntegerArray(end, missing.copy())
    columns["lead"] = per_record("lead")
    columns["error"] = per_record("error")
    columns["worker"] = per_record("worker")
    df = pd.DataFrame(columns)
    if arrow:
        import pyarrow as pa

        return pa.Table.from_pandas(df, preserve_index=False)
    return df


def classify_records(items: Sequence[Tuple[str, str]], options: _Options) -> List[Dict[str, Any]]:
    """:func:`classify_record` for each `(name, path)`: the body of a task that holds
    several records (`records_per_task`)."""
    return [classify_record(path, name, options) for name, path in items]


class Job:
    """A batch submitted to a Dask cluster: `futures` (one per task: one record, or
    `records_per_task` of them, in the order given) run while the caller does something
    else; :meth:`result` waits and gathers the table."""

    def __init__(
        self,
        client: "distributed.Client",
        items: List[Tuple[str, str]],
        options: _Options,
        labels,
        owns_client: bool,
        records_per_task: int = 1,
    ):
        self.client = client
        #: `(name, path)` of each record, in the order given.
        self.records = items
        #: The class names, in the order of the `p_<class>` columns.
        self.labels = labels
        self._options = options
        self._token = uuid.uuid4().hex
        self._owns_client = owns_client
        self._per_task = records_per_task
        #: The records of each task, as slices of `records`.
        self.groups = [slice(i, min(i + records_per_task, len(items))) for i in range(0, len(items), records_per_task)]
        self._submitted = len(self.groups)
        keys = [f"haresnet_classify-{self._token}-{i}" for i in range(len(self.groups))]
        # One graph update for the whole batch (a cohort can be 10^5 records or more).
        if records_per_task == 1:
            self.futures = client.map(
                classify_record,
                [path for _, path in items],
                [name for name, _ in items],
                [options] * len(items),
                key=keys,
                pure=False,
            )
        else:
            self.futures = client.map(
                classify_records, [items[g] for g in self.groups], [options] * len(self.groups), key=keys, pure=False
            )

    def _submit(self, i: int):
        """Submits task `i` again, under a new key."""
        self._submitted += 1
        key = f"haresnet_classify-{self._token}-{self._submitted}"
        group = self.records[self.groups[i]]
        if self._per_task == 1:
            ((name, path),) = group
            return self.client.submit(classify_record, path, name, self._options, key=key, pure=False)
        return self.client.submit(classify_records, group, self._options, key=key, pure=False)

    def result(self, arrow: bool = False, progress: bool = False):
        """Waits for every record and returns the table (a pandas DataFrame, or a
        `pyarrow.Table` with `arrow=True`): the columns of `<record>.csv` (`record`,
        `start_s`, `end_s`, `status`, `label`, `heart_rate_bpm`, `p_<class>`...,
        `quality`), then `start` and `end` (samples), `lead`, `error` (why a record failed) and `worker`
        (the Dask worker that classified it). `progress=True` shows Dask's progress bar
        first. Call it once: the results are released from the cluster as they arrive."""
        from distributed import as_completed
        from distributed.diagnostics.progressbar import progress as dask_progress

        try:
            if progress:
                dask_progress(self.futures)
            where = {f.key: i for i, f in enumerate(self.futures)}
            resubmitted = [0] * len(self.futures)
            outcomes: List[Optional[Dict[str, Any]]] = [None] * len(self.records)
            pending = as_completed(self.futures)
            for future in pending:
                i = where.pop(future.key)
                group = self.groups[i]
                if future.status == "finished":
                    done = future.result()
                    outcomes[group] = done if isinstance(done, list) else [done]
                elif future.status == "cancelled" and resubmitted[i] < _RESUBMITS:
                    resubmitted[i] += 1
                    again = self._submit(i)
                    where[again.key] = i
                    self.futures[i] = again
                    pending.add(again)
                else:
                    error = _task_error(future)
                    outcomes[group] = [
                        {"record": name, "path": path, "ok": False, "error": error} for name, path in self.records[group]
                    ]
                future.release()
            return _table(outcomes, self.labels, arrow)
        finally:
            if self._owns_client:
                self.client.close()

    def cancel(self) -> None:
        """Cancels the records not yet classified."""
        self.client.cancel(self.futures)


def _task_error(future) -> str:
    """Why a task ended without a result: Dask's own reasons (a worker killed by the task
    too often, a cancellation), not the record's, which come back as results."""
    if future.status == "cancelled":
        return "cancelled by Dask (the cluster restarted, or the task was cancelled), too many times"
    try:
        e = future.exception()
    except Exception as err:  # the exception could not be fetched
        e = err
    return f"{type(e).__name__}: {e}"


def submit(
    paths: Optional[Iterable[PathLike]] = None,
    client: Union["distributed.Client", str, None] = None,
    *,
    records_file: Optional[PathLike] = None,
    data: Optional[PathLike] = None,
    out: Optional[PathLike] = None,
    annotator: str = "hrs",
    annotations: bool = True,
    segment: Optional[int] = None,
    weights: str = "all",
    lead: Optional[str] = None,
    hop: Optional[float] = None,
    smoothing_half_life: Optional[float] = None,
    classify_noisy: bool = False,
    offline: bool = False,
    threads: int = 1,
    records_per_task: int = 1,
) -> Job:
    """Submits the records to the cluster and returns at once with a :class:`Job`;
    :func:`classify` is `submit(...).result()`. The arguments are those of
    :func:`classify`."""
    if (paths is None) == (records_file is None):
        raise ValueError("give record paths or records_file, not both")
    if data is not None and records_file is None:
        raise ValueError("data is the folder of records_file's names: it needs records_file")
    if records_file is not None:
        found = records_from_list(records_file, data)
    else:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        found = [_record_base(os.fspath(p)) for p in paths]
        if not found:
            raise ValueError("no records given")
    # Relative paths are the client's: the workers' working folder may be another.
    items = [(_record_name(p), os.path.abspath(p)) for p in found]
    if out is not None:
        seen = set()
        for name, _ in items:
            if name in seen:
                raise ValueError(f"two records are named {name}: their output files would collide")
            seen.add(name)
    if annotations and (not annotator or any(c in annotator for c in "/\\.")):
        raise ValueError(f"annotator must be a plain file extension, got {annotator!r}")
    if segment is not None and segment not in (2, 5, 10):
        raise ValueError(f"segment length must be 2, 5 or 10 seconds, got {segment!r}")
    if hop is not None and not (math.isfinite(hop) and hop > 0):
        raise ValueError(f"hop must be a positive number of seconds, got {hop}")
    if smoothing_half_life is not None and not (math.isfinite(smoothing_half_life) and smoothing_half_life >= 0):
        raise ValueError(f"smoothing_half_life must be a finite number of seconds >= 0, got {smoothing_half_life}")
    if isinstance(threads, bool) or not isinstance(threads, int) or not 0 <= threads <= 1024:
        raise ValueError(f"threads must be an integer from 0 to 1024, got {threads!r}")
    if isinstance(records_per_task, bool) or not isinstance(records_per_task, int) or records_per_task < 1:
        raise ValueError(f"records_per_task must be a positive integer, got {records_per_task!r}")
    weights = os.fspath(weights)
    options = _Options(
        weights=weights if weights in ("all", "ds1") else os.path.abspath(weights),
        segment=segment,
        lead=lead,
        hop=hop,
        smoothing_half_life=smoothing_half_life,
        classify_noisy=bool(classify_noisy),
        offline=bool(offline),
        threads=threads,
        out=None if out is None else os.path.abspath(out),
        annotator=annotator if annotations else None,
    )

    import distributed

    owns_client = isinstance(client, str)
    if owns_client:
        client = distributed.Client(client)
    elif client is None:
        client = distributed.default_client()
    try:
        # Loads the weights where the records will be classified: a bad weights option
        # fails here, once, rather than in every record.
        labels = client.submit(_labels, options, pure=False).result()
    except BaseException:
        if owns_client:
            client.close()
        raise
    return Job(client, items, options, labels, owns_client, records_per_task)


def classify(
    paths: Optional[Iterable[PathLike]] = None,
    client: Union["distributed.Client", str, None] = None,
    *,
    records_file: Optional[PathLike] = None,
    data: Optional[PathLike] = None,
    out: Optional[PathLike] = None,
    annotator: str = "hrs",
    annotations: bool = True,
    segment: Optional[int] = None,
    weights: str = "all",
    lead: Optional[str] = None,
    hop: Optional[float] = None,
    smoothing_half_life: Optional[float] = None,
    classify_noisy: bool = False,
    offline: bool = False,
    threads: int = 1,
    records_per_task: int = 1,
    arrow: bool = False,
    progress: bool = False,
) -> Union["pandas.DataFrame", "pyarrow.Table"]:
    """Classifies WFDB records on a Dask cluster, one task per record, as `haresnet
    classify` does, and returns one table of every segment (see :meth:`Job.result`).

    - `paths`: record paths (the record, its header or another of its files), or
      `records_file` (a list like PhysioNet's `RECORDS`) with `data`, the folder its names
      are relative to (default: the list's folder): `--records FILE --data DIR`.
    - Paths (records, `out`, a weights file) are read and written by the workers; relative
      ones are made absolute against the caller's working folder first.
    - `client`: a `distributed.Client`, a scheduler address (a client is opened and
      closed), or None for the current default client.
    - `out`: a folder (on the workers) to write `<record>.csv` and, unless
      `annotations=False`, the rhythm annotations `<record>.<annotator>` into, as
      `--out`, `--annotator` and `--no-annotations` do.
    - `segment` (2, 5, 10; default 5 or the weights file's), `weights` (`all`, `ds1` or a
      weights file on the workers), `lead` (default MLII, else the first ECG lead), `hop`
      and `smoothing_half_life` (seconds), `classify_noisy` and `offline`: as the command
      line's options of those names (`--classify-noisy`, `--offline`).
    - `threads`: inference threads per task; 1 (the default) lets Dask's worker threads
      be the parallelism (one task per core); 0 uses the worker process's shared pool.
    - `records_per_task`: records classified one after another in each task (default 1).
      Each task has a scheduling cost of its own, whatever it holds, so cohorts of short
      records may go faster in groups; a failure of the task itself (its worker killed
      too often) then fails its whole group, and a worker's death reruns the whole group.
    - `arrow=True` returns a `pyarrow.Table`; `progress=True` shows Dask's progress bar.
    """
    job = submit(
        paths,
        client,
        records_file=records_file,
        data=data,
        out=out,
        annotator=annotator,
        annotations=annotations,
        segment=segment,
        weights=weights,
        lead=lead,
        hop=hop,
        smoothing_half_life=smoothing_half_life,
        classify_noisy=classify_noisy,
        offline=offline,
        threads=threads,
        records_per_task=records_per_task,
    )
    return job.result(arrow=arrow, progress=progress)
