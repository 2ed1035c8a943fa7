"""Cross-checks of the WFDB writer against wfdb-python (4.3.1), used by the test suite.

    python scripts/wfdb_write_check.py --check-ours DIR
        reads DIR/expected.json (written by the test) and every record it lists with
        `wfdb.rdrecord` (digital, each signal at its own rate): the samples must equal the
        raw little-endian int32 files beside them (`<record>.<signal>.i32`), and the header
        fields (format, samples per frame, gain, baseline, units, name, ADC resolution and
        zero, initial value, checksum, frequency, length, base time and date, comments) the
        expected ones; each checksum and initial value must also agree with the samples
        (the checks the WFDB library makes). Exits non-zero naming the first difference.

    python scripts/wfdb_write_check.py --write-theirs DIR RECORD...
        reads each RECORD with wfdb-python and writes it with `wfdb.wrsamp` in formats 16,
        212, 24, 32, 516 and 524 (those that hold its values), once from its digital
        samples with its gains and once from physical samples with the gains wrsamp
        chooses, into DIR; then reads each written record back with wfdb-python and
        stores what it read (samples as `<name>.<signal>.i32`, header fields in
        DIR/theirs.json) for the test to compare with this reader.
"""

import argparse
import json
import os
import sys

import numpy as np
import wfdb

FORMATS = ["16", "212", "24", "32", "516", "524"]
BITS = {"80": 8, "16": 16, "212": 12, "24": 24, "32": 32, "516": 16, "524": 24, "508": 8, "61": 16, "160": 16}


def fail(message):
    print(message)
    sys.exit(1)


def base_time_text(t):
    return None if t is None else t.strftime("%H:%M:%S.%f")


def read_digital(path):
    """The record with its digital samples (`e_d_signal`). wfdb-python 4.3.1 fails on the
    digital samples of format 61 (its big-endian dtype trips `convert_dtype`): those are
    recovered exactly from the physical values, (d - baseline) / gain in double precision
    for 16-bit d."""
    try:
        return wfdb.rdrecord(path, physical=False, smooth_frames=False)
    except ValueError:
        r = wfdb.rdrecord(path, physical=True, smooth_frames=False)
        if any(f != "61" for f in r.fmt):
            raise
        r.e_d_signal = [
            np.where(np.isnan(p), -32768, np.round(p * g + b)).astype(np.int64)
            for p, g, b in zip(r.e_p_signal, r.adc_gain, r.baseline)
        ]
        return r


def check_ours(directory):
    with open(os.path.join(directory, "expected.json")) as f:
        expected = json.load(f)
    for rec in expected["records"]:
        name = rec["name"]
        path = os.path.join(directory, name)
        r = read_digital(path)
        where = f"{name}:"
        for key, got in [
            ("fs", r.fs),
            ("sig_len", r.sig_len),
            ("n_sig", r.n_sig),
            ("comments", r.comments),
        ]:
            if got != rec[key]:
                fail(f"{where} {key} is {got!r}, expected {rec[key]!r}")
        if rec.get("base_time") is not None and base_time_text(r.base_time) != rec["base_time"]:
            fail(f"{where} base_time is {r.base_time}, expected {rec['base_time']}")
        if rec.get("base_date") is not None:
            got = None if r.base_date is None else r.base_date.strftime("%Y-%m-%d")
            if got != rec["base_date"]:
                fail(f"{where} base_date is {got}, expected {rec['base_date']}")
        for k, sig in enumerate(rec["signals"]):
            w = f"{name} signal {k}:"
            fields = {
                "fmt": r.fmt[k],
                "spf": r.samps_per_frame[k],
                "adc_gain": r.adc_gain[k],
                "baseline": r.baseline[k],
                "units": r.units[k],
                "sig_name": r.sig_name[k],
                "adc_res": r.adc_res[k],
                "adc_zero": r.adc_zero[k],
                "init_value": r.init_value[k],
                "checksum": r.checksum[k],
                "file_name": r.file_name[k],
            }
            for key, got in fields.items():
                if got != sig[key]:
                    fail(f"{w} {key} is {got!r}, expected {sig[key]!r}")
            want = np.fromfile(os.path.join(directory, f"{name}.{k}.i32"), dtype="<i4")
            d = np.asarray(r.e_d_signal[k], dtype=np.int64)
            if d.shape != want.shape:
                fail(f"{w} {d.size} samples read, {want.size} written")
            diff = np.flatnonzero(d != want)
            if diff.size:
                i = diff[0]
                fail(f"{w} sample {i} reads {d[i]}, {want[i]} was written ({diff.size} differ)")
            # The WFDB formats' own checks: the 16-bit checksum and the initial value.
            if (int(d.sum()) - sig["checksum"]) % 65536 != 0:
                fail(f"{w} checksum {sig['checksum']} disagrees with the samples ({int(d.sum()) % 65536})")
            if d.size and d[0] != sig["init_value"]:
                fail(f"{w} initial value {sig['init_value']} but the first sample is {d[0]}")
        print(f"{name}: {r.n_sig} signals x {r.sig_len} frames agree")
    return 0


def fits(r, fmt):
    """Whether every digital value of `r` fits `fmt` (the invalid value excepted)."""
    bits = BITS[fmt]
    lo, hi = -(2 ** (bits - 1)) + 1, 2 ** (bits - 1) - 1
    for k, d in enumerate(r.e_d_signal):
        nan = wfdb.io._signal.INVALID_SAMPLE_VALUE[r.fmt[k]] if r.fmt[k] in wfdb.io._signal.INVALID_SAMPLE_VALUE else None
        v = d[d != nan] if nan is not None else d
        if v.size and (v.min() < lo or v.max() > hi):
            return False
    return True


def dump(directory, name, out):
    """What wfdb-python reads back of the record it wrote."""
    r = wfdb.rdrecord(os.path.join(directory, name), physical=False, smooth_frames=False)
    for k, d in enumerate(r.e_d_signal):
        np.asarray(d, dtype="<i4").tofile(os.path.join(directory, f"{name}.{k}.i32"))
    out.append({
        "name": name,
        "fs": r.fs,
        "sig_len": r.sig_len,
        "signals": [
            {
                "fmt": r.fmt[k],
                "spf": r.samps_per_frame[k],
                # As text: JSON readers do not all parse floats to the nearest double.
                "adc_gain": repr(float(r.adc_gain[k])),
                "baseline": int(r.baseline[k]),
                "units": r.units[k],
                "sig_name": r.sig_name[k],
                "init_value": int(r.init_value[k]),
                "checksum": int(r.checksum[k]),
            }
            for k in range(r.n_sig)
        ],
    })


def write_theirs(directory, records):
    out = []
    for src in records:
        r = wfdb.rdrecord(src, physical=False, smooth_frames=False)
        base = os.path.basename(src)
        expanded = any(s != 1 for s in r.samps_per_frame)
        for fmt in FORMATS:
            if fmt in ("516", "524") and (r.n_sig > 8 or expanded):
                continue
            if not fits(r, fmt):
                continue
            name = f"{base}_{fmt}"
            # Invalid samples keep their meaning in the new format.
            e_d = []
            for k, d in enumerate(r.e_d_signal):
                d = np.asarray(d, dtype=np.int64).copy()
                d[d == wfdb.io._signal.INVALID_SAMPLE_VALUE[r.fmt[k]]] = wfdb.io._signal.INVALID_SAMPLE_VALUE[fmt]
                e_d.append(d)
            common = dict(
                record_name=name,
                fs=r.fs,
                units=r.units,
                sig_name=r.sig_name,
                fmt=[fmt] * r.n_sig,
                comments=r.comments,
                write_dir=directory,
            )
            if expanded:
                wfdb.wrsamp(e_d_signal=e_d, samps_per_frame=r.samps_per_frame, adc_gain=r.adc_gain,
                            baseline=r.baseline, **common)
            else:
                wfdb.wrsamp(d_signal=np.stack(e_d, axis=1), adc_gain=r.adc_gain, baseline=r.baseline, **common)
            dump(directory, name, out)
            if expanded:
                continue
            # From physical samples: wrsamp chooses the gains and baselines.
            p = wfdb.rdrecord(src, physical=True)
            common["record_name"] = name + "_p"
            wfdb.wrsamp(p_signal=p.p_signal, **common)
            dump(directory, name + "_p", out)
    with open(os.path.join(directory, "theirs.json"), "w") as f:
        json.dump({"records": out}, f)
    print(f"{len(out)} records written by wfdb-python {wfdb.__version__}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check-ours", metavar="DIR")
    ap.add_argument("--write-theirs", metavar="DIR")
    ap.add_argument("records", nargs="*")
    args = ap.parse_args()
    if args.check_ours:
        return check_ours(args.check_ours)
    if args.write_theirs:
        return write_theirs(args.write_theirs, args.records)
    ap.error("give --check-ours DIR or --write-theirs DIR RECORD...")


if __name__ == "__main__":
    sys.exit(main())
