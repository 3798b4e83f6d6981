/* Run JIT output under Unicorn as a Cortex-M4 (host only).
 *
 * One engine is created once and reused; it emits the JIT's shared runtime
 * once (mbpf_jit_runtime_emit) and maps it at a fixed address, and every run
 * fills the context block's rt[] with it (one runtime for all programs, as
 * on a device). For each run the harness maps the
 * code, a native stack, the context block and trampolines at fixed emulated
 * addresses, and every host buffer the program may touch (the VM's stack
 * area, every region of the VM's table, the ctx buffer) with uc_mem_map_ptr
 * over the host pages that hold it, so that helpers and the program share the
 * same bytes. Emulated addresses of those buffers keep their host page offset
 * and their order, so the emulated region table is sorted too.
 * The memory-check and helper-call routines of the context block are
 * trampoline addresses: a hook translates addresses back to host pointers and
 * calls mbpf_vm_check_mem / mbpf_vm_call_helper of the host VM (the very
 * checks of the interpreter), then returns to LR.
 * Results compare equal to the interpreter's: fault_addr, and r0 when it is
 * an emulated address inside a mapped buffer, are translated back to host
 * addresses (wild addresses are translated relative to the nearest buffer).
 * Programs may hold absolute host addresses (the image loader rewrites map
 * and global-data references into 64-bit immediates): such an address passes
 * the memory check as the host address it is, and the buffer is also mapped
 * at its low 32 bits (when that range is free), which the code then uses.
 * Helper arguments are translated to host pointers when they point into a
 * mapped buffer (pointer-kind arguments also near one).
 * Any unmapped access, invalid instruction, run-away (instruction cap) or
 * failure to return to the magic address is a harness error, never a crash.
 * A run that leaves through a failing loop guard (deopt: ctx kind
 * MBPF_JIT_KIND_DEOPT) is continued by the host interpreter
 * (mbpf_interp_resume) on the host buffers, after the emulated bytes of the
 * writable ones are copied back, with the registers as they are: exact
 * when every buffer is mapped at its own address (host_lowmem.c, below
 * 4 GiB). A register by a buffer the harness copied to other addresses is
 * a harness error (an address or a number? it cannot tell: never a silent
 * wrong answer).
 * JIT_UC_DEBUG=1 in the environment prints every helper call;
 * JIT_UC_DUMP=FILE writes the code of each run to FILE (for objdump).
 */
#ifndef MBPF_TOOLS_JIT_UC_H
#define MBPF_TOOLS_JIT_UC_H

#include <stddef.h>
#include <stdint.h>

#include "mbpf/jit.h"
#include "mbpf/mbpf.h"

typedef struct jit_uc jit_uc;

/* Harness statuses (returned by the functions below; the program's own
 * status is in mbpf_result.status). */
enum {
    JIT_UC_OK = 0,
    JIT_UC_E_ENGINE = -100,  /* Unicorn could not be opened / mapped */
    JIT_UC_E_COMPILE = -101, /* mbpf_jit_compile failed (see jit_uc_error) */
    JIT_UC_E_FAULT = -102,   /* unmapped access, invalid instruction, bad return */
    JIT_UC_E_RUNAWAY = -103, /* instruction cap reached */
    JIT_UC_E_ARG = -104,
};

typedef struct jit_uc_stats {
    uint64_t insns;     /* ARM instructions executed in the generated code */
    uint64_t tramp;     /* trampoline (helper / slow memory check) calls */
    size_t code_len;    /* bytes of generated code */
    uint64_t deopts;    /* 1 when a loop guard left for the interpreter (the
                           host interpreter finished the run; its
                           instructions are not in insns) */
} jit_uc_stats;

/* Opens a Cortex-M4 engine. NULL on failure. */
jit_uc *jit_uc_open(void);
void jit_uc_close(jit_uc *h);

/* Largest number of instructions a run may execute (default 200 M). */
void jit_uc_set_insn_cap(jit_uc *h, uint64_t cap);

/* Runs code (compiled for vm, code_len bytes) like mbpf_vm_run with the same
 * arguments. Fills res like the interpreter. Returns JIT_UC_OK when the run
 * completed (whatever res->status is) or a JIT_UC_E_* harness error. */
int jit_uc_run(jit_uc *h, mbpf_vm *vm, const void *code, size_t code_len, void *ctx,
               uint32_t ctx_len, uint32_t ctx_flags, void *user, mbpf_result *res,
               jit_uc_stats *stats);

/* Text of the last harness error ("unmapped read at 0x... (pc 0x...)"). */
const char *jit_uc_error(const jit_uc *h);

/* Emulated address of a host pointer inside a buffer mapped by the last run
 * (0 if none), and the reverse (host address as an integer; wild addresses
 * relative to the nearest buffer). */
uint32_t jit_uc_to_emu(const jit_uc *h, const void *host);
uint64_t jit_uc_to_host(const jit_uc *h, uint64_t emu);

/* One call for tests: compiles vm's program, runs it (ctx as a READ|WRITE
 * region when ctx_len > 0) in a process-wide engine, fills res and the
 * executed instruction count (insn_count may be NULL). Returns JIT_UC_OK or a
 * harness error (the message is printed to stderr). */
int jit_uc_run_program(mbpf_vm *vm, void *ctx, uint32_t ctx_len, void *user, mbpf_result *res,
                       uint64_t *insn_count);

/* Runs of the process-wide engine (jit_uc_run_program*) that a failing
 * loop guard handed over to the interpreter, since the process started
 * (tests take the difference around a run). */
uint64_t jit_uc_program_deopts(void);

/* Same with explicit ctx flags. */
int jit_uc_run_program_flags(mbpf_vm *vm, void *ctx, uint32_t ctx_len, uint32_t ctx_flags,
                             void *user, mbpf_result *res, uint64_t *insn_count);

#endif /* MBPF_TOOLS_JIT_UC_H */
