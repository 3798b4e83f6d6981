/* Low registers (jit_regs.c): among the halves that get ARM registers, the
 * ones whose instructions have 16-bit forms only with r0-r7 (immediates of
 * 0..255, shifts, masks, register ALU ops, memory accesses) get r4-r7 ahead
 * of heavier halves that only move (`mov` is 16-bit with any register). Each
 * program checks the compiler's own choice, then runs on the interpreter
 * and through the JIT under Unicorn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"
#include "host_vm.h"
#include "jit/armv7m/jit_internal.h"
#include "jit_choice.h"

static void choice(const mbpf_insn *p, uint32_t n, jit *j) { jit_test_choice(p, n, j); }

static bool low(unsigned reg) { return reg >= 4 && reg <= 7; }

/* r6-r9 only move, inside a loop (heavy); r2 is compared with small
 * immediates outside it (light): r2 still gets a low register. */
static void compares_beat_moves(void **state)
{
    (void)state;
    const mbpf_insn p[] = {
        MOV32_IMM(6, 1), MOV32_IMM(7, 2), MOV32_IMM(8, 3), MOV32_IMM(9, 4), MOV32_IMM(0, 5),
        MOV32_REG(3, 6), MOV32_REG(6, 7), MOV32_REG(7, 8), MOV32_REG(8, 9), MOV32_REG(9, 3),
        ALU32_IMM(MBPF_SUB, 0, 1), JMP32_IMM(MBPF_JNE, 0, 0, -7),
        JMP32_IMM(MBPF_JEQ, 2, 0, 4), JMP32_IMM(MBPF_JGT, 2, 20, 3), JMP32_IMM(MBPF_JLT, 2, 7, 2),
        JMP32_IMM(MBPF_JEQ, 2, 9, 1), ALU32_IMM(MBPF_ADD, 6, 100),
        ALU32_REG(MBPF_ADD, 6, 7), MOV32_REG(0, 6), EXIT()};
    uint32_t n = sizeof p / sizeof p[0];
    jit j;
    choice(p, n, &j);
    assert_int_not_equal(j.lo[2], JIT_NOREG);
    assert_true(low(j.lo[2]));
    /* the moves' registers all got registers too, some of them high */
    unsigned high = 0;
    for (unsigned r = 6; r <= 9; r++) {
        assert_int_not_equal(j.lo[r], JIT_NOREG);
        high += !low(j.lo[r]);
    }
    assert_true(high >= 1);
    static const uint32_t args[] = {0, 5, 9, 21, 3};
    for (size_t a = 0; a < sizeof args / sizeof args[0]; a++) {
        mbpf_insn q[sizeof p / sizeof p[0] + 1];
        q[0] = MOV32_IMM(2, (int32_t)args[a]);
        memcpy(q + 1, p, sizeof p);
        assert_true(jit_same(q, n + 1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compares_beat_moves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
