#!/bin/sh
# Builds an example with --debug and checks that `mbpf objdump` shows each
# of the given fixed strings (line table, source text, function labels...).
# usage: check_objdump.sh MBPF SOURCE WORKDIR STRING...
set -u
mbpf=$1 src=$2 work=$3
shift 3
name=$(basename "$src" .c)
mkdir -p "$work"
img="$work/$name.debug.mbpf"
"$mbpf" build "$src" -o "$img" --debug -q || { echo "FAIL: build"; exit 1; }
"$mbpf" objdump "$img" >"$work/$name.objdump.txt" || { echo "FAIL: objdump"; exit 1; }
for s in "$@"; do
    if ! grep -qF -- "$s" "$work/$name.objdump.txt"; then
        echo "FAIL: objdump of $name lacks: $s"
        cat "$work/$name.objdump.txt"
        exit 1
    fi
done
echo "ok: objdump $name"
