"""What classifying each segment alone costs against classifying the whole signal (or a
stream, which gives the same results): the per-segment call (`haresnet_model_classify_segment`,
a LabVIEW loop over acquired blocks) has no rhythm context and no smoothing.

    HARESNET_LIB=target/release/libharesnet.so PYTHONPATH=bindings/python \\
        python scripts/segment_alone_cost.py ../shared/data/mitdb/201

Prints, for the record's MLII lead and 5 s segments, the AFIB F1 and the false AFIB
segments of both calls against the reference rhythm (the rhythm in force over most of
each segment; docs/RESULTS.md's label mapping).
"""

import sys

import numpy as np

import haresnet

CLASSES = {"(N": "N", "(SBR": "N", "(AFIB": "AFIB", "(AFL": "AFL", "(VT": "VT", "(VFL": "VT"}


def reference(record_path, length, starts, seg_len):
    """The rhythm in force over most of each segment, from the `atr` rhythm annotations."""
    changes = [(a.sample, CLASSES.get(a.aux, "OTHER")) for a in haresnet.read_annotations(record_path, "atr")
               if a.symbol == "+" and a.aux]
    timeline = np.full(length, "", dtype=object)
    for (at, label), nxt in zip(changes, changes[1:] + [(length, None)]):
        timeline[at:nxt[0]] = label
    out = []
    for s in starts:
        labels, counts = np.unique(timeline[s : s + seg_len].astype(str), return_counts=True)
        out.append(labels[np.argmax(counts)])
    return out


def scores(pred, ref, target="AFIB"):
    tp = sum(p == target and r == target for p, r in zip(pred, ref))
    fp = sum(p == target and r != target for p, r in zip(pred, ref))
    fn = sum(p != target and r == target for p, r in zip(pred, ref))
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1, fp, fn


def main(record_path):
    model = haresnet.Model(segment_seconds=5)
    record = haresnet.Record(record_path)
    x = record.read("MLII")
    seg_len = model.segment_len(record.fs)
    whole = model.classify(x, record.fs)
    starts = list(whole.starts)
    ref = reference(record_path, record.length, starts, seg_len)
    name = lambda r: [model.labels[i] if i >= 0 else "-" for i in r.labels]  # noqa: E731
    alone = []
    for s in starts:
        one = model.classify(x[s : s + seg_len], record.fs)
        alone.extend(name(one))
    print(f"{record_path}: {len(starts)} segments of 5 s, {ref.count('AFIB')} AFIB in the reference")
    for what, pred in [("whole signal or stream", name(whole)), ("each segment alone", alone)]:
        f1, fp, fn = scores(pred, ref)
        print(f"  {what:24s} AFIB F1 {f1:.2f}, {fp} false AFIB, {fn} AFIB missed")


if __name__ == "__main__":
    main(sys.argv[1])
