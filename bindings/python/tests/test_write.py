"""Writing records and annotations from Python: read back exactly by this library and by
wfdb-python, in every format the issue names."""

import datetime

import numpy as np
import pytest

import haresnet
from conftest import FIXTURES

RECORD = FIXTURES / "201_0420_0540"

wfdb = pytest.importorskip("wfdb")


def digital_of(record_path):
    r = wfdb.rdrecord(str(record_path), physical=False)
    return r


@pytest.mark.parametrize("fmt", [16, 212, 24, 32, 516])
def test_record_write_copies_digital_values_exactly(tmp_path, fmt):
    out = tmp_path / f"r{fmt}"
    with haresnet.Record(RECORD) as rec:
        rec.write(out, fmt=fmt)
    src, got = digital_of(RECORD), digital_of(out)
    assert got.fmt == [str(fmt)] * 2
    np.testing.assert_array_equal(got.d_signal, src.d_signal)
    assert got.adc_gain == src.adc_gain and got.baseline == src.baseline
    assert got.sig_name == src.sig_name and got.comments == src.comments
    # The header's checksums and initial values agree with the samples.
    assert [int(c) % 65536 for c in got.checksum] == [int(s) % 65536 for s in got.d_signal.sum(axis=0)]
    assert list(got.init_value) == list(got.d_signal[0])


def test_record_write_cuts_and_rescales(tmp_path):
    out = tmp_path / "cut"
    with haresnet.Record(RECORD) as rec:
        rec.write(out, fmt=24, signals=["V1"], start=360, stop=3600)
        want = rec.read("V1", 360, 3600)
        with pytest.raises(haresnet.HaresnetError, match="rescal"):
            rec.write(tmp_path / "eight", fmt=80)
        rec.write(tmp_path / "eight", fmt=80, rescale=True)
    with haresnet.Record(out) as back:
        assert back.signal_names == ["V1"] and back.length == 3240
        np.testing.assert_array_equal(back.read(0), want)


@pytest.mark.parametrize("fmt", [16, 212, 24, 32, 516])
def test_write_record_from_physical_samples(tmp_path, fmt):
    t = np.arange(2000) / 250.0
    x = np.stack([np.sin(2 * np.pi * t), 0.3 * np.cos(7 * t) - 1.0], axis=1)
    x[5, 0] = np.nan
    out = tmp_path / f"p{fmt}"
    when = datetime.datetime(2025, 3, 4, 10, 20, 30)
    haresnet.write_record(out, 250, x, names=["I", "II"], units=["mV", "mmHg"], fmt=fmt,
                          comments=["from python"], base_datetime=when)
    r = wfdb.rdrecord(str(out))
    assert r.fs == 250 and r.sig_name == ["I", "II"] and r.units == ["mV", "mmHg"]
    assert r.comments == ["from python"]
    assert r.base_date == when.date() and r.base_time == when.time()
    assert np.isnan(r.p_signal[5, 0])
    ok = ~np.isnan(x)
    step = 0.5 / np.asarray(r.adc_gain)
    assert np.all(np.abs(r.p_signal - x)[ok] <= np.broadcast_to(step, x.shape)[ok] * (1 + 1e-9))
    # This library reads exactly what wfdb-python reads.
    with haresnet.Record(out) as back:
        for k in range(2):
            np.testing.assert_allclose(back.read(k), r.p_signal[:, k].astype(np.float32), rtol=0, atol=0)


def test_write_record_from_digital_samples_and_refusals(tmp_path):
    d = np.array([[0, 10], [-5, 2047], [-2048, 7]], dtype=np.int32)
    out = tmp_path / "d"
    haresnet.write_record(out, 360, digital=d, fmt=212, gain=[200, 100], baseline=[1024, 0])
    r = wfdb.rdrecord(str(out), physical=False)
    np.testing.assert_array_equal(r.d_signal[1:], d[1:])
    assert r.adc_gain == [200.0, 100.0] and r.baseline == [1024, 0]
    with pytest.raises(haresnet.HaresnetError, match="outside format 212"):
        haresnet.write_record(out, 360, digital=d + 1, fmt=212)
    with pytest.raises(haresnet.HaresnetError, match="format 8 cannot be written"):
        haresnet.write_record(out, 360, d.astype(float), fmt=8)
    with pytest.raises(ValueError, match="not both"):
        haresnet.write_record(out, 360, d, digital=d)


def test_annotations_written_read_back_by_both(tmp_path):
    src = haresnet.read_annotations(RECORD, "atr")
    path = tmp_path / "201"
    haresnet.write_annotations(
        path, "atr", 360,
        [a.sample for a in src], [a.symbol for a in src],
        subtype=[a.subtype for a in src], chan=[a.chan for a in src],
        num=[a.num for a in src], aux=[a.aux for a in src],
    )
    back = haresnet.read_annotations(path, "atr")
    assert back == src
    ann = wfdb.rdann(str(path), "atr")
    assert list(ann.sample) == [a.sample for a in src]
    assert ann.symbol == [a.symbol for a in src]
    assert [a.rstrip("\0") for a in ann.aux_note] == [a.aux for a in src]
    assert ann.fs == 360
    with pytest.raises(haresnet.HaresnetError, match="not an annotation symbol"):
        haresnet.write_annotations(path, "b", 360, [1], ["NN"])
    with pytest.raises(haresnet.HaresnetError, match="before the previous"):
        haresnet.write_annotations(path, "b", 360, [5, 1], ["N", "V"])
