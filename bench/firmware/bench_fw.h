/* Shared by the benchmark firmware's files: the tick -> instruction
 * conversion and the weak references to the JIT (see CMakeLists.txt). */
#ifndef BENCH_FW_H
#define BENCH_FW_H

#include <stdint.h>

#include "mbpf/jit.h"
#include "mbpf/mbpf.h"

/* Under -icount shift=7 an instruction takes 128 ns of virtual time and
 * SysTick counts at 25 MHz: 3.2 ticks per instruction (rounded). */
static inline uint32_t ticks_to_insns(uint64_t ticks)
{
    return (uint32_t)((ticks * 5u + 8u) / 16u);
}

/* Present only when the core library has a complete JIT: without one the
 * jit modes are reported missing. */
extern int mbpf_jit_compile(mbpf_vm *vm, void *buf, size_t buf_len, size_t *code_len,
                            uint32_t *insn_offsets, mbpf_jit_error *err)
    __attribute__((weak));
extern int mbpf_jit_run(mbpf_vm *vm, const void *code, void *ctx, uint32_t ctx_len,
                        uint32_t ctx_flags, void *user, mbpf_result *res)
    __attribute__((weak));
extern uint32_t mbpf_jit_native_stack(const mbpf_vm *vm) __attribute__((weak));
extern int mbpf_jit_runtime_emit(void *buf, size_t buf_len, size_t *len, mbpf_jit_runtime *rt)
    __attribute__((weak));
extern void mbpf_jit_set_runtime(mbpf_vm *vm, const mbpf_jit_runtime *rt) __attribute__((weak));

static inline int bench_have_jit(void)
{
    return mbpf_jit_compile && mbpf_jit_run && mbpf_jit_runtime_emit && mbpf_jit_set_runtime;
}

/* The JIT's shared runtime, emitted once (bench_main.c); NULL on failure. */
const mbpf_jit_runtime *bench_jit_runtime(void);

/* Per-instruction costs of the interpreter and the JIT'd code (bench_insn.c). */
void bench_insn_costs(uint64_t overhead);

#endif
