#!/usr/bin/env bash
# Runs a folder of .data conformance tests through mbpf-conformance-plugin
# the way the official bpf_conformance runner does: one plugin process per
# test, the program as hex bytes on stdin, the memory as hex in argv[1], the
# plugin options after it; r0 is expected in hex on stdout with exit 0, or a
# non-zero exit for tests with an `-- error` section.
#
# usage: run_plugin_suite.sh MBPF PLUGIN DIR [PLUGIN_OPTION...]
#   MBPF is the `mbpf` CLI (assembles `-- asm` sections).
# Tests with `-- options` (our own extension, e.g. a budget) are skipped: the
# plugin protocol has no way to pass them. Prints one line per failure and
# "N passed, N failed, N skipped"; exits 1 on a failure, 77 if DIR is absent.
set -u
mbpf=$1 plugin=$2 dir=$3
shift 3
if [ ! -d "$dir" ]; then
  echo "skipped: $dir not found"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Writes each section of $1 into $tmp/<name> (asm, raw, mem, result, error, options).
split_sections() {
  rm -f "$tmp"/asm "$tmp"/raw "$tmp"/mem "$tmp"/result "$tmp"/error "$tmp"/options
  awk -v out="$tmp" '
    /^[ \t]*--[ \t]*[a-z]/ { sub(/^[ \t]*--[ \t]*/, ""); sec = $0; gsub(/ /, "_", sec);
                             printf "" > (out "/" sec); next }
    sec != "" { line = $0; sub(/#.*/, "", line); if (sec == "asm") line = $0;
                print line >> (out "/" sec) }' "$1"
}

# 64-bit little-endian instruction words (0x...) to hex bytes.
raw_to_hex() {
  tr -s ' \t\n' '\n\n\n' < "$tmp/raw" | while read -r w; do
    [ -z "$w" ] && continue
    w=${w#0x}
    w=$(printf '%016s' "$w" | tr ' ' 0)
    for i in 14 12 10 8 6 4 2 0; do printf '%s ' "${w:$i:2}"; done
  done
}

normalize() { # a number (0x hex or decimal) to lowercase hex without leading zeros
  local v
  v=$(tr -d ' \t\n' < "$1" | tr 'A-F' 'a-f')
  case $v in
    0x*) v=${v#0x} ;;
    *) v=$(printf '%x' "$v" 2>/dev/null) ;;
  esac
  v=$(echo "$v" | sed 's/^0*//')
  echo "${v:-0}"
}

pass=0 fail=0 skip=0
for t in "$dir"/*.data; do
  name=$(basename "$t" .data)
  split_sections "$t"
  if [ -e "$tmp/options" ] || { [ ! -e "$tmp/result" ] && [ ! -e "$tmp/error" ]; }; then
    skip=$((skip + 1))
    continue
  fi
  if [ -e "$tmp/raw" ]; then
    prog=$(raw_to_hex)
  elif ! "$mbpf" asm "$tmp/asm" -o "$tmp/prog.bin" >"$tmp/asm.log" 2>&1; then
    if [ -e "$tmp/error" ]; then pass=$((pass + 1)); continue; fi # rejected by the assembler
    echo "FAIL $name: does not assemble: $(head -1 "$tmp/asm.log")"
    fail=$((fail + 1))
    continue
  else
    prog=$(od -An -tx1 -v "$tmp/prog.bin" | tr -s ' \n' '  ')
  fi
  mem=""
  [ -e "$tmp/mem" ] && mem=$(tr -s ' \t\n' '   ' < "$tmp/mem" | sed 's/^ *//; s/ *$//')
  if [ -n "$mem" ]; then
    got=$(echo "$prog" | "$plugin" "$mem" "$@" 2>&1)
  else
    got=$(echo "$prog" | "$plugin" "$@" 2>&1)
  fi
  rc=$?
  if [ -e "$tmp/error" ]; then
    if [ $rc -ne 0 ]; then pass=$((pass + 1)); else
      echo "FAIL $name: expected an error, got r0 = $got"
      fail=$((fail + 1))
    fi
    continue
  fi
  want=$(normalize "$tmp/result")
  have=$(echo "$got" | tr 'A-F' 'a-f' | sed 's/^0x//; s/^0*//')
  have=${have:-0}
  if [ $rc -eq 0 ] && [ "$have" = "$want" ]; then
    pass=$((pass + 1))
  else
    echo "FAIL $name: expected $want, got (exit $rc) $(echo "$got" | head -1)"
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
