/* The program header and the shared entry / exits (jit_entry.c): the
 * runner calls the shared run routine, which reads the header for where the
 * budget's low word and the initial r1, r2 go; the final exit (leave) and
 * the shared error exit read eBPF r0 and the budget back from their homes.
 * - random register-heavy programs put the budget, r0, r1 and r2 in a low
 *   register (r4-r7), a high one (r8-r11) and the frame; every one runs
 *   like the interpreter (result, budget used, stack), also when it stops
 *   through the error exit from each kind of shared routine (budget, memory
 *   fault, helper failure, call depth), with the budget in a register and in
 *   the frame;
 * - hand-made headers with every register for each of them (exhaustive
 *   over r4-r11: the decoding in run and leave);
 * - a program that calls no shared routine, programs with local calls at
 *   several depths (the records run unwinds), a deopt whose map is the
 *   header's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"
#include "host_vm.h"

static mbpf_helper hstore[32];
static mbpf_helpers hset;

static int setup(void **state)
{
    (void)state;
    mbpf_helpers_init(&hset, hstore, 32);
    return host_register_test_helpers(&hset) == MBPF_OK ? 0 : -1;
}

/* The first bytes of the program's code (its header) and its size. */
static size_t header_of(const mbpf_insn *p, uint32_t n, const mbpf_config *cfg, uint8_t h[12])
{
    tvm t;
    tvm_open(&t, cfg);
    mbpf_vm_set_helpers(&t.vm, &hset, NULL, 0);
    tvm_load(&t, p, n);
    uint32_t *offs = calloc(n + 1u, sizeof *offs);
    assert_non_null(offs);
    size_t len = 0;
    assert_int_equal(mbpf_jit_compile(&t.vm, NULL, 0, &len, offs, NULL), MBPF_E_NOSPACE);
    uint8_t *code = aligned_alloc(8, (len + 7) & ~(size_t)7);
    assert_non_null(code);
    assert_int_equal(mbpf_jit_compile(&t.vm, code, len, &len, offs, NULL), MBPF_OK);
    size_t hl = mbpf_jit_header_len(code);
    assert_true(hl >= 6 && hl <= 12 && hl <= offs[0] && hl < len);
    memset(h, 0xff, 12);
    memcpy(h, code, hl);
    free(code);
    free(offs);
    tvm_close(&t);
    return len;
}

enum { K_LOW = 1, K_HIGH = 2, K_FRAME = 4, K_ZERO = 8 };

/* A home code of the header: register r4-r7, r8-r11, frame (slot or the
 * budget's frame word), always 0 (high halves only). */
static unsigned kind_of(unsigned code, bool budget)
{
    if (code >= 1 && code <= 4)
        return K_LOW;
    if (code >= 5 && code <= 8)
        return K_HIGH;
    if (code == (budget ? 19u : 0u))
        return K_FRAME;
    if (!budget && code == 15)
        return K_ZERO;
    fail_msg("bad home code %u", code);
    return 0;
}

static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

enum { END_OK, END_BUDGET, END_MEM, END_HELPER, END_DEPTH, END_KINDS };

/* A loop of random ALU work on r0-r9 with random weights (counter c),
 * then r0 = the sum of all; r1 (ctx) is only read. The end decides how it
 * stops: normally, out of budget (the caller's config), a memory fault
 * (ctx + 60), a failing helper, a local call too deep (max_depth 1). */
static uint32_t gen(uint32_t seed, unsigned end, mbpf_insn *p)
{
    uint32_t s = seed * 2654435761u + 1u, i = 0;
    unsigned c = 3u + rnd(&s) % 7u, w[10];
    /* some programs only 32-bit: no high halves, more low halves in
     * registers, the budget behind them in r8-r11 */
    bool only32 = rnd(&s) % 3u == 0;
    for (unsigned r = 0; r < 10; r++)
        w[r] = (unsigned[]){0, 0, 0, 1, 2, 6}[rnd(&s) % 6u];
    for (unsigned r = 0; r < 10; r++) /* some start as 0 (read before written) */
        if (r != 1 && r != 2 && r != c && rnd(&s) % 2u)
            p[i++] = MOV64_IMM(r, (int32_t)(rnd(&s) % 1000u));
    p[i++] = MOV64_IMM(c, 1 + (int32_t)(rnd(&s) % 6u));
    uint32_t head = i;
    /* a branch in the body: no counted-loop fast path, a budget unit per
     * iteration (so the budget's weight varies too) */
    p[i++] = JMP_IMM(MBPF_JEQ, c, 1000, 1);
    p[i++] = ALU64_IMM(MBPF_ADD, c, 0);
    for (unsigned r = 0; r < 10; r++) {
        for (unsigned k = 0; r != c && k < w[r]; k++) {
            unsigned d = r == 1 ? 0u : r, src = rnd(&s) % 10u;
            int32_t imm = (int32_t)(rnd(&s) % 300u) - 20;
            switch (only32 ? 2u + 3u * (rnd(&s) % 2u) : rnd(&s) % 5u) {
            case 0: p[i++] = ALU64_IMM(MBPF_ADD, d, imm); break;
            case 1: p[i++] = ALU64_REG(MBPF_XOR, d, src); break;
            case 2: p[i++] = ALU32_IMM(MBPF_ADD, d, imm); break;
            case 3: p[i++] = ALU64_REG(MBPF_ADD, d, src); break;
            case 4: p[i++] = ALU64_IMM(MBPF_LSH, d, 3); break;
            default: p[i++] = ALU32_REG(MBPF_ADD, d, src); break;
            }
        }
    }
    p[i++] = ALU64_IMM(MBPF_SUB, c, 1);
    p[i] = JMP_IMM(MBPF_JNE, c, 0, (int16_t)((int32_t)head - (int32_t)i - 1));
    i++;
    if (end == END_MEM)
        p[i++] = LDX(MBPF_W, 3, 1, 60);
    if (end == END_HELPER)
        p[i++] = CALL_HELPER(HOST_HELPER_FAIL);
    if (end == END_DEPTH)
        p[i++] = CALL_LOCAL(10);
    for (unsigned r = 1; r < 10; r++)
        p[i++] = only32 ? ALU32_REG(MBPF_ADD, 0, r) : ALU64_REG(MBPF_ADD, 0, r);
    p[i++] = EXIT();
    if (end == END_DEPTH) { /* the callee */
        p[i++] = MOV64_IMM(0, 7);
        p[i++] = EXIT();
    }
    return i;
}

static void homes_and_exits(void **state)
{
    (void)state;
    unsigned seen_b = 0, seen_lo[3] = {0}, seen_hi0 = 0, seen_end[END_KINDS] = {0};
    uint32_t codes[4] = {0}; /* r0, r1, r2, budget: each home code met */
    uint8_t ctx[16];
    for (unsigned k = 0; k < sizeof ctx; k++)
        ctx[k] = (uint8_t)(k * 29u + 3u);
    mbpf_insn p[128];
    for (uint32_t seed = 1; seed <= 3000; seed++) {
        unsigned end = seed % END_KINDS;
        uint32_t n = gen(seed, end, p);
        assert_true(n <= 128);
        mbpf_config cfg;
        mbpf_config_default(&cfg);
        if (end == END_BUDGET)
            cfg.budget = 1 + seed % 3u;
        if (end == END_DEPTH)
            cfg.max_depth = 1;
        uint8_t h[12];
        header_of(p, n, &cfg, h);
        unsigned b = kind_of(h[0] >> 3, true);
        seen_b |= b;
        for (unsigned r = 0; r < 3; r++) {
            unsigned code = h[MBPF_JIT_HDR_MAP + r] & 15u;
            seen_lo[r] |= kind_of(code, false);
            codes[r] |= 1u << code;
        }
        codes[3] |= 1u << (h[0] >> 3);
        seen_hi0 |= kind_of(h[MBPF_JIT_HDR_MAP] >> 4, false);
        assert_int_equal(h[1], end == END_DEPTH ? 1 : 0); /* local-call depth */
        jit_opts o = {.cfg = &cfg, .helpers = &hset, .ctx = ctx, .ctx_len = sizeof ctx};
        mbpf_result r;
        if (!jit_same_opts(p, n, &o, &r))
            fail_msg("seed %u (end %u) differs", seed, end);
        static const int want[END_KINDS] = {MBPF_OK, MBPF_E_BUDGET, MBPF_E_MEM, 0,
                                            MBPF_E_DEPTH};
        if (end == END_HELPER)
            assert_true(r.status != MBPF_OK && r.pc == n - 11);
        else if (end != END_BUDGET || r.status != MBPF_OK) /* a short loop may fit */
            assert_int_equal(r.status, want[end]);
        if (r.status != MBPF_OK || end == END_OK)
            seen_end[end] |= b;
    }
    /* every home kind of the budget, r0, r1, r2 (low halves) and r0's
     * high half was met, and each way out with the budget in a register and
     * in the frame */
    assert_int_equal(seen_b, K_LOW | K_HIGH | K_FRAME);
    for (unsigned r = 0; r < 3; r++)
        assert_int_equal(seen_lo[r], K_LOW | K_HIGH | K_FRAME);
    print_message("r0's high half: %#x\n", seen_hi0);
    print_message("codes r0 %#x r1 %#x r2 %#x budget %#x\n", codes[0], codes[1], codes[2], codes[3]);
    assert_true((seen_hi0 & (K_LOW | K_HIGH)) && (seen_hi0 & K_FRAME) && (seen_hi0 & K_ZERO));
    for (unsigned e = 0; e < END_KINDS; e++) {
        print_message("end %u: budget homes seen %#x\n", e, seen_end[e]);
        assert_true((seen_end[e] & K_FRAME) && (seen_end[e] & (K_LOW | K_HIGH)));
    }
}

/* Hand-made programs straight through the harness: a header that puts the
 * budget's low word, r0, r1 and r2 in every combination of r4-r11 (and the
 * frame for the budget and r0), code that sums r1 (or r2) and every other
 * register into r0's home and takes 5 from the budget: r0 must come back
 * as r1 (r2), which also proves the other registers started at 0, and the
 * budget used must be 5. */
static void hw(uint8_t *c, size_t *at, unsigned h)
{
    c[(*at)++] = (uint8_t)h;
    c[(*at)++] = (uint8_t)(h >> 8);
}

static size_t hand_program(uint8_t *c, unsigned r0, unsigned r1, unsigned r2, unsigned bud,
                           bool sum_r2)
{
    size_t at = 0;
    c[at++] = (uint8_t)(3u | bud << 3); /* 6 bytes: 2 + map of r0-r2 and the end */
    c[at++] = 0;
    c[at++] = (uint8_t)(r0 | 0xf0u);
    c[at++] = (uint8_t)(r1 | 0xf0u);
    c[at++] = (uint8_t)(r2 | 0xf0u);
    c[at++] = 0xff;
    hw(c, &at, 0x2100u); /* movs r1, #0 */
    for (unsigned k = 1; k <= 8; k++) /* r1 += r(3+k), but the budget's and r2 (r1) */
        if (k != bud && k != (sum_r2 ? r1 : r2)) {
            hw(c, &at, 0xEB01u);
            hw(c, &at, 0x0100u | (3u + k)); /* add.w r1, r1, r(3+k) */
        }
    if (r0 == 0) {
        hw(c, &at, 0x910Eu); /* str r1, [sp, #56]: r0's slot */
    } else {
        unsigned d = 3u + r0;
        hw(c, &at, 0x4600u | (d >> 3) << 7 | 1u << 3 | (d & 7u)); /* mov rd, r1 */
    }
    if (bud == 19) {
        hw(c, &at, 0x980Au); /* ldr r0, [sp, #40] */
        hw(c, &at, 0x3805u); /* subs r0, #5 */
        hw(c, &at, 0x900Au); /* str r0, [sp, #40] */
    } else {
        hw(c, &at, 0xF1A0u | (3u + bud));
        hw(c, &at, (3u + bud) << 8 | 5u); /* sub.w rb, rb, #5 */
    }
    hw(c, &at, 0xF8DDu); /* ldr.w pc, [sp, #F_RT + 4 * LEAVE] */
    hw(c, &at, 0xF000u | (MBPF_JIT_FRAME_RT + 4u * MBPF_JIT_RT_LEAVE));
    return at;
}

static void run_leave_every_register(void **state)
{
    (void)state;
    jit_uc *h = jit_uc_open();
    assert_non_null(h);
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, PROG(MOV64_IMM(0, 0), EXIT()), 2);
    static uint8_t *ctxbuf;
    uint8_t *ctx = jit_low_once((void **)&ctxbuf, 24);
    uint8_t *code = aligned_alloc(8, 64);
    assert_non_null(code);
    unsigned runs = 0;
    for (unsigned bud = 1; bud <= 19; bud = bud == 8 ? 19 : bud + 1)
        for (unsigned r0 = 0; r0 <= 8; r0++)
            for (unsigned r1 = 1; r1 <= 8; r1++) {
                unsigned r2 = r1 % 8u + 1u; /* the next one (after r11: r4) */
                while (r2 == bud || r2 == r0 || r2 == r1)
                    r2 = r2 % 8u + 1u;
                if (r0 == bud || r0 == r1 || r1 == bud)
                    continue;
                for (unsigned which = 0; which < 2; which++) {
                    size_t len = hand_program(code, r0, r1, r2, bud, which);
                    mbpf_result res;
                    int rc = jit_uc_run(h, &t.vm, code, len, ctx, 24, MBPF_MEM_RW, NULL, &res,
                                        NULL);
                    if (rc != JIT_UC_OK)
                        fail_msg("harness: %s", jit_uc_error(h));
                    uint64_t want = which ? 24u : (uint64_t)(uintptr_t)ctx;
                    if (res.status != MBPF_OK || res.r0 != want || res.budget_used != 5)
                        fail_msg("budget %u r0 %u r1 %u r2 %u (%s): status %d r0 %#llx used %llu",
                                 bud, r0, r1, r2, which ? "r2" : "r1", (int)res.status,
                                 (unsigned long long)res.r0,
                                 (unsigned long long)res.budget_used);
                    runs++;
                }
            }
    print_message("%u runs\n", runs);
    free(code);
    tvm_close(&t);
    jit_uc_close(h);
}

/* No memory check, budget, helper or division: still through run and leave,
 * with the budget in the frame word and a small cost per run. */
static void no_shared_routine(void **state)
{
    (void)state;
    const mbpf_insn *p = PROG(MOV64_REG(0, 1), ALU64_REG(MBPF_ADD, 0, 2),
                              ALU64_IMM(MBPF_MUL, 0, 3), ALU64_REG(MBPF_SUB, 0, 4), EXIT());
    uint8_t h[12];
    size_t len = header_of(p, 5, NULL, h);
    assert_int_equal(h[0] >> 3, 19); /* the budget's frame word */
    assert_int_equal(h[1], 0);
    assert_int_equal(mbpf_jit_header_len(h), 2 + 6); /* map: r0-r4 named, then the end */
    uint8_t ctx[8] = {1};
    jit_opts o = {.helpers = &hset, .ctx = ctx, .ctx_len = sizeof ctx};
    mbpf_result r;
    assert_true(jit_same_opts(p, 5, &o, &r));
    assert_int_equal(r.status, MBPF_OK);
    /* the cost of run + leave: header, code and the exit's ldr pc only */
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, p, 5);
    mbpf_result rj;
    uint64_t insns = 0;
    assert_int_equal(jit_uc_run_program(&t.vm, ctx, sizeof ctx, NULL, &rj, &insns), JIT_UC_OK);
    assert_int_equal(rj.status, MBPF_OK);
    print_message("code %zu bytes, %llu instructions executed\n", len,
                  (unsigned long long)insns);
    assert_true(insns <= 64);
    tvm_close(&t);
}

/* Local calls: the header holds the depth, run reserves the records below
 * its push and leave (or the error exit) unwinds them at every depth. */
static void local_call_depths(void **state)
{
    (void)state;
    const mbpf_insn *p = PROG(MOV64_IMM(6, 5),          /* 0 */
                              CALL_LOCAL(4),            /* 1: -> 6 */
                              ALU64_REG(MBPF_ADD, 0, 6), /* 2 */
                              ALU64_REG(MBPF_ADD, 0, 1), /* 3 */
                              ALU64_IMM(MBPF_LSH, 0, 40), /* 4 */
                              EXIT(),                   /* 5 */
                              MOV64_IMM(6, 9),          /* 6: callee */
                              CALL_LOCAL(2),            /* 7: -> 10 */
                              ALU64_IMM(MBPF_ADD, 0, 1), /* 8 */
                              EXIT(),                   /* 9 */
                              MOV64_REG(0, 6),          /* 10 */
                              ALU64_IMM(MBPF_MUL, 0, 3), /* 11 */
                              EXIT());
    static const uint8_t depths[] = {1, 2, 3, 8, 51, 64};
    for (unsigned k = 0; k < sizeof depths; k++) {
        mbpf_config cfg;
        mbpf_config_default(&cfg);
        cfg.max_depth = depths[k];
        uint8_t h[12];
        header_of(p, 13, &cfg, h);
        assert_int_equal(h[1], depths[k]);
        uint8_t ctx[8] = {2};
        jit_opts o = {.cfg = &cfg, .helpers = &hset, .ctx = ctx, .ctx_len = sizeof ctx};
        mbpf_result r;
        assert_true(jit_same_opts(p, 13, &o, &r));
        assert_int_equal(r.status, depths[k] >= 3 ? MBPF_OK : MBPF_E_DEPTH);
        cfg.budget = 1; /* the error exit from the budget routine, records below */
        assert_true(jit_same_opts(p, 13, &o, &r));
        assert_int_equal(r.status, depths[k] >= 3 ? MBPF_E_BUDGET : MBPF_E_DEPTH);
    }
}

/* A deopt reads the register map from the header (F_CODE + 2): registers
 * in r4-r11 and in slots come back right for the interpreter. */
static void deopt_map_in_header(void **state)
{
    (void)state;
    uint8_t ctx[64];
    for (unsigned k = 0; k < sizeof ctx; k++)
        ctx[k] = (uint8_t)(k * 7u + 1u);
    for (int32_t count = 64; count <= 65; count++) { /* 65: the guard fails (fault) */
        mbpf_insn p[64];
        uint32_t i = 0;
        for (unsigned r = 5; r <= 9; r++)
            p[i++] = MOV64_IMM(r, (int32_t)(r * 1000u + 17u));
        p[i++] = ALU64_IMM(MBPF_LSH, 9, 40); /* a high half to keep */
        p[i++] = MOV64_IMM(0, 0);
        p[i++] = MOV32_IMM(3, count);
        uint32_t head = i;
        p[i++] = LDX(MBPF_B, 4, 1, 0);
        p[i++] = ALU64_REG(MBPF_ADD, 0, 4);
        p[i++] = ALU64_IMM(MBPF_ADD, 1, 1);
        p[i++] = ALU32_IMM(MBPF_ADD, 3, -1);
        p[i] = JMP32_IMM(MBPF_JNE, 3, 0, (int16_t)((int32_t)head - (int32_t)i - 1));
        i++;
        for (unsigned r = 2; r <= 9; r++) /* values live across the loop */
            if (r != 3 && r != 4)
                p[i++] = ALU64_REG(MBPF_XOR, 0, r);
        p[i++] = EXIT();
        uint8_t h[12];
        header_of(p, i, NULL, h);
        unsigned kinds = 0;
        for (unsigned r = 0; r < 10 && h[MBPF_JIT_HDR_MAP + r] != 0xff; r++)
            kinds |= kind_of(h[MBPF_JIT_HDR_MAP + r] & 15u, false);
        assert_true(kinds & (K_LOW | K_HIGH));
        uint64_t before = jit_uc_program_deopts();
        jit_opts o = {.helpers = &hset, .ctx = ctx, .ctx_len = sizeof ctx};
        mbpf_result r;
        assert_true(jit_same_opts(p, i, &o, &r));
        assert_int_equal(jit_uc_program_deopts() - before, count == 65 ? 1 : 0);
        assert_int_equal(r.status, count == 65 ? MBPF_E_MEM : MBPF_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(homes_and_exits),
        cmocka_unit_test(run_leave_every_register),
        cmocka_unit_test(no_shared_routine),
        cmocka_unit_test(local_call_depths),
        cmocka_unit_test(deopt_map_in_header),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
