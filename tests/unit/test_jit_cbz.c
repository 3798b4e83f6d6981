/* cbz/cbnz for `jeq/jne d, 0` forward (jit_compile.c: cbz_jump, cbz_fits):
 * d's low word in r4-r7 with its upper half known 0 (or JMP32). Relayout
 * turns the sizing pass's `cmp d, #0; b.w` into one 16-bit cbz/cbnz when
 * its target stays 4..130 bytes ahead in the final layout. Each program
 * must compile (the compiler checks the emitted layout against the sized
 * one) and give the interpreter's result; the cbz is seen in the code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"

#define MAXP 200

static bool check(const mbpf_insn *p, unsigned n, uint8_t v)
{
    static uint8_t ctx[8];
    ctx[0] = v;
    jit_opts o = {.ctx = ctx, .ctx_len = sizeof ctx};
    return jit_same_opts(p, n, &o, NULL);
}

/* How many cbz/cbnz the compiled program holds (16-bit 1011 x0x1). */
static unsigned count_cbz(const mbpf_insn *p, unsigned n)
{
    static uint8_t code[8192];
    static uint32_t offs[MAXP + 1];
    assert_int_not_equal(jit_compile_prog(p, n, code, sizeof code, offs), 0);
    unsigned c = 0;
    /* only the main code (the prologue and routines hold no cbz) */
    for (uint32_t at = offs[0]; at + 2 <= offs[n];) {
        unsigned h = code[at] | code[at + 1] << 8;
        if ((h & 0xf500u) == 0xb100u)
            c++;
        at += (h >> 11) >= 0x1du ? 4u : 2u;
    }
    return c;
}

/* r2 = ctx[0] (upper half known 0); jeq/jne r2, 0 over k fillers. Filler
 * 0: add32 r0, 1 (2 bytes); 1: ja +0 (left out: no code) then one add32 at
 * the end when `solid`. */
static unsigned build(mbpf_insn *p, unsigned k, bool ne, unsigned kind, bool solid)
{
    unsigned n = 0;
    p[n++] = MOV64_IMM(0, 0);
    p[n++] = LDX(MBPF_B, 2, 1, 0);
    p[n++] = JMP_IMM(ne ? MBPF_JNE : MBPF_JEQ, 2, 0, (int16_t)(k + (solid ? 1 : 0)));
    for (unsigned i = 0; i < k; i++)
        p[n++] = kind == 0 ? ALU32_IMM(MBPF_ADD, 0, 1) : JA(0);
    if (solid)
        p[n++] = ALU32_IMM(MBPF_ADD, 0, 7);
    p[n++] = ALU32_REG(MBPF_ADD, 0, 2);
    p[n++] = EXIT();
    return n;
}

/* Every distance around cbz's reach (130 bytes), both values, both ops. */
static void reach(void **state)
{
    (void)state;
    mbpf_insn p[MAXP];
    unsigned seen = 0, fails = 0;
    for (unsigned k = 0; k < 90; k++)
        for (unsigned ne = 0; ne < 2; ne++) {
            unsigned n = build(p, k, ne, 0, false);
            for (unsigned v = 0; v < 2; v++)
                if (!check(p, n, (uint8_t)(v * 9))) {
                    print_error("k %u ne %u v %u\n", k, ne, v);
                    fails++;
                }
            unsigned c = count_cbz(p, n);
            seen += c;
            if (k >= 70 && c != 0) { /* 2 bytes per filler: out of reach */
                print_error("k %u: cbz out of reach\n", k);
                fails++;
            }
            if (k >= 1 && k <= 60 && c != 1) {
                print_error("k %u: no cbz\n", k);
                fails++;
            }
        }
    assert_int_equal(fails, 0);
    assert_true(seen > 0);
}

/* Only jumps that relayout leaves out between: the target could come right
 * after the cbz (no reach): the compiler keeps cmp + b there. */
static void nothing_between(void **state)
{
    (void)state;
    mbpf_insn p[MAXP];
    for (unsigned k = 0; k < 4; k++)
        for (unsigned solid = 0; solid < 2; solid++) {
            unsigned n = build(p, k, true, 1, solid);
            for (unsigned v = 0; v < 2; v++)
                assert_true(check(p, n, (uint8_t)(v * 5)));
            if (solid)
                assert_int_equal(count_cbz(p, n), 1);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reach),
        cmocka_unit_test(nothing_between),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
