#!/usr/bin/env python3
"""Checks that a C header uses only what MATLAB's `loadlibrary` (and LabVIEW's Call
Library Function Node) accept: no `bool`, no unions, no callbacks (function pointers),
no structures passed or returned by value, no variadic functions, and `extern "C"` only
inside an `#ifdef __cplusplus` guard (MATLAB parses the header as C and stops at a bare
`extern "C" {`).

    python3 bindings/matlab/check_header.py [include/haresnet.h]

Prints each problem with its line and exits with status 1 when there is any.
"""

import re
import sys
from pathlib import Path

GUARD = re.compile(r"#\s*(ifdef\s+__cplusplus|if\s+defined\s*\(?\s*__cplusplus)")


def strip_comments(text):
    """Comments replaced by spaces, newlines kept, so line numbers stay right."""

    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))

    return re.sub(r"/\*.*?\*/|//[^\n]*", blank, text, flags=re.S)


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def problems(source):
    code = strip_comments(source)
    found = []

    for m in re.finditer(r"\b(bool|_Bool)\b|stdbool\.h", code):
        found.append((line_of(code, m.start()), f"`{m.group(0)}`: MATLAB has no C bool type"))
    for m in re.finditer(r"\bunion\b", code):
        found.append((line_of(code, m.start()), "union: not representable in MATLAB or LabVIEW"))
    for m in re.finditer(r"\(\s*\*\s*\w*\s*\)\s*\(", code):
        found.append((line_of(code, m.start()), "function pointer (callback): not callable from MATLAB"))

    # Structures with a body are the ones a caller could get by value; opaque handles
    # (`typedef struct x x;`) can only be used through pointers.
    structs = set(re.findall(r"typedef\s+struct\s+\w*\s*\{[^}]*\}\s*(\w+)\s*;", code, re.S))
    structs |= set(re.findall(r"\bstruct\s+(\w+)\s*\{", code))
    prototype = re.compile(r"([A-Za-z_][\w\s\*]*?)\b(\w+)\s*\(([^;{}()]*)\)\s*;", re.S)
    for m in prototype.finditer(code):
        ret, name, params = m.group(1), m.group(2), m.group(3)
        if ret.strip().startswith(("typedef", "return")):
            continue
        line = line_of(code, m.start(2))
        ret_words = ret.replace("struct", " ").split()
        if "*" not in ret and any(w in structs for w in ret_words):
            found.append((line, f"{name} returns a structure by value"))
        for p in params.split(","):
            p = p.strip()
            if p == "...":
                found.append((line, f"{name} is variadic"))
            elif "*" not in p and any(w in structs for w in p.replace("struct", " ").split()):
                found.append((line, f"{name} takes a structure by value: `{p}`"))

    lines = code.split("\n")
    for i, text in enumerate(lines):
        if 'extern "C"' in text:
            previous = next((l for l in reversed(lines[:i]) if l.strip()), "")
            if not GUARD.search(previous):
                found.append((i + 1, '`extern "C"` outside an #ifdef __cplusplus guard'))
    return sorted(found)


def main(argv):
    header = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "include" / "haresnet.h"
    try:
        source = header.read_text(encoding="utf-8")
    except OSError as e:
        print(f"{header}: {e.strerror}", file=sys.stderr)
        return 2
    found = problems(source)
    for line, message in found:
        print(f"{header}:{line}: {message}")
    if not found:
        print(f"{header}: usable from MATLAB loadlibrary and LabVIEW")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
