#!/usr/bin/env bash
# Installs what microbpf needs from Debian's packages, and only what is missing.
# Usage: scripts/setup.sh   (run as root, or with sudo available)
set -euo pipefail

PACKAGES=(
  make cmake gcc pkg-config
  libcmocka-dev                       # unit tests
  libunicorn-dev libcapstone-dev      # JIT tests: emulate and disassemble Thumb-2
  libelf-dev libbpf-dev zlib1g-dev    # mbpf build: read BPF ELF objects and BTF
  clang clang-19 llvm-19              # compile C to eBPF (clang-19 for ISA v4)
  gcc-arm-none-eabi libnewlib-arm-none-eabi picolibc-arm-none-eabi  # Cortex-M builds
  qemu-system-arm                     # run the firmware
  gnuplot-nox python3                 # benchmark plots and report
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "setup: not root and no sudo; please run as root:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
