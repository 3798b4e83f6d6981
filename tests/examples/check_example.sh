#!/bin/sh
# Builds one example with `mbpf build`, runs it with `mbpf run` and compares
# what happened with the expectation file.
#
# usage: check_example.sh MBPF SOURCE EXPECT WORKDIR "BUILD ARGS" [RUN ARGS...]
#
# The compared text is the run's stdout, then "--- stderr" and its stderr,
# then "--- exit N". Host addresses in error messages vary from run to run,
# so "address 0x..." is rewritten to "address ADDR" first.
set -u
mbpf=$1 src=$2 expect=$3 work=$4 build_args=$5
shift 5
name=$(basename "$src" .c)
mkdir -p "$work"
img="$work/$name.mbpf"
# shellcheck disable=SC2086 # build_args is a word list on purpose
if ! "$mbpf" build "$src" -o "$img" $build_args >"$work/$name.build.txt" 2>&1; then
    echo "FAIL: mbpf build $src"
    cat "$work/$name.build.txt"
    exit 1
fi
"$mbpf" run "$img" "$@" >"$work/$name.stdout" 2>"$work/$name.stderr"
rc=$?
{
    cat "$work/$name.stdout"
    echo "--- stderr"
    sed -e 's/address 0x[0-9a-f]*/address ADDR/g' "$work/$name.stderr"
    echo "--- exit $rc"
} >"$work/$name.actual"
if ! diff -u "$expect" "$work/$name.actual"; then
    echo "FAIL: $name differs from $expect (build log: $work/$name.build.txt)"
    exit 1
fi
echo "ok: $name"
