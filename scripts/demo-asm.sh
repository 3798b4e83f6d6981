#!/bin/sh
# `make demo-asm`: assemble a sample program, verify it, run it, show its disassembly.
# Usage: scripts/demo-asm.sh [BUILD_DIR]   (default: build)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
MBPF="$BUILD/tools/mbpf"
SRC="$ROOT/examples/asm/demo.s"
OUT="$BUILD/demo"

if [ ! -x "$MBPF" ]; then
    echo "demo: $MBPF not found; build first (make build)" >&2
    exit 1
fi
mkdir -p "$OUT"

if [ -t 1 ]; then BOLD=$(printf '\033[1m'); PLAIN=$(printf '\033[0m'); else BOLD=; PLAIN=; fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"; }
# Prints the command (quoting arguments with blanks), then runs it.
show() {
    printf '$'
    for a in "$@"; do
        case "$a" in *" "*) printf " '%s'" "$a" ;; *) printf ' %s' "$a" ;; esac
    done
    printf '\n'
    "$@"
}

cat <<MSG
microbpf demo: a Fletcher-16 checksum written in eBPF assembly
($SRC), run by the microbpf interpreter on the bytes of a message.
MSG

step "1. Assemble the source into bytecode"
show "$MBPF" asm "$SRC" -o "$OUT/demo.bin"

step "2. Verify it (the same checks a device runs before loading)"
show "$MBPF" verify "$OUT/demo.bin"

MSG_TEXT="abcde"
MEM=$(printf '%s' "$MSG_TEXT" | od -An -v -tx1 | tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//')
step "3. Run it with r1 -> \"$MSG_TEXT\" ($MEM), r2 = ${#MSG_TEXT}"
show "$MBPF" run "$OUT/demo.bin" --mem "$MEM"
echo "(Fletcher-16 of \"abcde\" is 0xc8f0)"

step "4. The same run as JSON, with the execution budget used"
show "$MBPF" run "$OUT/demo.bin" --mem "$MEM" --json

step "5. Safety: a budget of 3 backward jumps + calls stops the run"
if show "$MBPF" run "$OUT/demo.bin" --mem "$MEM" --budget 3 2>&1; then
    echo "unexpected: the run should have been stopped" >&2
    exit 1
else
    echo "(stopped with exit status $?, as intended)"
fi

step "6. Disassembly (it assembles back to the same bytes)"
show "$MBPF" disasm --pc "$OUT/demo.bin"
"$MBPF" disasm "$OUT/demo.bin" -o "$OUT/demo-back.s"
"$MBPF" asm "$OUT/demo-back.s" -o "$OUT/demo-back.bin" >/dev/null
if cmp -s "$OUT/demo.bin" "$OUT/demo-back.bin"; then
    echo "round trip: identical bytecode"
else
    echo "round trip: bytecode differs!" >&2
    exit 1
fi
