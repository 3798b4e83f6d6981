/* The JIT's shared runtime (jit_shared.c): emitted once, reached by every
 * program through the context block's table pointer and one veneer per routine.
 * - mbpf_jit_runtime_emit keeps the NOSPACE / size contract;
 * - a program that uses every shared routine (trap via a helper failure and
 *   via the call depth, budget exhaustion and the refill across the 32-bit low
 *   word, a memory fault in mem_slow, the loop guards' range routine, udiv64
 *   and sdiv64) gives the interpreter's results in every field;
 * - two different programs run alternately on ONE runtime (one harness);
 * - the program's own code holds none of the runtime's routines, only the
 *   veneers to them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"
#include "host_vm.h"

static void emit_contract(void **state)
{
    (void)state;
    mbpf_jit_runtime rt;
    size_t len = 0;
    assert_int_equal(mbpf_jit_runtime_emit(NULL, 0, &len, &rt), MBPF_E_NOSPACE);
    assert_true(len > 0 && len % 2 == 0);
    size_t cap = (len + 8 + 7) & ~(size_t)7; /* aligned_alloc: a multiple of 8 */
    uint8_t *buf = aligned_alloc(8, cap), *again = aligned_alloc(8, cap);
    assert_non_null(buf);
    assert_non_null(again);
    memset(buf, 0xA5, len + 8);
    size_t got = 0;
    assert_int_equal(mbpf_jit_runtime_emit(buf, len - 1, &got, &rt), MBPF_E_NOSPACE);
    assert_int_equal(got, len);
    for (size_t i = 0; i < len + 8; i++)
        assert_int_equal(buf[i], 0xA5); /* nothing written */
    assert_int_equal(mbpf_jit_runtime_emit(buf + 2, len, &got, &rt), MBPF_E_ARG);
    assert_int_equal(mbpf_jit_runtime_emit(buf, len, NULL, &rt), MBPF_E_ARG);
    assert_int_equal(mbpf_jit_runtime_emit(buf, len, &got, NULL), MBPF_E_ARG);
    assert_int_equal(mbpf_jit_runtime_emit(buf, len, &got, &rt), MBPF_OK);
    assert_int_equal(got, len);
    assert_ptr_equal(rt.code, buf);
    assert_int_equal(rt.size, len);
    for (size_t i = len; i < len + 8; i++)
        assert_int_equal(buf[i], 0xA5); /* not past len */
    for (unsigned k = 0; k < MBPF_JIT_RT_COUNT; k++) {
        assert_true(rt.entry[k] < len && rt.entry[k] % 2 == 0);
        for (unsigned m = 0; m < k; m++)
            assert_true(rt.entry[m] != rt.entry[k]);
    }
    mbpf_jit_runtime rt2;
    assert_int_equal(mbpf_jit_runtime_emit(again, len + 8, &got, &rt2), MBPF_OK);
    assert_memory_equal(buf, again, len); /* position independent: same bytes */
    assert_memory_equal(rt.entry, rt2.entry, sizeof rt.entry);
    free(buf);
    free(again);
}

/* Uses every shared routine: a counted loop over ctx (range guard; budget
 * refill / exhaustion in its checked copy), a load at ctx + 40 (mem_slow:
 * fault when ctx is shorter), a helper call (fails when ctx[1] = 0xEE), a
 * local call (depth), 64-bit unsigned and signed division. r0 = a mix. */
static const mbpf_insn every[] = {
    MOV64_REG(6, 1),                         /* 0: ctx */
    MOV64_IMM(0, 0),                         /* 1 */
    MOV64_REG(3, 2),                         /* 2: counter = len */
    MOV64_REG(4, 6),                         /* 3: pointer */
    LDX(MBPF_B, 5, 4, 0),                    /* 4: h */
    ALU64_REG(MBPF_ADD, 0, 5),               /* 5 */
    ALU64_IMM(MBPF_ADD, 4, 1),               /* 6 */
    ALU64_IMM(MBPF_SUB, 3, 1),               /* 7 */
    JMP_IMM(MBPF_JNE, 3, 0, -5),             /* 8: -> 4 */
    MOV64_REG(7, 0),                         /* 9: sum */
    LDX(MBPF_B, 5, 6, 40),                   /* 10: mem_slow (cache: the loop's range) */
    ALU64_REG(MBPF_ADD, 7, 5),               /* 11 */
    LDX(MBPF_B, 1, 6, 1),                    /* 12 */
    JMP_IMM(MBPF_JNE, 1, 0xEE, 1),           /* 13 */
    CALL_HELPER(HOST_HELPER_FAIL),           /* 14 */
    MOV64_REG(1, 7),                         /* 15 */
    CALL_HELPER(HOST_HELPER_IDENTITY),       /* 16: r0 = r1 */
    MOV64_REG(8, 0),                         /* 17 */
    ALU64_IMM(MBPF_LSH, 8, 33),              /* 18 */
    ALU64_REG(MBPF_ADD, 8, 7),               /* 19: a 64-bit dividend */
    MOV64_REG(9, 8),                         /* 20 */
    ALU64_IMM(MBPF_ADD, 7, 3),               /* 21: divisor >= 3 */
    ALU64_REG(MBPF_DIV, 8, 7),               /* 22: udiv64 */
    NEG64(9),                                /* 23 */
    SALU64_IMM(MBPF_MOD, 9, 7),              /* 24: sdiv64 */
    MOV64_REG(1, 8),                         /* 25 */
    CALL_LOCAL(3),                           /* 26: -> 30 */
    ALU64_REG(MBPF_XOR, 0, 9),               /* 27 */
    ALU64_REG(MBPF_ADD, 0, 8),               /* 28 */
    EXIT(),                                  /* 29 */
    MOV64_REG(0, 1),                         /* 30: callee */
    ALU64_IMM(MBPF_RSH, 0, 1),               /* 31 */
    EXIT(),                                  /* 32 */
};
#define N_EVERY ((uint32_t)(sizeof every / sizeof every[0]))

/* A different program: another register map, a backward loop without a
 * fast path (budget unit per jump), 64-bit signed division only. */
static const mbpf_insn other[] = {
    MOV64_IMM(0, 1),                         /* 0 */
    LDX(MBPF_B, 3, 1, 0),                    /* 1 */
    ALU64_IMM(MBPF_ADD, 3, 5),               /* 2 */
    ALU64_IMM(MBPF_MUL, 0, 7),               /* 3: loop */
    JMP_IMM(MBPF_JGT, 0, 1000000, 1),        /* 4 */
    ALU64_IMM(MBPF_ADD, 0, 3),               /* 5 */
    ALU64_IMM(MBPF_SUB, 3, 1),               /* 6 */
    JMP_IMM(MBPF_JNE, 3, 0, -5),             /* 7: -> 3 */
    SALU64_IMM(MBPF_DIV, 0, -13),            /* 8 */
    EXIT(),
};
#define N_OTHER ((uint32_t)(sizeof other / sizeof other[0]))

static mbpf_helper hstore[32];
static mbpf_helpers hset;

static int setup(void **state)
{
    (void)state;
    mbpf_helpers_init(&hset, hstore, 32);
    return host_register_test_helpers(&hset) == MBPF_OK ? 0 : -1;
}

static bool same(const mbpf_insn *p, uint32_t n, const mbpf_config *cfg, const uint8_t *ctx,
                 uint32_t len, mbpf_result *res)
{
    jit_opts o = {.cfg = cfg, .helpers = &hset, .ctx = ctx, .ctx_len = len};
    return jit_same_opts(p, n, &o, res);
}

static void every_routine(void **state)
{
    (void)state;
    uint8_t ctx[64];
    for (unsigned i = 0; i < sizeof ctx; i++)
        ctx[i] = (uint8_t)(i * 37u + 11u);
    mbpf_config cfg;
    mbpf_config_default(&cfg);
    mbpf_result r;
    assert_true(same(every, N_EVERY, &cfg, ctx, 64, &r));
    assert_int_equal(r.status, MBPF_OK);
    /* mem_slow refuses ctx + 40 (interpreter: the same fault) */
    assert_true(same(every, N_EVERY, &cfg, ctx, 30, &r));
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.pc, 10);
    /* helper failure: trap with the helper's status */
    uint8_t bad[64];
    memcpy(bad, ctx, sizeof bad);
    bad[1] = 0xEE;
    assert_true(same(every, N_EVERY, &cfg, bad, 64, &r));
    assert_int_equal(r.pc, 14);
    assert_true(r.status != MBPF_OK);
    /* call depth */
    mbpf_config shallow = cfg;
    shallow.max_depth = 1;
    assert_true(same(every, N_EVERY, &shallow, ctx, 64, &r));
    assert_int_equal(r.status, MBPF_E_DEPTH);
    /* budget: exhausted in the checked loop (the guard cannot cover it) */
    mbpf_config tight = cfg;
    tight.budget = 5;
    assert_true(same(every, N_EVERY, &tight, ctx, 64, &r));
    assert_int_equal(r.status, MBPF_E_BUDGET);
    assert_int_equal(r.budget_used, 5);
    /* budget: the low word borrows and is refilled from the high word */
    for (uint64_t lo = 0; lo < 4; lo++) {
        mbpf_config wrap = cfg;
        wrap.budget = (1ull << 32) + lo;
        assert_true(same(every, N_EVERY, &wrap, ctx, 64, &r));
        assert_int_equal(r.status, MBPF_OK);
        wrap.budget = lo; /* and exhausted with a high word of 0 */
        assert_true(same(every, N_EVERY, &wrap, ctx, 64, &r));
        assert_int_equal(r.status, MBPF_E_BUDGET);
    }
}

/* The budget refill returns to the program's `bcs` with C set (the
 * descriptor's size field says how far back it lies): a 16-bit `bcs` (short
 * loop), a 32-bit one (a body beyond its reach), the budget's low word in
 * the frame (every register busy) and a local call's unit (`bcs` past the
 * call of the routine). Each loop runs 40 times (the forward jump in the
 * body keeps it off the fast path); the low word borrows on the lo+1-th
 * budget event and is refilled from the high word. */
static void budget_refill_widths(void **state)
{
    (void)state;
    enum { LONG = 120, BUSY = 9 };
    mbpf_insn shortp[] = {
        MOV64_IMM(0, 0), MOV64_IMM(6, 40),
        ALU64_IMM(MBPF_ADD, 0, 3),              /* 2: head */
        JMP_IMM(MBPF_JGT, 0, 1000000, 0),       /* a forward jump (to 4) */
        ALU64_IMM(MBPF_SUB, 6, 1),
        JMP_IMM(MBPF_JNE, 6, 0, -4),            /* -> 2 */
        EXIT(),
    };
    mbpf_insn longp[LONG + 6];
    uint32_t n = 0;
    longp[n++] = MOV64_IMM(0, 1);
    longp[n++] = MOV64_IMM(6, 40);
    for (unsigned k = 0; k < LONG; k++) /* 2..: head */
        longp[n++] = ALU64_IMM(MBPF_MUL, 0, 3);
    longp[n++] = JMP_IMM(MBPF_JGT, 0, 5, 0);
    longp[n++] = ALU64_IMM(MBPF_SUB, 6, 1);
    longp[n++] = JMP_IMM(MBPF_JNE, 6, 0, -(int16_t)(LONG + 3));
    longp[n++] = EXIT();
    assert_int_equal(n, LONG + 6);
    mbpf_insn busy[3 * BUSY + 8];
    n = 0;
    for (unsigned r = 0; r <= BUSY; r++)
        busy[n++] = MOV64_IMM(r, (int32_t)r * 7 - 20);
    busy[n++] = MOV64_IMM(6, 40); /* the counter, also summed below */
    for (unsigned r = 1; r <= BUSY; r++) /* head: every register 64-bit, busy */
        if (r != 6)
            busy[n++] = ALU64_REG(MBPF_ADD, r, 0);
    busy[n++] = ALU64_REG(MBPF_ADD, 0, 6);
    busy[n++] = JMP_IMM(MBPF_JGT, 0, 5, 0);
    busy[n++] = ALU64_IMM(MBPF_SUB, 6, 1);
    busy[n++] = JMP_IMM(MBPF_JNE, 6, 0, -(int16_t)(BUSY + 3));
    for (unsigned r = 1; r <= BUSY; r++)
        busy[n++] = ALU64_REG(MBPF_XOR, 0, r);
    busy[n++] = EXIT();
    assert_true(n <= sizeof busy / sizeof *busy);
    mbpf_insn calls[] = {
        MOV64_IMM(0, 0), MOV64_IMM(6, 40),
        CALL_LOCAL(5),                          /* 2: head, -> 8 */
        JMP_IMM(MBPF_JGT, 0, 1000000, 0),
        ALU64_IMM(MBPF_SUB, 6, 1),
        JMP_IMM(MBPF_JNE, 6, 0, -4),            /* -> 2 */
        EXIT(),
        EXIT(),                                 /* 7: never reached */
        ALU64_IMM(MBPF_ADD, 0, 5),              /* 8: callee */
        EXIT(),
    };
    const mbpf_insn *progs[] = {shortp, longp, busy, calls};
    uint32_t ns[] = {sizeof shortp / sizeof *shortp, LONG + 6, n, sizeof calls / sizeof *calls};
    uint8_t ctx[16] = {0};
    for (unsigned p = 0; p < 4; p++) {
        for (uint64_t lo = 0; lo < 90; lo += lo < 3 ? 1 : 17) {
            mbpf_config cfg;
            mbpf_config_default(&cfg);
            mbpf_result r;
            cfg.budget = (1ull << 32) + lo; /* refilled once */
            if (!same(progs[p], ns[p], &cfg, ctx, sizeof ctx, &r))
                fail_msg("program %u, budget 2^32 + %u differs", p, (unsigned)lo);
            assert_int_equal(r.status, MBPF_OK);
            cfg.budget = (2ull << 32) + lo; /* refilled once, high word left */
            assert_true(same(progs[p], ns[p], &cfg, ctx, sizeof ctx, &r));
            assert_int_equal(r.status, MBPF_OK);
            cfg.budget = lo; /* exhausted (lo < 40) or enough */
            assert_true(same(progs[p], ns[p], &cfg, ctx, sizeof ctx, &r));
        }
    }
}

static uint8_t *compile(mbpf_vm *vm, size_t *len, uint32_t **offs)
{
    *offs = calloc(vm->num_insns + 1u, sizeof **offs);
    assert_non_null(*offs);
    assert_int_equal(mbpf_jit_compile(vm, NULL, 0, len, *offs, NULL), MBPF_E_NOSPACE);
    uint8_t *code = aligned_alloc(8, (*len + 7) & ~(size_t)7);
    assert_non_null(code);
    assert_int_equal(mbpf_jit_compile(vm, code, *len, len, *offs, NULL), MBPF_OK);
    return code;
}

/* Veneer to routine k at code + at: ldr.w pc, [sp, #MBPF_JIT_FRAME_RT + 4k]. */
static bool is_veneer(const uint8_t *c, unsigned k)
{
    unsigned off = MBPF_JIT_FRAME_RT + 4u * k;
    return c[0] == 0xDD && c[1] == 0xF8 && c[2] == (off & 0xffu) && c[3] == (0xF0u | off >> 8);
}

static void no_routine_in_program(void **state)
{
    (void)state;
    tvm t;
    tvm_open(&t, NULL);
    mbpf_vm_set_helpers(&t.vm, &hset, NULL, 0);
    tvm_load(&t, every, N_EVERY);
    size_t len;
    uint32_t *offs;
    uint8_t *code = compile(&t.vm, &len, &offs);
    size_t rt_len;
    mbpf_jit_runtime rt;
    assert_int_equal(mbpf_jit_runtime_emit(NULL, 0, &rt_len, &rt), MBPF_E_NOSPACE);
    uint8_t *blob = aligned_alloc(8, (rt_len + 7) & ~(size_t)7);
    assert_non_null(blob);
    assert_int_equal(mbpf_jit_runtime_emit(blob, rt_len, &rt_len, &rt), MBPF_OK);
    /* after the main code: one veneer per routine called through one, in
     * MBPF_JIT_RT_* order (mem_slow, udiv64, sdiv64, call); the program's
     * helper-call marshalling sits right before the last (RT_CALL), into
     * which it falls. The trap, the budget refill and the range check are
     * called directly (`ldr rS, [sp, #F_RT + 4k]; blx rS`): no veneer. */
    static const unsigned via[] = {MBPF_JIT_RT_MEM, MBPF_JIT_RT_UDIV64, MBPF_JIT_RT_SDIV64};
    assert_true(len >= offs[N_EVERY] + 16u);
    assert_true(is_veneer(code + len - 4u, MBPF_JIT_RT_CALL));
    size_t first = 0;
    for (size_t at = offs[N_EVERY]; at + 12u <= len - 4u && !first; at += 2) {
        bool all = true;
        for (unsigned k = 0; k < 3 && all; k++)
            all = is_veneer(code + at + 4u * k, via[k]);
        if (all)
            first = at;
    }
    assert_true(first != 0);
    unsigned direct[MBPF_JIT_RT_COUNT] = {0};
    for (size_t at = 0; at + 4 <= len; at += 2) {
        for (unsigned k = 0; k < MBPF_JIT_RT_COUNT; k++) {
            unsigned off = MBPF_JIT_FRAME_RT + 4u * k;
            if (is_veneer(code + at, k) &&
                (k == MBPF_JIT_RT_TRAP || k == MBPF_JIT_RT_BUDGET || k == MBPF_JIT_RT_RANGE))
                fail_msg("a veneer to routine %u at %zu", k, at);
            unsigned rs = code[at + 1] & 7u;
            if ((code[at + 1] & 0xF8u) == 0x98u && code[at] == off / 4u &&
                code[at + 2] == (0x80u | rs << 3) && code[at + 3] == 0x47u)
                direct[k]++;
        }
    }
    assert_true(direct[MBPF_JIT_RT_BUDGET] > 0); /* backward jumps, local calls */
    assert_true(direct[MBPF_JIT_RT_TRAP] > 0);   /* the call depth */
    assert_int_equal(direct[MBPF_JIT_RT_MEM], 0);
    /* and no 16-byte piece of any routine appears anywhere in it (shorter
     * pieces can: sdiv64's 64-bit negation is the program's NEG64) */
    for (size_t at = 0; at + 16 <= rt_len; at += 2)
        for (size_t c = 0; c + 16 <= len; c += 2)
            if (!memcmp(code + c, blob + at, 16))
                fail_msg("runtime bytes %zu.. found in the program at %zu", at, c);
    /* what follows the main code is the exits, the marshalling (at most 10
     * words of r1-r5 from slots: ldr + str.w, 8 bytes each) and the veneers */
    assert_true(len - offs[N_EVERY] <= 128u + 80u);
    free(blob);
    free(code);
    free(offs);
    tvm_close(&t);
}

/* One harness = one runtime, emitted and mapped once: two programs with
 * different register maps and routines alternate on it. */
static void two_programs_one_runtime(void **state)
{
    (void)state;
    jit_uc *h = jit_uc_open();
    assert_non_null(h);
    const mbpf_insn *progs[2] = {every, other};
    uint32_t ns[2] = {N_EVERY, N_OTHER};
    tvm t[2];
    uint8_t *code[2];
    size_t len[2];
    uint32_t *offs[2];
    for (unsigned i = 0; i < 2; i++) {
        tvm_open(&t[i], NULL);
        mbpf_vm_set_helpers(&t[i].vm, &hset, NULL, 0);
        tvm_load(&t[i], progs[i], ns[i]);
        code[i] = compile(&t[i].vm, &len[i], &offs[i]);
    }
    for (unsigned round = 0; round < 6; round++) {
        unsigned i = round % 2;
        uint8_t ctx[64], ctx0[64];
        for (unsigned b = 0; b < sizeof ctx; b++)
            ctx0[b] = ctx[b] = (uint8_t)(b * 13u + round * 7u + 1u);
        uint32_t ctx_len = round == 4 ? 30u : 64u; /* one memory fault */
        mbpf_result ri, rj;
        mbpf_vm_run(&t[i].vm, ctx, ctx_len, MBPF_MEM_RW, NULL, &ri);
        memcpy(ctx, ctx0, sizeof ctx); /* the same buffer: same fault addresses */
        assert_int_equal(jit_uc_run(h, &t[i].vm, code[i], len[i], ctx, ctx_len, MBPF_MEM_RW,
                                    NULL, &rj, NULL),
                         JIT_UC_OK);
        if (!jit_results_equal(&ri, &rj)) {
            jit_print_result("interpreter", &ri);
            jit_print_result("jit", &rj);
            fail_msg("program %u, round %u differs", i, round);
        }
    }
    for (unsigned i = 0; i < 2; i++) {
        free(code[i]);
        free(offs[i]);
        tvm_close(&t[i]);
    }
    jit_uc_close(h);
}

/* The error exit is shared (run stores its address at F_EXIT_ERR): it
 * reads the budget's home and the local-call depth from the program's
 * header, with or without local calls. A memory fault after n
 * filler instructions leaves through it (mem_slow -> [sp, #F_EXIT_ERR])
 * with the interpreter's result, however far the end of the program is. */
static void error_exit_far(void **state)
{
    (void)state;
    static const uint32_t fillers[] = {4, 1500, 20000};
    for (unsigned f = 0; f < 6; f++) {
        bool calls = f >= 3;
        uint32_t n = fillers[f % 3] + 4 + (calls ? 3u : 0u);
        mbpf_insn *p = calloc(n, sizeof *p);
        assert_non_null(p);
        uint32_t i = 0;
        if (calls) {
            p[i++] = CALL_LOCAL(2); /* -> 3, the body */
            p[i++] = ALU64_IMM(MBPF_ADD, 0, 1);
            p[i++] = EXIT();
        }
        p[i++] = MOV64_IMM(0, 1);
        for (uint32_t k = 0; k < fillers[f % 3]; k++)
            p[i++] = ALU64_IMM(MBPF_MUL, 0, 3); /* keeps r0 64-bit: several ARM instructions */
        p[i++] = LDX(MBPF_W, 2, 1, 60); /* ctx is 16 bytes: fault */
        p[i++] = ALU64_REG(MBPF_ADD, 0, 2);
        p[i++] = EXIT();
        assert_int_equal(i, n);
        uint8_t ctx[16] = {1, 2, 3};
        mbpf_config cfg;
        mbpf_config_default(&cfg);
        cfg.stack_size = 16384; /* the verifier's scratch for 20000 instructions */
        mbpf_result r;
        assert_true(same(p, n, &cfg, ctx, sizeof ctx, &r));
        assert_int_equal(r.status, MBPF_E_MEM);
        assert_true(same(p, n, &cfg, ctx, 64, &r)); /* no fault: the final exit */
        assert_int_equal(r.status, MBPF_OK);
        tvm t;
        tvm_open(&t, &cfg);
        tvm_load(&t, p, n);
        size_t len;
        uint32_t *offs;
        uint8_t *code = compile(&t.vm, &len, &offs);
        static const size_t at_least[] = {0, 4096, 65536};
        assert_true(len > at_least[f % 3]);
        /* the header: its length (the code follows it), the local-call
         * depth the frame holds records for, then the register map */
        uint32_t hl = mbpf_jit_header_len(code);
        assert_true(hl >= 6 && hl <= 12 && hl <= offs[0]);
        assert_int_equal(code[1], calls ? cfg.max_depth : 0u);
        free(code);
        free(offs);
        tvm_close(&t);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(emit_contract),
        cmocka_unit_test(every_routine),
        cmocka_unit_test(no_routine_in_program),
        cmocka_unit_test(two_programs_one_runtime),
        cmocka_unit_test(error_exit_far),
        cmocka_unit_test(budget_refill_widths),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
