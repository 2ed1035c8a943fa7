#!/usr/bin/env python3
"""Does a short PR interval with a wide QRS find MIT-BIH's pre-excitation from lead MLII?

For every MIT-BIH record with an MLII lead, the beats `haresnet beats` detected are
delineated by NeuroKit2's wavelet delineator (`ecg_delineate(method="dwt")`, a peer
written apart from haresnet), and each 5 s segment gets the median PR interval (P onset to
QRS onset) and QRS duration of its beats. A segment is flagged pre-excited by the ECG
criteria of ventricular pre-excitation, PR < 120 ms and QRS >= 110 ms, fixed in advance
rather than fitted, since record 230 is MIT-BIH's only patient with it. Prints, per
record and annotated rhythm (the majority of the segment, as `eval` labels it), the
segments, their median PR and QRS, and how many are flagged; then the pre-excited
segments flagged against those of every other rhythm (paced records 107 and 217 apart).
docs/EXPERIMENTS.md, *Pre-excitation from the PR interval and QRS width*. Needs
scripts/requirements-bench.txt (NeuroKit2, wfdb-python).

    haresnet beats --records $HARESNET_DATA/mitdb/RECORDS --out runs/beats
    .venv/bin/python scripts/preexcitation.py --data $HARESNET_DATA/mitdb --beats runs/beats
"""

import argparse
import csv
import os
import warnings
from collections import defaultdict

import neurokit2 as nk
import numpy as np
import wfdb

from other_rhythms import majority, rhythms_and_beats

PR_MAX_MS = 120.0
QRS_MIN_MS = 110.0
PACED = {"107", "217"}


def intervals(signal, peaks, fs):
    """Each beat's PR interval and QRS duration in ms (NaN where a wave was not found)."""
    marks, _ = nk.ecg_delineate(signal, rpeaks=peaks, sampling_rate=fs, method="dwt")
    p_on = np.flatnonzero(marks["ECG_P_Onsets"].values)
    r_on = np.flatnonzero(marks["ECG_R_Onsets"].values)
    r_off = np.flatnonzero(marks["ECG_R_Offsets"].values)

    def n(ms):
        return int(ms * fs / 1000)

    pr = np.full(len(peaks), np.nan)
    qrs = np.full(len(peaks), np.nan)
    for i, r in enumerate(peaks):
        onset = r_on[(r_on >= r - n(150)) & (r_on <= r)]
        if not len(onset):
            continue
        onset = onset[-1]
        offset = r_off[(r_off >= r) & (r_off <= r + n(200))]
        if len(offset):
            qrs[i] = (offset[0] - onset) / fs * 1000
        p = p_on[(p_on >= onset - n(350)) & (p_on <= onset - n(20))]
        if len(p):
            pr[i] = (onset - p[-1]) / fs * 1000
    return pr, qrs


def nanmedian(x):
    return float(np.nanmedian(x)) if np.isfinite(x).any() else float("nan")


def segments(data, beats, record, seconds):
    """(annotated rhythm, median PR, median QRS) of each complete segment of one record."""
    path = os.path.join(data, record)
    signal, fields = wfdb.rdsamp(path, channel_names=["MLII"])
    fs = fields["fs"]
    signal = nk.ecg_clean(signal[:, 0], sampling_rate=fs)
    peaks = wfdb.rdann(os.path.join(beats, record), "qrs").sample
    pr, qrs = intervals(signal, peaks, fs)
    changes, _ = rhythms_and_beats(path)
    length = int(seconds * fs)
    for k in range(len(signal) // length):
        start, stop = k * length, (k + 1) * length
        inside = (peaks >= start) & (peaks < stop)
        rhythm = majority(changes, start, stop)
        yield rhythm, nanmedian(pr[inside]), nanmedian(qrs[inside])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="directory of the MIT-BIH records")
    parser.add_argument("--beats", required=True, help="directory of `haresnet beats` output")
    parser.add_argument("--segment", type=float, default=5.0, help="segment seconds")
    parser.add_argument("--out", help="also write every segment's measures to this CSV")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # NeuroKit2 warns for every beat it cannot delineate
    with open(os.path.join(args.data, "RECORDS")) as f:
        records = [line.strip() for line in f if line.strip()]
    rows = []
    for record in records:
        if "MLII" not in wfdb.rdheader(os.path.join(args.data, record)).sig_name:
            continue
        for k, (rhythm, pr, qrs) in enumerate(segments(args.data, args.beats, record, args.segment)):
            flagged = pr < PR_MAX_MS and qrs >= QRS_MIN_MS
            rows.append((record, k, rhythm, pr, qrs, flagged))
    if args.out:
        with open(args.out, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["record", "segment", "rhythm", "pr_ms", "qrs_ms", "flagged"])
            w.writerows(rows)
    cells = defaultdict(list)
    for row in rows:
        cells[(row[0], row[2])].append(row)
    print(f"{'record':>6} {'rhythm':<6} {'segments':>8} {'PR ms':>6} {'QRS ms':>6} {'flagged':>7}")
    for (record, rhythm), rs in sorted(cells.items()):
        pr = nanmedian(np.array([r[3] for r in rs]))
        qrs = nanmedian(np.array([r[4] for r in rs]))
        print(f"{record:>6} {rhythm:<6} {len(rs):>8} {pr:>6.0f} {qrs:>6.0f} {sum(r[5] for r in rs):>7}")
    prex = [r for r in rows if r[2] == "(PREX"]
    rest = [r for r in rows if r[2] != "(PREX" and r[0] not in PACED]
    print(f"pre-excited segments flagged: {sum(r[5] for r in prex)} of {len(prex)}")
    print(f"other segments flagged (paced records apart): {sum(r[5] for r in rest)} of {len(rest)}"
          f" in {len({r[0] for r in rest if r[5]})} records")


if __name__ == "__main__":
    main()
