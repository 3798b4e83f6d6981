/* Loop guards in programs that deopt (jit_loop.c, jit_loop_fold.c, the
 * range routine in jit_shared.c). Every run is compared field by field, ctx
 * and stack included, with the interpreter (jit_check.h); each case also
 * asserts the harness's deopts and, where it tells hit from miss, its calls
 * out of the code (check_range).
 * (A) An inner loop entered from outside only by the outer loop's `ja` back
 *     to its head (clang's rotated nested loop, like Fletcher-16): the guard
 *     charges that jump's unit with the loop's N-1 (N in all) and deopts at
 *     the `ja`. Budgets around each pass's N (N-1 deopts and fails where the
 *     interpreter does, at the `ja` or at the loop's last jump; N passes and
 *     runs the fast copy), high words, N = 1, the 2^32-iteration counter;
 *     the outer jump conditional; heads with a second entry (fallthrough,
 *     a second `ja`) keep the unit at the jump.
 * (D) The range routine: cache hit, miss that check_range allows or refuses,
 *     a range over two adjacent regions, read, write and both needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"
#include "host_lowmem.h"
#include "host_vm.h"
#include "jit_uc.h"

#define CTX_LEN 128u
#define NPROG(p) ((uint32_t)(sizeof(p) / sizeof((p)[0])))

static uint8_t ctx_bytes[CTX_LEN];

static void fill_ctx(void)
{
    for (unsigned i = 0; i < CTX_LEN; i++)
        ctx_bytes[i] = (uint8_t)(i * 29u + 3u);
}

/* Interpreter and JIT agree (ctx with flags, 0: RW); returns the deopts. */
static uint64_t same_deopts(const mbpf_insn *p, uint32_t n, uint64_t budget, uint32_t flags,
                            mbpf_result *out)
{
    uint64_t deopts = 0;
    assert_true(jit_same_ctx(p, n, ctx_bytes, CTX_LEN, budget, flags, NULL, out, &deopts));
    return deopts;
}

/* The JIT run's calls out of the generated code (trampolines: check_range,
 * check_mem), on an engine of this test's own for its statistics. */
static uint64_t calls_out(const mbpf_insn *p, uint32_t n, uint32_t flags)
{
    static jit_uc *h;
    static uint32_t code[1024];
    if (!h)
        h = jit_uc_open();
    assert_non_null(h);
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, p, n);
    size_t len = 0;
    mbpf_jit_error e = {0};
    uint32_t offs[64];
    assert_true(n < 64);
    assert_int_equal(mbpf_jit_compile(&t.vm, code, sizeof code, &len, offs, &e), MBPF_OK);
    uint8_t *ctx = host_low_alloc(CTX_LEN);
    assert_non_null(ctx);
    memcpy(ctx, ctx_bytes, CTX_LEN);
    mbpf_result r;
    jit_uc_stats st = {0};
    assert_int_equal(jit_uc_run(h, &t.vm, code, len, ctx, CTX_LEN, flags ? flags : MBPF_MEM_RW,
                                NULL, &r, &st),
                     JIT_UC_OK);
    host_low_free(ctx, CTX_LEN);
    tvm_close(&t);
    return st.tramp;
}

/* Loop bodies (two slots at 3 and 4): what the loop does with [r1]. */
enum { B_READ, B_WRITE, B_BOTH, B_NONE };

static void body(mbpf_insn *p, unsigned kind)
{
    static const mbpf_insn k[4][2] = {
        {LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4)},       /* read */
        {ALU64_IMM(MBPF_ADD, 0, 3), STX(MBPF_B, 1, 0, 0)},       /* write */
        {LDX(MBPF_B, 4, 1, 0), STX(MBPF_B, 1, 5, 0)},            /* both */
        {ALU64_IMM(MBPF_ADD, 0, 3), ALU64_IMM(MBPF_ADD, 0, 1)}}; /* no memory */
    p[3] = k[kind][0];
    p[4] = k[kind][1];
}

/* `outer` passes of an inner loop of `inner` iterations at h = 3, r1
 * walking ctx from r1 + start. Entered from outside only by the `ja` at
 * J = 11 (insn 2 jumps over the loop to the outer test): folded. */
static uint32_t nested(mbpf_insn *p, int32_t outer, int32_t inner, int32_t start, unsigned kind)
{
    const mbpf_insn q[] = {
        MOV64_IMM(0, 0), MOV32_IMM(5, outer), JA(6),
        MOV64_REG(4, 4), MOV64_REG(4, 4), /* the body */
        ALU64_IMM(MBPF_ADD, 1, 1), ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5),
        ALU32_IMM(MBPF_ADD, 5, -1), JMP32_IMM(MBPF_JEQ, 5, 0, 2), MOV32_IMM(3, inner),
        JA(-9), EXIT()};
    memcpy(p, q, sizeof q);
    body(p, kind);
    p[0] = start ? ALU64_IMM(MBPF_ADD, 1, start) : MOV64_IMM(0, 0);
    return NPROG(q);
}

/* A folded guard: the budget around every pass's needs (units = the `ja`
 * + inner - 1 per pass), exactly as the interpreter; the outer jump as a
 * `ja` and as a conditional jump (always taken there). */
static void fold_budget(void **state)
{
    (void)state;
    fill_ctx();
    const int32_t outer = 3;
    for (unsigned v = 0; v < 6; v++) {
        int32_t inner = 1 + 4 * (int32_t)(v / 2u); /* 1, 5, 9 */
        mbpf_insn p[16];
        uint32_t n = nested(p, outer, inner, 0, B_READ);
        if (v % 2u) { /* the outer test at J itself: not taken at the end */
            p[9] = MOV64_REG(5, 5);
            p[11] = JMP32_IMM(MBPF_JNE, 5, 0, -9);
        }
        uint64_t all = (uint64_t)(outer * inner);
        for (uint64_t b = 1; b <= all + 1; b++) {
            mbpf_result r;
            uint64_t deopts = same_deopts(p, n, b, 0, &r);
            /* b = k*inner + rest: k passes run; pass k+1's guard sees rest */
            uint64_t rest = b % (uint64_t)inner;
            if (b >= all) {
                assert_int_equal(r.status, MBPF_OK);
                assert_int_equal(deopts, 0); /* every guard passed, the last at exactly N */
            } else {
                assert_int_equal(r.status, MBPF_E_BUDGET);
                assert_int_equal(deopts, 1);
                /* with nothing left the run stops at the `ja` itself, else
                 * at the loop's last back jump */
                assert_int_equal(r.pc, rest == 0 ? 11u : 7u);
            }
        }
        /* the high word set, the low word short: deopt, then all runs */
        mbpf_result r;
        assert_int_equal(same_deopts(p, n, 0x100000000ull + 2u, 0, &r), 1u);
        assert_int_equal(r.status, MBPF_OK);
        assert_int_equal(same_deopts(p, n, 0x100000000ull - 1u, 0, &r), 0u);
        assert_int_equal(r.status, MBPF_OK);
    }
}

/* N = 0: a 32-bit counter from 0 runs 2^32 iterations, 2^32 units with the
 * `ja`'s: more than any low word, so the guard deopts (N-1 = 2^32-1 must
 * not pass a low word of 2^32-1 either: argued in the guard, too long to
 * run here); the interpreter stops at the budget. */
static void fold_wrap(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_insn p[16];
    uint32_t n = nested(p, 2, 0, 0, B_NONE);
    for (uint64_t b = 1; b <= 40; b += 13) {
        mbpf_result r;
        assert_int_equal(same_deopts(p, n, b, 0, &r), 1u);
        assert_int_equal(r.status, MBPF_E_BUDGET);
    }
}

/* Heads with another way in keep the unit at the jump: the same budgets
 * must give the interpreter's results (a guard charging N there would be
 * one unit off on the other path). */
static void fold_not(void **state)
{
    (void)state;
    fill_ctx();
    const int32_t outer = 3, inner = 5;
    mbpf_insn fall[16], two[16];
    uint32_t nf = nested(fall, outer, inner, 0, B_READ);
    fall[2] = MOV32_IMM(3, inner); /* falls into h: the first pass */
    const mbpf_insn t[] = {
        MOV64_IMM(0, 0), MOV32_IMM(5, outer), JA(6),
        LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4),
        ALU64_IMM(MBPF_ADD, 1, 1), ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5),
        ALU32_IMM(MBPF_ADD, 5, -1), JMP32_IMM(MBPF_JEQ, 5, 0, 4), MOV32_IMM(3, inner),
        JMP32_IMM(MBPF_JEQ, 5, 1, 1), JA(-10), JA(-11), EXIT()}; /* two `ja` to h */
    memcpy(two, t, sizeof t);
    uint32_t nt = NPROG(t);
    const mbpf_insn *progs[2] = {fall, two};
    const uint32_t lens[2] = {nf, nt};
    for (unsigned v = 0; v < 2; v++) {
        uint64_t all = (uint64_t)(outer * inner) - (v == 0 ? 1u : 0u);
        for (uint64_t b = 1; b <= all + 1; b++) {
            mbpf_result r;
            same_deopts(progs[v], lens[v], b, 0, &r);
            assert_int_equal(r.status, b >= all ? MBPF_OK : MBPF_E_BUDGET);
        }
    }
}

/* The nested loops over the stack through r1 = r10 - back: the stack is
 * never in the region caches, so every guard misses and asks check_range,
 * which allows the stack area itself. */
static uint32_t on_stack(mbpf_insn *p, int32_t outer, int32_t back, unsigned kind)
{
    p[0] = MOV64_REG(1, 10);
    p[1] = ALU64_IMM(MBPF_ADD, 1, -back);
    return 2 + nested(p + 2, outer, 16, 0, kind);
}

/* (D) Hits: the runner starts the region caches with ctx, so every guard
 * over ctx hits them (no call out), also when the range ends exactly at the
 * region's end (the window at e - 8). Misses that check_range allows: the
 * stack, one call per pass and need, the last range ending exactly at the
 * stack's end (check_range gets e - s exactly); one byte past it is
 * refused (deopt, the interpreter's fault). Read, write and both needs. */
static void range_hits(void **state)
{
    (void)state;
    fill_ctx();
    for (unsigned kind = B_READ; kind <= B_BOTH; kind++) {
        mbpf_insn p[20];
        uint32_t n = nested(p, 4, 16, 8, kind);
        mbpf_result r;
        assert_int_equal(same_deopts(p, n, 0, 0, &r), 0u);
        assert_int_equal(r.status, MBPF_OK);
        assert_int_equal(calls_out(p, n, 0), 0u);
        n = nested(p, 4, 16, (int32_t)CTX_LEN - 64, kind);
        assert_int_equal(same_deopts(p, n, 0, 0, &r), 0u);
        assert_int_equal(calls_out(p, n, 0), 0u);
        n = on_stack(p, 4, 64, kind);
        assert_int_equal(same_deopts(p, n, 0, 0, &r), 0u);
        assert_int_equal(r.status, MBPF_OK);
        assert_int_equal(calls_out(p, n, 0), kind == B_BOTH ? 8u : 4u);
        n = on_stack(p, 1, 15, kind);
        assert_int_equal(same_deopts(p, n, 0, 0, &r), 1u);
        assert_int_equal(r.status, MBPF_E_MEM);
    }
    /* no memory: no range check at all */
    mbpf_insn p[20];
    uint32_t n = nested(p, 4, 16, 8, B_NONE);
    assert_int_equal(calls_out(p, n, 0), 0u);
}

/* Misses that check_range refuses: past the end of ctx (the last pass), a
 * need the region lacks (write or both into read-only ctx, read from
 * write-only ctx): deopt at the `ja`, the interpreter faults where it does. */
static void range_refused(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_insn p[16];
    for (unsigned kind = B_READ; kind <= B_BOTH; kind++) {
        /* 48 bytes from 81: the last pass ends one byte past ctx, whose
         * region the cache holds by then */
        uint32_t n = nested(p, 3, 16, (int32_t)CTX_LEN - 47, kind);
        mbpf_result r;
        assert_int_equal(same_deopts(p, n, 0, 0, &r), 1u);
        assert_int_not_equal(r.status, MBPF_OK);
        assert_int_equal(r.pc, kind == B_WRITE ? 4u : 3u);
    }
    /* 4-byte loads stepping 4 from an odd offset (the range's last 4 bytes
     * are one access): the last pass ends one byte past ctx */
    uint32_t n = nested(p, 3, 4, (int32_t)CTX_LEN - 47, B_READ);
    p[3] = LDX(MBPF_W, 4, 1, 0);
    p[5] = ALU64_IMM(MBPF_ADD, 1, 4);
    mbpf_result r;
    assert_int_equal(same_deopts(p, n, 0, 0, &r), 1u);
    assert_int_equal(r.status, MBPF_E_MEM);
    static const struct {
        unsigned kind;
        uint32_t flags;
    } lack[] = {{B_WRITE, MBPF_MEM_READ}, {B_BOTH, MBPF_MEM_READ}, {B_READ, MBPF_MEM_WRITE}};
    for (unsigned i = 0; i < NPROG(lack); i++) {
        n = nested(p, 2, 16, 0, lack[i].kind);
        assert_int_equal(same_deopts(p, n, 0, lack[i].flags, &r), 1u);
        assert_int_not_equal(r.status, MBPF_OK);
    }
    /* a load from read-only ctx first, so that the read cache holds ctx:
     * the write loop's range call must test the write cache (the routine's
     * second entry), miss, and be refused */
    n = nested(p, 2, 16, 0, B_WRITE);
    p[0] = LDX(MBPF_B, 0, 1, 5);
    assert_int_equal(same_deopts(p, n, 0, MBPF_MEM_READ, &r), 1u);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.pc, 4u);
}

/* A range that starts below the cached region (nothing there) and ends
 * inside it: the second pass steps back over the start of the only region,
 * buf + 60: the cache test must miss (s below start) and check_range
 * refuse; the interpreter faults at the first byte below. Loads at [r1 +
 * off] (off -1: s is not the pointer itself). */
static void range_below_at(int16_t off, int32_t back)
{
    uint8_t *buf = host_low_alloc(CTX_LEN);
    assert_non_null(buf);
    if (!host_low_contains(buf, CTX_LEN)) {
        host_low_free(buf, CTX_LEN);
        skip();
    }
    const mbpf_insn p[] = {
        LDDW(1, (uint64_t)(uintptr_t)buf + 70u), MOV32_IMM(5, 2), JA(7),
        LDX(MBPF_B, 4, 1, off), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
        ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5), ALU64_IMM(MBPF_ADD, 1, back),
        ALU32_IMM(MBPF_ADD, 5, -1), JMP32_IMM(MBPF_JEQ, 5, 0, 2), MOV32_IMM(3, 16), JA(-10),
        EXIT()};
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, p, NPROG(p));
    mbpf_result ri, rj;
    fill_ctx();
    memcpy(buf, ctx_bytes, CTX_LEN);
    assert_int_equal(mbpf_vm_add_region(&t.vm, buf + 60, CTX_LEN - 60, MBPF_MEM_READ), MBPF_OK);
    mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &ri);
    uint64_t before = jit_uc_program_deopts();
    assert_int_equal(jit_uc_run_program_flags(&t.vm, NULL, 0, 0, NULL, &rj, NULL), JIT_UC_OK);
    assert_int_equal(jit_uc_program_deopts() - before, 1u);
    assert_int_equal(mbpf_vm_remove_region(&t.vm, buf + 60), MBPF_OK);
    JIT_ASSERT_SAME_RESULT(&ri, &rj);
    assert_int_equal(ri.status, MBPF_E_MEM);
    assert_int_equal(ri.fault_addr, (uint64_t)(uintptr_t)buf + (uint64_t)(86 + off + back));
    tvm_close(&t);
    host_low_free(buf, CTX_LEN);
}

static void range_below(void **state)
{
    (void)state;
    range_below_at(0, -32); /* from buf + 54 */
    range_below_at(-1, -26); /* from buf + 59, one byte below */
}

/* A range whose end wraps past 2^32 into the cached region: P0 =
 * 0xfffffff0, N - 1 = 16 + (buf + 16) mod 2^32, so e - 1 = buf + 16 mod
 * 2^32 lies in the region a load before the loop cached. The carry of P0 +
 * N - 1 must send it to the interpreter, which faults at P0 at once. */
static void range_wrap(void **state)
{
    (void)state;
    uint8_t *buf = host_low_alloc(CTX_LEN);
    assert_non_null(buf);
    if (!host_low_contains(buf, CTX_LEN)) {
        host_low_free(buf, CTX_LEN);
        skip();
    }
    uint32_t at = (uint32_t)(uintptr_t)buf;
    const mbpf_insn p[] = {
        LDDW(1, (uint64_t)at), LDX(MBPF_B, 4, 1, 0), /* caches buf's region */
        LDDW(1, 0xfffffff0u), MOV32_IMM(3, (int32_t)(at + 16u + 17u)),
        LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
        ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5), EXIT()};
    mbpf_config cfg;
    mbpf_config_default(&cfg);
    cfg.budget = 0xf0000000u; /* the low word covers N */
    tvm t;
    tvm_open(&t, &cfg);
    tvm_load(&t, p, NPROG(p));
    mbpf_result ri, rj;
    fill_ctx();
    memcpy(buf, ctx_bytes, CTX_LEN);
    assert_int_equal(mbpf_vm_add_region(&t.vm, buf, CTX_LEN, MBPF_MEM_READ), MBPF_OK);
    mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &ri);
    uint64_t before = jit_uc_program_deopts();
    assert_int_equal(jit_uc_run_program_flags(&t.vm, NULL, 0, 0, NULL, &rj, NULL), JIT_UC_OK);
    assert_int_equal(jit_uc_program_deopts() - before, 1u);
    assert_int_equal(mbpf_vm_remove_region(&t.vm, buf), MBPF_OK);
    JIT_ASSERT_SAME_RESULT(&ri, &rj);
    assert_int_equal(ri.status, MBPF_E_MEM);
    assert_int_equal(ri.fault_addr, 0xfffffff0u);
    tvm_close(&t);
    host_low_free(buf, CTX_LEN);
}

/* With a local call the guard's failing tests and a refused range go to
 * the checked copy (the slot before each range call branches there): the
 * same nested loops as a callee, in range and one byte past ctx, for each
 * need; no deopt. */
static void range_checked_copy(void **state)
{
    (void)state;
    fill_ctx();
    for (unsigned kind = B_READ; kind <= B_BOTH; kind++)
        for (unsigned past = 0; past < 2; past++) {
            mbpf_insn p[20] = {CALL_LOCAL(1), EXIT()};
            uint32_t n = 2 + nested(p + 2, 3, 16, past ? (int32_t)CTX_LEN - 47 : 8, kind);
            mbpf_result r;
            assert_int_equal(same_deopts(p, n, 0, 0, &r), 0u);
            assert_int_equal(r.status, past ? MBPF_E_MEM : MBPF_OK);
        }
}

/* A range over two adjacent regions, every byte allowed: no single region
 * holds it, so the guard deopts (at the `ja`) and the interpreter runs the
 * rest. r1 = buf (an lddw before the nested loops); the regions meet at 60,
 * the second pass covers [40, 80). */
static void range_two_regions(void **state)
{
    (void)state;
    uint8_t *buf = host_low_alloc(CTX_LEN);
    assert_non_null(buf);
    if (!host_low_contains(buf, CTX_LEN)) { /* (then not mapped where it is) */
        host_low_free(buf, CTX_LEN);
        skip();
    }
    const uint32_t cut = 60;
    uint8_t after_i[CTX_LEN];
    for (unsigned kind = B_READ; kind <= B_BOTH; kind++) {
        const mbpf_insn pre[] = {LDDW(1, (uint64_t)(uintptr_t)buf)};
        mbpf_insn q[20];
        memcpy(q, pre, sizeof pre);
        uint32_t n = NPROG(pre) + nested(q + NPROG(pre), 2, 40, 0, kind);
        tvm t;
        tvm_open(&t, NULL);
        tvm_load(&t, q, n);
        mbpf_result ri, rj;
        for (unsigned run = 0; run < 2; run++) {
            fill_ctx();
            memcpy(buf, ctx_bytes, CTX_LEN);
            memset(t.vm.stack, 0, (size_t)t.cfg.max_depth * t.cfg.stack_size);
            assert_int_equal(mbpf_vm_add_region(&t.vm, buf, cut, MBPF_MEM_RW), MBPF_OK);
            assert_int_equal(mbpf_vm_add_region(&t.vm, buf + cut, CTX_LEN - cut, MBPF_MEM_RW),
                             MBPF_OK);
            if (run == 0) {
                mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &ri);
                memcpy(after_i, buf, CTX_LEN);
            } else {
                uint64_t before = jit_uc_program_deopts();
                assert_int_equal(jit_uc_run_program_flags(&t.vm, NULL, 0, 0, NULL, &rj, NULL),
                                 JIT_UC_OK);
                assert_int_equal(jit_uc_program_deopts() - before, 1u);
            }
            assert_int_equal(mbpf_vm_remove_region(&t.vm, buf), MBPF_OK);
            assert_int_equal(mbpf_vm_remove_region(&t.vm, buf + cut), MBPF_OK);
        }
        JIT_ASSERT_SAME_RESULT(&ri, &rj);
        assert_int_equal(ri.status, MBPF_OK);
        assert_memory_equal(buf, after_i, CTX_LEN);
        tvm_close(&t);
    }
    host_low_free(buf, CTX_LEN);
}

/* The runner starts the region caches with the region the VM found last
 * (mbpf_vm_find_region's vm->last_region): a loop over a region of the
 * table (not ctx) asks check_range in the first run, which makes it the
 * last region found, and hits at once in the next run on the same VM. The
 * last region added first is another one (the first run misses). Results
 * equal the interpreter's (run last: it moves the last region too). */
static void range_last_region(void **state)
{
    (void)state;
    uint8_t *buf = host_low_alloc(2 * CTX_LEN);
    assert_non_null(buf);
    if (!host_low_contains(buf, 2 * CTX_LEN)) {
        host_low_free(buf, 2 * CTX_LEN);
        skip();
    }
    fill_ctx();
    memcpy(buf, ctx_bytes, CTX_LEN);
    mbpf_insn q[20] = {LDDW(1, (uint64_t)(uintptr_t)buf)};
    uint32_t n = 2 + nested(q + 2, 3, 16, 0, B_READ);
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, q, n);
    assert_int_equal(mbpf_vm_add_region(&t.vm, buf, CTX_LEN, MBPF_MEM_READ), MBPF_OK);
    assert_int_equal(mbpf_vm_add_region(&t.vm, buf + CTX_LEN, CTX_LEN, MBPF_MEM_READ), MBPF_OK);
    static uint32_t code[1024];
    uint32_t offs[24];
    size_t len = 0;
    mbpf_jit_error e = {0};
    assert_int_equal(mbpf_jit_compile(&t.vm, code, sizeof code, &len, offs, &e), MBPF_OK);
    jit_uc *h = jit_uc_open();
    assert_non_null(h);
    mbpf_result rj[2], ri;
    for (unsigned run = 0; run < 2; run++) {
        jit_uc_stats st = {0};
        assert_int_equal(jit_uc_run(h, &t.vm, code, len, NULL, 0, 0, NULL, &rj[run], &st),
                         JIT_UC_OK);
        assert_int_equal(st.tramp, run == 0 ? 1u : 0u);
    }
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &ri), MBPF_OK);
    JIT_ASSERT_SAME_RESULT(&ri, &rj[0]);
    JIT_ASSERT_SAME_RESULT(&ri, &rj[1]);
    jit_uc_close(h);
    tvm_close(&t);
    host_low_free(buf, 2 * CTX_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_budget),     cmocka_unit_test(fold_wrap),
        cmocka_unit_test(fold_not),        cmocka_unit_test(range_hits),
        cmocka_unit_test(range_refused),   cmocka_unit_test(range_below),
        cmocka_unit_test(range_wrap),      cmocka_unit_test(range_two_regions),
        cmocka_unit_test(range_checked_copy), cmocka_unit_test(range_last_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
