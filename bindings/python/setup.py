"""Builds the wheel with the haresnet shared library inside the package, so that a machine
(a Dask worker) installs one file and needs no Rust toolchain. The metadata is in
pyproject.toml; this file only adds the library and the wheel's platform tag.

The library put in the wheel: `HARESNET_WHEEL_LIB` (the absolute path of a built
`libharesnet.so`: the build runs in this folder; `make wheel` passes the one `make install-build` makes), else a build
of the workspace this package sits in (`cargo build --profile dist -p haresnet-ffi`,
7 to 15 minutes from cold). The wheel is tagged `py3-none-<platform>`: the package is
pure Python over ctypes, so any Python 3 of that platform can use it; `auditwheel repair`
(run by `make wheel`) turns the Linux tag into the manylinux one the library satisfies.
"""

import os
import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
WORKSPACE = HERE.parents[1]


def library_name():
    if sys.platform == "win32":
        return "haresnet.dll"
    if sys.platform == "darwin":
        return "libharesnet.dylib"
    return "libharesnet.so"


def built_library():
    """The library to bundle: `HARESNET_WHEEL_LIB`, else the workspace's dist build."""
    given = os.environ.get("HARESNET_WHEEL_LIB")
    if given:
        path = Path(given)
        if not path.is_absolute() or not path.is_file():
            raise SystemExit(f"HARESNET_WHEEL_LIB={given} is not the absolute path of a file")
        return path
    if not (WORKSPACE / "Cargo.toml").is_file():
        raise SystemExit(
            "no haresnet workspace around this package to build the library from: set "
            "HARESNET_WHEEL_LIB to a built libharesnet.so"
        )
    cargo = os.environ.get("CARGO", "cargo")
    # The features of `make install-build`, so that a later `make install` (or the other
    # way round) reuses this build of the engine.
    command = [cargo, "build", "--profile", "dist", "-p", "haresnet-ffi", "--features", "engine/cli", "--lib"]
    print("building the library: " + " ".join(command), file=sys.stderr)
    subprocess.run(command, cwd=WORKSPACE, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR") or WORKSPACE / "target")
    if not target.is_absolute():
        target = WORKSPACE / target
    return target / "dist" / library_name()


class BuildPyWithLibrary(build_py):
    """Copies the library into the package's build folder (never into the source tree)."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install finds the workspace's build (haresnet/_lib.py)
        self.copy_file(str(built_library()), str(Path(self.build_lib) / "haresnet" / library_name()))


class WithLibrary(Distribution):
    """A distribution with native code: its wheel is for one platform and installs into
    platlib."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    """Tagged for one platform (the wheel carries a native library) but any Python 3 (the
    package loads it with ctypes: no Python extension, no Python ABI)."""

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(distclass=WithLibrary, cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel})
