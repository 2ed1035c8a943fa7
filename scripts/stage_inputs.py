#!/usr/bin/env python3
"""Would a second network's probabilities help the atrial stage? Judged patient by patient.

Reads the rhythm pathway's per-segment calls and a second network's (two files written by
`haresnet eval --save` or `eval --lopo --save` over the same segments, each segment
called by a model that never saw its patient) and the segments' atrial features
(`haresnet atrial-features`). For each patient (201 and 202 one patient), fitted on the
other patients' segments and applied to theirs, as `haresnet atrial-fit` fits the stage:

- `atrial`: the sinus rule at the card's share of P waves (`--min-p-present`), then the
  flutter rule: among segments still called AFIB or AFL, a logistic model of "flutter"
  on the log atrial amplitude, organisation and regularity, with the threshold among
  0.05, ..., 0.95 that maximises AFIB F1 + AFL F1;
- `atrial+network`: the same with the second network's log(p_afl / p_afib) a fourth input;
- `atrial, network VT`: `atrial`, then every segment whose second-network VT probability
  reaches a threshold (among 0.1, ..., 0.9, or none) called VT, the threshold that
  maximises macro F1 over the training patients.

Prints macro F1 over classes with at least 20 segments and each class's F1 per variant,
and where the VT calls fall. A diagnostic (docs/EXPERIMENTS.md, *What the image network
could add to the atrial stage*); nothing shipped is chosen here. Needs numpy.

    .venv/bin/python scripts/stage_inputs.py CALLS.csv FEATURES.csv NETWORK.csv \
        [--min-p-present 0.6]
"""

import argparse
import csv
import math
from collections import Counter, defaultdict

import numpy as np

from prior_shift import CLASSES, f1_by_class, macro_f1

THRESHOLDS = [k / 20 for k in range(1, 20)]
VT_THRESHOLDS = [k / 10 for k in range(1, 10)] + [math.inf]
RIDGE = 0.01
# MIT-BIH's rate; atrial-features writes starts in seconds, eval in samples.
FS = 360


def patient(record):
    return "201" if record == "202" else record


def read_calls(path):
    with open(path, newline="") as f:
        return {
            (r["record"], int(r["start"])): (
                r["truth"],
                r["predicted"],
                {c: float(r["p_" + c.lower()]) for c in CLASSES},
            )
            for r in csv.DictReader(f)
        }


def read_features(path):
    with open(path, newline="") as f:
        return {
            (r["record"], round(float(r["start"]) * FS)): {
                k: float(v) for k, v in r.items() if k not in ("record", "start", "truth")
            }
            for r in csv.DictReader(f)
        }


def logistic(x, y):
    """Ridge logistic regression by Newton's method; x standardised, returns (w, b)."""
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(a.shape[1])
    penalty = np.diag([RIDGE * len(x)] * x.shape[1] + [0.0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + penalty @ w
        hess = (a * (p * (1 - p))[:, None]).T @ a + penalty + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], w[-1]


def macro(pairs):
    """Macro F1 over the supported classes and each class's F1, of (truth, call) pairs."""
    f, support = f1_by_class(Counter(pairs))
    return macro_f1(f, support), f


def inputs(seg, with_network):
    x = [
        math.log(max(seg["atrial_amplitude"], 1e-3)),
        seg["atrial_organisation"],
        seg["atrial_regularity"],
    ]
    if with_network:
        x.append(math.log((seg["net"]["AFL"] + 1e-4) / (seg["net"]["AFIB"] + 1e-4)))
    return x


def flutter_calls(segs, train, test, with_network):
    """Calls of `test` after the flutter rule fitted on `train` (indices into segs)."""
    af = [i for i in train if segs[i]["af"]]
    calls = {}
    if not any(segs[i]["truth"] == "AFL" for i in af):
        return calls
    x = np.array([inputs(segs[i], with_network) for i in af])
    mean, scale = x.mean(0), x.std(0) + 1e-6
    y = np.array([segs[i]["truth"] == "AFL" for i in af], dtype=float)
    w, b = logistic((x - mean) / scale, y)

    def prob(i):
        z = (np.array(inputs(segs[i], with_network)) - mean) / scale @ w + b
        return 1 / (1 + math.exp(-z))

    q = [prob(i) for i in af]

    def score(t):
        f = macro([(segs[i]["truth"], "AFL" if p >= t else "AFIB") for i, p in zip(af, q)])[1]
        return f["AFIB"] + f["AFL"]

    t = max(THRESHOLDS, key=lambda t: (score(t), -t))
    for i in test:
        if segs[i]["af"]:
            calls[i] = "AFL" if prob(i) >= t else "AFIB"
    return calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calls")
    parser.add_argument("features")
    parser.add_argument("network")
    parser.add_argument("--min-p-present", type=float, default=0.6)
    args = parser.parse_args()
    calls, features, network = (
        read_calls(args.calls),
        read_features(args.features),
        read_calls(args.network),
    )
    segs = []
    for key, (truth, call, _) in sorted(calls.items()):
        feat = features[key]
        measured = any(v != 0 for v in feat.values())
        if call in ("AFIB", "AFL") and measured and feat["p_present"] >= args.min_p_present:
            call = "N"
        af = call in ("AFIB", "AFL") and measured
        segs.append(
            dict(feat, record=key[0], truth=truth, call=call, af=af, net=network[key][2])
        )
    by_patient = defaultdict(list)
    for i, s in enumerate(segs):
        by_patient[patient(s["record"])].append(i)
    # Each patient's segments and the other patients', which fit what is applied to them.
    splits = [
        (test, [i for q, idx in by_patient.items() if q != p for i in idx])
        for p, test in by_patient.items()
    ]

    results = {}
    for name, with_network in (("atrial", False), ("atrial+network", True)):
        final = [s["call"] for s in segs]
        for test, train in splits:
            for i, c in flutter_calls(segs, train, test, with_network).items():
                final[i] = c
        results[name] = final

    base = results["atrial"]
    vt = list(base)
    for test, train in splits:

        def score(t):
            return macro(
                [(segs[i]["truth"], "VT" if segs[i]["net"]["VT"] >= t else base[i]) for i in train]
            )[0]

        t = max(VT_THRESHOLDS, key=lambda t: (score(t), t))
        for i in test:
            if segs[i]["net"]["VT"] >= t:
                vt[i] = "VT"
    results["atrial, network VT"] = vt

    print("variant,macro_f1_ge20," + ",".join(f"f1_{c}" for c in CLASSES))
    for name, final in results.items():
        m, f = macro([(s["truth"], c) for s, c in zip(segs, final)])
        print(f"{name},{m:.3f}," + ",".join(f"{f[c]:.3f}" for c in CLASSES))
    for name in ("atrial", "atrial+network"):
        final = results[name]
        afl = Counter(segs[i]["record"] for i, c in enumerate(final) if segs[i]["truth"] == "AFL")
        hit = Counter(s["record"] for s, c in zip(segs, final) if c == "AFL" == s["truth"])
        print(f"AFL found by record, {name}:", {r: f"{hit[r]}/{n}" for r, n in sorted(afl.items())})
    found = Counter(segs[i]["record"] for i, c in enumerate(vt) if c == "VT" == segs[i]["truth"])
    missed = Counter(segs[i]["record"] for i, c in enumerate(vt) if c != "VT" == segs[i]["truth"])
    false = Counter(segs[i]["record"] for i, c in enumerate(vt) if c == "VT" != segs[i]["truth"])
    print("VT found by record:", dict(sorted(found.items())))
    print("VT missed by record:", dict(sorted(missed.items())))
    print("VT called wrongly by record:", dict(sorted(false.items())))


if __name__ == "__main__":
    main()
