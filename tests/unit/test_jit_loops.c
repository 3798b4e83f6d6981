/* The JIT's counted-loop fast path (jit_loop.c) against the interpreter:
 * loops that stop exactly at a region end, one byte past it, start below
 * it, with the budget exactly at / one below / one above the loop's needs,
 * counters that mean 2^32 iterations, 64-bit counters and pointers, negative
 * steps, stores, atomics, the stack as the range, a loop entered by
 * fallthrough and by a jump. Every result field, ctx and stack bytes must
 * be equal (jit_check.h); a few cases also check that the fast copy ran. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"
#include "jit_listing.h"

#define CTX_LEN 64u
#define NPROG(p) ((uint32_t)(sizeof(p) / sizeof((p)[0])))

static uint8_t ctx_bytes[CTX_LEN];

static void fill_ctx(void)
{
    for (unsigned i = 0; i < CTX_LEN; i++)
        ctx_bytes[i] = (uint8_t)(i * 37u + 11u);
}

/* Interpreter and JIT agree (ctx as the region, with flags; budget). */
static bool same(const mbpf_insn *p, uint32_t n, uint64_t budget, uint32_t flags,
                 mbpf_result *out)
{
    return jit_same_ctx(p, n, ctx_bytes, CTX_LEN, budget, flags, NULL, out, NULL);
}

/* ARM instructions the JIT'd program executes (clean run expected). */
static uint64_t jit_insns(const mbpf_insn *p, uint32_t n)
{
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, p, n);
    uint8_t ctx[CTX_LEN];
    memcpy(ctx, ctx_bytes, CTX_LEN);
    mbpf_result r;
    uint64_t insns = 0;
    assert_int_equal(jit_uc_run_program(&t.vm, ctx, CTX_LEN, NULL, &r, &insns), JIT_UC_OK);
    assert_int_equal(r.status, MBPF_OK);
    tvm_close(&t);
    return insns;
}

/* Byte sum: r1 += start; r3 = count; loop { r0 += *r1; r1 += 1; r3 -= 1 }
 * while r3 != 0 (32-bit), the shape clang gives Fletcher-16. */
static void byte_sum(void **state)
{
    (void)state;
    fill_ctx();
    static const int32_t starts[] = {-9, -8, -1, 0, 1, 7, 56, 57, 63, 64};
    static const int32_t counts[] = {0, 1, 2, 7, 8, 9, 56, 63, 64, 65};
    for (unsigned a = 0; a < NPROG(starts); a++)
        for (unsigned c = 0; c < NPROG(counts); c++)
            for (unsigned prime = 0; prime < 2; prime++) {
                /* prime: a load from ctx first, so that the guard meets a
                 * cached region (its inline test) instead of the routine */
                const mbpf_insn p[] = {
                    prime ? LDX(MBPF_B, 5, 1, 0) : MOV64_IMM(5, 0),
                    MOV64_IMM(0, 0), ALU64_IMM(MBPF_ADD, 1, starts[a]), MOV32_IMM(3, counts[c]),
                    LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
                    ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5), EXIT()};
                mbpf_result r;
                bool ok = same(p, NPROG(p), 100000, 0, &r);
                if (!ok)
                    print_error("start %d count %d prime %u\n", starts[a], counts[c], prime);
                assert_true(ok);
            }
}

/* clang's little-endian halfword from two bytes in a loop body (`ldxb a,
 * [p + k + 1]; lsh32 a, 8; ldxb b, [p + k]; or32 a, b`): the fast copy
 * loads a with one ldrh (seen in the code), b as before. Every start
 * (odd ones: unaligned halfwords), offsets k, counts up to and past ctx's
 * end (the guard deopts), b read after the loop (its value must be the
 * last low byte), and the near misses that must not fuse (b = p, another
 * shift, other offsets). */
static void halfword_pairs(void **state)
{
    (void)state;
    fill_ctx();
    static const int32_t starts[] = {0, 1, 3, 6, 33, 60};
    static const int16_t ks[] = {0, 1, 4, -2};
    static const int32_t counts[] = {1, 2, 15, 16, 40};
    unsigned fused = 0;
    for (unsigned a = 0; a < NPROG(starts); a++)
        for (unsigned k = 0; k < NPROG(ks); k++)
            for (unsigned c = 0; c < NPROG(counts); c++)
                for (unsigned v = 0; v < 4; v++) {
                    int16_t o = ks[k];
                    mbpf_insn p[] = {
                        MOV64_IMM(6, 0), ALU64_IMM(MBPF_ADD, 1, starts[a]),
                        MOV32_IMM(3, counts[c]), LDX(MBPF_B, 0, 1, (int16_t)(o + 1)),
                        ALU32_IMM(MBPF_LSH, 0, 8), LDX(MBPF_B, 4, 1, o), ALU32_REG(MBPF_OR, 0, 4),
                        ALU32_REG(MBPF_ADD, 6, 0), ALU64_IMM(MBPF_ADD, 1, 2),
                        ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -8),
                        MOV64_REG(0, 6), ALU64_IMM(MBPF_LSH, 4, 32), ALU64_REG(MBPF_OR, 0, 4),
                        EXIT()};
                    if (v == 1) /* another shift */
                        p[4] = ALU32_IMM(MBPF_LSH, 0, 7);
                    if (v == 2) /* the bytes not adjacent */
                        p[5] = LDX(MBPF_B, 4, 1, (int16_t)(o - 1));
                    if (v == 3) /* 64-bit or: the upper half of a is kept */
                        p[6] = ALU64_REG(MBPF_OR, 0, 4);
                    mbpf_result r;
                    if (!same(p, NPROG(p), 100000, 0, &r))
                        fail_msg("start %d k %d count %d variant %u", starts[a], o, counts[c], v);
                    static uint8_t code[4096];
                    uint32_t offs[NPROG(p) + 1];
                    size_t len = jit_compile_prog(p, NPROG(p), code, sizeof code, offs);
                    assert_true(len > 0);
                    char *text = NULL;
                    size_t tlen = 0;
                    FILE *f = open_memstream(&text, &tlen);
                    assert_non_null(f);
                    assert_int_equal(jit_listing_disasm(f, p, NPROG(p), code, len, offs, 0), 0);
                    fclose(f);
                    bool ldrh = strstr(text, "ldrh") != NULL;
                    free(text);
                    if (ldrh != (v == 0) && v != 3)
                        fail_msg("ldrh %d for variant %u", ldrh, v);
                    fused += ldrh;
                }
    assert_true(fused > 0);
}

/* Budget around the loop's needs: count iterations take count-1 backward
 * jumps; the budget is exactly that, one less, one more, and spans 2^32. */
static void budget_edges(void **state)
{
    (void)state;
    fill_ctx();
    for (int32_t count = 1; count <= 40; count += 13) {
        const mbpf_insn p[] = {
            MOV64_IMM(0, 0), MOV32_IMM(3, count), LDX(MBPF_B, 4, 1, 0),
            ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1), ALU32_IMM(MBPF_ADD, 3, -1),
            JMP32_IMM(MBPF_JNE, 3, 0, -5), EXIT()};
        for (int64_t d = -2; d <= 2; d++) {
            uint64_t need = (uint64_t)(count - 1);
            if ((int64_t)need + d <= 0)
                continue;
            mbpf_result r;
            assert_true(same(p, NPROG(p), (uint64_t)((int64_t)need + d), 0, &r));
            assert_int_equal(r.status, d < 0 ? MBPF_E_BUDGET : MBPF_OK);
        }
        mbpf_result r;
        assert_true(same(p, NPROG(p), 0x100000000ull + 3u, 0, &r)); /* high word set */
        assert_int_equal(r.status, MBPF_OK);
        assert_true(same(p, NPROG(p), 0x100000000ull - 1u, 0, &r));
    }
    /* counter 0 at entry: 2^32 iterations; the budget stops it (slow copy) */
    const mbpf_insn zero[] = {
        MOV64_IMM(0, 0), MOV32_IMM(3, 0), ALU64_IMM(MBPF_ADD, 0, 3), ALU32_IMM(MBPF_ADD, 3, -1),
        JMP32_IMM(MBPF_JNE, 3, 0, -3), EXIT()};
    mbpf_result r;
    assert_true(same(zero, NPROG(zero), 1000, 0, &r));
    assert_int_equal(r.status, MBPF_E_BUDGET);
}

/* Counters: +1 towards K, sub 1, 64-bit counters (with a non-zero high
 * word), 64-bit decrement compared in 32 bits, K != 0. */
static void counters(void **state)
{
    (void)state;
    fill_ctx();
    const mbpf_insn up[] = {
        MOV64_IMM(0, 0), MOV32_IMM(3, 10), LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4),
        ALU64_IMM(MBPF_ADD, 1, 1), ALU32_IMM(MBPF_ADD, 3, 1), JMP32_IMM(MBPF_JNE, 3, 50, -5),
        EXIT()};
    mbpf_result r;
    assert_true(same(up, NPROG(up), 0, 0, &r));
    assert_int_equal(r.status, MBPF_OK);
    const mbpf_insn up_far[] = {
        MOV64_IMM(0, 0), MOV32_IMM(3, 10), LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4),
        ALU64_IMM(MBPF_ADD, 1, 1), ALU32_IMM(MBPF_ADD, 3, 1), JMP32_IMM(MBPF_JNE, 3, 80, -5),
        EXIT()};
    assert_true(same(up_far, NPROG(up_far), 0, 0, &r));
    assert_int_equal(r.status, MBPF_E_MEM);
    /* limits at the edges of the immediate's range */
    static const int32_t ks[] = {0x7fffffff, -0x7fffffff - 1, -1, 1};
    for (unsigned i = 0; i < NPROG(ks); i++)
        for (int32_t d = 1; d <= 70; d += 23) {
            const mbpf_insn edge[] = {
                MOV64_IMM(0, 0), MOV32_IMM(3, (int32_t)((uint32_t)ks[i] + (uint32_t)d)),
                LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
                ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, ks[i], -5), EXIT()};
            assert_true(same(edge, NPROG(edge), 0, 0, &r));
            assert_int_equal(r.status, d <= (int32_t)CTX_LEN ? MBPF_OK : MBPF_E_MEM);
            const mbpf_insn up2[] = {
                MOV64_IMM(0, 0), MOV32_IMM(3, (int32_t)((uint32_t)ks[i] - (uint32_t)d)),
                LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
                ALU32_IMM(MBPF_ADD, 3, 1), JMP32_IMM(MBPF_JNE, 3, ks[i], -5), EXIT()};
            assert_true(same(up2, NPROG(up2), 0, 0, &r));
        }
    static const uint64_t c64[] = {5, 64, 65, 0x100000005ull, 0xffffffffffffffffull, 0};
    for (unsigned i = 0; i < NPROG(c64); i++) {
        const mbpf_insn wide[] = {
            MOV64_IMM(0, 0), LDDW(3, c64[i]), LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4),
            ALU64_IMM(MBPF_ADD, 1, 1), ALU64_IMM(MBPF_SUB, 3, 1), JMP_IMM(MBPF_JNE, 3, 0, -5),
            EXIT()};
        assert_true(same(wide, NPROG(wide), 5000, 0, &r));
        const mbpf_insn low[] = {
            MOV64_IMM(0, 0), LDDW(3, c64[i]), LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4),
            ALU64_IMM(MBPF_ADD, 1, 1), ALU64_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5),
            EXIT()};
        assert_true(same(low, NPROG(low), 5000, 0, &r));
        const mbpf_insn negk[] = {
            MOV64_IMM(0, 0), LDDW(3, c64[i]), ALU64_IMM(MBPF_ADD, 0, 1),
            ALU64_IMM(MBPF_ADD, 3, -1), JMP_IMM(MBPF_JNE, 3, -3, -3), EXIT()};
        assert_true(same(negk, NPROG(negk), 5000, 0, &r));
    }
}

/* Other closing tests: jlt / jslt up to a limit, jgt / jsgt down to it
 * (immediate or a register the body does not write, 32 and 64-bit),
 * jne against a register, and clang's `jeq c, K, out; ja head`. Counters
 * start before, at, just after and far after the limit (a do-while body
 * runs once), near the 32-bit wrap, negative for the signed tests. */
static void closings(void **state)
{
    (void)state;
    fill_ctx();
    static const int64_t starts[] = {0, 5, 39, 40, 41, 100, -3, 0xfffffffe, 0x7fffffff,
                                     -0x7fffffff - 1};
    static const uint8_t ops[] = {MBPF_JLT, MBPF_JSLT, MBPF_JGT, MBPF_JSGT, MBPF_JNE};
    mbpf_result r;
    for (unsigned s = 0; s < NPROG(starts); s++)
        for (unsigned o = 0; o < NPROG(ops); o++)
            for (unsigned v = 0; v < 4; v++) {
                bool up = ops[o] == MBPF_JLT || ops[o] == MBPF_JSLT || (ops[o] == MBPF_JNE && s % 2);
                uint8_t cls = v & 1 ? MBPF_JMP : MBPF_JMP32;
                uint8_t alu = v & 1 ? MBPF_ALU64 : (v & 2 ? MBPF_ALU64 : MBPF_ALU);
                const mbpf_insn imm[] = {
                    MOV64_IMM(0, 0), LDDW(3, (uint64_t)starts[s]), MOV64_IMM(7, 40),
                    LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
                    INSN(alu | MBPF_K | MBPF_ADD, 3, 0, 0, up ? 1 : -1),
                    INSN(cls | MBPF_K | ops[o], 3, 0, -5, 40), EXIT()};
                bool ok = same(imm, NPROG(imm), 3000, 0, &r);
                const mbpf_insn reg[] = {
                    MOV64_IMM(0, 0), LDDW(3, (uint64_t)starts[s]), MOV64_IMM(7, 40),
                    LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
                    INSN(alu | MBPF_K | MBPF_ADD, 3, 0, 0, up ? 1 : -1),
                    INSN(cls | MBPF_X | ops[o], 3, 7, -5, 0), EXIT()};
                ok = ok && same(reg, NPROG(reg), 3000, 0, &r);
                if (!ok)
                    print_error("start %lld op %#x variant %u\n", (long long)starts[s], ops[o], v);
                assert_true(ok);
            }
    /* counters stepping by 2, 4, 8 (and down) against != : the distance a
     * multiple of the step, or not (then endless: the budget stops it) */
    static const int32_t big[] = {2, 4, 8, -2, -4, -8};
    for (unsigned k = 0; k < NPROG(big); k++)
        for (int32_t from = -9; from <= 9; from += 3)
            for (unsigned v = 0; v < 2; v++) {
                const mbpf_insn p[] = {
                    MOV64_IMM(0, 0), MOV64_IMM(3, from * (big[k] < 0 ? -1 : 1) - 1),
                    MOV64_REG(5, 1), ALU64_REG(MBPF_ADD, 5, 3), LDX(MBPF_B, 4, 5, 10),
                    ALU32_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 3, big[k]),
                    INSN((v ? MBPF_JMP32 : MBPF_JMP) | MBPF_K | MBPF_JEQ, 3, 0, 1, 23),
                    JA(-7), EXIT()};
                assert_true(same(p, NPROG(p), 400, 0, &r));
            }
    /* jeq c, K, out; ja head (as clang emits), ja32 too, budget edges */
    for (int32_t count = 1; count <= 70; count += 23)
        for (uint64_t budget = 1; budget < 80; budget += 13) {
            const mbpf_insn p[] = {
                MOV64_IMM(0, 0), MOV64_IMM(3, 0), LDX(MBPF_B, 4, 1, 0),
                ALU32_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1), ALU64_IMM(MBPF_ADD, 3, 1),
                JMP_IMM(MBPF_JEQ, 3, count, 1), JA(-6), EXIT()};
            assert_true(same(p, NPROG(p), budget, 0, &r));
            const mbpf_insn p32[] = {
                MOV64_IMM(0, 0), MOV64_IMM(3, 0), LDX(MBPF_H, 4, 1, 0),
                ALU32_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1), ALU64_IMM(MBPF_ADD, 3, 1),
                JMP32_IMM(MBPF_JEQ, 3, count, 1), JA32(-6), EXIT()};
            assert_true(same(p32, NPROG(p32), budget, 0, &r));
        }
}

/* Bases computed in the body from an invariant pointer and the counter or
 * another stepped register (clang's `mov r5, r1; add r5, r3; ldxb [r5]`),
 * reaching exactly the end, past it, before the start; the stack too. */
/* A derived base plus a bounded index (jit_loop_find.c, derive): a table at
 * ctx + t read (or written) at `(x & mask) << sh` with x from the data, as
 * crc32's nibble table: the guard proves [t, t + (mask << sh) + size) for
 * the whole loop. Tables inside ctx, ending exactly at its end, and one
 * byte past it (the guard cannot prove it: deopt, the interpreter decides,
 * and faults only when an index really goes past); masks through mov32,
 * 32 and 64-bit `and` and `lsh`; near misses that must not be bounded (a
 * mask above SPAN_MAX, rsh instead of lsh): still the same results. Every
 * case compares with the interpreter; where the table fits, the loop has
 * its guard (a deopt stub in the listing) and no deopt. */
static void bounded_index(void **state)
{
    (void)state;
    fill_ctx();
    static const struct {
        int32_t mask;
        int32_t sh;
        bool alu64, rsh;
    } ix[] = {{15, 2, false, false}, {15, 2, true, false}, {7, 3, false, false},
              {0xff, 0, true, false}, {3, 4, false, false}, {0x1ffff, 0, false, false},
              {15, 2, false, true}};
    unsigned guarded = 0;
    for (unsigned v = 0; v < NPROG(ix); v++)
        for (unsigned store = 0; store < 2; store++)
            for (int32_t t = 0; t <= 64; t += 32) {
                int32_t span = ix[v].rsh || ix[v].mask > 0xffff ? 0 : ix[v].mask << ix[v].sh;
                int32_t tab = t;
                if (t == 64) /* ending exactly at ctx's end, then one byte past */
                    tab = (int32_t)CTX_LEN - span - 4;
                for (int32_t past = 0; past < (t == 64 ? 2 : 1); past++) {
                    int32_t tt = tab + past;
                    if (tt < 0 || span > (int32_t)CTX_LEN - 4)
                        continue;
                    mbpf_insn p[] = {
                        MOV64_IMM(0, 0), MOV64_IMM(3, 0), MOV64_REG(2, 1),
                        ALU64_IMM(MBPF_ADD, 2, tt),
                        /* loop: x = ctx[i]; r5 = table + ((x & mask) << sh) */
                        MOV64_REG(4, 1), ALU64_REG(MBPF_ADD, 4, 3), LDX(MBPF_B, 4, 4, 0),
                        MOV32_REG(5, 4),
                        ix[v].alu64 ? ALU64_IMM(MBPF_AND, 5, ix[v].mask)
                                    : ALU32_IMM(MBPF_AND, 5, ix[v].mask),
                        ix[v].rsh ? ALU64_IMM(MBPF_RSH, 5, ix[v].sh)
                        : ix[v].alu64 ? ALU64_IMM(MBPF_LSH, 5, ix[v].sh)
                                      : ALU32_IMM(MBPF_LSH, 5, ix[v].sh),
                        MOV64_REG(6, 2), ALU64_REG(MBPF_ADD, 6, 5),
                        store ? STX(MBPF_W, 6, 3, 0) : LDX(MBPF_W, 7, 6, 0),
                        ALU32_REG(MBPF_XOR, 0, store ? 3 : 7), ALU64_IMM(MBPF_ADD, 3, 1),
                        JMP_IMM(MBPF_JLT, 3, 24, -12), EXIT()};
                    mbpf_result r;
                    uint64_t deopts = 0;
                    if (!jit_same_ctx(p, NPROG(p), ctx_bytes, CTX_LEN, 0, 0, NULL, &r, &deopts))
                        fail_msg("variant %u store %u table %d", v, store, tt);
                    static uint8_t code[4096];
                    uint32_t offs[NPROG(p) + 1];
                    size_t len = jit_compile_prog(p, NPROG(p), code, sizeof code, offs);
                    assert_true(len > 0);
                    char *text = NULL;
                    size_t tlen = 0;
                    FILE *f = open_memstream(&text, &tlen);
                    assert_non_null(f);
                    assert_int_equal(jit_listing_disasm(f, p, NPROG(p), code, len, offs, 0), 0);
                    fclose(f);
                    bool guard = strstr(text, "deopt stub") != NULL;
                    free(text);
                    bool bounded = span > 0 || (ix[v].mask == 0xff && ix[v].sh == 0);
                    if (guard != bounded)
                        fail_msg("variant %u: guard %d", v, guard);
                    bool fits = tt + span + 4 <= (int32_t)CTX_LEN;
                    if (bounded && (deopts == 0) != fits)
                        fail_msg("variant %u store %u table %d: %u deopts", v, store, tt,
                                 (unsigned)deopts);
                    guarded += guard;
                }
            }
    assert_true(guarded > 0);
}

static void derived_bases(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_result r;
    for (int32_t from = -2; from <= 6; from += 2)
        for (int32_t to = 60; to <= 66; to += 2) {
            const mbpf_insn idx[] = {
                MOV64_IMM(0, 0), MOV64_IMM(3, from),
                MOV64_REG(5, 1), ALU64_REG(MBPF_ADD, 5, 3), LDX(MBPF_B, 5, 5, 0),
                ALU32_REG(MBPF_ADD, 0, 5), ALU64_IMM(MBPF_ADD, 3, 1),
                JMP_IMM(MBPF_JEQ, 3, to, 1), JA(-7), EXIT()};
            assert_true(same(idx, NPROG(idx), 0, 0, &r));
            assert_int_equal(r.status, from >= 0 && to <= (int32_t)CTX_LEN ? MBPF_OK : MBPF_E_MEM);
            /* words at i*2 + 1 through (ctx + 1) + 2*i: two stepped terms,
             * the access after one of the steps, and a store */
            const mbpf_insn two[] = {
                MOV64_IMM(0, 0), MOV64_IMM(3, from), MOV64_IMM(6, 1), ALU64_IMM(MBPF_ADD, 1, 0),
                MOV64_REG(5, 3), ALU64_REG(MBPF_ADD, 5, 1), ALU64_IMM(MBPF_ADD, 3, 1),
                ALU64_REG(MBPF_ADD, 5, 3), LDX(MBPF_H, 4, 5, 0), STX(MBPF_B, 5, 0, -1),
                ALU32_REG(MBPF_ADD, 0, 4), JMP_IMM(MBPF_JLT, 3, to / 2, -8), EXIT()};
            assert_true(same(two, NPROG(two), 0, 0, &r));
            assert_true(same(two, NPROG(two), 5, 0, &r)); /* the budget stops it */
            /* a stack table indexed by the counter, counting down */
            const mbpf_insn stk[] = {
                MOV64_IMM(0, 0), MOV64_IMM(3, to / 4), MOV64_REG(6, 10),
                MOV64_REG(5, 6), ALU64_REG(MBPF_ADD, 5, 3), ST(MBPF_B, 5, -17, 7),
                LDX(MBPF_B, 4, 5, -17), ALU32_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 3, -1),
                JMP_IMM(MBPF_JSGT, 3, from, -7), EXIT()};
            assert_true(same(stk, NPROG(stk), 0, 0, &r));
        }
    /* Fletcher-32 as clang emits it: two loads through r1 + r2, r2 += 2 */
    for (int32_t n = 2; n <= 70; n += 4) {
        const mbpf_insn f32[] = {
            MOV32_IMM(3, 0xffff), MOV64_IMM(2, 0), MOV32_IMM(4, 0xffff),
            MOV64_REG(5, 1), ALU64_REG(MBPF_ADD, 5, 2), LDX(MBPF_B, 6, 5, 0),
            LDX(MBPF_B, 0, 5, 1), ALU32_IMM(MBPF_LSH, 0, 8), ALU32_REG(MBPF_OR, 0, 6),
            ALU32_REG(MBPF_ADD, 0, 3), ALU32_IMM(MBPF_MOD, 0, 0xffff), MOV32_REG(5, 0),
            ALU32_REG(MBPF_ADD, 5, 4), ALU32_IMM(MBPF_MOD, 5, 0xffff), ALU64_IMM(MBPF_ADD, 2, 2),
            MOV32_REG(3, 0), MOV32_REG(4, 5), JMP_IMM(MBPF_JEQ, 2, n, 1), JA(-16),
            ALU32_IMM(MBPF_LSH, 5, 16), ALU32_REG(MBPF_OR, 0, 5), EXIT()};
        assert_true(same(f32, NPROG(f32), 0, 0, &r));
        assert_int_equal(r.status, n <= (int32_t)CTX_LEN ? MBPF_OK : MBPF_E_MEM);
    }
    const mbpf_insn fast[] = {
        MOV64_IMM(0, 0), MOV64_IMM(3, 0), MOV64_REG(5, 1), ALU64_REG(MBPF_ADD, 5, 3),
        LDX(MBPF_B, 5, 5, 0), ALU32_REG(MBPF_ADD, 0, 5), ALU64_IMM(MBPF_ADD, 3, 1),
        JMP32_IMM(MBPF_JEQ, 3, 60, 1), JA(-7), EXIT()};
    uint64_t n = jit_insns(fast, NPROG(fast));
    if (n > 60 * 14 + 120) /* 64-bit address arithmetic; checked: 20 or more */
        print_error("%llu ARM instructions: fast copy not used\n", (unsigned long long)n);
    assert_true(n <= 60 * 14 + 120);
}

/* Pointers: non-zero high word, negative step, wide strides, offsets. */
static void pointers(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_result r;
    const mbpf_insn high[] = {
        MOV64_IMM(0, 0), LDDW(5, 0x100000000ull), ALU64_REG(MBPF_ADD, 1, 5), MOV32_IMM(3, 4),
        LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
        ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5), EXIT()};
    assert_true(same(high, NPROG(high), 0, 0, &r));
    assert_int_equal(r.status, MBPF_E_MEM);
    for (int32_t count = 1; count <= 66; count += 5) {
        /* from the end backwards: ldxb [r1 - 1]; r1 -= 1 */
        const mbpf_insn down[] = {
            MOV64_IMM(0, 0), ALU64_IMM(MBPF_ADD, 1, CTX_LEN), MOV32_IMM(3, count),
            LDX(MBPF_B, 4, 1, -1), ALU64_IMM(MBPF_ADD, 1, -1), ALU64_REG(MBPF_ADD, 0, 4),
            ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5), EXIT()};
        assert_true(same(down, NPROG(down), 0, 0, &r));
        assert_int_equal(r.status, count <= (int32_t)CTX_LEN ? MBPF_OK : MBPF_E_MEM);
        /* 32-bit words, stride 12, the load after the increment at -4 */
        const mbpf_insn stride[] = {
            MOV64_IMM(0, 0), MOV32_IMM(3, count / 4 + 1), ALU64_IMM(MBPF_ADD, 1, 12),
            LDX(MBPF_W, 4, 1, -4), ALU64_REG(MBPF_ADD, 0, 4), ALU32_IMM(MBPF_SUB, 3, 1),
            JMP32_IMM(MBPF_JNE, 3, 0, -5), EXIT()};
        assert_true(same(stride, NPROG(stride), 0, 0, &r));
        /* two bases, one invariant (a table) and one moving, 64-bit loads */
        const mbpf_insn two[] = {
            MOV64_IMM(0, 0), MOV64_REG(6, 1), ALU64_IMM(MBPF_ADD, 6, 40), MOV32_IMM(3, count / 8 + 1),
            LDX(MBPF_DW, 4, 1, 0), LDX(MBPF_DW, 5, 6, 16), ALU64_REG(MBPF_XOR, 4, 5),
            ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 8), ALU32_IMM(MBPF_ADD, 3, -1),
            JMP32_IMM(MBPF_JNE, 3, 0, -7), EXIT()};
        assert_true(same(two, NPROG(two), 0, 0, &r));
    }
}

/* Stores and atomics in the body; a read-only ctx fails at the first store. */
static void stores_atomics(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_result r;
    for (int32_t count = 1; count <= 17; count += 4) {
        for (int32_t start = 0; start <= 2; start++) {
            const mbpf_insn set[] = {
                MOV64_IMM(0, 0), ALU64_IMM(MBPF_ADD, 1, start * 13), MOV32_IMM(3, count * 3),
                ST(MBPF_B, 1, 0, 0x5a), STX(MBPF_B, 1, 3, 1), ALU64_IMM(MBPF_ADD, 1, 1),
                ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5), EXIT()};
            assert_true(same(set, NPROG(set), 0, 0, &r));
            assert_true(same(set, NPROG(set), 0, MBPF_MEM_READ, &r));
            assert_int_equal(r.status, MBPF_E_MEM);
            const mbpf_insn atom[] = {
                MOV64_IMM(0, 0), ALU64_IMM(MBPF_ADD, 1, start), MOV32_IMM(3, count),
                MOV64_IMM(5, 3), ATOMIC(MBPF_W, MBPF_ADD | MBPF_FETCH, 1, 5, 0),
                ALU64_REG(MBPF_ADD, 0, 5), ATOMIC(MBPF_DW, MBPF_XOR, 1, 3, 4),
                ALU64_IMM(MBPF_ADD, 1, 4), ALU32_IMM(MBPF_ADD, 3, -1),
                JMP32_IMM(MBPF_JNE, 3, 0, -7), EXIT()};
            assert_true(same(atom, NPROG(atom), 0, 0, &r));
            assert_true(same(atom, NPROG(atom), 0, MBPF_MEM_READ, &r));
            assert_int_equal(r.status, MBPF_E_MEM);
        }
    }
}

/* The stack as the range (a pointer copied from r10, so not known as
 * r10-derived at the loop head), exactly its end and one past it. */
static void stack_range(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_result r;
    for (int32_t back = 4; back <= 24; back += 4) {
        const mbpf_insn p[] = {
            MOV64_IMM(0, 0), MOV64_REG(6, 10), ALU64_IMM(MBPF_ADD, 6, -back), MOV32_IMM(3, 16),
            STX(MBPF_B, 6, 3, 0), LDX(MBPF_B, 4, 6, 0), ALU64_REG(MBPF_ADD, 0, 4),
            ALU64_IMM(MBPF_ADD, 6, 1), ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -6),
            EXIT()};
        assert_true(same(p, NPROG(p), 0, 0, &r));
        assert_int_equal(r.status, back >= 16 ? MBPF_OK : MBPF_E_MEM);
    }
}

/* A loop head reached by fallthrough and by a jump (Fletcher-16's shape),
 * a forward jump inside a body (no fast path), and the fast copy in use. */
static void shapes(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_result r;
    for (int32_t inner = 1; inner <= 9; inner += 4)
        for (int32_t outer = 1; outer <= 9; outer += 2) {
            const mbpf_insn p[] = {
                MOV64_IMM(0, 0), MOV32_IMM(7, outer), MOV32_IMM(3, inner),
                LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
                ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5),
                MOV32_IMM(3, inner), ALU32_IMM(MBPF_ADD, 7, -1), JMP32_IMM(MBPF_JNE, 7, 0, -8),
                EXIT()};
            assert_true(same(p, NPROG(p), 0, 0, &r));
            assert_int_equal(r.status, inner * outer <= (int32_t)CTX_LEN ? MBPF_OK : MBPF_E_MEM);
            for (uint64_t b = 1; b < 40; b += 3)
                assert_true(same(p, NPROG(p), b, 0, &r));
        }
    const mbpf_insn fwd[] = {
        MOV64_IMM(0, 0), MOV32_IMM(3, 70), LDX(MBPF_B, 4, 1, 0), JMP_IMM(MBPF_JEQ, 4, 0, 1),
        ALU64_IMM(MBPF_ADD, 0, 1), ALU64_IMM(MBPF_ADD, 1, 1), ALU32_IMM(MBPF_ADD, 3, -1),
        JMP32_IMM(MBPF_JNE, 3, 0, -6), EXIT()};
    assert_true(same(fwd, NPROG(fwd), 0, 0, &r));
    /* 60 iterations: the checked copy runs more than 10 ARM instructions
     * per iteration, the fast one 6 */
    const mbpf_insn sum[] = {
        MOV64_IMM(0, 0), MOV32_IMM(3, 60), LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4),
        ALU64_IMM(MBPF_ADD, 1, 1), ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5),
        EXIT()};
    const mbpf_insn lt[] = {
        MOV64_IMM(0, 0), MOV64_IMM(3, 4), MOV64_IMM(7, 64), LDX(MBPF_B, 4, 1, 0),
        ALU32_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1), ALU32_IMM(MBPF_ADD, 3, 1),
        JMP32_REG(MBPF_JLT, 3, 7, -5), EXIT()};
    const mbpf_insn eqja[] = {
        MOV64_IMM(0, 0), MOV64_IMM(3, 0), LDX(MBPF_B, 4, 1, 0), ALU32_REG(MBPF_ADD, 0, 4),
        ALU64_IMM(MBPF_ADD, 1, 1), ALU32_IMM(MBPF_ADD, 3, 1), JMP32_IMM(MBPF_JEQ, 3, 60, 1),
        JA(-6), EXIT()};
    const struct { const mbpf_insn *p; uint32_t n; } fast[] = {
        {sum, NPROG(sum)}, {lt, NPROG(lt)}, {eqja, NPROG(eqja)}};
    for (unsigned k = 0; k < 3; k++) {
        uint64_t n = jit_insns(fast[k].p, fast[k].n);
        if (n > 60 * 8 + 120)
            print_error("case %u: %llu ARM instructions: fast copy not used\n", k,
                        (unsigned long long)n);
        assert_true(n <= 60 * 8 + 120);
    }
}

/* Every register busy and 64-bit: the counter, the pointer and the budget
 * live in frame slots (the guard reads them there). */
static void spilled(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_result r;
    for (int32_t count = 1; count <= 66; count += 13) {
        const mbpf_insn p[] = {
            LDDW(0, 0x100000001ull), LDDW(5, 0x300000003ull), LDDW(6, 0x500000005ull),
            LDDW(7, 0x700000007ull), LDDW(8, 0x900000009ull), LDDW(9, 0xb0000000bull),
            MOV32_IMM(3, count), MOV64_REG(2, 1),
            /* loop */
            LDX(MBPF_B, 4, 2, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_REG(MBPF_XOR, 5, 0),
            ALU64_REG(MBPF_ADD, 6, 5), ALU64_REG(MBPF_SUB, 7, 6), ALU64_REG(MBPF_XOR, 8, 7),
            ALU64_REG(MBPF_ADD, 9, 8), ALU64_REG(MBPF_ADD, 0, 9), ALU64_IMM(MBPF_ADD, 2, 1),
            ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -11),
            ALU64_REG(MBPF_XOR, 0, 5), ALU64_REG(MBPF_XOR, 0, 6), ALU64_REG(MBPF_XOR, 0, 7),
            ALU64_REG(MBPF_XOR, 0, 8), ALU64_REG(MBPF_XOR, 0, 9), ALU64_REG(MBPF_XOR, 0, 3),
            EXIT()};
        assert_true(same(p, NPROG(p), 0, 0, &r));
        assert_int_equal(r.status, count <= (int32_t)CTX_LEN ? MBPF_OK : MBPF_E_MEM);
        assert_true(same(p, NPROG(p), (uint64_t)count - 1u + (count == 1), 0, &r));
        if (count > 2) {
            assert_true(same(p, NPROG(p), (uint64_t)count - 2u, 0, &r));
            assert_int_equal(r.status, count <= (int32_t)CTX_LEN + 1 ? MBPF_E_BUDGET : MBPF_E_MEM);
        }
    }
}

/* Two regions a helper hands out, read-only and read-write: a copy loop
 * guarded against both region caches, walking exactly to / past their
 * ends, and storing into the read-only one. */
/* not adjacent (jit_low_once: below 4 GiB) */
typedef struct two_bufs {
    uint8_t ro[48], gap[64], rw[40];
} two_bufs;
static two_bufs *low_bufs(void)
{
    static void *b;
    return jit_low_once(&b, sizeof(two_bufs));
}
#define buf_ro (low_bufs()->ro)
#define buf_rw (low_bufs()->rw)

static uint64_t get_buf(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                        mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5, (void)env;
    return (uint64_t)(uintptr_t)(a1 ? buf_rw : buf_ro);
}

static bool run_two(const mbpf_insn *p, uint32_t n)
{
    mbpf_helper storage[2];
    mbpf_helpers set;
    mbpf_helpers_init(&set, storage, 2);
    mbpf_helper def = {.id = 100, .fn = get_buf, .name = "get_buf"};
    assert_int_equal(mbpf_helpers_add(&set, &def), MBPF_OK);
    mbpf_result res[2];
    uint8_t rw[2][sizeof buf_rw];
    for (unsigned pass = 0; pass < 2; pass++) {
        tvm t;
        tvm_open(&t, NULL);
        mbpf_vm_set_helpers(&t.vm, &set, NULL, 0);
        assert_int_equal(mbpf_vm_add_region(&t.vm, buf_ro, sizeof buf_ro, MBPF_MEM_READ), MBPF_OK);
        assert_int_equal(mbpf_vm_add_region(&t.vm, buf_rw, sizeof buf_rw, MBPF_MEM_RW), MBPF_OK);
        tvm_load(&t, p, n);
        for (unsigned i = 0; i < sizeof buf_ro; i++)
            buf_ro[i] = (uint8_t)(i * 7u + 1u);
        for (unsigned i = 0; i < sizeof buf_rw; i++)
            buf_rw[i] = (uint8_t)(i ^ 0x55u);
        if (pass == 0)
            mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &res[0]);
        else
            assert_int_equal(jit_uc_run_program(&t.vm, NULL, 0, NULL, &res[1], NULL), JIT_UC_OK);
        memcpy(rw[pass], buf_rw, sizeof buf_rw);
        tvm_close(&t);
    }
    bool ok = jit_results_equal(&res[0], &res[1]) && !memcmp(rw[0], rw[1], sizeof buf_rw);
    if (!ok) {
        jit_print_result("interp", &res[0]);
        jit_print_result("jit   ", &res[1]);
    }
    return ok;
}

static void two_regions(void **state)
{
    (void)state;
    for (int32_t count = 1; count <= 50; count += 3) {
        /* r6 = ro, r7 = rw: rw[i] ^= ro[i + 2], twice over (the second
         * entry finds both regions in the caches) */
        const mbpf_insn copy[] = {
            MOV64_IMM(1, 0), CALL_HELPER(100), MOV64_REG(6, 0), MOV64_IMM(1, 1),
            CALL_HELPER(100), MOV64_REG(7, 0), MOV64_IMM(8, 2),
            /* outer (pc 7) */
            MOV32_IMM(3, count),
            LDX(MBPF_B, 2, 6, 2), LDX(MBPF_B, 4, 7, 0), ALU64_REG(MBPF_XOR, 4, 2),
            STX(MBPF_B, 7, 4, 0), ALU64_IMM(MBPF_ADD, 6, 1), ALU64_IMM(MBPF_ADD, 7, 1),
            ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -8),
            ALU64_IMM(MBPF_SUB, 6, count), ALU64_IMM(MBPF_SUB, 7, count),
            ALU64_IMM(MBPF_ADD, 8, -1), JMP_IMM(MBPF_JNE, 8, 0, -13),
            MOV64_IMM(0, 1), EXIT()};
        assert_true(run_two(copy, NPROG(copy)));
        /* two walking pointers, both accesses post-indexed in the fast
         * copy, the steps far from them; 64-bit counter and jlt */
        const mbpf_insn two_steps[] = {
            MOV64_IMM(1, 0), CALL_HELPER(100), MOV64_REG(6, 0), MOV64_IMM(1, 1),
            CALL_HELPER(100), MOV64_REG(7, 0), MOV64_IMM(8, 0), MOV64_IMM(9, 0),
            LDX(MBPF_B, 2, 6, 0), STX(MBPF_B, 7, 2, 0), ALU64_REG(MBPF_ADD, 9, 2),
            ALU64_IMM(MBPF_ADD, 6, 1), ALU64_IMM(MBPF_ADD, 7, 1), ALU64_IMM(MBPF_ADD, 8, 1),
            JMP_IMM(MBPF_JLT, 8, count, -7), MOV64_REG(0, 9), EXIT()};
        assert_true(run_two(two_steps, NPROG(two_steps)));
        /* the same into the read-only region */
        const mbpf_insn bad[] = {
            MOV64_IMM(1, 0), CALL_HELPER(100), MOV64_REG(6, 0), MOV32_IMM(3, count),
            LDX(MBPF_B, 2, 6, 0), ALU64_IMM(MBPF_ADD, 2, 1), STX(MBPF_B, 6, 2, 1),
            ALU64_IMM(MBPF_ADD, 6, 1), ALU32_IMM(MBPF_ADD, 3, -1),
            JMP32_IMM(MBPF_JNE, 3, 0, -6), MOV64_IMM(0, 1), EXIT()};
        assert_true(run_two(bad, NPROG(bad)));
    }
}

/* Copies sunk out of the fast copy (jit_loop_sink.c): clang's accumulator
 * shape `mov32 b, x; add32 b, y; ...; mov32 a, b` and variants that must
 * not be sunk (b read before its write, a or b used between or after), with
 * 64-bit junk in a and b before the loop (mov32 zero-extends), on the fast
 * and on the checked copy (a start past the region end). r0 = a, r4 = b,
 * r3 = sum, r6 = counter, r1 = pointer; the result mixes all of them. */
static void sunk_copies(void **state)
{
    (void)state;
    fill_ctx();
    enum { A = 0, B = 4 };
    const mbpf_insn pair_add[2] = {MOV32_REG(B, 3), ALU32_REG(MBPF_ADD, B, A)};
    const mbpf_insn pair_sub_xa[2] = {MOV32_REG(B, A), ALU32_REG(MBPF_SUB, B, 3)};
    const mbpf_insn pair_xor[2] = {MOV32_REG(B, 3), ALU32_REG(MBPF_XOR, B, A)};
    const mbpf_insn *pairs[] = {pair_add, pair_sub_xa, pair_xor};
    /* what sits between the pair and the copy, and after the copy */
    const mbpf_insn mid[] = {ALU32_IMM(MBPF_ADD, 6, -1), ALU32_REG(MBPF_ADD, 3, A),
                             ALU32_REG(MBPF_ADD, 3, B)};
    const mbpf_insn first[] = {LDX(MBPF_B, B, 1, 0), ALU32_REG(MBPF_ADD, 3, B),
                               ALU32_IMM(MBPF_ADD, B, 1)};
    const mbpf_insn after[] = {MOV32_IMM(5, 1), ALU32_REG(MBPF_ADD, 3, B), ALU32_REG(MBPF_OR, A, 5)};
    static const int32_t starts[] = {0, 60};
    static const int32_t counts[] = {1, 2, 9};
    for (unsigned pi = 0; pi < NPROG(pairs); pi++)
        for (unsigned f = 0; f < NPROG(first); f++)
            for (unsigned m = 0; m < NPROG(mid); m++)
                for (unsigned a = 0; a < NPROG(after); a++)
                    for (unsigned s = 0; s < NPROG(starts); s++)
                        for (unsigned c = 0; c < NPROG(counts); c++) {
                            bool dec_mid = m == 0;
                            const mbpf_insn p[] = {
                                LDDW(A, 0x1234567800000005ull), LDDW(B, 0x9abcdef000000007ull),
                                MOV32_IMM(3, 0xff), ALU64_IMM(MBPF_ADD, 1, starts[s]),
                                MOV32_IMM(6, counts[c]),
                                /* head */ LDX(MBPF_B, 5, 1, 0), first[f],
                                ALU32_REG(MBPF_ADD, 3, 5), ALU64_IMM(MBPF_ADD, 1, 1),
                                pairs[pi][0], pairs[pi][1], mid[m],
                                dec_mid ? MOV32_REG(A, B) : ALU32_IMM(MBPF_ADD, 6, -1),
                                dec_mid ? after[a] : MOV32_REG(A, B),
                                dec_mid ? MOV32_REG(7, 7) : after[a],
                                JMP32_IMM(MBPF_JNE, 6, 0, -11),
                                /* r0 = a ^ (b << 20) ^ (sum << 8), all 64-bit */
                                MOV64_REG(8, B), ALU64_IMM(MBPF_LSH, 8, 20),
                                ALU64_REG(MBPF_XOR, A, 8), MOV64_REG(8, 3),
                                ALU64_IMM(MBPF_LSH, 8, 8), ALU64_REG(MBPF_XOR, A, 8), EXIT()};
                            mbpf_result r;
                            bool ok = same(p, NPROG(p), 100000, 0, &r);
                            if (!ok)
                                print_error("pair %u first %u mid %u after %u start %d count %d\n",
                                            pi, f, m, a, starts[s], counts[c]);
                            assert_true(ok);
                        }
    /* The sunk shape costs 5 instructions per byte in the fast copy (ldrb
     * post-indexed, two adds, subs, bne): Fletcher-16's inner loop. */
    uint64_t n[2];
    for (unsigned k = 0; k < 2; k++) {
        const mbpf_insn p[] = {MOV32_IMM(A, 0xff), MOV32_IMM(3, 0xff), MOV32_IMM(6, 16 + 16 * k),
                               LDX(MBPF_B, B, 1, 0), ALU32_REG(MBPF_ADD, 3, B),
                               ALU64_IMM(MBPF_ADD, 1, 1), MOV32_REG(B, 3),
                               ALU32_REG(MBPF_ADD, B, A), ALU32_IMM(MBPF_ADD, 6, -1),
                               MOV32_REG(A, B), JMP32_IMM(MBPF_JNE, 6, 0, -8), EXIT()};
        n[k] = jit_insns(p, NPROG(p));
    }
    assert_int_equal(n[1] - n[0], 16u * 5u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(byte_sum),       cmocka_unit_test(halfword_pairs),
        cmocka_unit_test(budget_edges),
        cmocka_unit_test(counters),       cmocka_unit_test(pointers),
        cmocka_unit_test(stores_atomics), cmocka_unit_test(stack_range),
        cmocka_unit_test(shapes),         cmocka_unit_test(spilled),
        cmocka_unit_test(two_regions),    cmocka_unit_test(closings),
        cmocka_unit_test(derived_bases), cmocka_unit_test(bounded_index),  cmocka_unit_test(sunk_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
