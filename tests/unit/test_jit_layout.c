/* Branch sizes of the JIT's layout (jit_compile.c: one sizing pass, forward
 * jumps narrowed by a sweep, the emitting pass with the same decisions):
 * jumps over K filler instructions for every K around the reach of the
 * 16-bit forms (B<cond> +-256 bytes, B +-2 KiB), forward and backward,
 * conditional and not, exits far from the exit routine, and jumps that cross
 * each other; every program must compile (the compiler checks that the
 * emitted layout is the sized one) and give the interpreter's result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"

#define MAXP 1400

/* Filler kind 0: add32 (2 bytes), 1: add64 (6 bytes), 2: alternating. */
static mbpf_insn filler(unsigned kind, unsigned i)
{
    if (kind == 0 || (kind == 2 && (i & 1)))
        return ALU32_IMM(MBPF_ADD, 0, 1);
    return ALU64_IMM(MBPF_ADD, 0, 3);
}

static bool check(const mbpf_insn *p, unsigned n, uint32_t r1)
{
    static uint8_t ctx[8];
    ctx[0] = (uint8_t)r1;
    jit_opts o = {.ctx = ctx, .ctx_len = sizeof ctx};
    return jit_same_opts(p, n, &o, NULL);
}

/* r0 = 0; if ctx[0] != 0 skip K fillers (conditional) / always (ja). */
static bool forward(unsigned k, unsigned kind, bool cond, uint32_t r1)
{
    mbpf_insn p[MAXP];
    unsigned n = 0;
    p[n++] = MOV64_IMM(0, 0);
    p[n++] = LDX(MBPF_B, 2, 1, 0);
    p[n++] = cond ? JMP_IMM(MBPF_JNE, 2, 0, (int16_t)k) : JA((int16_t)k);
    for (unsigned i = 0; i < k; i++)
        p[n++] = filler(kind, i);
    p[n++] = EXIT();
    return check(p, n, r1);
}

/* A loop of K fillers run 3 times: backward conditional jump (and budget). */
static bool backward(unsigned k, unsigned kind, bool cond)
{
    mbpf_insn p[MAXP];
    unsigned n = 0;
    p[n++] = MOV64_IMM(0, 0);
    p[n++] = MOV64_IMM(3, 3);
    unsigned top = n;
    for (unsigned i = 0; i < k; i++)
        p[n++] = filler(kind, i);
    p[n++] = ALU64_IMM(MBPF_SUB, 3, 1);
    if (cond) {
        p[n] = JMP_IMM(MBPF_JNE, 3, 0, (int16_t)((int)top - (int)n - 1));
        n++;
    } else { /* jeq r3, 0, +1; ja top */
        p[n++] = JMP_IMM(MBPF_JEQ, 3, 0, 1);
        p[n] = JA((int16_t)((int)top - (int)n - 1));
        n++;
    }
    p[n++] = EXIT();
    return check(p, n, 0);
}

/* An exit K fillers before the end (its branch to the exit routine spans
 * the rest of the code), taken when ctx[0] == 0. */
static bool early_exit(unsigned k, unsigned kind, uint32_t r1)
{
    mbpf_insn p[MAXP];
    unsigned n = 0;
    p[n++] = MOV64_IMM(0, 7);
    p[n++] = LDX(MBPF_B, 2, 1, 0);
    p[n++] = JMP_IMM(MBPF_JNE, 2, 0, 1);
    p[n++] = EXIT();
    for (unsigned i = 0; i < k; i++)
        p[n++] = filler(kind, i);
    p[n++] = EXIT();
    return check(p, n, r1);
}

static bool sweep(unsigned lo, unsigned hi, unsigned step)
{
    unsigned fails = 0;
    for (unsigned k = lo; k <= hi; k += step)
        for (unsigned kind = 0; kind < 3; kind++) {
            bool ok = forward(k, kind, true, 1) && forward(k, kind, true, 0) &&
                      forward(k, kind, false, 0) && backward(k, kind, true) &&
                      backward(k, kind, false) && early_exit(k, kind, 0) &&
                      early_exit(k, kind, 1);
            if (!ok) {
                print_error("K %u filler kind %u\n", k, kind);
                fails++;
            }
        }
    return fails == 0;
}

/* B<cond>: +-256 bytes: up to ~130 two-byte fillers. */
static void near_reach(void **state)
{
    (void)state;
    assert_true(sweep(0, 140, 1));
}

/* B: +-2 KiB: about 1024 two-byte fillers, 340 six-byte ones. */
static void far_reach(void **state)
{
    (void)state;
    assert_true(sweep(300, 380, 1));
    assert_true(sweep(990, 1060, 1));
}

/* Many forward jumps crossing each other (targets a pseudo-random distance
 * ahead), so that narrowing one shortens the others. */
static void crossing(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    unsigned fails = 0;
    for (unsigned round = 0; round < 60; round++) {
        mbpf_insn p[MAXP];
        unsigned n = 0, len = 200 + round * 15;
        p[n++] = MOV64_IMM(0, 0);
        p[n++] = LDX(MBPF_B, 2, 1, 0);
        while (n < len) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = (seed >> 16) & 0x7fff;
            if (r % 4 == 0 && n + 2 < len) {
                unsigned span = 1 + (r >> 2) % (round < 30 ? 140 : 700);
                if (n + 1 + span > len)
                    span = len - n - 1;
                p[n++] = (r & 0x100) ? JA((int16_t)span)
                                     : JMP_IMM(MBPF_JGT, 2, (int32_t)(r % 200), (int16_t)span);
            } else {
                p[n] = filler(r % 3, n);
                n++;
            }
        }
        p[n++] = EXIT();
        for (uint32_t v = 0; v < 256; v += 51)
            if (!check(p, n, v)) {
                print_error("round %u ctx %u\n", round, v);
                fails++;
            }
    }
    assert_int_equal(fails, 0);
}

/* A jump that is its instruction's whole code and lands on the code right
 * after it (ja +0, the last exit before the exit routine) is left out: with
 * or without such jumps the code has the same size and result. */
static size_t code_size(const mbpf_insn *p, unsigned n)
{
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, p, n);
    uint32_t offs[16];
    size_t len = 0;
    assert_true(n < 16);
    assert_int_equal(mbpf_jit_compile(&t.vm, NULL, 0, &len, offs, NULL), MBPF_E_NOSPACE);
    tvm_close(&t);
    return len;
}

static void next_jump_left_out(void **state)
{
    (void)state;
    const mbpf_insn with[] = {
        MOV64_IMM(0, 5), LDX(MBPF_B, 2, 1, 0), JA(0), ALU64_REG(MBPF_ADD, 0, 2), JA(0),
        JA(0), JMP_IMM(MBPF_JEQ, 2, 3, 1), EXIT(), ALU64_IMM(MBPF_ADD, 0, 1), EXIT(),
    };
    const mbpf_insn without[] = {
        MOV64_IMM(0, 5), LDX(MBPF_B, 2, 1, 0), ALU64_REG(MBPF_ADD, 0, 2),
        JMP_IMM(MBPF_JEQ, 2, 3, 1), EXIT(), ALU64_IMM(MBPF_ADD, 0, 1), EXIT(),
    };
    unsigned nw = sizeof with / sizeof *with, no = sizeof without / sizeof *without;
    assert_int_equal(code_size(with, nw), code_size(without, no));
    for (uint32_t v = 0; v < 6; v++) {
        assert_true(check(with, nw, v));
        assert_true(check(without, no, v));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(near_reach),
        cmocka_unit_test(far_reach),
        cmocka_unit_test(crossing),
        cmocka_unit_test(next_jump_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
