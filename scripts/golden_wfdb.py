"""Golden outputs for the WFDB reader, made with wfdb-python (4.3.1), and a checker of
annotation files written by the reader.

Generate (from the repository root, with `wfdb` and `numpy` installed):

    python scripts/golden_wfdb.py ../shared/data/wfdb-python-sample-data

writes `fixtures/golden/wfdb/signals.json` and `fixtures/golden/wfdb/annotations.json`.
For every record header in the sample data that has its files, the digital samples of
each signal at its own rate (`smooth_frames=False`) are summarised as the sample count,
the sha256 of the little-endian int32 samples, and the first and last 20 samples (plus
the first 20 physical values). For every annotation file, each field (sample, code,
subtype, chan, num, aux) is summarised the same way.

Where wfdb-python and the WFDB C library differ, the goldens follow the C library and
each such record carries a `note`:

- skewed records: the C library stops when the most skewed signal reaches the end of its
  file (`03700181` gives 74,996 frames, not 75,000), so the goldens keep that many;
- variable-layout multi-segment records whose segments have different gains: wfdb-python
  refuses digital output, so the goldens hold physical values (NaN count, sum, first and
  last 20) and each segment is covered by its own record.

Check files written by the reader (used by the test suite when wfdb-python is present):

    python scripts/golden_wfdb.py --check-written DIR

reads `DIR/expected.json` (written by the test) and every annotation file it lists with
`wfdb.rdann`, and exits non-zero naming the first field that differs.
"""

import argparse
import hashlib
import json
import math
import os
import sys

import numpy as np
import wfdb

HEAD = 20
PHYS_DIGITS = 9


def summary(values):
    """Count, sha256 of little-endian int32, first and last HEAD values."""
    a = np.asarray(values, dtype="<i4")
    return {
        "n": int(a.size),
        "sha256": hashlib.sha256(a.tobytes()).hexdigest(),
        "head": a[:HEAD].tolist(),
        "tail": a[-HEAD:].tolist() if a.size else [],
    }


def phys(values):
    """Physical values rounded for JSON (NaN as null)."""
    return [None if math.isnan(v) else float(f"{v:.{PHYS_DIGITS}g}") for v in values]


def stored_frames(rec_dir, header):
    """Frames every signal file holds, as the C library counts them (None if unknown)."""
    bits = {"8": 8, "16": 16, "24": 24, "32": 32, "61": 16, "80": 8, "160": 16,
            "212": 12, "310": 32 / 3 * 1, "311": 32 / 3}
    frames = None
    groups = {}
    for i, f in enumerate(header.file_name):
        groups.setdefault(f, []).append(i)
    for f, members in groups.items():
        fmt = header.fmt[members[0]]
        if fmt not in bits:
            return None
        size = os.path.getsize(os.path.join(rec_dir, f)) - (header.byte_offset[members[0]] or 0)
        spf = sum(header.samps_per_frame[m] for m in members)
        n = int(size * 8 // bits[fmt]) // spf
        frames = n if frames is None else min(frames, n)
    return frames


def c_length(rec_dir, header):
    """Frames the WFDB C library delivers: reading stops when the most skewed signal
    runs out of stored frames."""
    skews = [s or 0 for s in (header.skew or [])]
    if not any(skews):
        return None, None
    stored = stored_frames(rec_dir, header)
    n = min(header.sig_len or stored, stored - max(skews))
    note = (f"skewed: the WFDB C library delivers {n} frames (wfdb-python pads to "
            f"{header.sig_len}); the goldens keep {n}")
    return n, note


def read_digital(path, header, n):
    """Digital samples at each signal's own rate. wfdb-python 4.3.1 fails to convert
    the dtypes of some formats (8, 61) with `smooth_frames=False`; when every signal has
    one sample per frame, the smoothed array holds the same values."""
    try:
        return wfdb.rdrecord(path, physical=False, smooth_frames=False, sampto=n)
    except ValueError:
        if any(s != 1 for s in header.samps_per_frame):
            raise
        r = wfdb.rdrecord(path, physical=False, sampto=n, return_res=64)
        r.e_d_signal = [r.d_signal[:, i] for i in range(r.n_sig)]
        return r


def record_golden(path):
    rec_dir = os.path.dirname(path)
    header = wfdb.rdheader(path)
    out = {"fs": float(header.fs), "n_sig": header.n_sig}
    if isinstance(header, wfdb.MultiRecord):
        out["multi_segment"] = True
        try:
            r = wfdb.rdrecord(path, physical=False, smooth_frames=False)
        except Exception:  # wfdb-python raises a bare Exception here
            r = wfdb.rdrecord(path, physical=True, smooth_frames=False)
            out["sig_len"] = r.sig_len
            out["note"] = ("variable layout with differing gains: wfdb-python gives no "
                           "digital samples; physical values compared, segments checked "
                           "through their own records")
            out["physical"] = []
            for ch, v in zip(r.sig_name, r.e_p_signal):
                v = np.asarray(v, dtype=float)
                finite = v[~np.isnan(v)]
                out["physical"].append({
                    "name": ch, "n": int(v.size), "nan": int(v.size - finite.size),
                    "sum": float(finite.sum()), "head": phys(v[:HEAD]), "tail": phys(v[-HEAD:]),
                })
            return out
        n = r.sig_len
    else:
        n, note = c_length(rec_dir, header)
        if note:
            out["note"] = note
        r = read_digital(path, header, n)
        n = r.sig_len
    out["sig_len"] = int(n)
    p = wfdb.rdrecord(path, physical=True, smooth_frames=False,
                      sampto=min(n, HEAD) if header.sig_len and n else None)
    out["signals"] = []
    for i, d in enumerate(r.e_d_signal):
        entry = {"name": r.sig_name[i], "fmt": r.fmt[i], "spf": r.samps_per_frame[i]}
        entry.update(summary(d))
        entry["physical_head"] = phys(p.e_p_signal[i][:HEAD]) if n else []
        out["signals"].append(entry)
    return out


def annotation_golden(path):
    record, ext = os.path.splitext(path)
    a = wfdb.rdann(record, ext[1:], return_label_elements=["label_store", "symbol"])
    aux = [s.encode("latin-1") for s in a.aux_note]
    return {
        "n": len(a.sample),
        "fs": None if a.fs is None else float(a.fs),
        "sample": summary(np.asarray(a.sample, dtype=np.int64).astype("<i4")),
        "code": summary(a.label_store),
        "subtype": summary(a.subtype),
        "chan": summary(a.chan),
        "num": summary(a.num),
        # aux strings joined by their lengths so boundaries count.
        "aux_sha256": hashlib.sha256(b"".join(len(x).to_bytes(2, "little") + x for x in aux)).hexdigest(),
        "aux_head": [x.decode("latin-1") for x in aux[:HEAD]],
        "symbol_counts": {s: int(c) for s, c in zip(*np.unique(np.asarray(a.symbol, dtype=str), return_counts=True))},
    }


ANNOTATION_EXTS = {"atr", "qrs", "anI", "wabp", "wqrs", "sqrs", "gqrsh", "gqrsl"}


def generate(src, dst):
    signals, skipped, annotations = {}, {}, {}
    for root, _, files in sorted(os.walk(src)):
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(root, f), src).replace(os.sep, "/")
            name, ext = os.path.splitext(rel)
            if ext == ".hea":
                try:
                    signals[name] = record_golden(os.path.join(src, name))
                except (FileNotFoundError, ValueError, OSError, TypeError) as e:
                    skipped[name] = f"{type(e).__name__}: {e}".replace(src, "<data>")
            elif ext[1:] in ANNOTATION_EXTS:
                annotations[rel] = annotation_golden(os.path.join(src, rel))
    os.makedirs(dst, exist_ok=True)
    meta = {
        "made_by": f"wfdb-python {wfdb.__version__}, numpy {np.__version__}",
        "command": "python scripts/golden_wfdb.py ../shared/data/wfdb-python-sample-data",
    }
    with open(os.path.join(dst, "signals.json"), "w") as out:
        json.dump({**meta, "records": signals, "unreadable": skipped}, out, indent=1, sort_keys=True)
        out.write("\n")
    with open(os.path.join(dst, "annotations.json"), "w") as out:
        json.dump({**meta, "files": annotations}, out, indent=1, sort_keys=True)
        out.write("\n")
    print(f"{len(signals)} records, {len(skipped)} unreadable, {len(annotations)} annotation files")


def check_written(directory):
    with open(os.path.join(directory, "expected.json")) as f:
        expected = json.load(f)
    for entry in expected["files"]:
        a = wfdb.rdann(os.path.join(directory, entry["record"]), entry["extension"],
                       return_label_elements=["label_store"])
        got = {
            "sample": [int(x) for x in a.sample],
            "code": [int(x) for x in a.label_store],
            "subtype": [int(x) for x in a.subtype],
            "chan": [int(x) for x in a.chan],
            "num": [int(x) for x in a.num],
            "aux": [list(s.encode("latin-1")) for s in a.aux_note],
            "fs": a.fs,
        }
        for field, want in entry["fields"].items():
            if got[field] != want:
                if isinstance(want, list) and isinstance(got[field], list):
                    diff = next((i for i, (x, y) in enumerate(zip(got[field], want)) if x != y),
                                min(len(got[field]), len(want)))
                    detail = (f"first difference at {diff} (lengths {len(got[field])}, "
                              f"{len(want)})")
                else:
                    detail = f"{got[field]!r} != {want!r}"
                print(f"{entry['record']}.{entry['extension']}: {field}: {detail}")
                return 1
    print(f"{len(expected['files'])} written annotation files read back identically by "
          f"wfdb-python {wfdb.__version__}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="?", help="the wfdb-python-sample-data directory")
    ap.add_argument("--out", default=os.path.join("fixtures", "golden", "wfdb"))
    ap.add_argument("--check-written", metavar="DIR")
    args = ap.parse_args()
    if args.check_written:
        return check_written(args.check_written)
    if not args.data:
        ap.error("give the sample data directory or --check-written DIR")
    generate(os.path.normpath(args.data), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
