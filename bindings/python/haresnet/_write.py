"""Writing WFDB records and annotation files, through the C ABI (`haresnet_record_write`,
`haresnet_record_write_copy`, `haresnet_annotations_write`)."""

import ctypes
import datetime
import os
from ctypes import byref, c_double, c_int32, c_int64, c_uint32
from typing import Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike

from . import _lib
from ._lib import lib


def _check(status):
    from . import _check as check

    check(status)


def _lines(values, what, n):
    """`n` strings joined by newlines for the C ABI, or None."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    values = [str(v) for v in values]
    if len(values) != n:
        raise ValueError(f"{what}: {len(values)} given for {n} signals")
    if any("\n" in v for v in values):
        raise ValueError(f"{what} must not hold line breaks")
    return "\n".join(values).encode()


def _per_signal(values, n, dtype, what):
    if values is None:
        return None
    a = np.ascontiguousarray(np.broadcast_to(np.asarray(values, dtype=dtype), (n,)))
    return a


def write_record(
    path: Union[str, os.PathLike],
    fs: float,
    samples: Optional[ArrayLike] = None,
    digital: Optional[ArrayLike] = None,
    names: Optional[Sequence[str]] = None,
    units: Union[str, Sequence[str], None] = None,
    fmt: Union[int, Sequence[int]] = 16,
    gain: Union[float, Sequence[float], None] = None,
    baseline: Union[int, Sequence[int], None] = None,
    comments: Optional[Sequence[str]] = None,
    base_datetime: Union[datetime.datetime, datetime.date, datetime.time, None] = None,
) -> None:
    """Writes the WFDB record `path` (`path.hea` and its signal files; the last component
    is the record name) from `samples`, physical values (e.g. mV; NaN where invalid), or
    `digital` values (adu, stored as they are): arrays of shape (frames, signals), or one
    signal as a vector, as wfdb-python's `wrsamp` takes `p_signal`/`d_signal`.

    `fmt` is the storage format of every signal or of each: 16, 212, 24, 32, 516 (FLAC),
    80, 61, 160, 508, 524. `gain` (adu per unit) and `baseline`, for every signal or each:
    None chooses them from each signal's range as `wrsamp` does (physical samples) or
    writes 200 (digital). Gains are written with 12 significant digits and the samples
    converted with the gain as written, so readers recover them exactly. `names` and
    `units` (default mV) per signal; `comments` are the header's info lines;
    `base_datetime` the date and/or time of day of the first sample."""
    if (samples is None) == (digital is None):
        raise ValueError("give samples (physical) or digital, not both")
    data = np.asarray(samples if samples is not None else digital)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2:
        raise ValueError(f"samples must be (frames, signals), got shape {data.shape}")
    frames, n = data.shape
    if samples is not None:
        if data.dtype.kind not in "fiu":
            raise TypeError(f"samples must be real numbers, got dtype {data.dtype}")
        physical = np.ascontiguousarray(data.T, dtype=np.float64)
        phys_ptr, dig_ptr = physical.ctypes.data_as(ctypes.POINTER(c_double)), None
    else:
        if data.dtype.kind not in "iu":
            raise TypeError(f"digital samples must be integers, got dtype {data.dtype}")
        if data.size and (data.min() < -(2**31) or data.max() > 2**31 - 1):
            raise ValueError("digital samples must fit 32 bits")
        dig = np.ascontiguousarray(data.T, dtype=np.int32)
        phys_ptr, dig_ptr = None, dig.ctypes.data_as(ctypes.POINTER(c_int32))
    formats = _per_signal(fmt, n, np.int32, "fmt")
    gains = _per_signal(np.nan if gain is None else gain, n, np.float64, "gain")
    baselines = _per_signal(0 if baseline is None else baseline, n, np.int32, "baseline")
    opts = _lib.WriteOptions()
    _check(lib.haresnet_write_options_init(byref(opts), ctypes.sizeof(opts)))
    if base_datetime is not None:
        if isinstance(base_datetime, (datetime.datetime, datetime.date)):
            opts.base_year, opts.base_month, opts.base_day = (
                base_datetime.year, base_datetime.month, base_datetime.day)
        t = base_datetime.time() if isinstance(base_datetime, datetime.datetime) else base_datetime
        if isinstance(t, datetime.time):
            opts.base_time_seconds = t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6
    _check(
        lib.haresnet_record_write(
            os.fspath(path).encode(),
            float(fs),
            n,
            frames,
            phys_ptr,
            dig_ptr,
            formats.ctypes.data_as(ctypes.POINTER(c_int32)),
            gains.ctypes.data_as(ctypes.POINTER(c_double)),
            baselines.ctypes.data_as(ctypes.POINTER(c_int32)),
            _lines(names, "names", n),
            _lines([units] * n if isinstance(units, str) else units, "units", n),
            None if not comments else "\n".join(comments).encode(),
            byref(opts),
        )
    )


def write_copy(record, path, fmt, signals, start, stop, rescale):
    """`Record.write`."""
    if signals is None:
        channels = np.empty(0, np.uint32)
    else:
        channels = np.asarray(
            [record.find_signal(s) if isinstance(s, str) else int(s) for s in signals], dtype=np.uint32)
    stop = record.length if stop is None else stop
    _check(
        lib.haresnet_record_write_copy(
            record._handle,
            os.fspath(path).encode(),
            0 if fmt is None else int(fmt),
            channels.ctypes.data_as(ctypes.POINTER(c_uint32)),
            channels.size,
            int(start),
            int(stop),
            1 if rescale else 0,
        )
    )


def annotation_code(symbol: str) -> int:
    """The annotation code of a symbol as `rdann` prints it (`"N"` 1, `"V"` 5, `"+"` 28,
    `"[15]"` 15)."""
    code = c_int32()
    _check(lib.haresnet_annotation_code(symbol.encode(), byref(code)))
    return code.value


def write_annotations(
    record_path: Union[str, os.PathLike],
    annotator: str,
    fs: float,
    sample: ArrayLike,
    symbol: Sequence[str],
    subtype: Optional[ArrayLike] = None,
    chan: Optional[ArrayLike] = None,
    num: Optional[ArrayLike] = None,
    aux: Optional[Sequence[str]] = None,
) -> None:
    """Writes the annotation file `<record_path>.<annotator>` as wfdb-python's `wrann`
    does: `sample` (time order), `symbol` (`"N"`, `"V"`, `"+"`...) and optionally
    `subtype`, `chan`, `num` and `aux` (e.g. `"(AFIB"` for a `+`; empty for none), one
    entry per annotation; `fs` is stated in the file. Read back with
    :func:`read_annotations`."""
    samples = np.ascontiguousarray(sample, dtype=np.int64)
    k = samples.size
    if len(symbol) != k:
        raise ValueError(f"{len(symbol)} symbols for {k} samples")
    codes = np.asarray([annotation_code(s) for s in symbol], dtype=np.int32)

    def field(values, what):
        if values is None:
            return None
        a = np.ascontiguousarray(values, dtype=np.int32)
        if a.shape != (k,):
            raise ValueError(f"{what}: {a.size} values for {k} annotations")
        return a

    fields = [field(subtype, "subtype"), field(chan, "chan"), field(num, "num")]
    ptr = lambda a: None if a is None else a.ctypes.data_as(ctypes.POINTER(c_int32))  # noqa: E731
    aux_text = None
    if aux is not None:
        if len(aux) != k:
            raise ValueError(f"aux: {len(aux)} values for {k} annotations")
        aux_text = _lines(["" if a is None else a for a in aux], "aux", k)
    _check(
        lib.haresnet_annotations_write(
            os.fspath(record_path).encode(),
            annotator.encode(),
            float(fs),
            samples.ctypes.data_as(ctypes.POINTER(c_int64)),
            codes.ctypes.data_as(ctypes.POINTER(c_int32)),
            *(ptr(f) for f in fields),
            aux_text,
            k,
        )
    )
