/* Interpreter: every opcode and its edge cases, loads/stores, atomics, calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "internal.h"
#include "prog.h"

typedef struct alu_case {
    uint8_t op;
    uint8_t is_signed;
    uint64_t a, b, expect;
} alu_case;
#include "alu_cases.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

static int fits_imm(uint64_t b)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)b == b;
}

/* Every vector through the register form, and the immediate form when the
 * value is an imm (sign-extended for ALU64). */
static void test_alu64_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASES(alu64_cases); i++) {
        const alu_case *c = &alu64_cases[i];
        uint64_t r = RUN_R0(LDDW(0, c->a), LDDW(1, c->b),
                            INSN(MBPF_ALU64 | MBPF_X | c->op, 0, 1, c->is_signed, 0), EXIT());
        if (r != c->expect)
            print_error("alu64 X op 0x%x s%d a=%#llx b=%#llx\n", c->op, c->is_signed,
                        (unsigned long long)c->a, (unsigned long long)c->b);
        assert_int_equal(r, c->expect);
        if (!fits_imm(c->b))
            continue;
        r = RUN_R0(LDDW(0, c->a),
                   INSN(MBPF_ALU64 | MBPF_K | c->op, 0, 0, c->is_signed, (int32_t)(uint32_t)c->b),
                   EXIT());
        if (r != c->expect)
            print_error("alu64 K op 0x%x s%d a=%#llx b=%#llx\n", c->op, c->is_signed,
                        (unsigned long long)c->a, (unsigned long long)c->b);
        assert_int_equal(r, c->expect);
    }
}

/* ALU32 uses only the low halves (garbage is put in the high halves) and
 * zero-extends every result. */
static void test_alu32_vectors(void **state)
{
    (void)state;
    const uint64_t junk = 0xdead5eef00000000ull;
    for (size_t i = 0; i < NCASES(alu32_cases); i++) {
        const alu_case *c = &alu32_cases[i];
        uint64_t r = RUN_R0(LDDW(0, c->a | junk), LDDW(1, c->b | junk),
                            INSN(MBPF_ALU | MBPF_X | c->op, 0, 1, c->is_signed, 0), EXIT());
        if (r != c->expect)
            print_error("alu32 X op 0x%x s%d a=%#llx b=%#llx\n", c->op, c->is_signed,
                        (unsigned long long)c->a, (unsigned long long)c->b);
        assert_int_equal(r, c->expect);
        r = RUN_R0(LDDW(0, c->a | junk),
                   INSN(MBPF_ALU | MBPF_K | c->op, 0, 0, c->is_signed, (int32_t)(uint32_t)c->b),
                   EXIT());
        assert_int_equal(r, c->expect);
    }
}

/* The RFC's edge rules, spelled out one by one. */
static void test_div_mod_edges(void **state)
{
    (void)state;
    const uint64_t min64 = 0x8000000000000000ull;
    /* unsigned: x/0 = 0, x%0 = x; 32-bit forms zero-extend */
    assert_int_equal(RUN_R0(MOV64_IMM(0, -5), ALU64_IMM(MBPF_DIV, 0, 0), EXIT()), 0);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -5), ALU64_IMM(MBPF_MOD, 0, 0), EXIT()),
                     (uint64_t)-5);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -5), MOV64_IMM(1, 0), ALU32_REG(MBPF_MOD, 0, 1), EXIT()),
                     0xfffffffbu);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -5), ALU32_IMM(MBPF_DIV, 0, 0), EXIT()), 0);
    /* signed by zero: same as unsigned */
    assert_int_equal(RUN_R0(MOV64_IMM(0, -5), SALU64_IMM(MBPF_DIV, 0, 0), EXIT()), 0);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -5), SALU64_IMM(MBPF_MOD, 0, 0), EXIT()),
                     (uint64_t)-5);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -5), SALU32_IMM(MBPF_MOD, 0, 0), EXIT()), 0xfffffffbu);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -5), SALU32_IMM(MBPF_DIV, 0, 0), EXIT()), 0);
    /* INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0 */
    assert_int_equal(RUN_R0(LDDW(0, min64), SALU64_IMM(MBPF_DIV, 0, -1), EXIT()), min64);
    assert_int_equal(RUN_R0(LDDW(0, min64), SALU64_IMM(MBPF_MOD, 0, -1), EXIT()), 0);
    assert_int_equal(RUN_R0(MOV32_IMM(0, INT32_MIN), SALU32_IMM(MBPF_DIV, 0, -1), EXIT()),
                     0x80000000u);
    assert_int_equal(RUN_R0(MOV32_IMM(0, INT32_MIN), SALU32_IMM(MBPF_MOD, 0, -1), EXIT()), 0);
    /* truncation toward zero; remainder has the dividend's sign */
    assert_int_equal(RUN_R0(MOV64_IMM(0, -7), SALU64_IMM(MBPF_DIV, 0, 2), EXIT()), (uint64_t)-3);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -7), SALU64_IMM(MBPF_MOD, 0, 2), EXIT()), (uint64_t)-1);
    assert_int_equal(RUN_R0(MOV64_IMM(0, 7), SALU64_IMM(MBPF_MOD, 0, -2), EXIT()), 1);
    assert_int_equal(RUN_R0(MOV32_IMM(0, -7), SALU32_IMM(MBPF_MOD, 0, 2), EXIT()), 0xffffffffu);
    assert_int_equal(RUN_R0(MOV32_IMM(0, 7), SALU32_IMM(MBPF_DIV, 0, -2), EXIT()), 0xfffffffdu);
    /* unsigned 64-bit division is really unsigned */
    assert_int_equal(RUN_R0(MOV64_IMM(0, -1), ALU64_IMM(MBPF_DIV, 0, 2), EXIT()),
                     0x7fffffffffffffffull);
}

static void test_shifts_neg_mov(void **state)
{
    (void)state;
    /* amounts are masked */
    assert_int_equal(RUN_R0(MOV64_IMM(0, 1), MOV64_IMM(1, 65), ALU64_REG(MBPF_LSH, 0, 1), EXIT()), 2);
    assert_int_equal(RUN_R0(MOV64_IMM(0, 1), MOV64_IMM(1, 33), ALU32_REG(MBPF_LSH, 0, 1), EXIT()), 2);
    assert_int_equal(RUN_R0(MOV64_IMM(0, 1), ALU32_IMM(MBPF_LSH, 0, 32), EXIT()), 1);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -16), ALU64_IMM(MBPF_ARSH, 0, 2), EXIT()), (uint64_t)-4);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -16), ALU32_IMM(MBPF_ARSH, 0, 2), EXIT()), 0xfffffffcu);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -16), ALU32_IMM(MBPF_RSH, 0, 2), EXIT()), 0x3ffffffcu);
    assert_int_equal(RUN_R0(MOV64_IMM(0, -16), ALU64_IMM(MBPF_ARSH, 0, 0), EXIT()), (uint64_t)-16);
    /* neg */
    assert_int_equal(RUN_R0(MOV64_IMM(0, 5), NEG64(0), EXIT()), (uint64_t)-5);
    assert_int_equal(RUN_R0(MOV64_IMM(0, 5), NEG32(0), EXIT()), 0xfffffffbu);
    assert_int_equal(RUN_R0(LDDW(0, 0x8000000000000000ull), NEG64(0), EXIT()),
                     0x8000000000000000ull);
    /* mov: 64-bit imm sign-extends, 32-bit zero-extends */
    assert_int_equal(RUN_R0(MOV64_IMM(0, -2), EXIT()), (uint64_t)-2);
    assert_int_equal(RUN_R0(MOV32_IMM(0, -2), EXIT()), 0xfffffffeu);
    assert_int_equal(RUN_R0(MOV64_IMM(1, -2), MOV32_REG(0, 1), EXIT()), 0xfffffffeu);
    assert_int_equal(RUN_R0(LDDW(1, 0x1122334455667788ull), MOV64_REG(0, 1), EXIT()),
                     0x1122334455667788ull);
}

static void test_movsx(void **state)
{
    (void)state;
    assert_int_equal(RUN_R0(MOV64_IMM(1, 0x180), MOVSX64(0, 1, 8), EXIT()), (uint64_t)-128);
    assert_int_equal(RUN_R0(MOV64_IMM(1, 0x17f), MOVSX64(0, 1, 8), EXIT()), 0x7f);
    assert_int_equal(RUN_R0(MOV64_IMM(1, 0x18000), MOVSX64(0, 1, 16), EXIT()), (uint64_t)-32768);
    assert_int_equal(RUN_R0(LDDW(1, 0x180000000ull), MOVSX64(0, 1, 32), EXIT()),
                     0xffffffff80000000ull);
    assert_int_equal(RUN_R0(LDDW(1, 0x17fffffffull), MOVSX64(0, 1, 32), EXIT()), 0x7fffffff);
    /* ALU32 movsx: sign-extend to 32, then zero-extend */
    assert_int_equal(RUN_R0(MOV64_IMM(1, 0x80), MOVSX32(0, 1, 8), EXIT()), 0xffffff80u);
    assert_int_equal(RUN_R0(MOV64_IMM(1, 0x8000), MOVSX32(0, 1, 16), EXIT()), 0xffff8000u);
    assert_int_equal(RUN_R0(MOV64_IMM(1, 0x7000), MOVSX32(0, 1, 16), EXIT()), 0x7000);
}

static void test_byte_swaps(void **state)
{
    (void)state;
    const uint64_t v = 0x0123456789abcdefull;
    assert_int_equal(RUN_R0(LDDW(0, v), LE(0, 16), EXIT()), 0xcdef);
    assert_int_equal(RUN_R0(LDDW(0, v), LE(0, 32), EXIT()), 0x89abcdef);
    assert_int_equal(RUN_R0(LDDW(0, v), LE(0, 64), EXIT()), v);
    assert_int_equal(RUN_R0(LDDW(0, v), BE(0, 16), EXIT()), 0xefcd);
    assert_int_equal(RUN_R0(LDDW(0, v), BE(0, 32), EXIT()), 0xefcdab89u);
    assert_int_equal(RUN_R0(LDDW(0, v), BE(0, 64), EXIT()), 0xefcdab8967452301ull);
    assert_int_equal(RUN_R0(LDDW(0, v), BSWAP(0, 16), EXIT()), 0xefcd);
    assert_int_equal(RUN_R0(LDDW(0, v), BSWAP(0, 32), EXIT()), 0xefcdab89u);
    assert_int_equal(RUN_R0(LDDW(0, v), BSWAP(0, 64), EXIT()), 0xefcdab8967452301ull);
}

static void test_lddw(void **state)
{
    (void)state;
    assert_int_equal(RUN_R0(LDDW(0, 0xffffffff00000001ull), EXIT()), 0xffffffff00000001ull);
    assert_int_equal(RUN_R0(LDDW(0, 0x80000000ull), EXIT()), 0x80000000ull);
    assert_int_equal(RUN_R0(LDDW(0, 0), EXIT()), 0);
}

/* One conditional jump: r0 = taken ? 1 : 0. */
static uint64_t jump_taken(uint8_t code, uint64_t a, uint64_t b, int use_imm)
{
    if (use_imm)
        return RUN_R0(LDDW(1, a), MOV64_IMM(0, 0), INSN(code, 1, 0, 1, (int32_t)(uint32_t)b),
                      EXIT(), MOV64_IMM(0, 1), EXIT());
    return RUN_R0(LDDW(1, a), LDDW(2, b), MOV64_IMM(0, 0), INSN(code, 1, 2, 1, 0), EXIT(),
                  MOV64_IMM(0, 1), EXIT());
}

typedef struct jcase {
    uint8_t op;
    uint64_t a, b;
    int taken;
} jcase;

static void test_jumps64(void **state)
{
    (void)state;
    const uint64_t m1 = UINT64_MAX; /* -1 */
    const jcase cases[] = {
        {MBPF_JEQ, 5, 5, 1},    {MBPF_JEQ, 5, 6, 0},    {MBPF_JNE, 5, 6, 1},
        {MBPF_JNE, 5, 5, 0},    {MBPF_JGT, m1, 1, 1},   {MBPF_JGT, 1, 1, 0},
        {MBPF_JGE, 1, 1, 1},    {MBPF_JGE, 0, 1, 0},    {MBPF_JLT, 1, m1, 1},
        {MBPF_JLT, 1, 1, 0},    {MBPF_JLE, 1, 1, 1},    {MBPF_JLE, 2, 1, 0},
        {MBPF_JSET, 6, 2, 1},   {MBPF_JSET, 6, 1, 0},   {MBPF_JSGT, 1, m1, 1},
        {MBPF_JSGT, m1, 1, 0},  {MBPF_JSGE, m1, m1, 1}, {MBPF_JSGE, m1 - 1, m1, 0},
        {MBPF_JSLT, m1, 1, 1},  {MBPF_JSLT, 1, m1, 0},  {MBPF_JSLE, m1, m1, 1},
        {MBPF_JSLE, 0, m1, 0},
        /* high halves matter for 64-bit compares */
        {MBPF_JEQ, 0x100000005ull, 5, 0}, {MBPF_JGT, 0x100000000ull, 0xffffffffull, 1},
    };
    for (size_t i = 0; i < NCASES(cases); i++) {
        const jcase *c = &cases[i];
        assert_int_equal(jump_taken(MBPF_JMP | MBPF_X | c->op, c->a, c->b, 0), c->taken);
        if (fits_imm(c->b))
            assert_int_equal(jump_taken(MBPF_JMP | MBPF_K | c->op, c->a, c->b, 1), c->taken);
    }
}

static void test_jumps32(void **state)
{
    (void)state;
    const uint64_t hi = 0x7777777700000000ull; /* ignored by JMP32 */
    const jcase cases[] = {
        {MBPF_JEQ, hi | 5, 5, 1},          {MBPF_JEQ, 6, 5, 0},
        {MBPF_JNE, hi | 5, 5, 0},          {MBPF_JNE, 6, 5, 1},
        {MBPF_JGT, 0xffffffffu, 1, 1},     {MBPF_JGT, hi | 1, 2, 0},
        {MBPF_JGE, 2, 2, 1},               {MBPF_JGE, 1, 2, 0},
        {MBPF_JLT, 1, 0xffffffffu, 1},     {MBPF_JLT, hi | 3, 2, 0},
        {MBPF_JLE, 2, 2, 1},               {MBPF_JLE, 3, 2, 0},
        {MBPF_JSET, hi | 4, 4, 1},         {MBPF_JSET, hi, 0xffffffffu, 0},
        {MBPF_JSGT, 1, 0xffffffffu, 1},    {MBPF_JSGT, 0x80000000u, 0, 0},
        {MBPF_JSGE, 0xffffffffu, 0xffffffffu, 1}, {MBPF_JSGE, 0x80000000u, 0x80000001u, 0},
        {MBPF_JSLT, 0x80000000u, 0, 1},    {MBPF_JSLT, 0, 0x80000000u, 0},
        {MBPF_JSLE, 0xffffffffu, 0, 1},    {MBPF_JSLE, 1, 0, 0},
    };
    for (size_t i = 0; i < NCASES(cases); i++) {
        const jcase *c = &cases[i];
        assert_int_equal(jump_taken(MBPF_JMP32 | MBPF_X | c->op, c->a, hi | c->b, 0), c->taken);
        assert_int_equal(jump_taken(MBPF_JMP32 | MBPF_K | c->op, c->a, c->b, 1), c->taken);
    }
}

static void test_ja_forms(void **state)
{
    (void)state;
    assert_int_equal(RUN_R0(MOV64_IMM(0, 1), JA(1), MOV64_IMM(0, 2), EXIT()), 1);
    assert_int_equal(RUN_R0(MOV64_IMM(0, 1), JA32(1), MOV64_IMM(0, 2), EXIT()), 1);
    /* ja32 backwards: a loop of 3 iterations */
    assert_int_equal(RUN_R0(MOV64_IMM(0, 0), ALU64_IMM(MBPF_ADD, 0, 1),
                            JMP_IMM(MBPF_JEQ, 0, 3, 1), JA32(-3), EXIT()),
                     3);
}

static void test_loads_stores(void **state)
{
    (void)state;
    /* every size through the stack, loads zero-extend */
    assert_int_equal(RUN_R0(LDDW(1, 0x8899aabbccddeeffull), STX(MBPF_DW, 10, 1, -8),
                            LDX(MBPF_DW, 0, 10, -8), EXIT()),
                     0x8899aabbccddeeffull);
    assert_int_equal(RUN_R0(LDDW(1, 0x8899aabbccddeeffull), STX(MBPF_DW, 10, 1, -8),
                            LDX(MBPF_W, 0, 10, -8), EXIT()),
                     0xccddeeffu);
    assert_int_equal(RUN_R0(LDDW(1, 0x8899aabbccddeeffull), STX(MBPF_DW, 10, 1, -8),
                            LDX(MBPF_H, 0, 10, -4), EXIT()),
                     0xaabb);
    assert_int_equal(RUN_R0(LDDW(1, 0x8899aabbccddeeffull), STX(MBPF_DW, 10, 1, -8),
                            LDX(MBPF_B, 0, 10, -1), EXIT()),
                     0x88);
    /* sign-extending loads */
    assert_int_equal(RUN_R0(LDDW(1, 0x8899aabbccddeeffull), STX(MBPF_DW, 10, 1, -8),
                            LDXSX(MBPF_W, 0, 10, -8), EXIT()),
                     0xffffffffccddeeffull);
    assert_int_equal(RUN_R0(LDDW(1, 0x8899aabbccddeeffull), STX(MBPF_DW, 10, 1, -8),
                            LDXSX(MBPF_H, 0, 10, -4), EXIT()),
                     0xffffffffffffaabbull);
    assert_int_equal(RUN_R0(LDDW(1, 0x8899aabbccddeeffull), STX(MBPF_DW, 10, 1, -8),
                            LDXSX(MBPF_B, 0, 10, -1), EXIT()),
                     0xffffffffffffff88ull);
    assert_int_equal(RUN_R0(MOV64_IMM(1, 0x7f), STX(MBPF_B, 10, 1, -1), LDXSX(MBPF_B, 0, 10, -1),
                            EXIT()),
                     0x7f);
    /* narrow stores write only their bytes */
    assert_int_equal(RUN_R0(ST(MBPF_DW, 10, -8, 0), ST(MBPF_B, 10, -7, 0x1ff),
                            ST(MBPF_H, 10, -4, 0x12345), LDX(MBPF_DW, 0, 10, -8), EXIT()),
                     0x000023450000ff00ull);
    /* ST DW sign-extends its immediate; STX W truncates */
    assert_int_equal(RUN_R0(ST(MBPF_DW, 10, -8, -2), LDX(MBPF_DW, 0, 10, -8), EXIT()),
                     (uint64_t)-2);
    assert_int_equal(RUN_R0(ST(MBPF_DW, 10, -8, 0), MOV64_IMM(1, -1), STX(MBPF_W, 10, 1, -8),
                            LDX(MBPF_DW, 0, 10, -8), EXIT()),
                     0xffffffffu);
}

static void test_ctx_unaligned(void **state)
{
    (void)state;
    uint8_t ctx[16];
    for (unsigned i = 0; i < sizeof ctx; i++)
        ctx[i] = (uint8_t)(0x10 + i);
    /* an unaligned 8-byte load and store inside the context */
    const mbpf_insn p[] = {LDX(MBPF_DW, 0, 1, 3), ST(MBPF_W, 1, 9, 0x0badf00d), EXIT()};
    mbpf_result r = run_cfg(NULL, NULL, p, 3, ctx, sizeof ctx);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 0x1a19181716151413ull);
    assert_int_equal(ctx[9], 0x0d);
    assert_int_equal(ctx[12], 0x0b);
    /* r2 = ctx_len */
    const mbpf_insn q[] = {MOV64_REG(0, 2), EXIT()};
    r = run_cfg(NULL, NULL, q, 2, ctx, sizeof ctx);
    assert_int_equal(r.r0, sizeof ctx);
}

static uint64_t atomic_run(uint8_t size, int32_t op, uint64_t mem, uint64_t src, uint64_t r0,
                           uint64_t *mem_after, uint64_t *src_after)
{
    uint64_t ctx[3] = {mem, 0, 0};
    const mbpf_insn p[] = {
        LDDW(2, src), LDDW(0, r0), ATOMIC(size, op, 1, 2, 0),
        STX(MBPF_DW, 1, 2, 8), STX(MBPF_DW, 1, 0, 16), EXIT(),
    };
    mbpf_result r = run_cfg(NULL, NULL, p, NCASES(p), ctx, sizeof ctx);
    assert_int_equal(r.status, MBPF_OK);
    *mem_after = ctx[0];
    *src_after = ctx[1];
    return ctx[2];
}

static void test_atomics(void **state)
{
    (void)state;
    const uint64_t hi = 0x1111111100000000ull;
    struct {
        uint8_t size;
        int32_t op;
        uint64_t mem, src, r0, mem_after, src_after, r0_after;
    } cases[] = {
        /* 64-bit, plain and fetch */
        {MBPF_DW, MBPF_ADD, 10, 5, 0, 15, 5, 0},
        {MBPF_DW, MBPF_ADD | MBPF_FETCH, 10, 5, 0, 15, 10, 0},
        {MBPF_DW, MBPF_OR, 0xf0, 0x0f, 0, 0xff, 0x0f, 0},
        {MBPF_DW, MBPF_OR | MBPF_FETCH, 0xf0, 0x0f, 0, 0xff, 0xf0, 0},
        {MBPF_DW, MBPF_AND, 0xf0, 0x3c, 0, 0x30, 0x3c, 0},
        {MBPF_DW, MBPF_AND | MBPF_FETCH, 0xf0, 0x3c, 0, 0x30, 0xf0, 0},
        {MBPF_DW, MBPF_XOR, 0xff, 0x0f, 0, 0xf0, 0x0f, 0},
        {MBPF_DW, MBPF_XOR | MBPF_FETCH, 0xff, 0x0f, 0, 0xf0, 0xff, 0},
        {MBPF_DW, MBPF_XCHG, hi | 1, 2, 0, 2, hi | 1, 0},
        {MBPF_DW, MBPF_CMPXCHG, hi | 7, 9, hi | 7, 9, 9, hi | 7},  /* hit */
        {MBPF_DW, MBPF_CMPXCHG, hi | 7, 9, 7, hi | 7, 9, hi | 7},  /* miss: high half differs */
        /* 32-bit: only the low word of memory changes, fetched values zero-extend */
        {MBPF_W, MBPF_ADD, hi | 0xffffffff, 1, 0, hi, 1, 0},
        {MBPF_W, MBPF_ADD | MBPF_FETCH, hi | 0xffffffff, hi | 1, 0, hi, 0xffffffff, 0},
        {MBPF_W, MBPF_OR | MBPF_FETCH, hi | 0xf0, 0x0f, 0, hi | 0xff, 0xf0, 0},
        {MBPF_W, MBPF_AND | MBPF_FETCH, hi | 0xf0, 0x3c, 0, hi | 0x30, 0xf0, 0},
        {MBPF_W, MBPF_XOR | MBPF_FETCH, hi | 0xff, 0x0f, 0, hi | 0xf0, 0xff, 0},
        {MBPF_W, MBPF_AND, hi | 0xf0, 0x3c, 0, hi | 0x30, 0x3c, 0},
        {MBPF_W, MBPF_XCHG, hi | 0x80000000u, 5, 0, hi | 5, 0x80000000u, 0},
        {MBPF_W, MBPF_CMPXCHG, hi | 7, 9, 0xabcd00000007ull, hi | 9, 9, 7},  /* hit: low 32 */
        {MBPF_W, MBPF_CMPXCHG, hi | 7, 9, 8, hi | 7, 9, 7},                  /* miss */
    };
    for (size_t i = 0; i < NCASES(cases); i++) {
        uint64_t m, s;
        uint64_t r0 = atomic_run(cases[i].size, cases[i].op, cases[i].mem, cases[i].src,
                                 cases[i].r0, &m, &s);
        if (m != cases[i].mem_after || s != cases[i].src_after || r0 != cases[i].r0_after)
            print_error("atomic case %zu: mem %#llx src %#llx r0 %#llx\n", i,
                        (unsigned long long)m, (unsigned long long)s, (unsigned long long)r0);
        assert_int_equal(m, cases[i].mem_after);
        assert_int_equal(s, cases[i].src_after);
        assert_int_equal(r0, cases[i].r0_after);
    }
}

/* An opcode the verifier would reject, reached anyway, stops cleanly. */
static void test_invalid_opcode_at_run_time(void **state)
{
    (void)state;
    tvm t;
    tvm_open(&t, NULL);
    const mbpf_insn p[] = {MOV64_IMM(0, 1), INSN(0xff, 0, 0, 0, 0), EXIT()};
    const mbpf_insn q[] = {MOV64_IMM(0, 1), ATOMIC(MBPF_DW, 0x33, 10, 1, -8), EXIT()};
    const mbpf_insn *progs[] = {p, q};
    for (int i = 0; i < 2; i++) {
        mbpf_result res = {0};
        t.vm.insns = progs[i]; /* bypass the verifier on purpose */
        t.vm.num_insns = 3;
        int st = mbpf_interp_run(&t.vm, 0, 0, NULL, &res);
        assert_int_equal(st, MBPF_E_VERIFY);
        assert_int_equal(res.status, MBPF_E_VERIFY);
        assert_int_equal(res.pc, 1);
        assert_non_null(res.msg);
    }
    tvm_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alu64_vectors),
        cmocka_unit_test(test_alu32_vectors),
        cmocka_unit_test(test_div_mod_edges),
        cmocka_unit_test(test_shifts_neg_mov),
        cmocka_unit_test(test_movsx),
        cmocka_unit_test(test_byte_swaps),
        cmocka_unit_test(test_lddw),
        cmocka_unit_test(test_jumps64),
        cmocka_unit_test(test_jumps32),
        cmocka_unit_test(test_ja_forms),
        cmocka_unit_test(test_loads_stores),
        cmocka_unit_test(test_ctx_unaligned),
        cmocka_unit_test(test_atomics),
        cmocka_unit_test(test_invalid_opcode_at_run_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
