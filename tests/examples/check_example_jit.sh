#!/bin/sh
# Builds one example with `mbpf build` and runs it with `mbpf jit --run`:
# on the interpreter and through the JIT under Unicorn (Cortex-M4). Passes
# when both agree on everything the differential tester compares (exit 0 and
# "verdict: same"), whatever the program's own status.
#
# usage: check_example_jit.sh MBPF SOURCE WORKDIR "BUILD ARGS" LOAD_ERROR [RUN ARGS...]
#
# LOAD_ERROR non-empty: the program must be refused at load (by the
# verifier, before either engine runs it) with that text on stderr, exit 1.
set -u
mbpf=$1 src=$2 work=$3 build_args=$4 load_error=$5
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
"$mbpf" jit "$img" --run "$@" >"$work/$name.stdout" 2>"$work/$name.stderr"
rc=$?
cat "$work/$name.stdout"
cat "$work/$name.stderr"
if [ -n "$load_error" ]; then
    if [ $rc -eq 1 ] && grep -qF "$load_error" "$work/$name.stderr" &&
        ! grep -q "^verdict:" "$work/$name.stdout"; then
        echo "ok: $name refused at load: $load_error"
        exit 0
    fi
    echo "FAIL: $name: expected the load error '$load_error' and exit 1 (exit $rc)"
    exit 1
fi
if [ $rc -ne 0 ] || ! grep -qx "verdict: *same" "$work/$name.stdout"; then
    echo "FAIL: $name: the JIT and the interpreter differ (exit $rc)"
    exit 1
fi
echo "ok: $name (JIT = interpreter)"
