#!/usr/bin/env bash
# `make demo`: the whole microbpf path. A C program becomes a verified image on
# the host, then a Cortex-M4 firmware (QEMU mps2-an386) verifies it on the
# device, runs it with the interpreter and JIT-compiled to Thumb-2, and prints
# both results with instruction counts and the JIT compile cost.
# Usage: scripts/demo.sh [BUILD_DIR]   (default: build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
mbpf="$build/tools/mbpf"
out="$build/demo"
[ -x "$mbpf" ] || { echo "demo: $mbpf not found; run make build first" >&2; exit 1; }
mkdir -p "$out"

if [ -t 1 ]; then bold=$'\033[1m'; plain=$'\033[0m'; else bold=; plain=; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
show() { printf '$'; printf ' %q' "$@"; printf '\n'; "$@"; }

cat <<MSG
microbpf demo: examples/fletcher16.c (a Fletcher-16 checksum over a string in
.rodata) and examples/sensor_avg.c (moving average and alarm over simulated
temperature readings, state in the key-value store).
MSG

step "1. Compile C to a relocated, self-describing image (clang -target bpf + libelf)"
show "$mbpf" build "$root/examples/fletcher16.c" -o "$out/fletcher16.mbpf"
show "$mbpf" build "$root/examples/sensor_avg.c" -o "$out/sensor_avg.mbpf"

step "2. What the device receives"
show "$mbpf" objdump "$out/fletcher16.mbpf" | head -n 40

step "3. Run on the host (interpreter, host helpers)"
show "$mbpf" run "$out/fletcher16.mbpf"

step "4. The Thumb-2 code the JIT makes of it (sizes; mbpf jit --disasm shows the code)"
show "$mbpf" jit "$out/fletcher16.mbpf"

step "5. On the device: boot the firmware in QEMU (Cortex-M4) with both images"
echo "   load+verify on the device, interpreter, JIT compile into RAM, JIT'd run;"
echo "   instruction counts are exact (QEMU -icount, see docs/benchmarks.md)."
FIRMWARE_QUIET=1 "$root/scripts/firmware.sh" "$build" "$out/firmware" \
  "fletcher16:examples/fletcher16.c:0" "sensor_avg:examples/sensor_avg.c:0"
