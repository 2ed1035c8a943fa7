"""Atrial activity per rhythm on MIT-BIH: how organised the ECG is between the QRS-T
complexes, the evidence behind `docs/RESULTS.md`'s note on atrial flutter.

    .venv/bin/python scripts/atrial_activity.py --data ../shared/data/mitdb

For every 5 s stretch of MLII inside one rhythm episode: band-pass 1-40 Hz, subtract a
median beat (100 ms before to 450 ms after each reference beat of the 60 s ending with the
stretch, scaled to each beat by least squares), then the Welch spectrum of what remains.
Printed per record and rhythm and over all records: the dominant frequency in 3-12 Hz and
the organisation index, the fraction of the band's power within 0.5 Hz of that peak
(flutter waves give a sharp peak; fibrillation spreads it). An analysis, not part of the
library: it uses the reference beat annotations, which a user does not have. Needs
`wfdb`, `numpy` and `scipy`.
"""

import argparse
import collections
import os

import numpy as np
import wfdb
from scipy import signal as sg

BEATS = set("NLRBAaJSVrFejnE/fQ?")
STRETCH_S = 5.0
CONTEXT_S = 60.0
RHYTHMS = ("(N", "(AFIB", "(AFL", "(BII", "(SBR", "(B", "(T")


def organisation(y, fs):
    f, p = sg.welch(y, fs, nperseg=int(2 * fs), noverlap=int(1.5 * fs), nfft=int(8 * fs))
    band = (f >= 3) & (f <= 12)
    fb, pb = f[band], p[band]
    peak = fb[pb.argmax()]
    return peak, pb[np.abs(fb - peak) <= 0.5].sum() / pb.sum()


def record_stretches(path):
    rec = wfdb.rdrecord(path)
    if "MLII" not in rec.sig_name:
        return
    x = rec.p_signal[:, rec.sig_name.index("MLII")]
    fs = rec.fs
    b, a = sg.butter(3, [1 / (fs / 2), 40 / (fs / 2)], "band")
    x = sg.filtfilt(b, a, x)
    ann = wfdb.rdann(path, "atr")
    peaks = np.array([s for s, sym in zip(ann.sample, ann.symbol) if sym in BEATS])
    pre, post = int(0.1 * fs), int(0.45 * fs)
    episodes = [(s, t.strip("\x00")) for s, t in zip(ann.sample, ann.aux_note) if t.startswith("(")]
    n = int(STRETCH_S * fs)
    for i, (s0, rhythm) in enumerate(episodes):
        s1 = episodes[i + 1][0] if i + 1 < len(episodes) else len(x)
        if rhythm not in RHYTHMS:
            continue
        for c0 in range(s0, s1 - n, n):
            c1 = c0 + n
            ctx = peaks[(peaks >= max(0, c1 - int(CONTEXT_S * fs)) + pre) & (peaks + post < len(x)) & (peaks < c1 + post)]
            if len(ctx) < 4:
                continue
            template = np.median(np.stack([x[p - pre : p + post] for p in ctx]), 0)
            y = x[c0:c1].copy()
            for p in ctx[(ctx >= c0 - post) & (ctx < c1 + pre)]:
                lo, hi = p - pre, p + post
                a0, a1 = max(lo, c0), min(hi, c1)
                k = np.dot(x[lo:hi], template) / np.dot(template, template)
                y[a0 - c0 : a1 - c0] -= k * template[a0 - lo : a1 - lo]
            yield rhythm, organisation(y, fs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="MIT-BIH directory (with RECORDS)")
    args = ap.parse_args()
    names = [l.strip() for l in open(os.path.join(args.data, "RECORDS")) if l.strip()]
    per_class = collections.defaultdict(list)
    for name in names:
        per_record = collections.defaultdict(list)
        for rhythm, value in record_stretches(os.path.join(args.data, name)):
            per_record[rhythm].append(value)
            per_class[rhythm].append(value)
        for rhythm, v in sorted(per_record.items()):
            v = np.array(v)
            print(f"{name} {rhythm:6} {len(v):4} stretches  peak {np.median(v[:, 0]):.2f} Hz  "
                  f"organisation {np.median(v[:, 1]):.2f} (IQR {np.quantile(v[:, 1], 0.25):.2f}-{np.quantile(v[:, 1], 0.75):.2f})")
    for rhythm, v in sorted(per_class.items()):
        v = np.array(v)
        print(f"all {rhythm:6} {len(v):5} stretches  peak {np.median(v[:, 0]):.2f} Hz  "
              f"organisation {np.median(v[:, 1]):.2f} (IQR {np.quantile(v[:, 1], 0.25):.2f}-{np.quantile(v[:, 1], 0.75):.2f})")


if __name__ == "__main__":
    main()
