"""The Python binding on the fixture records: it classifies exactly as the `haresnet
classify` command does, reads records and annotations, and raises the library's errors."""

import csv
import ctypes
import io
import json
import re
import subprocess

import warnings

import numpy as np
import pytest

import haresnet
from conftest import FIXTURES, ROOT
from haresnet import _lib

RECORD = FIXTURES / "201_0420_0540"


def cli_rows(cli, weights_arg, record):
    out = subprocess.run(
        [cli, "classify", "--weights", weights_arg, "--no-annotations", "--quiet", str(record)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out


def as_csv(name, results, labels, fs, segment_len):
    """The rows `haresnet classify` writes, from the binding's results."""
    out = io.StringIO()
    out.write("record,start_s,end_s,status,label,heart_rate_bpm," + ",".join("p_" + l for l in labels) + ",quality\n")
    rows = zip(results.starts, results.labels, results.probabilities, results.heart_rates, results.status_names, results.qualities)
    for start, label, p, hr, status, quality in rows:
        classified = label >= 0
        row = [
            name,
            f"{start / fs:.3f}",
            f"{(start + segment_len) / fs:.3f}",
            status,
            labels[label] if classified else "",
            "" if np.isnan(hr) else f"{float(hr):.1f}",
        ]
        row += [f"{float(v):.6f}" for v in p] if classified else [""] * len(labels)
        row.append("" if np.isnan(quality) else f"{float(quality):.3f}")
        out.write(",".join(row) + "\n")
    return out.getvalue()


def test_record_classification_matches_the_cli_exactly(weights, cli):
    kwargs, weights_arg = weights
    with haresnet.Model(**kwargs) as model, haresnet.Record(RECORD) as record:
        results = record.classify(model)
        assert results.probabilities.shape == (24, len(model.labels))
        assert np.allclose(results.probabilities.sum(axis=1), 1.0, atol=1e-5)
        assert (results.labels == results.probabilities.argmax(axis=1)).all()
        ours = as_csv(RECORD.name, results, model.labels, record.fs, model.segment_len(record.fs))
    assert ours == cli_rows(cli, weights_arg, RECORD)


def test_array_classification_equals_record_classification(weights):
    kwargs, _ = weights
    with haresnet.Model(**kwargs) as model, haresnet.Record(RECORD) as record:
        assert record.signal_names == ["MLII", "V1"]
        assert record.fs == 360.0 and record.length == 43200
        x = record.read("MLII")
        assert x.dtype == np.float32 and x.shape == (43200,)
        assert np.array_equal(x[:1000], record.read(0, 0, 1000))
        a = model.classify(x, record.fs)
        b = record.classify(model)
        for u, v in zip(a, b):
            assert np.array_equal(u, v)
        hopped = model.classify(x, record.fs, hop_seconds=2.5)
        assert len(hopped.starts) == 47 and hopped.starts[2] == 1800
        for u, v in zip(hopped, record.classify(model, hop_seconds=2.5)):
            assert np.array_equal(u, v)


def test_smoothing_half_life_is_the_weights_own_unless_given(weights):
    kwargs, _ = weights
    with haresnet.Model(**kwargs) as model, haresnet.Record(RECORD) as record:
        x = record.read("MLII")
        default = model.classify(x, record.fs)
        off = model.classify(x, record.fs, smoothing_half_life=0)
        smoothed = model.classify(x, record.fs, smoothing_half_life=5)
        # The first segment has no past to blend with; later ones do.
        assert np.array_equal(off.probabilities[0], smoothed.probabilities[0])
        assert not np.array_equal(off.probabilities, smoothed.probabilities)
        if not kwargs:  # the embedded 5 s weights smooth with their own 5 s half-life
            assert np.array_equal(off.probabilities[0], default.probabilities[0])
            assert not np.array_equal(off.probabilities, default.probabilities)
            for u, v in zip(smoothed, default):
                assert np.array_equal(u, v)
        for u, v in zip(off, record.classify(model, smoothing_half_life=0)):
            assert np.array_equal(u, v)
        with pytest.raises(haresnet.HaresnetError, match="half-life"):
            model.classify(x, record.fs, smoothing_half_life=float("nan"))
        with pytest.raises(ValueError, match="smoothing_half_life"):
            record.classify(model, smoothing_half_life=-1)


def test_card_describes_the_loaded_weights(weights):
    kwargs, _ = weights
    with haresnet.Model(**kwargs) as model:
        card = model.card
        assert card["labels"] == model.labels
        assert card["preprocess"]["segment_seconds"] == model.segment_seconds
        assert card["preprocess"]["model_rate_hz"] == model.model_rate
        if not kwargs:  # the embedded 5 s weights of set "all", as shipped
            assert card["name"] == "rhythm-5s-all"
            assert card["postprocess"]["smoothing_half_life_seconds"] == 5
            assert card["training"]["command"].startswith("haresnet ")
            shipped = ROOT / "plugin" / "weights" / "rhythm-5s-all.json"
            assert card == json.loads(shipped.read_text(encoding="utf-8"))
        assert model.card is not card  # a fresh dict: changing one changes nothing
    with pytest.raises(haresnet.HaresnetError, match="model is NULL"):
        model.card


def test_summary_matches_the_report(weights, cli, tmp_path):
    kwargs, weights_arg = weights
    subprocess.run(
        [cli, "report", "--weights", weights_arg, "--out", str(tmp_path), str(RECORD)],
        check=True,
        capture_output=True,
    )
    report = json.loads((tmp_path / f"{RECORD.name}.json").read_text())["summary"]
    with haresnet.Model(**kwargs) as model, haresnet.Record(RECORD) as record:
        results = record.classify(model)
        summary = model.summarize(results, record.fs, record.length)
        assert list(summary.class_seconds) == model.labels
        assert sum(summary.class_seconds.values()) == pytest.approx(summary.analysed_seconds)
        assert summary.analysed_seconds == pytest.approx(120.0)
        assert summary.analysed_seconds == pytest.approx(report["analysed_s"])
        assert summary.af_burden_percent == pytest.approx(report["af_burden_percent"])
        for c in report["classes"]:
            assert summary.class_seconds[c["label"]] == pytest.approx(c["seconds"])
        # The same episodes (one rule) and burden per hour as the report's.
        assert [(e.label, e.start / record.fs, e.end / record.fs) for e in summary.episodes] == [
            (e["label"], pytest.approx(e["start_s"]), pytest.approx(e["end_s"])) for e in report["episodes"]
        ]
        assert summary.episodes and all(e.label != "N" for e in summary.episodes)
        assert summary.af_burden_per_hour.tolist() == pytest.approx(
            [h["percent"] for h in report["af_burden_per_hour"]]
        )
        # Unanalysed segments and a signal longer than the segments reach count as such.
        results.labels[:2] = -1
        partial = model.summarize(results, record.fs, record.length + 3600)
        assert partial.analysed_seconds == pytest.approx(110.0)
        # An hour more of signal is a second hour's bin, with nothing classified in it.
        longer = model.summarize(results, record.fs, record.length + int(3600 * record.fs))
        assert len(longer.af_burden_per_hour) == 2 and np.isnan(longer.af_burden_per_hour[1])
        with pytest.raises(haresnet.HaresnetError, match="past the signal"):
            model.summarize(results, record.fs, 1000)


def test_errors_carry_the_library_message(weights):
    kwargs, _ = weights
    with pytest.raises(haresnet.HaresnetError) as e:
        haresnet.Record(FIXTURES / "no_such_record")
    assert "no_such_record.hea" in str(e.value) and e.value.status_name
    with haresnet.Model(**kwargs) as model:
        x = np.zeros(5000, np.float32)
        x[10] = np.nan
        with pytest.raises(haresnet.HaresnetError, match="NaN"):
            model.classify(x, 360.0, skip_invalid=False)
        # NaN is skipped by default, as Record.classify skips it.
        skipped = model.classify(x, 360.0)
        assert skipped.labels[0] == -1 and np.isnan(skipped.probabilities[0]).all()
        # Shorter than half a segment: one row saying so; nothing at all is an error.
        assert model.classify(np.zeros(10, np.float32), 360.0).status_names == ["too_short"]
        with pytest.raises(haresnet.HaresnetError, match="empty"):
            model.classify(np.zeros(0, np.float32), 360.0)
    with haresnet.Record(RECORD) as record, pytest.raises(haresnet.HaresnetError) as e:
        record.find_signal("V5")
    assert e.value.status_name


def test_annotations_read_back():
    anns = haresnet.read_annotations(RECORD, "atr")
    rhythms = [(a.sample, a.aux) for a in anns if a.symbol == "+"]
    assert rhythms and all(aux.startswith("(") for _, aux in rhythms)
    assert [a.sample for a in anns] == sorted(a.sample for a in anns)


def test_options_structures_follow_the_header():
    code = re.sub(r"/\*.*?\*/", "", (ROOT / "include" / "haresnet.h").read_text(encoding="utf-8"), flags=re.S)
    c_names = {ctypes.c_uint32: "uint32_t", ctypes.c_int32: "int32_t", ctypes.c_double: "double", ctypes.c_float: "float"}

    def declared(name, t):
        # A pointer field reads `int32_t *name` in the header.
        if hasattr(t, "_type_") and t.__name__.startswith("LP_"):
            return [c_names[t._type_], "*" + name]
        return [c_names[t], name]

    structures = {"haresnet_model_options": _lib.ModelOptions, "haresnet_classify_options": _lib.ClassifyOptions}
    for name, structure in structures.items():
        body = re.search(rf"typedef struct {name} \{{(.*?)\}} {name};", code, re.S).group(1)
        fields = [f.split() for f in body.split(";") if f.strip()]
        assert [declared(n, t) for n, t in structure._fields_] == fields


def test_version_and_abi():
    assert haresnet.version().count(".") == 2


def test_arguments_are_checked_before_the_library(weights):
    kwargs, _ = weights
    with haresnet.Model(**kwargs) as model, haresnet.Record(RECORD) as record:
        x = record.read("MLII")
        for fs in (None, "360", float("nan"), -1.0, True):
            with pytest.raises(ValueError, match="fs must be a positive number"):
                model.classify(x, fs)
        with pytest.raises(TypeError, match="real numbers"):
            model.classify(x.astype(np.complex64), record.fs)
        # Raw ADC units (200 adu/mV) and volts are accepted with a warning; mV without one.
        with pytest.warns(UserWarning, match="raw ADC units"):
            model.classify(x * 200, record.fs)
        with pytest.warns(UserWarning, match="volts"):
            model.classify(x / 1000, record.fs)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = model.classify(x, record.fs)
        pd = pytest.importorskip("pandas")
        frame = result.to_pandas(model.labels, record.fs)
        assert isinstance(frame, pd.DataFrame) and len(frame) == len(result.starts)
        assert list(frame.columns[:4]) == ["start", "start_s", "label", "heart_rate_bpm"]
        assert frame["label"].iloc[0] == model.labels[result.labels[0]]


def test_statuses_and_qualities_come_with_every_segment(weights):
    kwargs, _ = weights
    with haresnet.Model(**kwargs) as model:
        fs = 360.0
        x = haresnet.Record(RECORD).read("MLII")
        # 30 s of the record and 2 s more: the rows of the segments, then the tail's.
        n = int(32 * fs)
        r = model.classify(x[:n], fs)
        segment = model.segment_len(fs)
        assert len(r.statuses) == len(r.qualities) == n // segment + 1
        assert r.status_names[:-1] == ["classified"] * (n // segment)
        assert ((r.qualities[:-1] > 0.5) & (r.qualities[:-1] <= 1)).all()
        # 2 s after six 5 s segments: less than half a segment.
        assert r.status_names[-1] == "too_short" and r.labels[-1] == -1
        # Noise alone is too noisy to read, unless asked.
        rng = np.random.default_rng(1)
        noise = rng.normal(0, 0.5, int(10 * fs)).astype(np.float32)
        flagged = model.classify(noise, fs)
        assert flagged.status_names == ["noisy", "noisy"] and (flagged.labels == -1).all()
        forced = model.classify(noise, fs, classify_noisy=True)
        assert forced.status_names == ["classified", "classified"] and (forced.labels >= 0).all()
        assert np.allclose(forced.qualities, flagged.qualities)
        frame = r.to_pandas(model.labels, fs)
        assert list(frame["status"])[-1] == "too_short"
