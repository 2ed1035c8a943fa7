#!/usr/bin/env python3
"""Per-class F1 of two classifiers' probabilities mixed at fixed weights.

Reads two calls files written by `haresnet eval --save` (or `eval --lopo --save`) over the
same segments and, for each weight w, calls every segment by the larger of
(1 - w) * first + w * second, then prints macro F1 over classes with at least 20 segments
and each class's F1. A diagnostic of whether two networks are complementary (docs/
EXPERIMENTS.md, *The image network across every patient*); no weight is chosen here.

    python3 scripts/mix_calls.py FIRST.csv SECOND.csv [--weights 0 0.25 0.5 0.75 1]
"""

import argparse
import csv
import sys

from prior_shift import CLASSES, f1_by_class, macro_f1


def load(path):
    """Truth and probabilities per segment, keyed by (record, start)."""
    with open(path, newline="") as f:
        return {
            (r["record"], r["start"]): (r["truth"], [float(r["p_" + c.lower()]) for c in CLASSES])
            for r in csv.DictReader(f)
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first")
    parser.add_argument("second")
    parser.add_argument("--weights", type=float, nargs="+", default=[0, 0.25, 0.5, 0.75, 1])
    args = parser.parse_args()
    first, second = load(args.first), load(args.second)
    if first.keys() != second.keys():
        sys.exit("the two files do not hold the same segments")
    print("weight,macro_f1_ge20," + ",".join(f"f1_{c}" for c in CLASSES))
    for w in args.weights:
        confusion = {(t, p): 0 for t in CLASSES for p in CLASSES}
        for key, (truth, a) in first.items():
            mixed = [(1 - w) * x + w * y for x, y in zip(a, second[key][1])]
            confusion[(truth, CLASSES[mixed.index(max(mixed))])] += 1
        f1, support = f1_by_class(confusion)
        print(f"{w:g},{macro_f1(f1, support):.3f}," + ",".join(f"{f1[c]:.3f}" for c in CLASSES))


if __name__ == "__main__":
    main()
