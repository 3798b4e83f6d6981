/* The random program generator (tools/lib/progen.h): deterministic, covers
 * the instruction set, every program passes the verifier, and what a program
 * computes does not depend on where its memory is: the interpreter gives the
 * same results with the ctx and the stack at other addresses (which is what
 * lets the JIT under emulation be compared with the interpreter on the host).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mbpf/mbpf.h"
#include "progen.h"

/* Same (seed, index) -> same program, input and configuration. */
static void generator_is_deterministic(void **state)
{
    (void)state;
    static progen_program a, b;
    for (uint32_t i = 0; i < 50; i++) {
        progen_generate(12345, i, &a);
        progen_generate(12345, i, &b);
        assert_memory_equal(&a, &b, sizeof a);
        assert_true(a.n > 0 && a.n <= PROGEN_MAX_INSNS);
    }
    progen_generate(1, 0, &a);
    progen_generate(2, 0, &b);
    assert_true(a.n != b.n || memcmp(a.insns, b.insns, a.n * sizeof a.insns[0]) != 0);
}

/* Variants of one opcode that matter to a compiler. */
static unsigned variant(const mbpf_insn *i)
{
    static const int32_t atomic_ops[] = {0x00, 0x01, 0x40, 0x41, 0x50, 0x51,
                                         0xa0, 0xa1, 0xe1, 0xf1};
    uint8_t cls = MBPF_CLASS(i->code);
    if (cls == MBPF_STX && MBPF_MODE(i->code) == MBPF_ATOMIC) {
        for (unsigned k = 0; k < 10; k++)
            if (i->imm == atomic_ops[k])
                return k;
        return 15;
    }
    if (cls == MBPF_ALU || cls == MBPF_ALU64) {
        uint8_t op = MBPF_OP(i->code);
        if (op == MBPF_END)
            return i->imm == 16 ? 0 : i->imm == 32 ? 1 : 2;
        if (op == MBPF_DIV || op == MBPF_MOD)
            return (unsigned)i->off;
        if (op == MBPF_MOV)
            return i->off == 8 ? 1 : i->off == 16 ? 2 : i->off == 32 ? 3 : 0;
    }
    if (i->code == MBPF_OP_CALL)
        return MBPF_INSN_SRC(i);
    return 0;
}

/* The generator reaches every opcode and variant (each class, K and X,
 * signed division, movsx, every END width, every atomic op in W and DW). */
static void generator_covers_the_isa(void **state)
{
    (void)state;
    static progen_program p;
    static uint8_t seen[256][16];
    memset(seen, 0, sizeof seen);
    for (uint32_t k = 0; k < 2000; k++) {
        progen_generate(777, k, &p);
        for (uint32_t pc = 0; pc < p.n; pc++) {
            seen[p.insns[pc].code][variant(&p.insns[pc])] = 1;
            if (p.insns[pc].code == MBPF_OP_LDDW)
                pc++;
        }
    }
    int missing = 0;
#define NEED(code, var)                                                                  \
    do {                                                                                 \
        if (!seen[(code)&0xff][var]) {                                                   \
            fprintf(stderr, "progen never emits opcode 0x%02x variant %d\n", (code)&0xff, \
                    (int)(var));                                                         \
            missing++;                                                                   \
        }                                                                                \
    } while (0)
    static const uint8_t alu_ops[] = {MBPF_ADD, MBPF_SUB, MBPF_MUL, MBPF_DIV, MBPF_OR,
                                      MBPF_AND, MBPF_LSH, MBPF_RSH, MBPF_MOD, MBPF_XOR,
                                      MBPF_MOV, MBPF_ARSH};
    for (unsigned c = 0; c < 2; c++) {
        uint8_t cls = c ? MBPF_ALU64 : MBPF_ALU;
        for (unsigned k = 0; k < sizeof alu_ops; k++) {
            NEED(cls | alu_ops[k] | MBPF_K, 0);
            NEED(cls | alu_ops[k] | MBPF_X, 0);
        }
        NEED(cls | MBPF_NEG | MBPF_K, 0);
        for (unsigned s = 0; s < 2; s++) { /* signed div/mod: off 1 */
            NEED(cls | MBPF_DIV | (s ? MBPF_X : MBPF_K), 1);
            NEED(cls | MBPF_MOD | (s ? MBPF_X : MBPF_K), 1);
        }
        for (unsigned v = 1; v <= (c ? 3u : 2u); v++)
            NEED(cls | MBPF_MOV | MBPF_X, v);
    }
    for (unsigned w = 0; w < 3; w++) {
        NEED(MBPF_ALU | MBPF_END | MBPF_K, w);
        NEED(MBPF_ALU | MBPF_END | MBPF_X, w);
        NEED(MBPF_ALU64 | MBPF_END | MBPF_K, w);
    }
    static const uint8_t conds[] = {MBPF_JEQ, MBPF_JGT, MBPF_JGE, MBPF_JSET, MBPF_JNE, MBPF_JSGT,
                                    MBPF_JSGE, MBPF_JLT, MBPF_JLE, MBPF_JSLT, MBPF_JSLE};
    for (unsigned k = 0; k < sizeof conds; k++) {
        NEED(MBPF_JMP | conds[k] | MBPF_K, 0);
        NEED(MBPF_JMP | conds[k] | MBPF_X, 0);
        NEED(MBPF_JMP32 | conds[k] | MBPF_K, 0);
        NEED(MBPF_JMP32 | conds[k] | MBPF_X, 0);
    }
    NEED(MBPF_OP_JA, 0);
    NEED(MBPF_OP_JA32, 0);
    NEED(MBPF_OP_CALL, MBPF_CALL_HELPER);
    NEED(MBPF_OP_CALL, MBPF_CALL_LOCAL);
    NEED(MBPF_OP_CALLX, 0);
    NEED(MBPF_OP_EXIT, 0);
    NEED(MBPF_OP_LDDW, 0);
    static const uint8_t sizes[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
    for (unsigned k = 0; k < 4; k++) {
        NEED(MBPF_LDX | MBPF_MEM | sizes[k], 0);
        NEED(MBPF_ST | MBPF_MEM | sizes[k], 0);
        NEED(MBPF_STX | MBPF_MEM | sizes[k], 0);
        if (sizes[k] != MBPF_DW)
            NEED(MBPF_LDX | MBPF_MEMSX | sizes[k], 0);
    }
    for (unsigned k = 0; k < 10; k++) {
        NEED(MBPF_STX | MBPF_ATOMIC | MBPF_W, k);
        NEED(MBPF_STX | MBPF_ATOMIC | MBPF_DW, k);
    }
#undef NEED
    assert_int_equal(missing, 0);
}

/* One run of p on a fresh VM whose memory and ctx start at the given
 * distances into two big buffers; ctx and stack are copied out. */
typedef struct layout_run {
    mbpf_result res;
    uint8_t ctx[PROGEN_MAX_CTX];
    uint8_t stack[8u * 4096u];
    uint64_t ctx_at, stack_at; /* host addresses, to turn faults into offsets */
} layout_run;

#define BLOCK (1024u * 1024u)

static void run_at(const progen_program *p, const mbpf_helpers *hs, size_t shift,
                   layout_run *out)
{
    static uint8_t scratch[1u << 16];
    size_t mem_len = mbpf_vm_mem_size(&p->cfg);
    size_t stack_len = (size_t)p->cfg.stack_size * p->cfg.max_depth;
    /* one block: the ctx near its start, the VM's memory 512 KiB further, so
     * that a fault address is unambiguously near one of them */
    uint8_t *block = aligned_alloc(64, BLOCK);
    assert_non_null(block);
    assert_true(mem_len + shift + 64 < BLOCK / 2);
    uint8_t *ctx = block + 65536 + shift * 8;
    uint8_t *mem = block + BLOCK / 2 + shift;
    mbpf_vm vm;
    mbpf_verify_error err;
    assert_int_equal(mbpf_vm_init(&vm, &p->cfg, mem, mem_len + 64), MBPF_OK);
    mbpf_vm_set_helpers(&vm, hs, p->num_allowed ? p->allowed : NULL, p->num_allowed);
    if (mbpf_vm_load(&vm, p->insns, p->n, scratch, sizeof scratch, &err) != MBPF_OK)
        fail_msg("seed %llu program %u does not verify: insn %u: %s",
                 (unsigned long long)p->seed, p->index, err.pc, err.msg);
    memcpy(ctx, p->ctx, p->ctx_len);
    memset(vm.stack, p->stack_fill, stack_len);
    mbpf_vm_run(&vm, p->ctx_len ? ctx : NULL, p->ctx_len, p->ctx_flags, NULL, &out->res);
    memcpy(out->ctx, ctx, p->ctx_len);
    memcpy(out->stack, vm.stack, stack_len);
    out->ctx_at = (uintptr_t)ctx;
    out->stack_at = (uintptr_t)vm.stack;
    free(block);
}

/* A fault address as (0 = wild, 1 = near ctx, 2 = near stack, offset);
 * the layouts differ by less than the windows. */
static uint64_t fault_key(const layout_run *r, uint64_t a)
{
    if (a - r->ctx_at + 65536u < PROGEN_MAX_CTX + 131072u)
        return (1ull << 62) | (a - r->ctx_at + 65536u);
    if (a - r->stack_at + 65536u < sizeof r->stack + 131072u)
        return (2ull << 62) | (a - r->stack_at + 65536u);
    return a;
}

static void programs_verify_and_do_not_depend_on_addresses(void **state)
{
    (void)state;
    static progen_program p;
    static layout_run a, b;
    mbpf_helper storage[PROGEN_NUM_HELPERS];
    mbpf_helpers hs;
    assert_int_equal(progen_helpers_init(&hs, storage), MBPF_OK);
    unsigned ok = 0, not_allowed = 0;
    for (uint32_t k = 0; k < 1500; k++) {
        progen_generate(4242, k, &p);
        run_at(&p, &hs, 8, &a);
        run_at(&p, &hs, 256, &b);
        size_t stack_len = (size_t)p.cfg.stack_size * p.cfg.max_depth;
        if (a.res.status != b.res.status || a.res.r0 != b.res.r0 || a.res.pc != b.res.pc ||
            a.res.budget_used != b.res.budget_used ||
            fault_key(&a, a.res.fault_addr) != fault_key(&b, b.res.fault_addr) ||
            memcmp(a.ctx, b.ctx, p.ctx_len) != 0 || memcmp(a.stack, b.stack, stack_len) != 0)
            fail_msg("seed 4242 program %u depends on addresses (status %d/%d, r0 %llx/%llx)",
                     k, a.res.status, b.res.status, (unsigned long long)a.res.r0,
                     (unsigned long long)b.res.r0);
        ok += a.res.status == MBPF_OK;
        not_allowed += a.res.status == MBPF_E_BAD_HELPER && a.res.msg &&
                       strcmp(a.res.msg, "helper not allowed") == 0;
    }
    /* most programs should run to the end, not stop at the first fault */
    assert_true(ok > 1500 / 3);
    /* callx to the helper left out of a program's allowed list is refused */
    assert_true(not_allowed > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(generator_is_deterministic),
        cmocka_unit_test(generator_covers_the_isa),
        cmocka_unit_test(programs_verify_and_do_not_depend_on_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
