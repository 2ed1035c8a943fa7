"""The wrappers pass `sizeof` of the options structure to its _init function as a
constant (MATLAB has no sizeof): it must follow the header, or the library would take the
call for one compiled against an older header and leave the newer fields at defaults."""

import ctypes
import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
HEADER = HERE.parents[2] / "include" / "haresnet.h"
C_TYPES = {"uint32_t": ctypes.c_uint32, "int32_t": ctypes.c_int32, "double": ctypes.c_double}


def header_size(name):
    """`sizeof(name)` on this machine, from the structure's fields in the header."""
    code = re.sub(r"/\*.*?\*/", "", HEADER.read_text(encoding="utf-8"), flags=re.S)
    body = re.search(rf"typedef struct {name} \{{(.*?)\}} {name};", code, re.S).group(1)
    fields = [f.split() for f in body.split(";") if f.strip()]
    struct = type(name, (ctypes.Structure,), {"_fields_": [(n, C_TYPES[t]) for t, n in fields]})
    return ctypes.sizeof(struct)


def test_the_classify_options_size_follows_the_header():
    if not HEADER.is_file():
        pytest.skip(f"{HEADER} is not generated yet")
    source = (HERE.parent / "private" / "haresnet_options.m").read_text(encoding="utf-8")
    sizes = re.findall(r"'haresnet_classify_options_init', s, uint64\((\d+)\)", source)
    assert sizes == [str(header_size("haresnet_classify_options"))]
