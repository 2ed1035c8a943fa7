"""MATLAB is not run here, so check statically that every library function the wrappers
call is declared by the header, with as many parameters as they pass: otherwise `calllib`
fails only at run time, in the user's session."""

import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
HEADER = HERE.parents[2] / "include" / "haresnet.h"
WRAPPERS = sorted(HERE.parent.rglob("*.m"))


@pytest.fixture(scope="module")
def declared():
    """Each function of the header with its number of parameters."""
    if not HEADER.is_file():
        pytest.skip(f"{HEADER} is not generated yet")
    code = re.sub(r"/\*.*?\*/", "", HEADER.read_text(encoding="utf-8"), flags=re.S)
    found = {}
    for name, params in re.findall(r"\b(haresnet_\w+)\s*\(([^;{}()]*)\)\s*;", code):
        params = params.strip()
        found[name] = 0 if params in ("", "void") else params.count(",") + 1
    return found


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


def test_every_called_function_is_declared_with_its_parameters(declared):
    seen = list(calls())
    assert any(name == "haresnet_model_card_json" for _, name, _ in seen)
    for wrapper, name, count in seen:
        assert name in declared, f"{wrapper} calls {name}, which the header does not declare"
        assert count == declared[name], f"{wrapper} passes {count} arguments to {name}; the header has {declared[name]}"
