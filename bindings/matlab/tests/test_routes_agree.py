"""The loadlibrary functions give what the MEX classes give: the same result fields, the
same record facts, the same options and the same error identifiers. Only the classes run
in the tests (Octave has no loadlibrary), so hold the two to one shape here."""

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
MATLAB_DIR = HERE.parent
PACKAGE = MATLAB_DIR / "+haresnet"


def read(path):
    return path.read_text(encoding="utf-8")


def function_body(source, name):
    """The text of function NAME up to the next function."""
    start = re.search(rf"function [^\n]*\b{name}\(", source).start()
    following = re.search(r"\n\s*function ", source[start + 1 :])
    return source[start : start + 1 + following.start()] if following else source[start:]


def assigned_fields(text, var):
    return set(re.findall(rf"\b{var}\.(\w+)\s*=", text))


def test_results_have_the_same_fields():
    classes = assigned_fields(function_body(read(PACKAGE / "Object.m"), "results"), "r")
    functions = assigned_fields(read(MATLAB_DIR / "private" / "haresnet_results.m"), "r")
    assert "start_index" in classes and "class_index" in classes
    assert classes == functions


def test_records_have_the_same_facts():
    properties = re.search(r"properties \(SetAccess = private\)(.*?)\bend\b", read(PACKAGE / "Record.m"), re.S)
    names = set(re.findall(r"^\s*(\w+)", properties.group(1), re.M))
    assert names == assigned_fields(read(MATLAB_DIR / "haresnet_record.m"), "rec") - {"handle", "kind"}


def test_summaries_have_the_same_fields():
    classes = assigned_fields(function_body(read(PACKAGE / "Model.m"), "summarize"), "s")
    assert classes == assigned_fields(read(MATLAB_DIR / "haresnet_summarize.m"), "s")


def test_the_same_options():
    def names(text):
        return set(re.findall(r"case '(\w+)'", text))

    assert names(read(PACKAGE / "Object.m")) == names(read(MATLAB_DIR / "private" / "haresnet_options.m"))
    assert names(read(PACKAGE / "Object.m")) == {"hop", "smoothinghalflife", "skipinvalid"}


def test_the_same_error_identifiers():
    # The gateway: haresnet: and the status name, lower case, without its prefix.
    mex = read(MATLAB_DIR / "haresnet_mex.c")
    assert 'char id[80] = "haresnet:"' in mex and '"HARESNET_STATUS_"' in mex
    check = read(MATLAB_DIR / "private" / "haresnet_check.m")
    assert "['haresnet:' lower(strrep(name, 'HARESNET_STATUS_', ''))]" in check
    # Argument errors raised in m-code use the library's name for them.
    for path in MATLAB_DIR.rglob("*.m"):
        if path.parent.name == "tests":
            continue
        for ident in re.findall(r"error\('(haresnet:\w+)'", read(path)):
            assert ident in {"haresnet:invalid_argument", "haresnet:invalid_handle", "haresnet:no_mex",
                             "haresnet:abi", "haresnet:build"}, f"{path.name}: {ident}"


def test_the_writers_share_their_argument_checks():
    # Each writer of either route checks and converts its arguments with the same
    # function of +haresnet/+internal, so options, defaults and refusals are one.
    internal = PACKAGE / "+internal"
    for mex_route, library_route, parser in [
        (PACKAGE / "write_record.m", MATLAB_DIR / "haresnet_write_record.m", "record_args"),
        (PACKAGE / "write_annotations.m", MATLAB_DIR / "haresnet_write_annotations.m", "annotation_args"),
        (PACKAGE / "Record.m", MATLAB_DIR / "haresnet_write.m", "copy_args"),
    ]:
        assert (internal / f"{parser}.m").is_file()
        for path in (mex_route, library_route):
            assert f"haresnet.internal.{parser}(" in read(path), f"{path.name} does not call {parser}"


def test_annotations_read_to_the_same_fields():
    classes = assigned_fields(read(PACKAGE / "read_annotations.m"), "a")
    assert classes == {"sample", "symbol", "subtype", "chan", "num", "aux"}
    assert classes == assigned_fields(read(MATLAB_DIR / "haresnet_read_annotations.m"), "a")
