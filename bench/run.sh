#!/usr/bin/env bash
# `make bench`: builds the host tools, the workload images (`mbpf build`) and
# the benchmark firmware, runs it twice in QEMU (mps2-an386, Cortex-M4) with
# -icount shift=7,sleep=off, checks that both runs print the same figures and
# writes BUILD/bench/results.csv (+ sizes.csv, components.csv), the PNG plots
# in docs/bench/ and docs/benchmarks.md.
# usage: bench/run.sh [BUILD_DIR]      (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build="$root/$build" ;; esac
out="$build/bench"
jobs=${JOBS:-2}
mkdir -p "$out/images"

echo "== host tools ($build)"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$jobs" --target mbpf >/dev/null
mbpf="$build/tools/mbpf"

echo "== images (mbpf build)"
while read -r name src n; do
  case $name in '' | \#*) continue ;; esac
  "$mbpf" build "$here/workloads/$src.c" -I "$here/workloads" -D "WL_N=$n" --entry wl_main \
    -o "$out/images/$name.mbpf"
done <"$here/workloads/workloads.txt" | grep -v '^mbpf build: using' || true

# The same firmware twice: core at -O2 (the main figures) and at -Os (as
# `make size-arm`: the flash figures, and the speed of a size-optimised core).
# The native workloads are -O2 in both.
toolchain="$root/cmake/arm-none-eabi.cmake"
build_fw() { # dir build-type flags
  echo "== benchmark firmware, core $3 ($1)"
  cmake -S "$here/firmware" -B "$out/$1" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE="$2" "-DCMAKE_C_FLAGS_${2^^}=$3" \
    -DMBPF_BENCH_IMAGES="$out/images" >"$out/$1-cmake.log"
  cmake --build "$out/$1" -j "$jobs" --target mbpf-bench >"$out/$1-build.log" 2>&1 ||
    { tail -30 "$out/$1-build.log"; exit 1; }
}
build_fw fw Release -O2
build_fw fw-os MinSizeRel -Os
fw="$out/fw/mbpf-bench.elf"

echo "== QEMU runs (-icount shift=7,sleep=off)"
run_fw() { # elf output-file
  local rc=0
  timeout 300 qemu-system-arm -M mps2-an386 -display none -monitor none \
    -semihosting-config enable=on,target=native -icount shift=7,sleep=off \
    -serial "file:$2" -kernel "$1" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "bench: $2: firmware exit status $rc, errors:"
    grep -E '^(error|missing)' "$2" || true
  fi
}
run_fw "$fw" "$out/run1.txt"
run_fw "$fw" "$out/run2.txt"
run_fw "$out/fw-os/mbpf-bench.elf" "$out/run-os.txt"
if cmp -s "$out/run1.txt" "$out/run2.txt"; then
  echo "bench: the two runs printed identical figures ($(grep -c '^result' "$out/run1.txt") measurements)"
  identical=yes
else
  echo "bench: the two runs DIFFER:"
  diff "$out/run1.txt" "$out/run2.txt" | head -20 || true
  identical=no
fi

echo "== sizes (arm-none-eabi-size)"
find "$out/fw-os/core" -name '*.obj' -print0 | sort -z | xargs -0 arm-none-eabi-size >"$out/size-core-os.txt"
find "$out/fw/core" -name '*.obj' -print0 | sort -z | xargs -0 arm-none-eabi-size >"$out/size-core-o2.txt"
for v in fw fw-os; do
  find "$out/$v/port" -name '*.obj' -path '*fw_board*' -print0 | sort -z |
    xargs -0 arm-none-eabi-size >"$out/size-board-$v.txt"
done
arm-none-eabi-size "$fw" >"$out/size-fw.txt"

echo "== report"
mkdir -p "$root/docs/bench"
python3 "$here/report.py" --root "$root" --out "$out" --identical "$identical"
for gp in "$here"/plots/*.gp; do
  gnuplot -e "datadir='$out'; outdir='$root/docs/bench'" "$out/plotvars.gp" "$gp"
done
echo "bench: wrote $out/results.csv, docs/benchmarks.md and docs/bench/*.png"
grep -q '^done,0' "$out/run1.txt"
