#!/bin/sh
# CLI tests for `mbpf` and `mbpf-conformance-plugin`, one case per CTest test:
#   tests/cli_tests.sh CASE MBPF PLUGIN SOURCE_DIR WORK_DIR [SHARED_DIR]
# Each case prints what it checks and exits non-zero on the first mismatch.
set -u

CASE=$1 MBPF=$2 PLUGIN=$3 SRC=$4 WORK=$5/cli-$1 SHARED=${6:-$4/../shared}
rm -rf "$WORK" && mkdir -p "$WORK" || exit 1
cd "$WORK" || exit 1

fail() { echo "FAIL ($CASE): $*"; exit 1; }
# expect_rc WANT CMD...: runs CMD, output in out.txt / err.txt
expect_rc() {
    want=$1; shift
    "$@" >out.txt 2>err.txt
    rc=$?
    [ "$rc" -eq "$want" ] || { cat out.txt err.txt; fail "'$*' exited $rc, expected $want"; }
}
expect_out() { grep -q -- "$1" out.txt || { cat out.txt; fail "stdout lacks '$1'"; }; }
expect_err() { grep -q -- "$1" err.txt || { cat err.txt; fail "stderr lacks '$1'"; }; }
last_line() { tail -n 1 out.txt; }

# A program that sums the context bytes (loop, backward jump).
cat > sum.s <<'ASM'
mov %r0, 0
loop:
jeq %r2, 0, done
ldxb %r3, [%r1+0]
add %r0, %r3
add %r1, 1
sub %r2, 1
ja loop
done:
exit
ASM
printf 'stxw [%%r1+4], %%r1\nmov %%r0, 0\nexit\n' > oob.s
printf 'ja +5\nexit\n' > badjump.s

case "$CASE" in
roundtrip)
    # asm -> disasm -> asm gives identical bytes, for the demo and our tests' programs.
    for s in "$SRC/examples/asm/demo.s" sum.s; do
        expect_rc 0 "$MBPF" asm "$s" -o a.bin
        expect_rc 0 "$MBPF" disasm a.bin -o back.s
        expect_rc 0 "$MBPF" asm back.s -o b.bin
        cmp -s a.bin b.bin || fail "round trip of $s changed the bytes"
        [ -s a.bin ] || fail "empty output for $s"
    done
    # Default output name: sum.s -> sum.bin, 8 bytes per slot.
    expect_rc 0 "$MBPF" asm sum.s
    [ "$(wc -c < sum.bin)" -eq 64 ] || fail "sum.bin should be 64 bytes"
    # Disassembling assembly source works too, with offsets instead of labels.
    expect_rc 0 "$MBPF" disasm sum.s --no-labels
    expect_out "ja -6"
    ;;
roundtrip-all)
    # Every -- asm section of our tests and of the public suite (if present):
    # asm -> disasm -> asm must give the same bytes.
    n=0
    for f in "$SRC"/tests/data/*.data "$SHARED"/bpf-conformance/tests/*.data; do
        [ -f "$f" ] || continue
        awk '/^[ \t]*--/ { on = ($0 ~ /^[ \t]*--[ \t]*asm[ \t]*$/); next } on' "$f" > t.s
        [ -s t.s ] || continue
        "$MBPF" asm t.s -o a.bin >/dev/null 2>err.txt || continue  # deliberately bad asm
        expect_rc 0 "$MBPF" disasm a.bin -o back.s
        expect_rc 0 "$MBPF" asm back.s -o b.bin
        cmp -s a.bin b.bin || fail "round trip of $f changed the bytes"
        n=$((n + 1))
    done
    [ "$n" -ge 50 ] || fail "only $n programs round-tripped"
    echo "$n programs round-tripped"
    ;;
run-output)
    expect_rc 0 "$MBPF" run sum.s --mem "01 02 03 ff"
    [ "$(last_line)" = "r0 = 261 (0x105)" ] || fail "last line: $(last_line)"
    expect_rc 0 "$MBPF" asm sum.s -o sum.bin
    printf '\001\002\003\004' > mem.bin
    expect_rc 0 "$MBPF" run sum.bin --mem-file mem.bin
    [ "$(last_line)" = "r0 = 10 (0xa)" ] || fail "last line: $(last_line)"
    printf 'mov %%r0, -1\nexit\n' > neg.s
    expect_rc 0 "$MBPF" run neg.s
    [ "$(last_line)" = "r0 = 18446744073709551615 (0xffffffffffffffff)" ] || fail "unsigned r0: $(last_line)"
    expect_rc 0 "$MBPF" run sum.s --mem 0102 --json
    expect_out '"status": "ok", "r0": 3, "r0_hex": "0x3", "budget_used": 2'
    printf 'stb [%%r1+0], 0x7f\nmov %%r0, 0\nexit\n' > poke.s
    expect_rc 0 "$MBPF" run poke.s --mem-size 2 --dump-mem
    expect_out "mem = 7f 00"
    ;;
run-errors)
    expect_rc 1 "$MBPF" run oob.s --mem "00 00 00 00"
    expect_err "error: out-of-bounds store at pc 0: address 0x"
    expect_err "size 4"
    [ ! -s out.txt ] || fail "no r0 line expected on failure"
    expect_rc 1 "$MBPF" run oob.s --mem "00 00 00 00" --json
    expect_out '"status": "error", "stage": "run"'
    expect_out '"pc": 0'
    expect_out '"fault_size": 4'
    expect_rc 1 "$MBPF" run sum.s --mem 0102 --budget 1
    expect_err "execution budget exhausted at pc 6"
    expect_rc 1 "$MBPF" run badjump.s
    expect_err "verifier: insn 0: jump out of range"
    printf 'stb [%%r1+0], 0x7f\nmov %%r0, 0\nexit\n' > poke.s
    expect_rc 0 "$MBPF" run poke.s --mem 00
    expect_rc 1 "$MBPF" run poke.s --mem 00 --mem-ro
    expect_err "out-of-bounds store at pc 0"
    printf 'mov %%r1, 0\nmov %%r2, 99\ncall %%r2\nexit\n' > callx99.s
    expect_rc 1 "$MBPF" run callx99.s
    expect_err "unknown helper at pc 2: helper 99"
    ;;
usage)
    expect_rc 2 "$MBPF"
    expect_rc 0 "$MBPF" --help
    expect_out "verify"
    expect_rc 2 "$MBPF" nosuchcommand
    expect_err "unknown command"
    for c in asm disasm verify run; do
        expect_rc 0 "$MBPF" "$c" --help
        expect_out "usage: mbpf $c"
        expect_rc 0 "$MBPF" help "$c"
        expect_out "usage: mbpf $c"
    done
    expect_rc 2 "$MBPF" run
    expect_err "missing program"
    expect_rc 2 "$MBPF" run sum.s --budget
    expect_err "needs a value"
    expect_rc 2 "$MBPF" run sum.s --budget 12x
    expect_err "not a number"
    expect_rc 2 "$MBPF" run sum.s --depth 0
    expect_rc 2 "$MBPF" run sum.s --depth 65
    expect_err "out of range"
    expect_rc 2 "$MBPF" run sum.s --stack 100
    expect_err "multiple of 8"
    expect_rc 2 "$MBPF" run sum.s --isa 5
    expect_rc 2 "$MBPF" run sum.s --mem "0g"
    expect_rc 2 "$MBPF" run sum.s --mem 00 --mem-size 4
    expect_err "only one of"
    expect_rc 2 "$MBPF" run sum.s --frobnicate
    expect_err "unknown option"
    expect_rc 2 "$MBPF" run missing.s
    expect_err "cannot open missing.s"
    printf '\001\002\003' > short.bin
    expect_rc 2 "$MBPF" run short.bin
    expect_err "not a multiple of 8"
    printf 'bogus %%r0\n' > bad.s
    expect_rc 1 "$MBPF" asm bad.s -o bad.bin
    expect_err "bad.s:1:"
    expect_rc 2 "$MBPF" asm
    expect_rc 2 "$MBPF" disasm a b
    ;;
verify)
    expect_rc 0 "$MBPF" verify sum.s
    expect_out "sum.s: OK"
    expect_rc 1 "$MBPF" verify badjump.s
    expect_out "rejected: verifier: insn 0: jump out of range"
    printf 'mov32 %%r0, 0\njlt %%r0, 1, exit\nexit\n' > v2.s
    expect_rc 0 "$MBPF" verify v2.s --isa 2
    expect_rc 1 "$MBPF" verify v2.s --isa 1
    expect_out "needs ISA v2"
    printf 'mov %%r2, 5\ncall %%r2\nexit\n' > callx.s
    expect_rc 0 "$MBPF" verify callx.s
    expect_rc 1 "$MBPF" verify callx.s --no-callx
    expect_rc 1 "$MBPF" verify callx.s -q --no-callx
    [ ! -s out.txt ] || fail "--quiet printed something"
    ;;
plugin)
    # Program on stdin as hex bytes; r0 printed in hex; memory as argv[1].
    echo "b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00" > p1.hex
    expect_rc 0 sh -c "'$PLUGIN' < p1.hex"
    [ "$(cat out.txt)" = "2a" ] || fail "plugin printed '$(cat out.txt)'"
    # ldxw r0, [r1+0]; exit with memory 01 02 03 04
    echo "61 10 00 00 00 00 00 00 95 00 00 00 00 00 00 00" > p2.hex
    expect_rc 0 sh -c "'$PLUGIN' '01  02  03  04  ' --interpret < p2.hex"
    [ "$(cat out.txt)" = "4030201" ] || fail "plugin with memory printed '$(cat out.txt)'"
    # the same load 2 bytes further straddles the end: error on stdout, non-zero exit
    echo "61 10 02 00 00 00 00 00 95 00 00 00 00 00 00 00" > p3.hex
    expect_rc 1 sh -c "'$PLUGIN' '01 02 03 04' < p3.hex"
    expect_out "out-of-bounds load"
    # helper 5 returns its first argument (callx through r2 too)
    echo "b7 01 00 00 07 00 00 00 85 00 00 00 05 00 00 00 95 00 00 00 00 00 00 00" > p4.hex
    expect_rc 0 sh -c "'$PLUGIN' < p4.hex"
    [ "$(cat out.txt)" = "7" ] || fail "helper 5 printed '$(cat out.txt)'"
    # empty arguments are ignored; options may come in one argument
    expect_rc 0 sh -c "'$PLUGIN' '' '--interpret --isa 4' < p1.hex"
    [ "$(cat out.txt)" = "2a" ] || fail "plugin with empty arg printed '$(cat out.txt)'"
    expect_rc 1 sh -c "echo 'ff 00 00 00 00 00 00 00' | '$PLUGIN'"
    expect_out "unknown opcode"
    # --jit: the same program compiled to Thumb-2 and run under Unicorn
    expect_rc 0 sh -c "'$PLUGIN' --jit < p1.hex"
    [ "$(cat out.txt)" = "2a" ] || fail "plugin --jit printed '$(cat out.txt)'"
    expect_rc 2 sh -c "'$PLUGIN' --bogus < p1.hex"
    expect_rc 2 sh -c "echo '95 00 00' | '$PLUGIN'"
    ;;
*)
    fail "unknown case"
    ;;
esac
echo "ok ($CASE)"
