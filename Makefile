# microbpf: the two entry points are `make demo` and `make test`.
# Both install missing Debian packages (scripts/setup.sh), configure and build.
JOBS ?= 2
BUILD ?= build

.PHONY: all setup build demo demo-asm test test-host test-asan size-arm clean

all: build

setup:
	@scripts/setup.sh

build: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

# The issue-2 demo: assemble, verify, run and disassemble a hand-written program.
demo-asm: build
	@scripts/demo-asm.sh $(BUILD)

# Everything CI runs: host build + tests, the same tests under ASan+UBSan,
# and the core cross-compiled for Cortex-M4 with its size printed.
test: setup test-host test-asan size-arm

test-host: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: setup
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DMBPF_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir build-asan --output-on-failure -j $(JOBS) -LE slow

size-arm: setup
	cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake \
	  -DCMAKE_BUILD_TYPE=MinSizeRel -DMBPF_CORE_ONLY=ON >/dev/null
	cmake --build build-arm -j $(JOBS)
	@echo "Cortex-M4 (-Os, Thumb-2) size of the core, per object:"
	@arm-none-eabi-size -t build-arm/src/libmbpf_core.a

clean:
	rm -rf $(BUILD) build-asan build-arm

# JIT figures of issue 4 (a benchmark, not a test): Fletcher-16 JIT'd vs native.
.PHONY: bench-jit
bench-jit: build
	@bench/jit/run.sh $(BUILD)

# Benchmark report of issue 5 (not part of `make test`): workloads native vs
# interpreter vs JIT on the emulated Cortex-M4, written to build/bench/ and
# docs/benchmarks.md (see bench/run.sh).
.PHONY: bench
bench: setup
	@bench/run.sh $(BUILD)
