#!/usr/bin/env bash
# Builds and runs the JIT benchmark (`make bench-jit`): Fletcher-16 compiled
# natively for Cortex-M4 vs the same function as eBPF through the JIT, both
# under Unicorn, then every example program (examples/*.c built with
# `mbpf build`, examples/**/*.s). Usage: bench/jit/run.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
out="$build/bench-jit"
mkdir -p "$out/examples"

arm-none-eabi-gcc -O2 -mcpu=cortex-m4 -mthumb -ffreestanding -c "$here/fletcher16.c" \
  -o "$out/fletcher16-m4.o"
# shellcheck disable=SC2046
cc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L \
  -I"$root/include" -I"$root/tools/lib" -I"$root/port/sim" "$here/bench_jit.c" "$here/fletcher16.c" \
  "$build/tools/libmbpf_host.a" "$build/src/libmbpf_core.a" \
  $(pkg-config --libs unicorn capstone libelf libbpf) -o "$out/bench_jit"

progs=()
for c in "$root"/examples/*.c; do
  [ -e "$c" ] || continue
  img="$out/examples/$(basename "$c" .c).mbpf"
  if "$build/tools/mbpf" build -q --isa v4 "$c" -o "$img" >"$out/examples/build.log" 2>&1; then
    progs+=("$img")
  else
    echo "bench-jit: $(basename "$c") does not build, skipped: $(head -1 "$out/examples/build.log")"
  fi
done
mapfile -t asm < <(find "$root/examples" -name '*.s' 2>/dev/null | sort)
"$out/bench_jit" "$out/fletcher16-m4.o" fletcher16 "$here/fletcher16.s" "${asm[@]}" "${progs[@]}"
