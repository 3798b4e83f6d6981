#!/usr/bin/env bash
# Builds the reference firmware with a set of programs and boots it in QEMU
# (mps2-an386, Cortex-M4). Expected results come from running the same images
# on the host with `mbpf run`, so the device must agree with the host.
#
# Usage: scripts/firmware.sh HOST_BUILD_DIR [OUT_DIR [NAME:SOURCE.c:STATUS ...]]
#   STATUS is the mbpf_status the run must end with (0 = success, r0 as on the
#   host); without programs a default test set is used.
# Exit status: the firmware's failure count (0 = all programs behaved).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
host_build=$(cd "${1:?usage: firmware.sh HOST_BUILD_DIR [OUT_DIR]}" && pwd)
out=${2:-$host_build/firmware}
shift $(( $# < 2 ? $# : 2 ))
mbpf="$host_build/tools/mbpf"
mkdir -p "$out/images"

# The context every run gets: 64 bytes, byte i = i*7+1 (as in app/main.c).
ctx="$out/ctx.bin"
: > "$ctx"
for i in $(seq 0 63); do printf "\\x$(printf %02x $(( (i * 7 + 1) & 255 )))" >> "$ctx"; done

# name:source:expected status (0 = ok, result taken from the host run)
programs=("$@")
[ ${#programs[@]} -gt 0 ] || programs=(
  "fw_sum:port/cortex-m/programs/fw_sum.c:0"
  "fw_calls:port/cortex-m/programs/fw_calls.c:0"
  "fw_sensor:port/cortex-m/programs/fw_sensor.c:0"
  "fw_oob:port/cortex-m/programs/fw_oob.c:-4"
  "fw_loop:port/cortex-m/programs/fw_loop.c:-5"
  "fw_bad_helper:port/cortex-m/programs/fw_bad_helper.c:-4"
)
images=""
for p in "${programs[@]}"; do
  IFS=: read -r name src status <<< "$p"
  img="$out/images/$name.mbpf"
  case "$src" in /*) ;; *) src="$root/$src" ;; esac
  "$mbpf" build "$src" -o "$img" > "$out/images/$name.build.log" ||
    { cat "$out/images/$name.build.log"; exit 1; }
  r0=0
  if [ "$status" = 0 ]; then
    line=$("$mbpf" run "$img" --ctx-file "$ctx" | tail -n 1)
    r0=$(sed -n 's/^r0 = \([0-9]*\) .*/\1/p' <<< "$line")
    [ -n "$r0" ] || { echo "firmware.sh: host run of $name failed: $line" >&2; exit 1; }
  fi
  images+="${images:+;}$name|$img|$status|$r0"
done

cmake -S "$root" -B "$out/build" -DCMAKE_TOOLCHAIN_FILE="$root/cmake/arm-none-eabi.cmake" \
  -DCMAKE_BUILD_TYPE=MinSizeRel -DMBPF_CORE_ONLY=ON -DMBPF_FIRMWARE=ON \
  "-DMBPF_FW_IMAGES=$images" > "$out/cmake.log"
cmake --build "$out/build" --target mbpf-fw -j 2 > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
fw="$out/build/port/cortex-m/mbpf-fw.elf"
[ -n "${FIRMWARE_QUIET:-}" ] || arm-none-eabi-size "$fw"

status=0
timeout 120 qemu-system-arm -M mps2-an386 -display none -monitor none \
  -semihosting-config enable=on,target=native -icount shift=7,sleep=off \
  -serial stdio -kernel "$fw" | tee "$out/uart.log" || status=$?
exit $status
