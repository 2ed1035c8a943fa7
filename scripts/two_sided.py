#!/usr/bin/env python3
"""Would reading a recording both ways at its rhythm changes help? Judged patient by patient.

The classifier smooths consecutive segments causally (each segment's log probabilities
blended with the smoothed ones before it, `plugin/src/smoothing.rs`), so that a stream and
a whole-signal call agree. A reader of a whole recording could look ahead as well. Two
ways, on leave-one-patient-out calls:

- `smooth RAW.csv --segment S --half-life H --out CALLS.csv`: RAW holds the pathway's
  unsmoothed calls (`haresnet eval --lopo DIR --smoothing-half-life 0 --save P`); each
  recording's log probabilities are averaged with weights 0.5^(|dt| / H) over the
  segments before and after it (`--causal`: before it only, the classifier's smoothing,
  which reproduces the calls of `eval --lopo DIR`), renormalised, and written as calls that
  `haresnet atrial-fit --calls` reads, so that the atrial stage is fitted and judged on
  them as on the shipped smoothing's.
- `majority CALLS.csv --width K`: a segment's final call (the whole classifier's, e.g.
  `scripts/atrial-stage.sh`'s `lopo/lopo.csv`) replaced by the call of more than half of
  the K segments centred on it, where there is one.

Prints macro F1 over classes with at least 20 segments and each class's F1. A diagnostic
(docs/EXPERIMENTS.md, *A learned stage, the second lead and two-sided smoothing*); nothing
shipped is chosen here. Needs numpy.
"""

import argparse
import csv
from collections import Counter, defaultdict

import numpy as np

from prior_shift import CLASSES
from stage_inputs import macro

# Floor of a probability before its logarithm, as the classifier's smoothing.
MIN_PROBABILITY = 1e-30


def read_rows(path):
    """Rows of a calls CSV, grouped by record in signal order."""
    by_record = defaultdict(list)
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            by_record[r["record"]].append(r)
    for rows in by_record.values():
        rows.sort(key=lambda r: int(r["start"]))
    return by_record


def report(name, truth, predicted):
    score, f1 = macro(zip(truth, predicted))
    per_class = " ".join(f"{c} {f1[c]:.3f}" for c in CLASSES)
    print(f"{name:<14} macro F1 >= 20 {score:.3f}   {per_class}")


def normalise(logs):
    top = logs.max(axis=-1, keepdims=True)
    return logs - (top + np.log(np.exp(logs - top).sum(axis=-1, keepdims=True)))


def causal(logs, w):
    out = logs.copy()
    for t in range(1, len(logs)):
        out[t] = normalise(w * out[t - 1] + (1 - w) * logs[t])
    return out


def two_sided(logs, w):
    steps = np.arange(len(logs))
    weights = w ** np.abs(steps[:, None] - steps[None, :])
    weights /= weights.sum(axis=1, keepdims=True)
    return normalise(weights @ logs)


def smooth(args):
    columns = ["p_" + c.lower() for c in CLASSES]
    w = 0.5 ** (args.segment / args.half_life)
    truth, predicted, out = [], [], []
    for record, rows in read_rows(args.raw).items():
        logs = np.log(
            np.maximum(np.array([[float(r[c]) for c in columns] for r in rows]), MIN_PROBABILITY)
        )
        smoothed = (causal if args.causal else two_sided)(logs, w)
        for r, s in zip(rows, smoothed):
            call = CLASSES[int(s.argmax())]
            truth.append(r["truth"])
            predicted.append(call)
            out.append([record, r["start"], r["truth"], call] + [f"{p:.8g}" for p in np.exp(s)])
    with open(args.out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["record", "start", "truth", "predicted"] + columns)
        writer.writerows(out)
    report("causal" if args.causal else "two-sided", truth, predicted)


def majority(args):
    half = args.width // 2
    truth, before, after = [], [], []
    for rows in read_rows(args.calls).values():
        calls = [r["predicted"] for r in rows]
        for i, r in enumerate(rows):
            window = calls[max(0, i - half) : i + half + 1]
            call, count = Counter(window).most_common(1)[0]
            truth.append(r["truth"])
            before.append(calls[i])
            after.append(call if 2 * count > len(window) else calls[i])
    report("as called", truth, before)
    report(f"majority of {args.width}", truth, after)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("smooth")
    s.add_argument("raw")
    s.add_argument("--segment", type=float, required=True, help="segment length (s)")
    s.add_argument("--half-life", type=float, required=True, help="seconds")
    s.add_argument("--causal", action="store_true")
    s.add_argument("--out", required=True)
    m = sub.add_parser("majority")
    m.add_argument("calls")
    m.add_argument("--width", type=int, default=5)
    args = ap.parse_args()
    (smooth if args.command == "smooth" else majority)(args)


if __name__ == "__main__":
    main()
