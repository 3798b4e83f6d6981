/* Deopt (jit_deopt.c): in a program without local calls, a failing loop
 * guard hands the run over to the interpreter at the loop head. Every
 * result field, ctx and stack bytes must equal the interpreter's
 * (jit_check.h); each case also asserts whether the harness saw a deopt:
 * (a) an access would fault, (b) the range spans two adjacent regions,
 * (c) the budget cannot cover the loop, (d) a pointer's high word is set,
 * (e) every register r0-r10 comes back (ARM registers, slots, split halves,
 * zero upper halves, values from stores and a helper call), (f) programs
 * with local calls keep their checked copy; and the fast path still runs
 * when the guard passes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"
#include "host_lowmem.h"
#include "host_vm.h"

#define CTX_LEN 64u
#define NPROG(p) ((uint32_t)(sizeof(p) / sizeof((p)[0])))

static uint32_t mbpf_stack_bytes_of(const tvm *t)
{
    return (uint32_t)t->cfg.max_depth * t->cfg.stack_size;
}

static uint8_t ctx_bytes[CTX_LEN];

static void fill_ctx(void)
{
    for (unsigned i = 0; i < CTX_LEN; i++)
        ctx_bytes[i] = (uint8_t)(i * 37u + 11u);
}

/* Interpreter and JIT agree; returns the deopts the harness saw. */
static uint64_t same_deopts(const mbpf_insn *p, uint32_t n, uint64_t budget,
                            const mbpf_helpers *helpers, mbpf_result *out)
{
    uint64_t deopts = 0;
    assert_true(jit_same_ctx(p, n, ctx_bytes, CTX_LEN, budget, 0, helpers, out, &deopts));
    return deopts;
}

/* r1 = ctx + start; r3 = count; loop { r0 += *r1; r1 += 1; r3 -= 1 } */
static uint64_t byte_sum(int32_t start, int32_t count, uint64_t budget, mbpf_result *r)
{
    const mbpf_insn p[] = {
        MOV64_IMM(0, 7), ALU64_IMM(MBPF_ADD, 1, start), MOV32_IMM(3, count),
        LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
        ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5), EXIT()};
    return same_deopts(p, NPROG(p), budget, NULL, r);
}

/* (a) an access would fault: the interpreter's error, pc, address, budget */
static void fault(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_result r;
    assert_int_equal(byte_sum(0, 65, 0, &r), 1);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.pc, 3);
    assert_int_equal(r.budget_used, 64);
    assert_int_equal(byte_sum(-1, 4, 0, &r), 1);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.budget_used, 0);
    /* the fast path when the guard passes */
    assert_int_equal(byte_sum(0, 64, 0, &r), 0);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(byte_sum(1, 63, 0, &r), 0);
}

/* (c) the budget cannot cover the N-1 backward jumps */
static void budget(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_result r;
    assert_int_equal(byte_sum(0, 40, 38, &r), 1);
    assert_int_equal(r.status, MBPF_E_BUDGET);
    assert_int_equal(r.budget_used, 38);
    assert_int_equal(byte_sum(0, 40, 39, &r), 0); /* exactly covered */
    assert_int_equal(r.status, MBPF_OK);
    /* the low word cannot cover the loop, the high word can: the
     * interpreter finishes it */
    assert_int_equal(byte_sum(0, 40, 0x100000005ull, &r), 1);
    assert_int_equal(r.status, MBPF_OK);
}

/* (b) the loop's range spans two adjacent regions, every access valid: the
 * guard cannot prove it (one region), the interpreter runs the loop. The
 * buffer at `buf` (len 64) is split into two regions at `cut`; the program
 * gets its address in r1 (or the first part is ctx), sums the bytes and,
 * when `write`, also increments each one.
 * Both buffers compared after both runs. */
static void two_regions_at(uint8_t *buf, bool as_ctx, bool write, bool loud)
{
    uint8_t init[CTX_LEN], after_i[CTX_LEN];
    for (unsigned i = 0; i < CTX_LEN; i++)
        init[i] = (uint8_t)(i * 13u + 5u);
    uint32_t cut = 24, flags = write ? MBPF_MEM_RW : MBPF_MEM_READ;
    uint64_t addr = (uint64_t)(uintptr_t)buf;
    mbpf_insn p[] = {
        LDDW(1, addr), MOV64_IMM(0, 3), MOV32_IMM(3, CTX_LEN),
        LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU32_IMM(MBPF_ADD, 4, 1),
        write ? STX(MBPF_B, 1, 4, 0) : MOV64_REG(4, 4),
        ALU64_IMM(MBPF_ADD, 1, 1), ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -7),
        EXIT()};
    if (as_ctx) /* r1 is ctx already */
        p[0] = p[1] = MOV64_REG(1, 1);
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, p, NPROG(p));
    mbpf_result ri, rj;
    for (unsigned run = 0; run < 2; run++) {
        memcpy(buf, init, CTX_LEN);
        memset(t.vm.stack, 0, mbpf_stack_bytes_of(&t));
        assert_int_equal(mbpf_vm_add_region(&t.vm, buf + cut, CTX_LEN - cut, flags), MBPF_OK);
        uint64_t before = jit_uc_program_deopts();
        if (run == 0) {
            if (as_ctx)
                mbpf_vm_run(&t.vm, buf, cut, flags, NULL, &ri);
            else {
                assert_int_equal(mbpf_vm_add_region(&t.vm, buf, cut, flags), MBPF_OK);
                mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &ri);
            }
            memcpy(after_i, buf, CTX_LEN);
        } else {
            if (!as_ctx)
                assert_int_equal(mbpf_vm_add_region(&t.vm, buf, cut, flags), MBPF_OK);
            int rc = jit_uc_run_program_flags(&t.vm, as_ctx ? buf : NULL, as_ctx ? cut : 0,
                                              flags, NULL, &rj, NULL);
            assert_int_equal(rc, loud ? JIT_UC_E_FAULT : JIT_UC_OK);
            assert_int_equal(jit_uc_program_deopts() - before, loud ? 0 : 1);
        }
        if (!as_ctx)
            assert_int_equal(mbpf_vm_remove_region(&t.vm, buf), MBPF_OK);
        assert_int_equal(mbpf_vm_remove_region(&t.vm, buf + cut), MBPF_OK);
    }
    if (loud) { /* a harness error, not a wrong answer */
        tvm_close(&t);
        return;
    }
    JIT_ASSERT_SAME_RESULT(&ri, &rj);
    assert_int_equal(ri.status, MBPF_OK);
    assert_memory_equal(buf, after_i, CTX_LEN);
    tvm_close(&t);
}

static void two_regions(void **state)
{
    (void)state;
    /* below 4 GiB, mapped at its own address under Unicorn (as on a device) */
    uint8_t *low = host_low_alloc(CTX_LEN);
    assert_non_null(low);
    if (host_low_contains(low, CTX_LEN)) {
        two_regions_at(low, false, false, false);
        two_regions_at(low, false, true, false);
        two_regions_at(low, true, true, false);
    }
    host_low_free(low, CTX_LEN);
    /* above 4 GiB (copied into the emulator at other addresses): r1 = ctx
     * there, which the harness cannot tell from a number: it fails loudly */
    uint8_t *any = malloc(CTX_LEN);
    assert_non_null(any);
    if (!host_low_contains(any, CTX_LEN))
        two_regions_at(any, true, false, true);
    free(any);
}

/* (d) the pointer's high word is not 0 */
static void high_word(void **state)
{
    (void)state;
    fill_ctx();
    const mbpf_insn p[] = {
        MOV64_IMM(0, 0), LDDW(2, 0x100000000ull), ALU64_REG(MBPF_ADD, 1, 2), MOV32_IMM(3, 8),
        LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
        ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5), EXIT()};
    mbpf_result r;
    assert_int_equal(same_deopts(p, NPROG(p), 0, NULL, &r), 1);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.pc, 5);
}

/* (e) registers in ARM registers, slots, split halves, zero upper halves,
 * set by a helper call and a store before the loop; the loop runs once
 * (its counter starts past the limit: the guard fails), then every register
 * is folded into r0. `wide` chooses more 64-bit values (more slots). */
static void registers(void **state)
{
    (void)state;
    fill_ctx();
    mbpf_helper storage[32];
    mbpf_helpers set;
    mbpf_helpers_init(&set, storage, 32);
    assert_int_equal(host_register_test_helpers(&set), MBPF_OK);
    for (int32_t start = 100; start >= 0; start -= 100) { /* 0: the guard passes */
        const mbpf_insn p[] = {
            MOV64_REG(6, 1), /* ctx */
            MOV64_IMM(1, 0x31), MOV64_IMM(2, 0x32), MOV64_IMM(3, 0x33),
            MOV64_IMM(4, 0x34), MOV64_IMM(5, 0x35), CALL_HELPER(HOST_HELPER_IDENTITY),
            LDDW(2, 0x3333333344444444ull), MOV32_IMM(3, 0x55),
            LDDW(4, 0x6666666677777777ull), MOV64_IMM(5, -5), MOV32_IMM(7, start),
            LDDW(8, 0x8888888899999999ull), MOV64_REG(9, 10), ALU64_IMM(MBPF_ADD, 9, -8),
            STX(MBPF_DW, 10, 8, -8), LDDW(1, 0x0123456789abcdefull),
            /* loop: r0 += *r6; r6 += 1; r7 += 1; while r7 < 50 */
            LDX(MBPF_B, 3, 6, 0), ALU64_REG(MBPF_ADD, 0, 3), ALU64_IMM(MBPF_ADD, 6, 1),
            ALU32_IMM(MBPF_ADD, 7, 1), JMP32_IMM(MBPF_JLT, 7, 50, -5),
            /* fold every register into r0 (pointers through what they point at,
             * their page offset and their distances to r10) */
            ALU64_IMM(MBPF_MUL, 0, 31), ALU64_REG(MBPF_ADD, 0, 1),
            ALU64_IMM(MBPF_MUL, 0, 31), ALU64_REG(MBPF_ADD, 0, 2),
            ALU64_IMM(MBPF_MUL, 0, 31), ALU64_REG(MBPF_ADD, 0, 3),
            ALU64_IMM(MBPF_MUL, 0, 31), ALU64_REG(MBPF_ADD, 0, 4),
            ALU64_IMM(MBPF_MUL, 0, 31), ALU64_REG(MBPF_ADD, 0, 5),
            ALU64_IMM(MBPF_MUL, 0, 31), MOV64_REG(1, 6), ALU64_IMM(MBPF_AND, 1, 0xfff),
            ALU64_REG(MBPF_ADD, 0, 1), LDX(MBPF_B, 1, 6, -1), ALU64_REG(MBPF_ADD, 0, 1),
            ALU64_IMM(MBPF_MUL, 0, 31), ALU64_REG(MBPF_ADD, 0, 7),
            ALU64_IMM(MBPF_MUL, 0, 31), ALU64_REG(MBPF_ADD, 0, 8),
            ALU64_IMM(MBPF_MUL, 0, 31), MOV64_REG(1, 10), ALU64_REG(MBPF_SUB, 1, 9),
            ALU64_REG(MBPF_ADD, 0, 1), /* r10 - r9 = 8 */
            LDX(MBPF_DW, 1, 9, 0), ALU64_IMM(MBPF_MUL, 0, 31), ALU64_REG(MBPF_ADD, 0, 1),
            EXIT()};
        mbpf_result r;
        assert_int_equal(same_deopts(p, NPROG(p), 0, &set, &r), start ? 1 : 0);
        assert_int_equal(r.status, MBPF_OK);
    }
}

static void local_calls(void **state)
{
    (void)state;
    fill_ctx();
    /* (f) the same fault through a program with a local call: no deopt */
    const mbpf_insn p[] = {
        CALL_LOCAL(1), EXIT(),
        MOV64_IMM(0, 7), MOV32_IMM(3, 65),
        LDX(MBPF_B, 4, 1, 0), ALU64_REG(MBPF_ADD, 0, 4), ALU64_IMM(MBPF_ADD, 1, 1),
        ALU32_IMM(MBPF_ADD, 3, -1), JMP32_IMM(MBPF_JNE, 3, 0, -5), EXIT()};
    mbpf_result r;
    assert_int_equal(same_deopts(p, NPROG(p), 0, NULL, &r), 0);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.pc, 4);
}

/* A map that ends before r9 (0xff): the registers after it, which the
 * program never names, decode as 0 whatever bytes follow the map. */
static void short_map(void **state)
{
    (void)state;
    mbpf_jit_ctx c;
    memset(&c, 0, sizeof c);
    for (unsigned k = 0; k < 8; k++)
        c.deopt_r[k] = 0x100u + k;
    for (unsigned k = 0; k < 20; k++)
        c.deopt_slot[k] = 0x200u + k;
    c.stack_end = 0x4000u;
    /* r0 in r5 (code 2), r1 low in r4 high 0, r2 in its slot; the end; code */
    const uint8_t map[MBPF_JIT_DEOPT_MAP] = {0xf2, 0xf1, 0x00, 0xff, 0x12, 0x34,
                                             0x56, 0x78, 0x11, 0x22};
    uint64_t regs[11];
    memset(regs, 0x5a, sizeof regs);
    mbpf_jit_deopt_regs(&c, map, regs);
    assert_int_equal(regs[0], 0x101u);
    assert_int_equal(regs[1], 0x100u);
    assert_int_equal(regs[2], 0x0000020500000204ull);
    for (unsigned r = 3; r < 10; r++)
        assert_int_equal(regs[r], 0);
    assert_int_equal(regs[10], 0x4000u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fault),     cmocka_unit_test(budget),
        cmocka_unit_test(high_word), cmocka_unit_test(registers),
        cmocka_unit_test(local_calls), cmocka_unit_test(two_regions),
        cmocka_unit_test(short_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
