# The README's two commands are `cargo haresnet classify ...` (the main job) and
# `make test` (everything CI checks). Other targets are for development.

CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
# A clean CI build gains nothing from incremental compilation's caches (about 1.3 GB).
ifdef CI
export CARGO_INCREMENTAL ?= 0
endif

.PHONY: test setup lint fmt-check clippy header header-check cargo-test c-test binding-test

test: setup lint header-check cargo-test binding-test

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
