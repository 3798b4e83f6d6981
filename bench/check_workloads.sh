#!/bin/sh
# CTest bench.workloads (tests/bench.cmake): every benchmark workload built
# with `mbpf build` and run on the host interpreter (`mbpf run`) must return
# what the same C source returns compiled natively for the host. This keeps
# the workloads of `make bench` honest without the cross build and QEMU.
#
# usage: check_workloads.sh MBPF CC WORKDIR
set -u
mbpf=$1 cc=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
fail=0
while read -r name src n; do
    case $name in '' | \#*) continue ;; esac
    img="$work/$name.mbpf"
    if ! "$mbpf" build "$here/workloads/$src.c" -I "$here/workloads" -D "WL_N=$n" \
        --entry wl_main -q -o "$img" >"$work/$name.build.txt" 2>&1; then
        echo "FAIL: $name: mbpf build"; cat "$work/$name.build.txt"; fail=1; continue
    fi
    got=$("$mbpf" run "$img" 2>&1 | sed -n 's/^r0 = \([0-9]*\) .*/\1/p')
    printf '#define WL_NAME %s\n#define WL_N %s\n#include "%s"\n#include <stdio.h>\nint main(void) { printf("%%lu\\n", (unsigned long)native_%s()); return 0; }\n' \
        "$name" "$n" "$here/workloads/$src.c" "$name" >"$work/$name.host.c"
    if ! "$cc" -std=c11 -O2 -Wall -Wextra -Werror -I "$here/workloads" "$work/$name.host.c" \
        -o "$work/$name.host" >"$work/$name.cc.txt" 2>&1; then
        echo "FAIL: $name: host compile"; cat "$work/$name.cc.txt"; fail=1; continue
    fi
    want=$("$work/$name.host")
    # eBPF r0 is 64-bit: compare the low 32 bits.
    got32=$(( ${got:-0} & 0xffffffff ))
    if [ -z "$got" ] || [ "$got32" != "$want" ]; then
        echo "FAIL: $name: eBPF r0 = '${got:-none}', native = $want"; fail=1
    else
        echo "ok: $name = $want"
    fi
done <"$here/workloads/workloads.txt"
exit $fail
