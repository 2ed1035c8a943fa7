"""Prior correction of a classifier's scores, measured on saved predictions: the evidence
behind `docs/RESULTS.md`'s section on it.

    python3 scripts/prior_shift.py --prior 4593,295,63,25,439 runs/v8e3/f0/ds1-fold0.csv

(the segments per class of DS1 without fold 0's patients, for fold 0's predictions).

The rhythm pathway is trained on class-balanced draws, so its probabilities carry a flat
class prior, while a recording is mostly sinus rhythm. Adding `tau * log(prior)` to the
log-probabilities (`prior`: segments per class, N,AFIB,AFL,VT,OTHER, of the training
records) moves the decisions toward the common classes: tau 0 is the classifier as
shipped, 1 the full Bayes correction. For each tau, prints macro F1 over the classes with
at least 20 segments, AFIB and OTHER F1, the segments wrongly called VT, the accuracy and
the support-weighted F1 (the segment split's comparison with the paper).
Reads the per-segment CSV of `haresnet eval --save`; the standard library only.
"""

import argparse
import csv
import math

CLASSES = ("N", "AFIB", "AFL", "VT", "OTHER")
TAUS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
MIN_SUPPORT = 20


def read(path):
    with open(path, newline="") as f:
        return [
            (r["truth"], [float(r["p_" + c.lower()]) for c in CLASSES])
            for r in csv.DictReader(f)
        ]


def f1_by_class(confusion):
    """Each class's F1 and support from counts keyed by (truth, call)."""
    f1, support = {}, {}
    for c in CLASSES:
        tp = confusion[(c, c)]
        fp = sum(confusion[(t, c)] for t in CLASSES) - tp
        fn = sum(confusion[(c, p)] for p in CLASSES) - tp
        support[c] = tp + fn
        f1[c] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return f1, support


def macro_f1(f1, support):
    """Mean F1 over the classes with at least MIN_SUPPORT segments."""
    kept = [f1[c] for c in CLASSES if support[c] >= MIN_SUPPORT]
    return sum(kept) / len(kept)


def scores(rows, log_prior, tau):
    confusion = {(t, p): 0 for t in CLASSES for p in CLASSES}
    for truth, probs in rows:
        shifted = [math.log(max(p, 1e-12)) + tau * lp for p, lp in zip(probs, log_prior)]
        confusion[(truth, CLASSES[shifted.index(max(shifted))])] += 1
    f1, support = f1_by_class(confusion)
    false_vt = sum(confusion[(t, "VT")] for t in CLASSES if t != "VT")
    accuracy = sum(confusion[(c, c)] for c in CLASSES) / len(rows)
    weighted = sum(f1[c] * support[c] for c in CLASSES) / len(rows)
    return macro_f1(f1, support), f1["AFIB"], f1["OTHER"], false_vt, accuracy, weighted


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prior", required=True, help="segments per class: N,AFIB,AFL,VT,OTHER")
    ap.add_argument("predictions", nargs="+", help="CSV files of `haresnet eval --save`")
    args = ap.parse_args()
    counts = [float(x) for x in args.prior.split(",")]
    if len(counts) != len(CLASSES) or min(counts) < 0:
        ap.error("--prior takes five non-negative counts")
    # An empty class keeps a count of one, so that its logit is pushed down, not to -inf.
    total = sum(max(c, 1.0) for c in counts)
    log_prior = [math.log(max(c, 1.0) / total) for c in counts]
    for path in args.predictions:
        rows = read(path)
        print(f"{path} ({len(rows)} segments)")
        print("   tau  macro F1>=20  AFIB F1  OTHER F1  false VT  accuracy  weighted F1")
        for tau in TAUS:
            m, afib, other, false_vt, acc, weighted = scores(rows, log_prior, tau)
            print(
                f"  {tau:4.2f}  {m:11.3f}  {afib:7.3f}  {other:8.3f}  {false_vt:8d}  {acc:8.3f}"
                f"  {weighted:11.3f}"
            )


if __name__ == "__main__":
    main()
