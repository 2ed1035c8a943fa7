"""Loading the haresnet shared library and declaring every function of its C ABI
(`include/haresnet.h`) for ctypes, so that each call converts and checks its arguments."""

import ctypes
import os
import sys
from ctypes import POINTER, c_char, c_char_p, c_double, c_float, c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p
from pathlib import Path

#: ABI major version these bindings are written for (`HARESNET_ABI_VERSION >> 16`).
ABI_MAJOR = 0

STATUS_OK = 0
STATUS_BUFFER_TOO_SMALL = 3
STATUS_NOT_FOUND = 8
INVALID_SAMPLES_DEFAULT = 0
INVALID_SAMPLES_REFUSE = 1
INVALID_SAMPLES_SKIP = 2


class ModelOptions(ctypes.Structure):
    _fields_ = [("struct_size", c_uint32), ("threads", c_uint32)]


class ClassifyOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("invalid_samples", c_int32),
        ("hop_seconds", c_double),
        ("smoothing_half_life_seconds", c_double),
        ("classify_noisy", c_int32),
        ("offline", c_int32),
        ("statuses", POINTER(c_int32)),
        ("qualities", POINTER(c_float)),
    ]


#: Segment statuses (`HARESNET_SEGMENT_*`), by code, as the CLI's CSV names them.
SEGMENT_STATUS_NAMES = ("classified", "flat", "invalid_samples", "noisy", "too_short")


class WriteOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("base_year", c_int32),
        ("base_month", c_int32),
        ("base_day", c_int32),
        ("base_time_seconds", c_double),
    ]


def _library_name():
    if sys.platform == "win32":
        return "haresnet.dll"
    if sys.platform == "darwin":
        return "libharesnet.dylib"
    return "libharesnet.so"


def _candidates():
    """Where the library is looked for, in order: `HARESNET_LIB` (an explicit choice: the
    only place looked at when set), the copy bundled in this package (what a wheel
    carries), then the workspace's `target/release` and `target/debug` (or
    `CARGO_TARGET_DIR`'s) for a package used from its source tree."""
    env = os.environ.get("HARESNET_LIB")
    if env:
        yield Path(env)
        return
    name = _library_name()
    here = Path(__file__).resolve().parent
    yield here / name
    targets = []
    if os.environ.get("CARGO_TARGET_DIR"):
        targets.append(Path(os.environ["CARGO_TARGET_DIR"]))
    targets.append(here.parents[2] / "target")
    for target in targets:
        for profile in ("release", "debug"):
            yield target / profile / name


def _load():
    tried = []
    for path in _candidates():
        tried.append(str(path))
        if path.is_file():
            return ctypes.CDLL(str(path)), os.path.abspath(path)
    raise OSError(
        "cannot find the haresnet library (tried: " + ", ".join(tried) + "); build it with "
        "`cargo build --release -p haresnet-ffi` or set HARESNET_LIB to its path"
    )


#: The loaded library, and the absolute path it was loaded from (`haresnet.library_path()`).
lib, path = _load()

_P = c_void_p  # opaque handles
_S = POINTER(c_size_t)

# (name, restype, argtypes) for every function of the header.
_FUNCTIONS = [
    ("haresnet_status_str", c_char_p, [c_int32]),
    ("haresnet_last_error", c_int32, [POINTER(c_char), c_size_t, _S]),
    ("haresnet_version", c_char_p, []),
    ("haresnet_abi_version", c_uint32, []),
    ("haresnet_model_options_init", c_int32, [POINTER(ModelOptions), c_size_t]),
    ("haresnet_classify_options_init", c_int32, [POINTER(ClassifyOptions), c_size_t]),
    ("haresnet_model_load_embedded", c_int32, [c_uint32, c_char_p, POINTER(ModelOptions), POINTER(_P)]),
    ("haresnet_model_load_file", c_int32, [c_char_p, POINTER(ModelOptions), POINTER(_P)]),
    ("haresnet_model_free", None, [_P]),
    ("haresnet_model_num_classes", c_int32, [_P, POINTER(c_uint32)]),
    ("haresnet_model_class_name", c_int32, [_P, c_uint32, POINTER(c_char), c_size_t, _S]),
    ("haresnet_model_rate", c_int32, [_P, POINTER(c_double)]),
    ("haresnet_model_segment_seconds", c_int32, [_P, POINTER(c_double)]),
    ("haresnet_model_segment_len", c_int32, [_P, c_double, _S]),
    ("haresnet_model_segment_count", c_int32, [_P, c_size_t, c_double, POINTER(ClassifyOptions), _S]),
    ("haresnet_model_card_json", c_int32, [_P, POINTER(c_char), c_size_t, _S]),
    (
        "haresnet_model_classify",
        c_int32,
        [_P, POINTER(c_float), c_size_t, c_double, POINTER(ClassifyOptions), POINTER(c_int64),
         POINTER(c_int32), POINTER(c_float), POINTER(c_float), c_size_t, _S],
    ),
    (
        "haresnet_model_classify_segment",
        c_int32,
        [_P, POINTER(c_float), c_size_t, c_double, POINTER(c_int32), POINTER(c_float), c_size_t, POINTER(c_float)],
    ),
    ("haresnet_stream_new", c_int32, [_P, c_double, POINTER(ClassifyOptions), POINTER(_P)]),
    ("haresnet_stream_push", c_int32, [_P, POINTER(c_float), c_size_t]),
    ("haresnet_stream_ready", c_int32, [_P, _S]),
    (
        "haresnet_stream_read",
        c_int32,
        [_P, POINTER(c_int64), POINTER(c_int32), POINTER(c_float), POINTER(c_float), c_size_t, _S],
    ),
    ("haresnet_stream_free", None, [_P]),
    ("haresnet_stream_finish", c_int32, [_P]),
    ("haresnet_stream_read_status", c_int32, [_P, POINTER(c_int32), POINTER(c_float), c_size_t, _S]),
    ("haresnet_segment_status_str", c_char_p, [c_int32]),
    ("haresnet_record_open", c_int32, [c_char_p, POINTER(_P)]),
    ("haresnet_record_free", None, [_P]),
    ("haresnet_record_num_signals", c_int32, [_P, POINTER(c_uint32)]),
    ("haresnet_record_length", c_int32, [_P, POINTER(c_uint64)]),
    ("haresnet_record_fs", c_int32, [_P, POINTER(c_double)]),
    ("haresnet_record_signal_name", c_int32, [_P, c_uint32, POINTER(c_char), c_size_t, _S]),
    ("haresnet_record_signal_units", c_int32, [_P, c_uint32, POINTER(c_char), c_size_t, _S]),
    ("haresnet_record_signal_gain", c_int32, [_P, c_uint32, POINTER(c_double)]),
    ("haresnet_record_signal_rate", c_int32, [_P, c_uint32, POINTER(c_double)]),
    ("haresnet_record_find_signal", c_int32, [_P, c_char_p, POINTER(c_uint32)]),
    ("haresnet_record_read", c_int32, [_P, c_uint32, c_uint64, c_uint64, POINTER(c_float), c_size_t, _S]),
    (
        "haresnet_record_classify",
        c_int32,
        [_P, _P, c_char_p, POINTER(ClassifyOptions), POINTER(c_int64), POINTER(c_int32),
         POINTER(c_float), POINTER(c_float), c_size_t, _S],
    ),
    ("haresnet_annotations_read", c_int32, [c_char_p, c_char_p, POINTER(_P)]),
    ("haresnet_annotations_free", None, [_P]),
    ("haresnet_annotations_count", c_int32, [_P, _S]),
    (
        "haresnet_annotations_fields",
        c_int32,
        [_P, POINTER(c_int64), POINTER(c_int32), POINTER(c_int32), POINTER(c_int32), POINTER(c_int32), c_size_t, _S],
    ),
    ("haresnet_annotations_symbol", c_int32, [_P, c_size_t, POINTER(c_char), c_size_t, _S]),
    ("haresnet_annotations_aux", c_int32, [_P, c_size_t, POINTER(c_char), c_size_t, _S]),
    (
        "haresnet_annotations_write_rhythm",
        c_int32,
        [_P, c_char_p, c_char_p, c_double, POINTER(c_int64), POINTER(c_int32), c_size_t],
    ),
    ("haresnet_detect_r_peaks", c_int32, [POINTER(c_float), c_size_t, c_double, POINTER(c_int64), c_size_t, _S]),
    (
        "haresnet_summarize",
        c_int32,
        [_P, c_double, c_uint64, POINTER(c_int64), POINTER(c_int32), c_size_t, POINTER(c_double), c_size_t,
         POINTER(c_double), POINTER(c_double)],
    ),
    (
        "haresnet_summarize_episodes",
        c_int32,
        [_P, c_double, c_uint64, POINTER(c_int64), POINTER(c_int32), c_size_t, POINTER(c_int64),
         POINTER(c_int64), POINTER(c_int32), c_size_t, _S],
    ),
    (
        "haresnet_summarize_burden_per_hour",
        c_int32,
        [_P, c_double, c_uint64, POINTER(c_int64), POINTER(c_int32), c_size_t, POINTER(c_double), c_size_t, _S],
    ),
]

_FUNCTIONS += [
    ("haresnet_write_options_init", c_int32, [POINTER(WriteOptions), c_size_t]),
    (
        "haresnet_record_write",
        c_int32,
        [c_char_p, c_double, c_uint32, c_uint64, POINTER(c_double), POINTER(c_int32), POINTER(c_int32),
         POINTER(c_double), POINTER(c_int32), c_char_p, c_char_p, c_char_p, POINTER(WriteOptions)],
    ),
    ("haresnet_record_write_copy", c_int32, [_P, c_char_p, c_int32, POINTER(c_uint32), c_size_t, c_uint64, c_uint64, c_int32]),
    (
        "haresnet_annotations_write",
        c_int32,
        [c_char_p, c_char_p, c_double, POINTER(c_int64), POINTER(c_int32), POINTER(c_int32), POINTER(c_int32),
         POINTER(c_int32), c_char_p, c_size_t],
    ),
    ("haresnet_annotation_code", c_int32, [c_char_p, POINTER(c_int32)]),
]

for _name, _restype, _argtypes in _FUNCTIONS:
    _f = getattr(lib, _name)
    _f.restype = _restype
    _f.argtypes = _argtypes

FUNCTION_NAMES = [f[0] for f in _FUNCTIONS]
