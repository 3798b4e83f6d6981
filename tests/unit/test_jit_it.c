/* IT blocks for short conditionals (jit_compile.c: it_begin, it_finish;
 * thumb2_emit.c: the IT watch). A conditional forward jump over 1-3 ALU
 * instructions becomes `it <!cond>` + those instructions when they are at
 * most 4 Thumb instructions that an IT block holds as they are, else a
 * 16-bit b<cond> over them (or a nop when they emit nothing). Every program
 * must give the interpreter's result on both sides of the condition; the
 * jump's last halfword shows which form the compiler chose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"

#define MAXP 32

static bool check(const mbpf_insn *p, unsigned n, uint8_t a, uint8_t b)
{
    static uint8_t ctx[8];
    ctx[0] = a;
    ctx[1] = b;
    jit_opts o = {.ctx = ctx, .ctx_len = sizeof ctx};
    return jit_same_opts(p, n, &o, NULL);
}

enum form { F_IT, F_BRANCH, F_NOP };

/* The form of the jump at pc `jpc`: its code's last halfword. The mask of
 * an IT is checked too: `then` for every one of `count` instructions. */
static enum form form_of(const mbpf_insn *p, unsigned n, unsigned jpc, unsigned *count)
{
    static uint8_t code[8192];
    static uint32_t offs[MAXP + 1];
    assert_int_not_equal(jit_compile_prog(p, n, code, sizeof code, offs), 0);
    uint32_t at = offs[jpc + 1] - 2;
    unsigned h = code[at] | code[at + 1] << 8;
    if (h == 0xBF00u)
        return F_NOP;
    if ((h & 0xF000u) == 0xD000u)
        return F_BRANCH;
    assert_int_equal(h & 0xFF00u, 0xBF00u);
    unsigned mask = h & 15u, fc0 = (h >> 4) & 1u, low = 0;
    assert_int_not_equal(mask, 0);
    while (!((mask >> low) & 1u))
        low++;
    unsigned k = 4 - low; /* the lowest set bit, at 4 - k, ends k instructions */
    for (unsigned i = 2; i <= k; i++)
        assert_int_equal((mask >> (5 - i)) & 1u, fc0); /* instruction i: "then" */
    *count = k;
    return F_IT;
}

static const unsigned ops[] = {MBPF_JEQ, MBPF_JNE,  MBPF_JGT,  MBPF_JGE,  MBPF_JLT, MBPF_JLE,
                               MBPF_JSET, MBPF_JSGT, MBPF_JSGE, MBPF_JSLT, MBPF_JSLE};

/* r2 = ctx[0], r3 = ctx[1], r0 = 100, r4 = 7; j<op> r2, r3 (or 50) over the
 * block; then r0 += r2 + r4 (so that every register the block writes is
 * seen), exit. */
static unsigned build(mbpf_insn *p, unsigned op, bool reg, bool is32, const mbpf_insn *blk,
                      unsigned k, unsigned *jpc)
{
    unsigned n = 0;
    p[n++] = LDX(MBPF_B, 2, 1, 0);
    p[n++] = LDX(MBPF_B, 3, 1, 1);
    p[n++] = MOV64_IMM(0, 100);
    p[n++] = MOV64_IMM(4, 7);
    *jpc = n;
    if (is32)
        p[n++] = reg ? JMP32_REG(op, 2, 3, (int16_t)k) : JMP32_IMM(op, 2, 50, (int16_t)k);
    else
        p[n++] = reg ? JMP_REG(op, 2, 3, (int16_t)k) : JMP_IMM(op, 2, 50, (int16_t)k);
    for (unsigned i = 0; i < k; i++)
        p[n++] = blk[i];
    p[n++] = ALU64_REG(MBPF_ADD, 0, 2);
    p[n++] = ALU64_REG(MBPF_ADD, 0, 4);
    p[n++] = EXIT();
    return n;
}

/* Values around the compared ones: below, equal, above, and bits in
 * common for jset. */
static const uint8_t vals[][2] = {{10, 50}, {50, 50}, {90, 50}, {0, 0}, {255, 1}, {3, 6}};

static unsigned run_all(const mbpf_insn *blk, unsigned k, enum form want, unsigned want_count)
{
    mbpf_insn p[MAXP];
    unsigned fails = 0;
    for (unsigned o = 0; o < sizeof ops / sizeof ops[0]; o++)
        for (unsigned v = 0; v < 4; v++) {
            unsigned jpc, n = build(p, ops[o], v & 1u, v & 2u, blk, k, &jpc);
            for (unsigned x = 0; x < sizeof vals / sizeof vals[0]; x++)
                if (!check(p, n, vals[x][0], vals[x][1])) {
                    print_error("op %#x variant %u values %u %u differ\n", ops[o], v,
                                vals[x][0], vals[x][1]);
                    fails++;
                }
            unsigned count = 0;
            enum form f = form_of(p, n, jpc, &count);
            if (f != want || (f == F_IT && count != want_count)) {
                print_error("op %#x variant %u: form %d (%u), expected %d (%u)\n", ops[o], v, f,
                            count, want, want_count);
                fails++;
            }
        }
    return fails;
}

/* One to three ALU32 instructions on registers and small immediates: one
 * Thumb instruction each, so an IT of 1, 2, 3 "then"s, for conditions of
 * both parities (the mask's then-bits follow the first condition's low bit). */
static void it_blocks(void **state)
{
    (void)state;
    const mbpf_insn blk[3] = {MOV32_IMM(0, 20), ALU32_REG(MBPF_ADD, 2, 4),
                              ALU32_IMM(MBPF_LSH, 4, 3)};
    unsigned fails = 0;
    for (unsigned k = 1; k <= 3; k++)
        fails += run_all(blk, k, F_IT, k);
    assert_int_equal(fails, 0);
}

/* A 64-bit add is adds + adc: adc reads the carry that the 16-bit adds
 * would not set inside an IT block, so the compiler keeps a branch. */
static void flags_inside_keep_a_branch(void **state)
{
    (void)state;
    const mbpf_insn blk[1] = {ALU64_REG(MBPF_ADD, 2, 3)};
    assert_int_equal(run_all(blk, 1, F_BRANCH, 0), 0);
}

/* More than 4 Thumb instructions (three 64-bit multiplies): a branch. */
static void too_long_keeps_a_branch(void **state)
{
    (void)state;
    const mbpf_insn blk[3] = {ALU64_IMM(MBPF_MUL, 0, 0x1000193), ALU64_REG(MBPF_MUL, 2, 0),
                              ALU64_IMM(MBPF_MUL, 4, 3)};
    assert_int_equal(run_all(blk, 3, F_BRANCH, 0), 0);
}

/* A block that emits nothing (`mov32 r2, r2` with r2's upper half known 0):
 * the 2 bytes stay a nop. */
static void empty_block_is_a_nop(void **state)
{
    (void)state;
    const mbpf_insn blk[1] = {MOV32_REG(2, 2)};
    assert_int_equal(run_all(blk, 1, F_NOP, 0), 0);
}

/* A label inside the block (a second jump lands on its second instruction)
 * or a memory access in it: no IT, the usual branch. */
static void label_or_memory_no_it(void **state)
{
    (void)state;
    mbpf_insn p[MAXP];
    unsigned n = 0;
    p[n++] = LDX(MBPF_B, 2, 1, 0);
    p[n++] = MOV64_IMM(0, 1);
    p[n++] = JMP_IMM(MBPF_JGT, 2, 40, 1); /* lands on the block's second insn */
    p[n++] = JMP_IMM(MBPF_JLT, 2, 20, 2);
    p[n++] = MOV32_IMM(0, 5);
    p[n++] = ALU32_IMM(MBPF_ADD, 0, 9);
    p[n++] = EXIT();
    for (unsigned v = 0; v < 60; v += 7)
        assert_true(check(p, n, (uint8_t)v, 0));
    unsigned count = 0;
    assert_int_equal(form_of(p, n, 3, &count), F_BRANCH);
    n = 0;
    p[n++] = LDX(MBPF_B, 2, 1, 0);
    p[n++] = MOV64_IMM(0, 1);
    p[n++] = JMP_IMM(MBPF_JLT, 2, 20, 1);
    p[n++] = LDX(MBPF_B, 0, 1, 1);
    p[n++] = EXIT();
    for (unsigned v = 0; v < 60; v += 7)
        assert_true(check(p, n, (uint8_t)v, (uint8_t)(v + 1)));
    /* the memory check's own branches: not an IT site at all (no 2-byte
     * form either: the usual forward jump, decided by relayout) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(it_blocks),
        cmocka_unit_test(flags_inside_keep_a_branch),
        cmocka_unit_test(too_long_keeps_a_branch),
        cmocka_unit_test(empty_block_is_a_nop),
        cmocka_unit_test(label_or_memory_no_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
