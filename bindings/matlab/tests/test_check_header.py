"""The MATLAB header check: it passes the shipped header and catches each construct that
`loadlibrary` cannot use."""

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
HEADER = HERE.parents[2] / "include" / "haresnet.h"

spec = importlib.util.spec_from_file_location("check_header", HERE.parent / "check_header.py")
check_header = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_header)


def test_the_shipped_header_is_usable():
    if not HEADER.is_file():
        pytest.skip(f"{HEADER} is not generated yet")
    assert check_header.problems(HEADER.read_text(encoding="utf-8")) == []


GOOD = """
#include <stdint.h>
typedef struct haresnet_model haresnet_model;
typedef struct opts { uint32_t struct_size; double hop; } opts;
#ifdef __cplusplus
extern "C" {
#endif
/* A comment saying bool, union and extern "C" is fine. */
int32_t haresnet_model_classify(const haresnet_model *model, const float *x, size_t n,
                                const opts *o, float *out, size_t cap, size_t *out_len);
void haresnet_model_free(haresnet_model *model);
#ifdef __cplusplus
}
#endif
"""


def test_a_conforming_header_passes():
    assert check_header.problems(GOOD) == []


@pytest.mark.parametrize(
    "snippet, message",
    [
        ("#include <stdbool.h>\n", "bool"),
        ("int32_t f(bool flag);\n", "bool"),
        ("union u { int a; float b; };\n", "union"),
        ("int32_t f(void (*cb)(int));\n", "function pointer"),
        ("typedef struct s { int a; } s;\nint32_t f(s value);\n", "structure by value"),
        ("typedef struct s { int a; } s;\ns f(int a);\n", "returns a structure by value"),
        ("int32_t f(int a, ...);\n", "variadic"),
        ('extern "C" {\nint32_t f(int a);\n}\n', 'extern "C"'),
    ],
)
def test_each_unusable_construct_is_named(snippet, message):
    found = check_header.problems(snippet)
    assert any(message in m for _, m in found), found


def test_the_command_reports_lines_and_fails(tmp_path, capsys):
    header = tmp_path / "bad.h"
    header.write_text("int32_t a(void);\nint32_t f(bool flag);\n")
    assert check_header.main(["check_header.py", str(header)]) == 1
    assert f"{header}:2: `bool`" in capsys.readouterr().out
    assert check_header.main(["check_header.py", str(tmp_path / "none.h")]) == 2
