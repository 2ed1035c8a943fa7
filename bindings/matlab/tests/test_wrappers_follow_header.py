"""MATLAB is not run here, so check statically that the wrappers follow the header: every
library function they call is declared, with as many parameters as they pass (otherwise
`calllib` fails only at run time, in the user's session), and the `sizeof` they pass to
the options' _init function is the header's (MATLAB has no sizeof: a stale constant would
make the library take the call for one compiled against an older header and leave the
newer fields at their defaults)."""

import ctypes
import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
HEADER = HERE.parents[2] / "include" / "haresnet.h"
WRAPPERS = sorted(HERE.parent.rglob("*.m"))
C_TYPES = {"uint32_t": ctypes.c_uint32, "int32_t": ctypes.c_int32, "double": ctypes.c_double}


@pytest.fixture(scope="module")
def header_code():
    """The header without its comments."""
    if not HEADER.is_file():
        pytest.skip(f"{HEADER} is not generated yet")
    return re.sub(r"/\*.*?\*/", "", HEADER.read_text(encoding="utf-8"), flags=re.S)


def declared(code):
    """Each function of the header with its number of parameters."""
    found = {}
    for name, params in re.findall(r"\b(haresnet_\w+)\s*\(([^;{}()]*)\)\s*;", code):
        params = params.strip()
        found[name] = 0 if params in ("", "void") else params.count(",") + 1
    return found


def header_size(code, name):
    """`sizeof(name)` on this machine, from the structure's fields in the header."""
    body = re.search(rf"typedef struct {name} \{{(.*?)\}} {name};", code, re.S).group(1)
    fields = [f.split() for f in body.split(";") if f.strip()]
    # A pointer field (`int32_t *statuses`) is pointer-sized whatever it points to.
    struct = type(
        name,
        (ctypes.Structure,),
        {"_fields_": [(n.lstrip("*"), ctypes.c_void_p if n.startswith("*") else C_TYPES[t]) for t, n in fields]},
    )
    return ctypes.sizeof(struct)


def arguments(source, start):
    """The number of top-level arguments of the call whose `(` is at `start`."""
    depth, count = 0, 1
    for ch in source[start:]:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return count
        elif ch == "," and depth == 1:
            count += 1
    raise ValueError("unbalanced call")


def calls():
    """(wrapper, function, parameters passed) for each call of a named library function:
    `calllib('haresnet', 'f', ...)`, and `haresnet_string('f', ...)`, which adds the
    three of the string buffer."""
    for path in WRAPPERS:
        # Continuation lines joined, their trailing comments dropped.
        source = re.sub(r"\.\.\.[^\n]*\n", " ", path.read_text(encoding="utf-8"))
        for m in re.finditer(r"calllib\(\s*'haresnet'\s*,\s*'(\w+)'", source):
            yield path.name, m.group(1), arguments(source, m.start() + len("calllib")) - 2
        for m in re.finditer(r"haresnet_string\(\s*'(\w+)'", source):
            yield path.name, m.group(1), arguments(source, m.start() + len("haresnet_string")) - 1 + 3


def test_every_called_function_is_declared_with_its_parameters(header_code):
    functions = declared(header_code)
    seen = list(calls())
    assert any(name == "haresnet_model_card_json" for _, name, _ in seen)
    for wrapper, name, count in seen:
        assert name in functions, f"{wrapper} calls {name}, which the header does not declare"
        assert count == functions[name], f"{wrapper} passes {count} arguments to {name}; the header has {functions[name]}"


def test_the_classify_options_size_follows_the_header(header_code):
    source = (HERE.parent / "private" / "haresnet_options.m").read_text(encoding="utf-8")
    sizes = re.findall(r"'haresnet_classify_options_init', s, uint64\((\d+)\)", source)
    assert sizes == [str(header_size(header_code, "haresnet_classify_options"))]


def test_the_write_options_size_follows_the_header(header_code):
    source = (HERE.parent / "haresnet_write_record.m").read_text(encoding="utf-8")
    sizes = re.findall(r"'haresnet_write_options_init', opts, uint64\((\d+)\)", source)
    assert sizes == [str(header_size(header_code, "haresnet_write_options"))]
