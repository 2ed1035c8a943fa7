#!/usr/bin/env python3
"""Would a learned second stage beat the atrial stage's rules? Judged patient by patient.

Reads the rhythm pathway's per-segment calls (`haresnet eval --lopo --save P`: each
patient's segments called by a pathway trained without them) and the segments' atrial
features (`haresnet atrial-features`, the columns the atrial stage reads). For each
patient (201 and 202 one patient), a classifier of the five classes is fitted on the other
patients' segments and applied to theirs. Its inputs are the pathway's log probabilities
and every atrial and ventricular feature of the segment, the same evidence the stage's
four rules weigh; the classes are weighted inversely to their counts, since the target is
macro F1. Two classifiers:

- `logistic`: multinomial logistic regression on standardised inputs (scikit-learn,
  `C` from `--c`);
- `boosted`: gradient-boosted trees of depth 3, 100 rounds (scikit-learn's
  `HistGradientBoostingClassifier`, seed 1).

Prints macro F1 over classes with at least 20 segments and each class's F1, for the
pathway alone, the shipped stage (`--stage`: the calls of `scripts/atrial-stage.sh`'s
`lopo/lopo.csv`, optional) and each classifier. A diagnostic (docs/EXPERIMENTS.md, *A
learned stage, the second lead and two-sided smoothing*); nothing shipped is chosen here.
Needs numpy and scikit-learn (`scripts/requirements-bench.txt`).

    .venv/bin/python scripts/learned_stage.py CALLS.csv FEATURES.csv [--stage STAGE.csv] \
        [--models logistic,boosted] [--c 1.0]
"""

import argparse
import math

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from prior_shift import CLASSES
from stage_inputs import macro, patient, read_calls, read_features

# Floor of a probability before its logarithm.
EPS = 1e-6


def classifier(model, c):
    if model == "logistic":
        return LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    return HistGradientBoostingClassifier(
        max_depth=3, learning_rate=0.1, max_iter=100, class_weight="balanced", random_state=1
    )


def report(name, truth, predicted):
    score, f1 = macro(zip(truth, predicted))
    per_class = " ".join(f"{c} {f1[c]:.3f}" for c in CLASSES)
    print(f"{name:<9} macro F1 >= 20 {score:.3f}   {per_class}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("calls")
    ap.add_argument("features")
    ap.add_argument("--stage", help="the shipped stage's leave-one-patient-out calls")
    ap.add_argument("--models", default="logistic,boosted")
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation (logistic)")
    args = ap.parse_args()

    calls = read_calls(args.calls)
    features = read_features(args.features)
    keys = sorted(k for k in calls if k in features)
    missing = len(calls) - len(keys)
    if missing:
        print(f"{missing} calls without features left out")
    truth = [calls[k][0] for k in keys]
    x = np.array(
        [
            [math.log(max(calls[k][2][c], EPS)) for c in CLASSES] + list(features[k].values())
            for k in keys
        ],
        dtype=float,
    )
    x = np.nan_to_num(x)
    y = np.array(truth)
    groups = np.array([patient(k[0]) for k in keys])

    report("pathway", truth, [calls[k][1] for k in keys])
    if args.stage:
        stage = read_calls(args.stage)
        report("stage", truth, [stage[k][1] for k in keys])
    for model in args.models.split(","):
        predicted = np.empty(len(keys), dtype=object)
        for g in sorted(set(groups)):
            test = groups == g
            train = ~test
            mean, scale = x[train].mean(0), x[train].std(0) + 1e-9
            fit = classifier(model, args.c).fit((x[train] - mean) / scale, y[train])
            predicted[test] = fit.predict((x[test] - mean) / scale)
        report(model, truth, list(predicted))


if __name__ == "__main__":
    main()
