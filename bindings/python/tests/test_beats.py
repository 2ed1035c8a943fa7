"""The QRS detector through the binding: the R peaks `haresnet beats` writes, found in
numpy arrays, and its errors."""

import subprocess

import numpy as np
import pytest

import haresnet
from conftest import FIXTURES

RECORD = FIXTURES / "100_0000_0060"
#: The beat symbols of WFDB (`isqrs`).
BEATS = set("NLRBAaJSVrFejnE/fQ?")


def mlii(path):
    with haresnet.Record(path) as record:
        return record.read("MLII"), record.fs


def test_peaks_are_the_reference_beats():
    x, fs = mlii(RECORD)
    peaks = haresnet.detect_r_peaks(x, fs)
    assert peaks.dtype == np.int64
    assert (np.diff(peaks) > 0).all()
    reference = np.array([a.sample for a in haresnet.read_annotations(RECORD, "atr") if a.symbol in BEATS])
    assert len(peaks) == len(reference)
    # Every beat within 150 ms (the EC57 match window) of its reference.
    assert np.abs(peaks - reference).max() <= 0.150 * fs


def test_peaks_are_what_the_cli_writes(cli, tmp_path):
    subprocess.run([cli, "beats", "--quiet", "--out", str(tmp_path), str(RECORD)], check=True)
    written = [a for a in haresnet.read_annotations(tmp_path / RECORD.name, "qrs")]
    assert {a.symbol for a in written} == {"N"}
    x, fs = mlii(RECORD)
    assert [a.sample for a in written] == haresnet.detect_r_peaks(x, fs).tolist()


def test_gaps_lists_and_rates():
    x, fs = mlii(RECORD)
    whole = haresnet.detect_r_peaks(x, fs)
    # A list of floats is accepted; a gap of NaN holds no peak and leaves the others.
    assert haresnet.detect_r_peaks(x.tolist(), fs).tolist() == whole.tolist()
    gap = x.copy()
    gap[int(20 * fs) : int(25 * fs)] = np.nan
    peaks = haresnet.detect_r_peaks(gap, fs)
    assert not ((peaks >= 20 * fs) & (peaks < 25 * fs)).any()
    far = (whole < 15 * fs) | (whole >= 30 * fs)
    assert set(whole[far].tolist()) <= set(peaks.tolist())
    assert haresnet.detect_r_peaks(np.zeros(0, np.float32), fs).size == 0
    assert haresnet.detect_r_peaks(np.zeros(5000, np.float32), fs).size == 0


def test_errors():
    x, _ = mlii(RECORD)
    with pytest.raises(haresnet.HaresnetError) as e:
        haresnet.detect_r_peaks(x, 50.0)
    assert e.value.status_name == "HARESNET_STATUS_INVALID_ARGUMENT"
    assert "sampling rate" in str(e.value)
    with pytest.raises(ValueError):
        haresnet.detect_r_peaks(np.zeros((2, 100)), 360.0)
    with pytest.raises(ValueError):
        haresnet.detect_r_peaks(x, 0.0)
