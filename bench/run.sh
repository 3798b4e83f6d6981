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

echo "== benchmark firmware (arm-none-eabi-gcc -O2)"
toolchain="$root/cmake/arm-none-eabi.cmake"
cmake -S "$here/firmware" -B "$out/fw" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
  -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG" \
  -DMBPF_BENCH_IMAGES="$out/images" >"$out/fw-cmake.log"
cmake --build "$out/fw" -j "$jobs" --target mbpf-bench >"$out/fw-build.log" 2>&1 ||
  { tail -30 "$out/fw-build.log"; exit 1; }
fw="$out/fw/mbpf-bench.elf"

echo "== core at -Os for the flash figures (as make size-arm)"
cmake -S "$root" -B "$out/size-os" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
  -DCMAKE_BUILD_TYPE=MinSizeRel -DMBPF_CORE_ONLY=ON >/dev/null
cmake --build "$out/size-os" -j "$jobs" --target mbpf_core >/dev/null

echo "== QEMU runs (-icount shift=7,sleep=off)"
run_qemu() {
  timeout 300 qemu-system-arm -M mps2-an386 -display none -monitor none \
    -semihosting-config enable=on,target=native -icount shift=7,sleep=off \
    -serial "file:$1" -kernel "$fw"
}
for i in 1 2; do
  rc=0
  run_qemu "$out/run$i.txt" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "bench: run $i: firmware exit status $rc (errors below)"
    grep -E '^(error|missing)' "$out/run$i.txt" || true
  fi
done
if cmp -s "$out/run1.txt" "$out/run2.txt"; then
  echo "bench: the two runs printed identical figures ($(grep -c '^result' "$out/run1.txt") measurements)"
  identical=yes
else
  echo "bench: the two runs DIFFER:"
  diff "$out/run1.txt" "$out/run2.txt" | head -20 || true
  identical=no
fi

echo "== sizes (arm-none-eabi-size)"
find "$out/size-os/src" -name '*.obj' -print0 | sort -z | xargs -0 arm-none-eabi-size >"$out/size-core-os.txt"
find "$out/fw/core" -name '*.obj' -print0 | sort -z | xargs -0 arm-none-eabi-size >"$out/size-core-o2.txt"
find "$out/fw/port" -name '*.obj' -path '*fw_board*' -print0 | sort -z |
  xargs -0 arm-none-eabi-size >"$out/size-board.txt"
arm-none-eabi-size "$fw" >"$out/size-fw.txt"

echo "== report"
mkdir -p "$root/docs/bench"
python3 "$here/report.py" --root "$root" --out "$out" --identical "$identical"
for gp in "$here"/plots/*.gp; do
  gnuplot -e "datadir='$out'; outdir='$root/docs/bench'" "$out/plotvars.gp" "$gp"
done
echo "bench: wrote $out/results.csv, docs/benchmarks.md and docs/bench/*.png"
grep -q '^done,0' "$out/run1.txt"
