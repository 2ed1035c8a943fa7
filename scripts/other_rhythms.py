#!/usr/bin/env python3
"""Which annotated rhythms a classifier's calls fall on, and how many ventricular beats they hold.

Reads a calls file written by `haresnet eval --save` or `eval --lopo --save` over MIT-BIH
and, for each segment, the rhythm annotated over most of it (the aux strings of the `atr`
file: `(B`, `(T`, `(NOD`, `(PREX`, ... which the classifier's classes gather as OTHER) and
the share of its annotated beats that are ventricular or fusion beats (`V`, `F`, `E`).
Prints per annotated rhythm the calls, then the record-rhythm-call cells of at least
`--min` segments with their median ventricular share: where OTHER is lost, and whether a
segment labelled sinus rhythm differs in its beats from one labelled bigeminy or
trigeminy. An analysis of MIT-BIH's labels (docs/EXPERIMENTS.md, *What the image network
could add to the atrial stage*); it reads the reference beat annotations, which a user
does not have. Needs `wfdb` and `numpy`.

    .venv/bin/python scripts/other_rhythms.py CALLS.csv --data $HARESNET_DATA/mitdb [--min 20]
"""

import argparse
import csv
import os
from collections import Counter, defaultdict

import numpy as np
import wfdb

BEATS = set("NLRBAaJSVrFejnE/fQ")
VENTRICULAR = set("VFE")


def rhythms_and_beats(path):
    ann = wfdb.rdann(path, "atr")
    changes = [(s, a.strip("\x00")) for s, a in zip(ann.sample, ann.aux_note) if a.startswith("(")]
    beats = [(s, y) for s, y in zip(ann.sample, ann.symbol) if y in BEATS]
    return changes, beats


def majority(changes, start, stop):
    cover = Counter()
    for i, (s, name) in enumerate(changes):
        end = changes[i + 1][0] if i + 1 < len(changes) else stop
        lo, hi = max(s, start), min(end, stop)
        if hi > lo:
            cover[name] += hi - lo
    return cover.most_common(1)[0][0] if cover else "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calls")
    parser.add_argument("--data", required=True, help="directory of the MIT-BIH records")
    parser.add_argument("--min", type=int, default=20, help="least segments of a cell printed")
    args = parser.parse_args()
    with open(args.calls, newline="") as f:
        rows = list(csv.DictReader(f))
    by_record = defaultdict(list)
    for r in rows:
        by_record[r["record"]].append(r)
    per_rhythm = defaultdict(Counter)
    cells = defaultdict(list)
    for record, rs in sorted(by_record.items()):
        starts = sorted(int(r["start"]) for r in rs)
        length = min(b - a for a, b in zip(starts, starts[1:]))
        changes, beats = rhythms_and_beats(os.path.join(args.data, record))
        for r in rs:
            start = int(r["start"])
            rhythm = majority(changes, start, start + length)
            inside = [y for s, y in beats if start <= s < start + length]
            share = sum(y in VENTRICULAR for y in inside) / len(inside) if inside else 0.0
            per_rhythm[(rhythm, r["truth"])][r["predicted"]] += 1
            cells[(record, rhythm, r["truth"], r["predicted"])].append(share)
    classes = ("N", "AFIB", "AFL", "VT", "OTHER")
    print("annotated rhythm,class," + ",".join(f"called {c}" for c in classes))
    for (rhythm, truth), calls in sorted(per_rhythm.items()):
        print(f"{rhythm},{truth}," + ",".join(str(calls[c]) for c in classes))
    print()
    print("record,annotated rhythm,class,called,segments,median ventricular share")
    for (record, rhythm, truth, call), shares in sorted(cells.items(), key=lambda kv: -len(kv[1])):
        if len(shares) >= args.min:
            print(f"{record},{rhythm},{truth},{call},{len(shares)},{np.median(shares):.2f}")


if __name__ == "__main__":
    main()
