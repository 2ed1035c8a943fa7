#!/usr/bin/env python3
"""A second stage on the rhythm pathway's calls, from the atrial activity, judged
leave-one-patient-out (an experiment: docs/EXPERIMENTS.md, *Atrial activity*).

    python scripts/atrial-stage.py LOPO_CSV ATRIAL_CSV [--per-patient]

LOPO_CSV is the per-segment CSV of `haresnet eval --lopo DIR --save PREFIX` (each
patient's segments called by the pathway trained without them); ATRIAL_CSV that of
`haresnet atrial-features` over the same records and segment length. For each patient
in turn, the stage is fitted on the other patients' segments only and applied to theirs:

- flutter: among segments the pathway calls AFIB or AFL, a logistic model of "truly AFL"
  on log atrial amplitude, organisation and regularity (standardised, Newton's method,
  small L2), its threshold the one maximising AFIB F1 + AFL F1 on the training patients;
- block: a segment called N becomes OTHER when its unconducted P waves per beat reach a
  threshold chosen among none, 0.25, 0.5, 0.75 and 1 by N F1 + OTHER F1 on the training
  patients.

Prints per-class F1 and macro F1 over classes with >= 20 segments, pooled over every
patient, for the pathway alone and with each stage. Needs numpy (in .venv).
"""
import collections
import csv
import math
import sys

import numpy as np

LABELS = ["N", "AFIB", "AFL", "VT", "OTHER"]
# MIT-BIH records 201 and 202 come from one patient.
SAME_PATIENT = {"202": "201"}


def load(lopo_csv, atrial_csv):
    calls = {}
    with open(lopo_csv) as f:
        for r in csv.DictReader(f):
            calls[(r["record"], int(r["start"]))] = r
    rows = []
    with open(atrial_csv) as f:
        for r in csv.DictReader(f):
            # Both list the same segments in the same order of records; starts are in
            # samples (360 Hz) in the first and in seconds in the second.
            key = (r["record"], round(float(r["start"]) * 360))
            c = calls[key]
            rows.append(
                {
                    "patient": SAME_PATIENT.get(r["record"], r["record"]),
                    "truth": c["truth"],
                    "call": c["predicted"],
                    "amplitude": float(r["atrial_amplitude"]),
                    "organisation": float(r["atrial_organisation"]),
                    "regularity": float(r["atrial_regularity"]),
                    "unconducted": float(r["p_unconducted"]),
                }
            )
    if len(rows) != len(calls):
        sys.exit(f"{len(rows)} segments with features, {len(calls)} called: not the same run")
    return rows


def f1s(truth, pred):
    out = {}
    for c in LABELS:
        tp = sum(t == c and p == c for t, p in zip(truth, pred))
        fp = sum(t != c and p == c for t, p in zip(truth, pred))
        fn = sum(t == c and p != c for t, p in zip(truth, pred))
        out[c] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    support = collections.Counter(truth)
    macro = float(np.mean([out[c] for c in LABELS if support[c] >= 20]))
    return macro, out


def features(r):
    return [math.log(max(r["amplitude"], 1e-3)), r["organisation"], r["regularity"]]


def logistic(x, y, l2=1e-2, steps=50):
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        grad = x.T @ (p - y) + l2 * w
        hess = (x.T * (p * (1 - p))) @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return w


def flutter_stage(train, test):
    af = [r for r in train if r["call"] in ("AFIB", "AFL")]
    x = np.array([features(r) for r in af])
    mean, sd = x.mean(0), x.std(0) + 1e-9
    y = np.array([r["truth"] == "AFL" for r in af], dtype=float)
    if y.sum() == 0:
        return [r["call"] for r in test], None
    w = logistic((x - mean) / sd, y)

    def p(rows):
        z = (np.array([features(r) for r in rows]) - mean) / sd
        return 1 / (1 + np.exp(-(np.hstack([z, np.ones((len(z), 1))]) @ w)))

    p_train = p(af)
    truth = [r["truth"] for r in af]

    def score(t):
        f = f1s(truth, ["AFL" if q >= t else "AFIB" for q in p_train])[1]
        return (f["AFIB"] or 0) + (f["AFL"] or 0)

    threshold = max(np.linspace(0.05, 0.95, 19), key=score)
    out = [r["call"] for r in test]
    idx = [i for i, r in enumerate(test) if r["call"] in ("AFIB", "AFL")]
    if idx:
        for i, q in zip(idx, p([test[i] for i in idx])):
            out[i] = "AFL" if q >= threshold else "AFIB"
    return out, float(threshold)


def block_stage(train, test, calls):
    normal = [r for r in train if r["call"] == "N"]
    truth = [r["truth"] for r in normal]

    def score(u):
        f = f1s(truth, ["OTHER" if u is not None and r["unconducted"] >= u else "N" for r in normal])[1]
        return (f["N"] or 0) + (f["OTHER"] or 0)

    u = max([None, 0.25, 0.5, 0.75, 1.0], key=score)
    out = [
        "OTHER" if c == "N" and u is not None and r["unconducted"] >= u else c
        for r, c in zip(test, calls)
    ]
    return out, u


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rows = load(sys.argv[1], sys.argv[2])
    per_patient = "--per-patient" in sys.argv[3:]
    truth, alone, flutter, both = [], [], [], []
    for patient in sorted({r["patient"] for r in rows}):
        test = [r for r in rows if r["patient"] == patient]
        train = [r for r in rows if r["patient"] != patient]
        a, t = flutter_stage(train, test)
        b, u = block_stage(train, test, a)
        truth += [r["truth"] for r in test]
        alone += [r["call"] for r in test]
        flutter += a
        both += b
        if per_patient:
            moved = collections.Counter((r["truth"], r["call"], c) for r, c in zip(test, b) if c != r["call"])
            print(f"{patient}: flutter threshold {t}, block threshold {u}; moved (truth, call, new): {dict(moved)}")
    for name, pred in [("pathway alone", alone), ("+ flutter stage", flutter), ("+ block stage", both)]:
        macro, f = f1s(truth, pred)
        cells = "  ".join(f"{c} {f[c]:.3f}" for c in LABELS)
        print(f"{name:16} macro F1 >= 20 {macro:.3f}  {cells}")


if __name__ == "__main__":
    main()
