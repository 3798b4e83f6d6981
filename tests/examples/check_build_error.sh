#!/bin/sh
# `mbpf build` must fail on SOURCE with the given exit status and print each
# given fixed string (compiler diagnostics included).
# usage: check_build_error.sh MBPF SOURCE WORKDIR STATUS "BUILD ARGS" STRING...
set -u
mbpf=$1 src=$2 work=$3 want_rc=$4 build_args=$5
shift 5
name=$(basename "$src" .c)
mkdir -p "$work"
# shellcheck disable=SC2086 # build_args is a word list on purpose
"$mbpf" build "$src" -o "$work/$name.mbpf" $build_args >"$work/$name.build.txt" 2>&1
rc=$?
if [ "$rc" != "$want_rc" ]; then
    echo "FAIL: mbpf build $src exited with $rc, expected $want_rc"
    cat "$work/$name.build.txt"
    exit 1
fi
for s in "$@"; do
    if ! grep -qF -- "$s" "$work/$name.build.txt"; then
        echo "FAIL: the output for $name lacks: $s"
        cat "$work/$name.build.txt"
        exit 1
    fi
done
echo "ok: $name refused"
