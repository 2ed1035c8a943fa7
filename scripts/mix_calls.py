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

CLASSES = ["N", "AFIB", "AFL", "VT", "OTHER"]


def load(path):
    calls = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            probs = [float(row["p_" + c.lower()]) for c in CLASSES]
            calls[(row["record"], row["start"])] = (row["truth"], probs)
    return calls


def f1_scores(pairs):
    """Per-class F1 and support from (truth, predicted) pairs."""
    scores, support = {}, {}
    for c in CLASSES:
        tp = sum(1 for t, p in pairs if t == c and p == c)
        fp = sum(1 for t, p in pairs if t != c and p == c)
        fn = sum(1 for t, p in pairs if t == c and p != c)
        scores[c] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        support[c] = tp + fn
    return scores, support


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
        pairs = []
        for key, (truth, a) in first.items():
            mixed = [(1 - w) * x + w * y for x, y in zip(a, second[key][1])]
            pairs.append((truth, CLASSES[mixed.index(max(mixed))]))
        scores, support = f1_scores(pairs)
        kept = [scores[c] for c in CLASSES if support[c] >= 20]
        macro = sum(kept) / len(kept)
        print(f"{w:g},{macro:.3f}," + ",".join(f"{scores[c]:.3f}" for c in CLASSES))


if __name__ == "__main__":
    main()
