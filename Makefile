# Two commands on a fresh Debian 12 machine:
#   make run    install missing Debian packages, build, run experiments/fashion_mnist.yaml
#   make test   install missing Debian packages, build, run the whole test suite (ctest)
# Other targets: make build | test-asan | fuzz | bench | paper | regimes | site | docs | format
#                | clean.
# Variables: BUILD (build folder), JOBS (parallel jobs), CONFIG (experiment of `make run`),
#            ARGS (extra `lazystack run` arguments, e.g. ARGS="--set dataset.limit=2000").

BUILD  ?= build
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
CONFIG ?= experiments/fashion_mnist.yaml
ARGS   ?=
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

LAZYSTACK := $(BUILD)/cli/lazystack

.PHONY: deps configure build build-all run test test-asan fuzz bench paper regimes site docs format clean

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

# `make run` builds only the program; `make test` builds everything.
build: configure
	@cmake --build $(BUILD) --target lazystack -j$(JOBS)

build-all: configure
	@cmake --build $(BUILD) -j$(JOBS)

run: build
	$(LAZYSTACK) run $(CONFIG) $(ARGS)

test: build-all
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# The LibTorch-free unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (leak checks
# on): CMakePresets.json's "asan" presets, build-asan/, -O1 with line tables only and asserts on.
# It builds only the torch-free libraries (core, datasets, the LazyStack offline machinery,
# reports, site) and their test binaries (test_core, test_core_synthetic, test_datasets,
# test_lazystack, test_reports, test_site), whose tests carry the ctest label `asan`. Left out:
# every binary that links LibTorch (zoo, methods, the online LazyStack methods, pipeline): the
# torch TUs take most of a sanitizer build (the -O0 everything-build never finished on 2 cores)
# and LibTorch itself is not instrumented. The importers and loaders they use (NPY, HDF5, CSV,
# IDX, config) run under ASan + UBSan in `make fuzz`. Any sanitizer report fails its test.
# Cold (no ccache): ~1070 CPU-seconds of build, ~10 min on 2 idle cores; the 268 tests ~1 min.
# ASAN_CMAKE_FLAGS: extra configure flags (e.g. -DCMAKE_CXX_COMPILER_LAUNCHER=ccache).
ASAN_CMAKE_FLAGS ?=
test-asan: deps
	@cmake --preset asan $(ASAN_CMAKE_FLAGS) >/dev/null
	@cmake --build --preset asan -j$(JOBS)
	@ctest --preset asan -j$(JOBS)

# libFuzzer targets (clang, ASan + UBSan) of the config loader, the CSV loader, the NPY and
# HDF5 importers and the IDX reader: each runs FUZZ_SECONDS on its corpus (tests/fuzz/).
FUZZ_SECONDS ?= 25
fuzz: deps
	@cmake -S tests/fuzz -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

bench: configure
	@cmake --build $(BUILD) --target lazystack_bench -j$(JOBS)
	@mkdir -p results/bench
	$(BUILD)/bench/lazystack_bench --benchmark_out=results/bench/bench.json \
	  --benchmark_out_format=json --benchmark_counters_tabular=true \
	  --benchmark_context=revision=$$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)

paper: build
	$(LAZYSTACK) run experiments/paper.yaml $(ARGS)

# The regime study (README "Regime study"): twelve synthetic zoos, JOBS experiments at once.
regimes: build
	$(LAZYSTACK) run experiments/regimes.yaml --jobs $(JOBS) $(ARGS)

# The static results site over RESULTS (open results/index.html; `make run` refreshes it too).
RESULTS ?= results
site: build
	$(LAZYSTACK) report --html $(RESULTS)

# README.md's result blocks from the runs docs/runs.json cites; CITE="results/x/latest ..."
# cites newer runs first (their summaries and Pareto figures are copied into docs/).
CITE ?=
docs: build
	$(LAZYSTACK) docs $(foreach r,$(CITE),--cite $(r))

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
