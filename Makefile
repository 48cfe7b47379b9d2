# partner-referrals: `make demo` (set-up + build + demo) and `make test` (set-up + every test).
# CI runs `bash .ci/run`, which is `make test`, on a fresh clone as root.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := demo

CARGO_FLAGS := -j2
WASM := --target wasm32-unknown-unknown
BROWSER_ENV := WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver

.PHONY: setup package demo test lint fmt-check clippy clippy-wasm test-native test-wasm-node \
        test-wasm-browser test-js test-runtimes sizes fuzz emulator test-emulator tour bench bench-smoke

## set-up: installs what is missing (wasm32 target, wasm-bindgen-cli, npm dev tools, chromium)
setup:
	@scripts/setup.sh

## pkg/: the npm package (release wasm → wasm-bindgen → wasm-opt -Oz → pkg-template/)
package: setup
	@scripts/package.sh

## the local Partner API emulator (tests/emulator), release build (for the demo and `make bench`)
emulator: setup
	cargo build $(CARGO_FLAGS) --release -p partner-referrals-emulator

## the emulator the suites run against, and bench-data: the dev profile, in the bench crate's
## workspace (bench/, target/bench), where bench-smoke builds both anyway. One dev build
## serves test-js, test-runtimes and bench-smoke; the release build with LTO is for the demo.
BENCH_TARGET := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)/bench
TEST_EMULATOR := $(BENCH_TARGET)/debug/partner-referrals-emulator
test-emulator: setup
	CARGO_TARGET_DIR=$(BENCH_TARGET) cargo build $(CARGO_FLAGS) --manifest-path bench/Cargo.toml \
	  -p partner-referrals-bench --bin bench-data -p partner-referrals-emulator --bin partner-referrals-emulator

## the demo: the emulator and the example page on 127.0.0.1, one line with the URL, until Ctrl-C
demo: package emulator
	@node www-example/serve.mjs

## a tour of the package in Node: the documented requests, a rejected filter, the seed page
tour: package
	@node www-example/demo.mjs

## every test, as CI runs it, in two lanes side by side (scripts/lanes.sh, docs/testing.md):
##   the Rust lane checks and builds, then runs the native suites and the wasm suites (built
##   once, run in Node and again in Chromium); the package lane builds pkg/ and the dev
##   emulator with the bench crate once, then runs test-js, test-runtimes and bench-smoke on
##   them. The suites of one lane wait on servers and Chromium while the other
##   lane compiles. Each target's output is printed whole when it ends; a failure names it.
RUST_LANE := fmt-check clippy clippy-wasm test-native test-wasm-node test-wasm-browser
PACKAGE_LANE := package test-emulator test-js test-runtimes bench-smoke
test: setup
	@scripts/lanes.sh "$(RUST_LANE)" "$(PACKAGE_LANE)"
	@echo "make test: all suites passed"

lint: fmt-check clippy clippy-wasm

fmt-check:
	cargo fmt --all -- --check

clippy:
	cargo clippy $(CARGO_FLAGS) --workspace --all-targets -- -D warnings

clippy-wasm:
	cargo clippy $(CARGO_FLAGS) $(WASM) --all-targets -- -D warnings

## the core crate and the emulator (a workspace member; std::net, never built for wasm32)
test-native:
	cargo test $(CARGO_FLAGS) --workspace

## wasm tests (tests/wasm.rs and every test file using the shared-test convention) in Node
test-wasm-node:
	cargo test $(CARGO_FLAGS) $(WASM) --tests

## the same wasm tests in headless Chromium (webdriver.json holds the flags)
test-wasm-browser:
	$(BROWSER_ENV) cargo test $(CARGO_FLAGS) $(WASM) --tests

## JS consumer tests against the packed tarball: node --test, tsc --strict, a browser page
test-js: package test-emulator
	@PARTNER_REFERRALS_EMULATOR=$(TEST_EMULATOR) scripts/test-js.sh

## fuzz each cargo-fuzz target for FUZZ_TIME seconds with the pinned nightly (cargo-fuzz is
## installed when missing); crashes land in fuzz/artifacts/: add them to fuzz/corpus/ and they
## replay in `cargo test`
FUZZ_TIME ?= 60
NIGHTLY := $(shell cat scripts/nightly-toolchain)
fuzz: setup
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked -j2
	cd fuzz && for t in filter_text page_bytes page_mutated sync_token; do \
	  cargo +$(NIGHTLY) fuzz run $$t -- -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 || exit 1; done

## the package in each runtime, from the packed tarball, against the emulator: Node CSV script,
## Vite app + dedicated worker, MV3 extension (scripts/test-runtimes.sh node vite extension)
test-runtimes: package test-emulator
	@PARTNER_REFERRALS_EMULATOR=$(TEST_EMULATOR) scripts/test-runtimes.sh

## benchmarks against the peers: prints one table, writes bench/RESULTS.md
bench: package
	@scripts/bench.sh

## proves `make bench` still runs: tiny iteration counts, criterion in test mode, the bench crate
## in the dev profile, no timing assertions, RESULTS.md untouched
bench-smoke: package test-emulator
	@scripts/bench.sh --quick

## gzip / brotli size of the shipped .wasm + JS glue
sizes:
	@node scripts/sizes.mjs pkg
