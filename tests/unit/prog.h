/* Building eBPF programs by hand in unit tests, and running them on a VM.
 *
 * Instruction macros expand to initialisers, so a program is an array:
 *   mbpf_insn p[] = { MOV64_IMM(0, 7), EXIT() };
 * LDDW expands to its two slots. run_r0(...) asserts a clean run and returns r0.
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h> and <cmocka.h>.
 */
#ifndef MBPF_TEST_PROG_H
#define MBPF_TEST_PROG_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mbpf/mbpf.h"
#if defined(__has_include) && __has_include("host_lowmem.h") /* not in the core-only variants */
#include "host_lowmem.h"
#define TVM_ALLOC(n) host_low_alloc(n)
#define TVM_FREE(p, n) host_low_free((p), (n))
#else
#define TVM_ALLOC(n) malloc(n)
#define TVM_FREE(p, n) free(p)
#endif

#define INSN(code, dst, src, off, imm)                                                   \
    ((mbpf_insn){(uint8_t)(code), MBPF_REGS(dst, src), (int16_t)(off), (int32_t)(imm)})

#define ALU64_IMM(op, d, imm) INSN(MBPF_ALU64 | MBPF_K | (op), d, 0, 0, imm)
#define ALU64_REG(op, d, s) INSN(MBPF_ALU64 | MBPF_X | (op), d, s, 0, 0)
#define ALU32_IMM(op, d, imm) INSN(MBPF_ALU | MBPF_K | (op), d, 0, 0, imm)
#define ALU32_REG(op, d, s) INSN(MBPF_ALU | MBPF_X | (op), d, s, 0, 0)
/* Signed div/mod: offset 1. */
#define SALU64_IMM(op, d, imm) INSN(MBPF_ALU64 | MBPF_K | (op), d, 0, 1, imm)
#define SALU64_REG(op, d, s) INSN(MBPF_ALU64 | MBPF_X | (op), d, s, 1, 0)
#define SALU32_IMM(op, d, imm) INSN(MBPF_ALU | MBPF_K | (op), d, 0, 1, imm)
#define SALU32_REG(op, d, s) INSN(MBPF_ALU | MBPF_X | (op), d, s, 1, 0)
#define MOV64_IMM(d, imm) ALU64_IMM(MBPF_MOV, d, imm)
#define MOV64_REG(d, s) ALU64_REG(MBPF_MOV, d, s)
#define MOV32_IMM(d, imm) ALU32_IMM(MBPF_MOV, d, imm)
#define MOV32_REG(d, s) ALU32_REG(MBPF_MOV, d, s)
#define MOVSX64(d, s, bits) INSN(MBPF_ALU64 | MBPF_X | MBPF_MOV, d, s, bits, 0)
#define MOVSX32(d, s, bits) INSN(MBPF_ALU | MBPF_X | MBPF_MOV, d, s, bits, 0)
#define NEG64(d) INSN(MBPF_ALU64 | MBPF_NEG, d, 0, 0, 0)
#define NEG32(d) INSN(MBPF_ALU | MBPF_NEG, d, 0, 0, 0)
#define LE(d, bits) INSN(MBPF_ALU | MBPF_K | MBPF_END, d, 0, 0, bits)
#define BE(d, bits) INSN(MBPF_ALU | MBPF_X | MBPF_END, d, 0, 0, bits)
#define BSWAP(d, bits) INSN(MBPF_ALU64 | MBPF_K | MBPF_END, d, 0, 0, bits)

#define LDDW(d, v)                                                                       \
    INSN(MBPF_OP_LDDW, d, 0, 0, (int32_t)(uint32_t)(uint64_t)(v)),                       \
        INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))

#define JMP_IMM(op, d, imm, off) INSN(MBPF_JMP | MBPF_K | (op), d, 0, off, imm)
#define JMP_REG(op, d, s, off) INSN(MBPF_JMP | MBPF_X | (op), d, s, off, 0)
#define JMP32_IMM(op, d, imm, off) INSN(MBPF_JMP32 | MBPF_K | (op), d, 0, off, imm)
#define JMP32_REG(op, d, s, off) INSN(MBPF_JMP32 | MBPF_X | (op), d, s, off, 0)
#define JA(off) INSN(MBPF_OP_JA, 0, 0, off, 0)
#define JA32(imm) INSN(MBPF_OP_JA32, 0, 0, 0, imm)
#define CALL_HELPER(id) INSN(MBPF_OP_CALL, 0, MBPF_CALL_HELPER, 0, id)
#define CALL_LOCAL(rel) INSN(MBPF_OP_CALL, 0, MBPF_CALL_LOCAL, 0, rel)
#define CALLX(r) INSN(MBPF_OP_CALLX, r, 0, 0, 0)
#define EXIT() INSN(MBPF_OP_EXIT, 0, 0, 0, 0)

#define LDX(size, d, s, off) INSN(MBPF_LDX | MBPF_MEM | (size), d, s, off, 0)
#define LDXSX(size, d, s, off) INSN(MBPF_LDX | MBPF_MEMSX | (size), d, s, off, 0)
#define ST(size, d, off, imm) INSN(MBPF_ST | MBPF_MEM | (size), d, 0, off, imm)
#define STX(size, d, s, off) INSN(MBPF_STX | MBPF_MEM | (size), d, s, off, 0)
#define ATOMIC(size, op, d, s, off) INSN(MBPF_STX | MBPF_ATOMIC | (size), d, s, off, op)

#define PROG(...) ((const mbpf_insn[]){__VA_ARGS__})
#define PROG_LEN(...) ((uint32_t)(sizeof(PROG(__VA_ARGS__)) / sizeof(mbpf_insn)))

/* A VM with its memory, opened with a config (NULL = defaults). */
typedef struct tvm {
    mbpf_vm vm;
    mbpf_config cfg;
    void *mem;
} tvm;

static inline void tvm_open(tvm *t, const mbpf_config *cfg)
{
    if (cfg)
        t->cfg = *cfg;
    else
        mbpf_config_default(&t->cfg);
    size_t n = mbpf_vm_mem_size(&t->cfg);
    assert_true(n > 0);
    t->mem = TVM_ALLOC(n); /* below 4 GiB, as on a device (see jit_uc.h: deopt) */
    assert_non_null(t->mem);
    assert_int_equal(mbpf_vm_init(&t->vm, &t->cfg, t->mem, n), MBPF_OK);
}

static inline void tvm_close(tvm *t)
{
    TVM_FREE(t->mem, mbpf_vm_mem_size(&t->cfg));
    t->mem = NULL;
}

static inline void tvm_load(tvm *t, const mbpf_insn *p, uint32_t n)
{
    mbpf_verify_error err;
    int st = mbpf_vm_load(&t->vm, p, n, NULL, 0, &err);
    if (st != MBPF_OK)
        print_error("load failed: status %d at pc %u: %s\n", st, (unsigned)err.pc,
                    err.msg ? err.msg : "(null)");
    assert_int_equal(st, MBPF_OK);
}

/* Opens a VM with cfg (NULL = defaults), loads p, runs it on ctx, closes it. */
static inline mbpf_result run_cfg(const mbpf_config *cfg, const mbpf_helpers *helpers,
                                  const mbpf_insn *p, uint32_t n, void *ctx, uint32_t len)
{
    tvm t;
    mbpf_result res;
    tvm_open(&t, cfg);
    mbpf_vm_set_helpers(&t.vm, helpers, NULL, 0);
    tvm_load(&t, p, n);
    mbpf_vm_run(&t.vm, ctx, len, MBPF_MEM_RW, NULL, &res);
    tvm_close(&t);
    return res;
}

static inline uint64_t run_r0_n(const mbpf_insn *p, uint32_t n)
{
    mbpf_result res = run_cfg(NULL, NULL, p, n, NULL, 0);
    if (res.status != MBPF_OK)
        print_error("run failed: status %d at pc %u: %s\n", (int)res.status,
                    (unsigned)res.pc, res.msg ? res.msg : "(null)");
    assert_int_equal(res.status, MBPF_OK);
    assert_null(res.msg);
    return res.r0;
}

/* r0 of a clean run of the listed instructions. */
#define RUN_R0(...) run_r0_n(PROG(__VA_ARGS__), PROG_LEN(__VA_ARGS__))

#endif /* MBPF_TEST_PROG_H */
