"""What the binding tests need: the fixture records, the weights to classify with and the
`haresnet` command for comparison. Absent pieces skip the tests with a notice, or fail
them when the environment variable CI is set."""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "fixtures" / "records"


def need(condition, what):
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI is set, so it must be present)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def weights():
    """Keyword arguments of `haresnet.Model` and the `--weights` value: `HARESNET_WEIGHTS`
    (a weights file) when set, else the embedded weights."""
    path = os.environ.get("HARESNET_WEIGHTS")
    if path:
        return {"path": path}, path
    import haresnet

    try:
        haresnet.Model().close()
    except haresnet.HaresnetError as e:
        need(False, f"no embedded weights in this library and HARESNET_WEIGHTS unset ({e})")
    return {}, "all"


@pytest.fixture(scope="session")
def cli():
    """The `haresnet` command: `HARESNET_CLI`, else the workspace's build, else PATH."""
    candidates = [os.environ.get("HARESNET_CLI")]
    targets = [Path(os.environ["CARGO_TARGET_DIR"])] if os.environ.get("CARGO_TARGET_DIR") else []
    targets.append(ROOT / "target")
    candidates += [str(t / p / "haresnet") for t in targets for p in ("release", "debug")]
    candidates.append(shutil.which("haresnet"))
    for c in candidates:
        if c and Path(c).is_file():
            return c
    need(False, "the haresnet command is not built (cargo build --release --features cli)")


@pytest.fixture(scope="session")
def mitdb():
    """The MIT-BIH Arrhythmia Database: `$HARESNET_DATA/mitdb`, by default the shared data
    directory beside the workspace (`../shared/data/mitdb`)."""
    root = Path(os.environ.get("HARESNET_DATA") or ROOT.parent / "shared" / "data")
    folder = root / "mitdb"
    need((folder / "100.hea").is_file(), f"{folder} not found; set HARESNET_DATA to the shared data directory")
    return folder
