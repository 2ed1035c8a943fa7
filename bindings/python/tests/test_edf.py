"""EDF+ files read through the binding (the C ABI's record and annotation readers)
against pyEDFlib's own reader, an independent one, and against the WFDB originals."""

import numpy as np
import pytest

import haresnet

from conftest import FIXTURES, need

EDF = FIXTURES.parent / "edf"


def pyedflib_or_skip():
    try:
        import pyedflib
    except ImportError:
        need(False, "pyEDFlib is not installed (scripts/setup installs it)")
    return pyedflib


@pytest.mark.parametrize("name", ["100_0000_0060", "201_0420_0540"])
def test_samples_equal_pyedflibs(name):
    pyedflib = pyedflib_or_skip()
    path = EDF / f"{name}.edf"
    with pyedflib.EdfReader(str(path)) as f, haresnet.Record(path) as r:
        assert r.signal_names == f.getSignalLabels()
        assert r.fs == f.getSampleFrequency(0)
        for i in range(f.signals_in_file):
            theirs = f.readSignal(i)  # physical, float64
            ours = r.read(i)
            assert len(ours) == len(theirs) == r.length
            # Ours is float32: equal to float32 rounding of the same scaling.
            np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


def test_samples_equal_the_wfdb_record_within_a_step():
    with haresnet.Record(EDF / "100_0000_0060.edf") as e, haresnet.Record(FIXTURES / "100_0000_0060") as w:
        assert e.length == w.length
        for s in ("MLII", "V5"):
            # -10..10 mV on 16 bits: one step is 20/65535 mV.
            assert np.max(np.abs(e.read(s) - w.read(s))) <= 20 / 65535 * 1.001


def test_annotations_equal_pyedflibs_and_the_reference():
    pyedflib = pyedflib_or_skip()
    path = EDF / "201_0420_0540.edf"
    ours = haresnet.read_annotations(path, "edf")
    with pyedflib.EdfReader(str(path)) as f:
        onsets, _, texts = f.readAnnotations()
    assert len(ours) == len(onsets)
    for a, onset, text in zip(ours, onsets, texts):
        assert a.sample == round(onset * 360)
        assert (a.aux if a.symbol == "+" else a.symbol) == text
    atr = haresnet.read_annotations(FIXTURES / "201_0420_0540", "atr")
    assert [(a.sample, a.symbol) for a in ours] == [(a.sample, a.symbol) for a in atr]


def test_discontinuous_file_is_refused(tmp_path):
    data = bytearray((EDF / "100_0000_0060.edf").read_bytes())
    data[192:197] = b"EDF+D"
    bad = tmp_path / "d.edf"
    bad.write_bytes(bytes(data))
    with pytest.raises(haresnet.HaresnetError, match="discontinuous"):
        haresnet.Record(bad)
