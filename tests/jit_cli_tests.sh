#!/bin/sh
# CLI checks of `mbpf jit` and `mbpf fuzz`. usage: jit_cli_tests.sh CASE MBPF SOURCE_DIR
set -u
case=$1 mbpf=$2 src=$3
prog="$src/bench/jit/fletcher16.s"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" 2>/dev/null; exit 1; }

case $case in
sizes) # sizes block, exit 0, the numbers consistent with each other
  "$mbpf" jit "$prog" >"$tmp/out" 2>&1 || fail "mbpf jit exited $?"
  grep -q '^ebpf instructions: 40 (40 slots)$' "$tmp/out" || fail "instruction count"
  bytes=$(sed -n 's/^code bytes: *\([0-9]*\) .*/\1/p' "$tmp/out")
  [ -n "$bytes" ] && [ "$bytes" -gt 0 ] || fail "code bytes"
  grep -q '^bytes per insn: ' "$tmp/out" || fail "bytes per insn"
  "$mbpf" jit "$prog" --out "$tmp/code.bin" >/dev/null || fail "--out"
  [ "$(wc -c <"$tmp/code.bin")" -eq "$bytes" ] || fail "--out wrote a different size"
  ;;
disasm) # every eBPF instruction is listed, followed by Thumb-2 code
  "$mbpf" jit --disasm "$prog" >"$tmp/out" 2>&1 || fail "mbpf jit --disasm exited $?"
  [ "$(grep -c '^; [0-9]*: ' "$tmp/out")" -eq 40 ] || fail "not 40 annotated instructions"
  grep -q '^; 5: ldxb %r4, \[%r1\]$' "$tmp/out" || fail "annotation of insn 5"
  grep -A1 '^; 5: ' "$tmp/out" | grep -Eq '^ +[0-9a-f]+:  [0-9a-f ]+  [a-z]' ||
    fail "no Thumb-2 code after insn 5"
  grep -q 'ldrb' "$tmp/out" || fail "no ldrb for ldxb"
  # the loop guard leaves for the interpreter at the loop through the trap:
  # the call is named and its descriptor decoded, not shown as instructions
  # (at pc 39: the outer jump folded into the guard, which charges its unit)
  grep -A2 'shared trap$' "$tmp/out" | grep -q 'descriptor (pc 39, deopt)$' ||
    fail "deopt stub's descriptor"
  grep -A1 'shared range$' "$tmp/out" | grep -q 'blx r1$' || fail "range call"
  grep -A2 'shared range$' "$tmp/out" | grep -q 'descriptor' &&
    fail "a descriptor after the range call"
  # a store loop: its guard calls range for the write cache
  printf 'mov %%r2, 0\nmov %%r3, 16\nL:\nstxb [%%r1], %%r2\nadd %%r1, 1\nadd %%r3, -1\njne %%r3, 0, L\nmov %%r0, 0\nexit\n' >"$tmp/w.s"
  "$mbpf" jit --disasm "$tmp/w.s" >"$tmp/out" 2>&1 || fail "mbpf jit --disasm w.s exited $?"
  grep -A1 'subs r1, #6  ; shared range, write cache$' "$tmp/out" | grep -q 'blx r1$' ||
    fail "range call for the write cache"
  ;;
errors) # missing file, unknown option, verifier rejection: non-zero exits
  "$mbpf" jit "$tmp/none.s" >"$tmp/out" 2>&1 && fail "missing file accepted"
  "$mbpf" jit --bogus "$prog" >"$tmp/out" 2>&1 && fail "unknown option accepted"
  printf 'mov %%r0, 1\n' >"$tmp/bad.s" # falls off the end: rejected by the verifier
  "$mbpf" jit "$tmp/bad.s" >"$tmp/out" 2>&1 && fail "unverifiable program accepted"
  grep -q 'verifier' "$tmp/out" || fail "no verifier message"
  "$mbpf" jit --help >"$tmp/out" 2>&1 || fail "--help"
  ;;
image) # a .mbpf image (built from an example with mbpf build) compiles too
  "$mbpf" build -q "$src/examples/fletcher16.c" -o "$tmp/f.mbpf" >"$tmp/out" 2>&1 ||
    fail "mbpf build exited $?"
  "$mbpf" jit --disasm "$tmp/f.mbpf" >"$tmp/out" 2>&1 || fail "mbpf jit on an image exited $?"
  grep -q '^ebpf instructions: ' "$tmp/out" || fail "instruction count"
  grep -q '^; 0: lddw ' "$tmp/out" || fail "listing of the image's first instruction"
  ;;
fuzz) # a short run agrees; --index --print replays one program with its listing
  "$mbpf" fuzz --seed 99 --count 200 >"$tmp/out" 2>&1 || fail "fuzz found a difference"
  grep -q '^fuzz: 0 differences$' "$tmp/out" || fail "summary line"
  "$mbpf" fuzz --seed 99 --index 17 --print >"$tmp/out" 2>&1 || fail "replay"
  grep -q '^# seed 99 index 17:' "$tmp/out" || fail "program header"
  grep -q '^interp: status' "$tmp/out" && grep -q '^jit   : status' "$tmp/out" ||
    fail "results"
  "$mbpf" fuzz --seed x >"$tmp/out" 2>&1 && fail "bad --seed accepted"
  ;;
*) echo "unknown case $case"; exit 2 ;;
esac
echo "ok: $case"
