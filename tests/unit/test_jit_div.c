/* 64-bit division and modulo through the JIT (jit_div64.c) against the
 * interpreter: edge operands (0, 1, -1, INT64_MIN, 2^32 - 1, 2^32, powers of
 * two and their neighbours, high/low word patterns) pairwise, then random
 * pairs with random widths, for div, mod, sdiv, smod by register and by
 * immediate. Many divisions per program: every result is stored into the
 * ctx buffer, which jit_same_opts compares byte for byte with the
 * interpreter's, with the result fields. Also bounds the instructions one
 * division executes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"

#define BATCH 48 /* pairs per program */
#define OPS 4    /* div, mod, sdiv, smod */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* One program: for each pair, r1 = a, r2 = b; r3 = r1 op r2 (register form),
 * stored at ctx + 8 * (OPS * i + k). r6 holds ctx. */
static bool run_batch(const uint64_t *a, const uint64_t *b, unsigned n)
{
    mbpf_insn p[BATCH * (4 + OPS * 3) + 3];
    unsigned c = 0;
    p[c++] = MOV64_REG(6, 1);
    static const struct { uint8_t op, sgn; } ops[OPS] = {
        {MBPF_DIV, 0}, {MBPF_MOD, 0}, {MBPF_DIV, 1}, {MBPF_MOD, 1}};
    for (unsigned i = 0; i < n; i++) {
        mbpf_insn la[] = {LDDW(1, a[i]), LDDW(2, b[i])};
        memcpy(&p[c], la, sizeof la);
        c += 4;
        for (unsigned k = 0; k < OPS; k++) {
            p[c++] = MOV64_REG(3, 1);
            p[c++] = INSN(MBPF_ALU64 | MBPF_X | ops[k].op, 3, 2, ops[k].sgn, 0);
            p[c++] = STX(MBPF_DW, 6, 3, (int16_t)(8 * (OPS * i + k)));
        }
    }
    p[c++] = MOV64_IMM(0, 0);
    p[c++] = EXIT();
    static uint8_t ctx0[BATCH * OPS * 8];
    jit_opts o = {.ctx = ctx0, .ctx_len = n * OPS * 8};
    return jit_same_opts(p, c, &o, NULL);
}

/* Same with the divisor as an immediate (sign-extended 32-bit). */
static bool run_batch_imm(const uint64_t *a, const int32_t *imm, unsigned n)
{
    mbpf_insn p[BATCH * (2 + OPS * 3) + 3];
    unsigned c = 0;
    p[c++] = MOV64_REG(6, 1);
    static const struct { uint8_t op, sgn; } ops[OPS] = {
        {MBPF_DIV, 0}, {MBPF_MOD, 0}, {MBPF_DIV, 1}, {MBPF_MOD, 1}};
    for (unsigned i = 0; i < n; i++) {
        mbpf_insn la[] = {LDDW(1, a[i])};
        memcpy(&p[c], la, sizeof la);
        c += 2;
        for (unsigned k = 0; k < OPS; k++) {
            p[c++] = MOV64_REG(3, 1);
            p[c++] = INSN(MBPF_ALU64 | MBPF_K | ops[k].op, 3, 0, ops[k].sgn, imm[i]);
            p[c++] = STX(MBPF_DW, 6, 3, (int16_t)(8 * (OPS * i + k)));
        }
    }
    p[c++] = MOV64_IMM(0, 0);
    p[c++] = EXIT();
    static uint8_t ctx0[BATCH * OPS * 8];
    jit_opts o = {.ctx = ctx0, .ctx_len = n * OPS * 8};
    return jit_same_opts(p, c, &o, NULL);
}

static unsigned edge_values(uint64_t *v)
{
    unsigned n = 0;
    static const uint64_t fixed[] = {
        0, 1, 2, 3, 7, 10, 0xffff, 0x10000, 0x10001, 0x7fffffffull, 0x80000000ull,
        0xfffffffeull, 0xffffffffull, 0x100000000ull, 0x100000001ull, 0x1ffffffffull,
        0xffffffff00000000ull, 0xffffffff0000ffffull, 0x0000ffffffff0000ull,
        0x7fffffffffffffffull, 0x8000000000000000ull, 0x8000000000000001ull,
        0xfffffffffffffffeull, 0xffffffffffffffffull, 0x123456789abcdef0ull,
        0x0123456789abcdefull, 0x00000001fffffffeull, 0x800000007fffffffull,
        0xffff0000ffff0000ull, 0x00010000ffff0001ull, 0xfffffffe00000001ull,
        0x8000800080008000ull};
    for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        v[n++] = fixed[i];
    for (unsigned s = 4; s < 64; s += 5) { /* powers of two and neighbours */
        v[n++] = 1ull << s;
        v[n++] = (1ull << s) - 1;
        v[n++] = (1ull << s) + 1;
    }
    return n;
}

static void flush(uint64_t *a, uint64_t *b, unsigned *n, unsigned *fails)
{
    if (*n && !run_batch(a, b, *n)) {
        (*fails)++;
        for (unsigned i = 0; i < *n; i++)
            print_message("  pair %u: %#llx, %#llx\n", i, (unsigned long long)a[i],
                          (unsigned long long)b[i]);
    }
    *n = 0;
}

/* Every pair of edge values (both orders, with negations). */
static void edge_pairs(void **state)
{
    (void)state;
    uint64_t v[128], a[BATCH], b[BATCH];
    unsigned nv = edge_values(v), n = 0, fails = 0;
    for (unsigned i = 0; i < nv; i++)
        for (unsigned k = 0; k < nv; k++) {
            a[n] = v[i];
            b[n] = v[k];
            n++;
            if (n == BATCH)
                flush(a, b, &n, &fails);
            a[n] = (uint64_t)0 - v[i];
            b[n] = ((uint64_t)0 - v[k]) ^ (k & 1 ? 0 : 0x100000000ull);
            n++;
            if (n == BATCH)
                flush(a, b, &n, &fails);
        }
    flush(a, b, &n, &fails);
    assert_int_equal(fails, 0);
}

/* Random operands of random bit widths (so every path is taken often). */
static void random_pairs(void **state)
{
    (void)state;
    uint64_t a[BATCH], b[BATCH];
    unsigned n = 0, fails = 0;
    for (unsigned t = 0; t < 6000; t++) {
        unsigned wa = (unsigned)(rnd() % 65), wb = (unsigned)(rnd() % 65);
        uint64_t x = wa == 64 ? rnd() : rnd() & ((1ull << wa) - 1);
        uint64_t y = wb == 64 ? rnd() : rnd() & ((1ull << wb) - 1);
        if (rnd() & 1)
            x = (uint64_t)0 - x;
        if ((rnd() & 3) == 0)
            y = (uint64_t)0 - y;
        if ((rnd() & 7) == 0) /* a quotient at a 32-bit boundary */
            x = y * (rnd() & 0xffffffffull) + (rnd() % (y ? y : 1));
        a[n] = x;
        b[n] = y;
        if (++n == BATCH)
            flush(a, b, &n, &fails);
    }
    flush(a, b, &n, &fails);
    assert_int_equal(fails, 0);
}

static void immediates(void **state)
{
    (void)state;
    uint64_t v[128], a[BATCH];
    int32_t imm[BATCH];
    static const int32_t divs[] = {0, 1, -1, 2, -2, 3, 7, 10, -10, 0x7fffffff, INT32_MIN,
                                   0x10000, 0xffff, 12345, -12345, 0x40000000};
    unsigned nv = edge_values(v), n = 0, fails = 0;
    for (unsigned i = 0; i < nv; i++)
        for (unsigned k = 0; k < sizeof divs / sizeof divs[0]; k++) {
            a[n] = v[i] ^ (rnd() & 0xff);
            imm[n] = divs[k];
            if (++n == BATCH) {
                fails += !run_batch_imm(a, imm, n);
                n = 0;
            }
        }
    if (n)
        fails += !run_batch_imm(a, imm, n);
    assert_int_equal(fails, 0);
}

/* JIT'd instructions of one division: a program with it minus the same
 * program with the division replaced by a move. */
static uint64_t div_cost(uint64_t x, uint64_t y, bool sgn, bool mod)
{
    mbpf_insn p[] = {LDDW(1, x), LDDW(2, y),
                     INSN(MBPF_ALU64 | MBPF_X | (mod ? MBPF_MOD : MBPF_DIV), 1, 2, sgn, 0),
                     MOV64_REG(0, 1), EXIT()};
    uint64_t with = 0, without = 0;
    mbpf_result r;
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, p, 7);
    assert_int_equal(jit_uc_run_program(&t.vm, NULL, 0, NULL, &r, &with), JIT_UC_OK);
    tvm_close(&t);
    p[4] = MOV64_REG(1, 2);
    tvm_open(&t, NULL);
    tvm_load(&t, p, 7);
    assert_int_equal(jit_uc_run_program(&t.vm, NULL, 0, NULL, &r, &without), JIT_UC_OK);
    tvm_close(&t);
    return with - without;
}

static void instruction_counts(void **state)
{
    (void)state;
    static const struct { uint64_t x, y; const char *what; } cases[] = {
        {1000, 7, "32 / 32"},
        {0x0123456789abcdefull, 3, "64 / small"},
        {0xffffffffffffffffull, 0xfffffffbull, "64 / 32-bit"},
        {0xffffffffffffffffull, 0x100000001ull, "64 / 33-bit"},
        {0xfedcba9876543210ull, 0x0123456789abcdefull, "64 / 64"},
        {0x8000000000000000ull, 0x7fffffffffffffffull, "64 / 63-bit"},
    };
    uint64_t worst = 0;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t u = div_cost(cases[i].x, cases[i].y, false, false);
        uint64_t s = div_cost(cases[i].x, (uint64_t)0 - cases[i].y, true, true);
        print_message("  %-12s udiv %3llu  smod(negative divisor) %3llu instructions\n",
                      cases[i].what, (unsigned long long)u, (unsigned long long)s);
        worst = u > worst ? u : worst;
        worst = s > worst ? s : worst;
    }
    /* random operands: the largest count seen */
    for (unsigned t = 0; t < 300; t++) {
        unsigned wa = (unsigned)(rnd() % 65), wb = 1 + (unsigned)(rnd() % 64);
        uint64_t x = wa == 64 ? rnd() : rnd() & ((1ull << wa) - 1);
        uint64_t y = wb == 64 ? rnd() : rnd() & ((1ull << wb) - 1);
        uint64_t c = div_cost(x, y | 1, (t & 1) != 0, (t & 2) != 0);
        worst = c > worst ? c : worst;
    }
    print_message("  worst seen: %llu instructions\n", (unsigned long long)worst);
    assert_true(worst < 250);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(edge_pairs),
        cmocka_unit_test(random_pairs),
        cmocka_unit_test(immediates),
        cmocka_unit_test(instruction_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
