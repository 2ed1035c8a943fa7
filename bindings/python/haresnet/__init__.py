"""haresnet: ECG rhythm classification (HA-ResNet) and WFDB reading, over the haresnet
shared library's C ABI.

    import haresnet
    model = haresnet.Model()                      # embedded weights, 5 s segments
    with haresnet.Record("mitdb/201") as record:
        result = record.classify(model)           # the MLII lead
    print(model.labels[result.labels[0]], result.probabilities[0])

Numbers come back as numpy arrays; failures raise :class:`HaresnetError` carrying the
library's status and message.
"""

import ctypes
import json
import math
import numbers
import os
import warnings
from collections import namedtuple
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union
from ctypes import POINTER, byref, c_double, c_float, c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p

import numpy as np
from numpy.typing import ArrayLike

from . import _lib
from ._lib import lib

if TYPE_CHECKING:
    import pandas

__all__ = [
    "HaresnetError",
    "Model",
    "Record",
    "Results",
    "Summary",
    "Episode",
    "version",
    "library_path",
    "read_annotations",
    "detect_r_peaks",
]


class HaresnetError(Exception):
    """A failed call: `status` is the library's status code (`HARESNET_STATUS_*`),
    `status_name` its name, and the message the library's `haresnet_last_error`."""

    def __init__(self, status, message):
        self.status = status
        self.status_name = lib.haresnet_status_str(status).decode()
        self._message = message
        super().__init__(f"{message} [{self.status_name}]" if message else self.status_name)

    def __reduce__(self):
        # Pickled with its own arguments, so that it crosses processes (a Dask worker's
        # error reaches the client as itself).
        return type(self), (self.status, self._message)


def _last_error():
    n = c_size_t()
    lib.haresnet_last_error(None, 0, byref(n))
    buf = ctypes.create_string_buffer(n.value + 1)
    lib.haresnet_last_error(buf, len(buf), byref(n))
    return buf.value.decode("utf-8", "replace")


def _check(status):
    if status != _lib.STATUS_OK:
        raise HaresnetError(status, _last_error())


def _string(f, *args):
    """A string from a `(buf, cap, *out_len)` function: size query, then the copy."""
    n = c_size_t()
    status = f(*args, None, 0, byref(n))
    if status not in (_lib.STATUS_OK, _lib.STATUS_BUFFER_TOO_SMALL):
        _check(status)
    buf = ctypes.create_string_buffer(n.value + 1)
    _check(f(*args, buf, len(buf), byref(n)))
    return buf.value.decode("utf-8", "replace")


def _ptr(array, ctype):
    return array.ctypes.data_as(POINTER(ctype))


def version() -> str:
    """The library's version, `"MAJOR.MINOR.PATCH"`."""
    return lib.haresnet_version().decode()


def library_path() -> str:
    """The absolute path of the shared library in use: `HARESNET_LIB` when set, else the
    copy bundled in the package (an installed wheel), else the workspace's build."""
    return _lib.path


if lib.haresnet_abi_version() >> 16 != _lib.ABI_MAJOR:
    raise ImportError(
        f"the haresnet library has ABI {lib.haresnet_abi_version() >> 16}.x; these bindings "
        f"are written for ABI {_lib.ABI_MAJOR}.x"
    )

class Results(namedtuple("Results", "starts labels probabilities heart_rates statuses qualities")):
    """Per-segment results: `starts` (int64, first sample of each segment), `labels` (int32,
    class index, -1 when not classified), `probabilities` (float32, segments × classes,
    NaN when not classified), `heart_rates` (float32 bpm, NaN when unknown), `statuses`
    (int32, the `HARESNET_SEGMENT_*` code of each segment: see :attr:`status_names`) and
    `qualities` (float32, the signal quality in [0, 1], 1 clean, NaN when not judged)."""

    __slots__ = ()

    @property
    def status_names(self) -> List[str]:
        """Each segment's status as the CLI's CSV writes it: `classified`, `flat`,
        `invalid_samples`, `noisy` (too noisy to read) or `too_short`."""
        names = _lib.SEGMENT_STATUS_NAMES
        return [names[s] if 0 <= s < len(names) else "unknown" for s in self.statuses]

    def to_pandas(self, labels: Sequence[str], fs: Optional[float] = None) -> "pandas.DataFrame":
        """The results as a pandas DataFrame, one row a segment: `start` (sample), `start_s`
        (when `fs` is given), `label` (the class name of `labels`, e.g. `model.labels`;
        None when not analysable), `heart_rate_bpm` and a `p_<class>` column per class.
        Needs pandas."""
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("Results.to_pandas needs pandas (pip install pandas)") from e
        columns = {"start": self.starts}
        if fs is not None:
            columns["start_s"] = self.starts / float(fs)
        columns["label"] = [labels[i] if i >= 0 else None for i in self.labels]
        columns["heart_rate_bpm"] = self.heart_rates
        for k, name in enumerate(labels):
            columns[f"p_{name}"] = self.probabilities[:, k]
        columns["status"] = self.status_names
        columns["quality"] = self.qualities
        return pd.DataFrame(columns)


#: Largest typical amplitude (mV) of an ECG lead in millivolts: beyond it the samples are
#: likely raw ADC units or microvolts.
_MAX_PLAUSIBLE_MV = 50.0
#: Smallest: below it they are likely volts.
_MIN_PLAUSIBLE_MV = 0.02


def _signal(samples, fs):
    """`samples` as a contiguous float32 vector and `fs` as a float, checked: a clear error
    for a wrong type or rate, and a warning when the amplitudes are implausible for mV."""
    if isinstance(fs, bool) or not isinstance(fs, numbers.Real) or not math.isfinite(fs) or fs <= 0:
        raise ValueError(f"fs must be a positive number of hertz, got {fs!r}")
    x = np.asarray(samples)
    if x.dtype.kind not in "fiu":
        raise TypeError(f"samples must be real numbers (mV), got dtype {x.dtype}")
    if x.ndim != 1:
        raise ValueError(f"samples must be one-dimensional, got shape {x.shape}")
    x = np.ascontiguousarray(x, dtype=np.float32)
    finite = x[np.isfinite(x)]
    if finite.size:
        # The spread of the bulk of the samples, so that a few spikes do not decide.
        lo, hi = np.percentile(finite, [1, 99])
        spread = float(hi - lo)
        if spread > _MAX_PLAUSIBLE_MV:
            warnings.warn(
                f"samples span {spread:.4g} (1st to 99th percentile): the model expects "
                "millivolts; are these raw ADC units or microvolts?",
                stacklevel=3,
            )
        elif 0 < spread < _MIN_PLAUSIBLE_MV:
            warnings.warn(
                f"samples span {spread:.4g} (1st to 99th percentile): the model expects "
                "millivolts; are these volts?",
                stacklevel=3,
            )
    return x, float(fs)

#: What a classification amounts to: `class_seconds` (dict, class name to seconds),
#: `analysed_seconds`, `af_burden_percent` (share of the analysed time in AFIB or AFL; NaN
#: when nothing was analysed).
#: What :meth:`Model.summarize` returns: seconds per class, seconds classified, the AF
#: burden in percent (NaN when nothing was classified), the rhythm episodes (:data:`Episode`,
#: by the rule ``haresnet report`` states) and the AF burden of each hour from the start
#: (a float64 array, NaN for an hour with nothing classified).
Summary = namedtuple(
    "Summary", "class_seconds analysed_seconds af_burden_percent episodes af_burden_per_hour"
)
#: A rhythm episode: its class name and its first and one-past-last sample.
Episode = namedtuple("Episode", "label start end")


def _classify_options(hop_seconds, skip_invalid, smoothing_half_life, classify_noisy=False, offline=False):
    o = _lib.ClassifyOptions()
    _check(lib.haresnet_classify_options_init(byref(o), ctypes.sizeof(o)))
    o.classify_noisy = int(bool(classify_noisy))
    o.offline = int(bool(offline))
    if hop_seconds is not None:
        o.hop_seconds = float(hop_seconds)
    if smoothing_half_life is not None:
        # Negative means "the weights' own" in C; here that is None, so refuse it.
        if smoothing_half_life < 0:
            raise ValueError(f"smoothing_half_life must be >= 0 or None, got {smoothing_half_life}")
        o.smoothing_half_life_seconds = float(smoothing_half_life)
    if skip_invalid is not None:
        o.invalid_samples = _lib.INVALID_SAMPLES_SKIP if skip_invalid else _lib.INVALID_SAMPLES_REFUSE
    return o


def _fill(f, count, classes, opts):
    """Calls a classify function `f(starts, labels, probabilities, heart_rates, cap, out)`
    with arrays for `count` segments (the statuses and qualities through `opts`)."""
    starts = np.empty(count, np.int64)
    labels = np.empty(count, np.int32)
    probabilities = np.empty((count, classes), np.float32)
    heart_rates = np.empty(count, np.float32)
    statuses = np.empty(count, np.int32)
    qualities = np.empty(count, np.float32)
    opts.statuses = _ptr(statuses, c_int32)
    opts.qualities = _ptr(qualities, c_float)
    n = c_size_t()
    _check(
        f(
            _ptr(starts, c_int64),
            _ptr(labels, c_int32),
            _ptr(probabilities, c_float),
            _ptr(heart_rates, c_float),
            count,
            byref(n),
        )
    )
    k = n.value
    return Results(starts[:k], labels[:k], probabilities[:k], heart_rates[:k], statuses[:k], qualities[:k])


class _Handle:
    _free = None

    def __init__(self):
        self._handle = c_void_p()

    def close(self):
        """Frees the handle now (otherwise when the object is collected)."""
        if self._handle:
            type(self)._free(self._handle)
            self._handle = c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class Model(_Handle):
    """A trained classifier: the embedded weights for `segment_seconds` (2, 5 or 10) from
    weight set `weights` (`"all"` or `"ds1"`), or a weights file given as `path`. A model
    may be used by many threads at once."""

    _free = lib.haresnet_model_free

    def __init__(
        self,
        segment_seconds: int = 5,
        weights: str = "all",
        path: Union[str, os.PathLike, None] = None,
        threads: int = 0,
    ) -> None:
        super().__init__()
        opts = _lib.ModelOptions()
        _check(lib.haresnet_model_options_init(byref(opts), ctypes.sizeof(opts)))
        opts.threads = threads
        if path is not None:
            _check(lib.haresnet_model_load_file(str(path).encode(), byref(opts), byref(self._handle)))
        else:
            _check(
                lib.haresnet_model_load_embedded(segment_seconds, weights.encode(), byref(opts), byref(self._handle))
            )
        n = c_uint32()
        _check(lib.haresnet_model_num_classes(self._handle, byref(n)))
        #: Class names, in the order of the probability columns.
        self.labels = [_string(lib.haresnet_model_class_name, self._handle, i) for i in range(n.value)]
        value = c_double()
        _check(lib.haresnet_model_segment_seconds(self._handle, byref(value)))
        #: Segment length, seconds.
        self.segment_seconds = value.value
        _check(lib.haresnet_model_rate(self._handle, byref(value)))
        #: The rate the network works at (Hz); input at any rate >= 100 Hz is resampled.
        self.model_rate = value.value

    @property
    def card(self) -> Dict[str, Any]:
        """The model card of the loaded weights, as a dict (the schema of the `.json` files
        in `plugin/weights/`): `name`, `weight_set`, `labels`, `preprocess`, `network`,
        `postprocess` (`smoothing_half_life_seconds`), `training` (provenance, with the
        exact `command`) and `metrics` (measured results). A new dict on each access."""
        return json.loads(_string(lib.haresnet_model_card_json, self._handle))

    def segment_len(self, fs: float) -> int:
        """Samples in one segment at input rate `fs`."""
        n = c_size_t()
        _check(lib.haresnet_model_segment_len(self._handle, fs, byref(n)))
        return n.value

    def classify(
        self,
        samples: ArrayLike,
        fs: float,
        hop_seconds: Optional[float] = None,
        skip_invalid: bool = True,
        smoothing_half_life: Optional[float] = None,
        classify_noisy: bool = False,
        offline: bool = False,
    ) -> Results:
        """Classifies one lead (mV, any rate >= 100 Hz) cut into segments: consecutive, or
        `hop_seconds` apart, then one row for what remains after the last complete segment
        (its last segment-long window, a short segment when the whole signal is shorter
        than one, or status `too_short` below half a segment). Segments holding NaN
        samples (leads off) are left unclassified, as :meth:`Record.classify` leaves them;
        `skip_invalid=False` refuses NaN instead. Segments too noisy to read get status
        `noisy` and no label unless `classify_noisy`. `offline` lets a segment in the first
        seconds use the rhythm after it as well. Consecutive segments' probabilities are
        smoothed with a half-life of `smoothing_half_life` seconds: None for the weights'
        own, 0 for none. A warning says when the amplitudes look like raw ADC units or
        volts rather than mV. Returns :data:`Results`."""
        x, fs = _signal(samples, fs)
        opts = _classify_options(hop_seconds, skip_invalid, smoothing_half_life, classify_noisy, offline)
        count = c_size_t()
        _check(lib.haresnet_model_segment_count(self._handle, x.size, fs, byref(opts), byref(count)))
        return _fill(
            lambda *out: lib.haresnet_model_classify(self._handle, _ptr(x, c_float), x.size, fs, byref(opts), *out),
            count.value,
            len(self.labels),
            opts,
        )

    def summarize(self, results: Results, fs: float, total: int) -> "Summary":
        """Time in each rhythm, AF burden (overall and per hour) and rhythm episodes of
        `results` (:data:`Results` of this model) from a signal of `total` samples at `fs`,
        as `haresnet report` computes them.
        Returns :data:`Summary`."""
        starts = np.ascontiguousarray(results.starts, dtype=np.int64)
        labels = np.ascontiguousarray(results.labels, dtype=np.int32)
        if starts.shape != labels.shape or starts.ndim != 1:
            raise ValueError(f"starts {starts.shape} and labels {labels.shape} must be equal-length vectors")
        seconds = np.empty(len(self.labels), np.float64)
        analysed = c_double()
        burden = c_double()
        _check(
            lib.haresnet_summarize(
                self._handle,
                fs,
                total,
                _ptr(starts, c_int64),
                _ptr(labels, c_int32),
                starts.size,
                _ptr(seconds, c_double),
                seconds.size,
                byref(analysed),
                byref(burden),
            )
        )
        args = (self._handle, fs, total, _ptr(starts, c_int64), _ptr(labels, c_int32), starts.size)
        n = c_size_t()
        # Asked once for the size, then filled.
        status = lib.haresnet_summarize_episodes(*args, None, None, None, 0, byref(n))
        if status != 0 and n.value == 0:
            _check(status)
        first = np.empty(n.value, np.int64)
        last = np.empty(n.value, np.int64)
        classes = np.empty(n.value, np.int32)
        _check(
            lib.haresnet_summarize_episodes(
                *args, _ptr(first, c_int64), _ptr(last, c_int64), _ptr(classes, c_int32), n.value, byref(n)
            )
        )
        episodes = [Episode(self.labels[c], int(a), int(b)) for a, b, c in zip(first, last, classes)]
        status = lib.haresnet_summarize_burden_per_hour(*args, None, 0, byref(n))
        if status != 0 and n.value == 0:
            _check(status)
        hours = np.empty(n.value, np.float64)
        _check(lib.haresnet_summarize_burden_per_hour(*args, _ptr(hours, c_double), n.value, byref(n)))
        return Summary(dict(zip(self.labels, seconds.tolist())), analysed.value, burden.value, episodes, hours)


class Record(_Handle):
    """An opened WFDB record (`path` with or without `.hea`). Used by one thread at a time."""

    _free = lib.haresnet_record_free

    def __init__(self, path: Union[str, os.PathLike]) -> None:
        super().__init__()
        _check(lib.haresnet_record_open(str(path).encode(), byref(self._handle)))
        value = c_double()
        _check(lib.haresnet_record_fs(self._handle, byref(value)))
        #: Sampling frequency, frames per second.
        self.fs = value.value
        length = c_uint64()
        _check(lib.haresnet_record_length(self._handle, byref(length)))
        #: Frames in the record.
        self.length = length.value
        n = c_uint32()
        _check(lib.haresnet_record_num_signals(self._handle, byref(n)))
        #: Signal names, in signal order.
        self.signal_names = [_string(lib.haresnet_record_signal_name, self._handle, i) for i in range(n.value)]

    def find_signal(self, name: str) -> int:
        """Index of the first signal named `name`; raises :class:`HaresnetError` if none."""
        index = c_uint32()
        _check(lib.haresnet_record_find_signal(self._handle, name.encode(), byref(index)))
        return index.value

    def read(self, signal: Union[int, str], start: int = 0, stop: Optional[int] = None) -> np.ndarray:
        """Physical samples (mV) of `signal` (index or name) over frames `[start, stop)`,
        float32, NaN where invalid."""
        channel = self.find_signal(signal) if isinstance(signal, str) else int(signal)
        stop = self.length if stop is None else stop
        cap = max(stop - start, 0)
        out = np.empty(cap, np.float32)
        n = c_size_t()
        status = lib.haresnet_record_read(self._handle, channel, start, stop, _ptr(out, c_float), cap, byref(n))
        if status == _lib.STATUS_BUFFER_TOO_SMALL:
            # Several samples per frame: the library said how many.
            out = np.empty(n.value, np.float32)
            status = lib.haresnet_record_read(self._handle, channel, start, stop, _ptr(out, c_float), n.value, byref(n))
        _check(status)
        return out[: n.value]

    def write(
        self,
        path: Union[str, os.PathLike],
        fmt: Optional[int] = None,
        signals: Optional[Sequence[Union[int, str]]] = None,
        start: int = 0,
        stop: Optional[int] = None,
        rescale: bool = False,
    ) -> None:
        """Writes frames `[start, stop)` of signals `signals` (indices or names; all by
        default) as the WFDB record `path` in storage format `fmt` (16, 212, 24, 32, 516...;
        None keeps each signal's own): names, units, gains, baselines, base time (moved to
        `start`) and comments are kept, digital values copied exactly. `rescale=True`
        chooses new gains from the physical values (needed when they do not fit `fmt`)."""
        from ._write import write_copy

        write_copy(self, path, fmt, signals, start, stop, rescale)

    def classify(
        self,
        model: Model,
        signal: Optional[str] = None,
        hop_seconds: Optional[float] = None,
        skip_invalid: bool = True,
        smoothing_half_life: Optional[float] = None,
        classify_noisy: bool = False,
        offline: bool = False,
    ) -> Results:
        """Classifies lead `signal` (default MLII) of the whole record with `model`;
        segments with invalid samples are left unclassified unless `skip_invalid` is False.
        `hop_seconds`, `smoothing_half_life`, `classify_noisy` and `offline` as in
        :meth:`Model.classify`. Returns :data:`Results` (starts in samples of that signal)."""
        opts = _classify_options(hop_seconds, skip_invalid, smoothing_half_life, classify_noisy, offline)
        name = None if signal is None else signal.encode()
        count = c_size_t()
        status = lib.haresnet_record_classify(
            self._handle, model._handle, name, byref(opts), None, None, None, None, 0, byref(count)
        )
        if status != _lib.STATUS_BUFFER_TOO_SMALL:
            _check(status)
        return _fill(
            lambda *out: lib.haresnet_record_classify(self._handle, model._handle, name, byref(opts), *out),
            count.value,
            len(model.labels),
            opts,
        )


def detect_r_peaks(samples: ArrayLike, fs: float) -> np.ndarray:
    """The R peaks of a whole signal: one ECG lead (mV) at `fs` Hz (100 Hz to 1 MHz), as
    `haresnet beats` finds them; no model is needed. Returns the sample index of each peak,
    ascending (int64). NaN samples are gaps: no peak is placed in them."""
    x, fs = _signal(samples, fs)
    # Peaks are at least 250 ms apart: this many always fit, so one call does.
    cap = int(x.size // (0.25 * fs)) + 2
    out = np.empty(cap, np.int64)
    n = c_size_t()
    status = lib.haresnet_detect_r_peaks(_ptr(x, c_float), x.size, fs, _ptr(out, c_int64), cap, byref(n))
    if status == _lib.STATUS_BUFFER_TOO_SMALL:
        out = np.empty(n.value, np.int64)
        status = lib.haresnet_detect_r_peaks(_ptr(x, c_float), x.size, fs, _ptr(out, c_int64), n.value, byref(n))
    _check(status)
    return out[: n.value]


Annotation = namedtuple("Annotation", "sample symbol subtype chan num aux")


def read_annotations(record_path: Union[str, os.PathLike], annotator: str) -> List["Annotation"]:
    """The annotations of `record_path` for `annotator` (e.g. `"atr"`), as a list of
    :data:`Annotation` in file order."""
    handle = c_void_p()
    _check(lib.haresnet_annotations_read(str(record_path).encode(), annotator.encode(), byref(handle)))
    try:
        count = c_size_t()
        _check(lib.haresnet_annotations_count(handle, byref(count)))
        k = count.value
        samples = np.empty(k, np.int64)
        fields = [np.empty(k, np.int32) for _ in range(4)]
        n = c_size_t()
        _check(
            lib.haresnet_annotations_fields(
                handle, _ptr(samples, c_int64), *(_ptr(f, c_int32) for f in fields), k, byref(n)
            )
        )
        _codes, subtypes, chans, nums = fields
        return [
            Annotation(
                int(samples[i]),
                _string(lib.haresnet_annotations_symbol, handle, i),
                int(subtypes[i]),
                int(chans[i]),
                int(nums[i]),
                _string(lib.haresnet_annotations_aux, handle, i),
            )
            for i in range(k)
        ]
    finally:
        lib.haresnet_annotations_free(handle)


from ._write import write_annotations, write_record  # noqa: E402

__all__ += ['write_record', 'write_annotations']
