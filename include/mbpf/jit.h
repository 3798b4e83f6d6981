/* microbpf JIT: eBPF to ARMv7-M Thumb-2 (Cortex-M3/M4/M7).
 *
 * The compiler is plain C that writes bytes, so it runs on the device and on
 * the host alike. The generated code is position independent: every address
 * it needs (region table, stack, helper-call routine, memory-check routine)
 * comes from a context block whose layout is fixed for a 32-bit target, so
 * host tests can build that block in emulated memory (tools/lib/jit_uc.h) and
 * the device runtime (mbpf_jit_run) builds it on its stack.
 * Register map, frame layout and the rules for skipping checks:
 * docs/jit-armv7m.md.
 */
#ifndef MBPF_JIT_H
#define MBPF_JIT_H

#include <stddef.h>
#include <stdint.h>

#include "mbpf/mbpf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mbpf_jit_error {
    int32_t status;  /* MBPF_OK, MBPF_E_ARG, MBPF_E_STATE, MBPF_E_NOSPACE or MBPF_E_JIT */
    uint32_t pc;     /* instruction the reason applies to */
    const char *msg; /* static text */
} mbpf_jit_error;

/* Compiles the loaded (verified) program of vm into buf.
 * - buf NULL or buf_len < needed: MBPF_E_NOSPACE and *code_len = bytes needed
 *   (the size is computed before anything is written; no overflow possible).
 * - buf must be 4-byte aligned, and the code must be run from an address with
 *   the same alignment (ADR is used for return addresses of local calls).
 * - insn_offsets (optional, n+1 entries where n = vm->num_insns) receives the
 *   byte offset of each eBPF instruction's code, entry n = end of the main
 *   code (routines emitted once follow it); the second slot of lddw gets the
 *   offset of the next instruction. When NULL, the compiler needs n+1 words of
 *   scratch and borrows vm's stack area (like the verifier); if that is too
 *   small, MBPF_E_NOSPACE with a message: pass insn_offsets.
 * The helper set, config (stack size, depth, budget) of vm are compiled in:
 * recompile after changing them. Regions may change freely between runs.
 * buf starts with a header (data: where the program keeps the budget, its
 * registers; MBPF_JIT_HDR_*), then the code. Runners do not call it: they
 * call the shared runtime's run routine (MBPF_JIT_RT_RUN) as
 * `void run(mbpf_jit_ctx *c, const void *buf)`. */
int mbpf_jit_compile(mbpf_vm *vm, void *buf, size_t buf_len, size_t *code_len,
                     uint32_t *insn_offsets, mbpf_jit_error *err);

/* ---- The shared runtime ---------------------------------------------------
 *
 * The routines that do not depend on a program (trap, budget refill, slow
 * memory check, the loop guards' range check, 64-bit division, helper call) are emitted
 * ONCE per device into a blob of their own; every compiled program reaches
 * them through the context block's table pointer (rt, below) and one 4-byte veneer
 * per routine it uses. The blob is position independent; it must stay
 * mapped and executable while any program runs. */
enum {
    MBPF_JIT_RT_TRAP = 0,   /* budget / depth / helper failure, deopt: pc from a descriptor */
    MBPF_JIT_RT_BUDGET = 1, /* budget low word borrowed: refill from the high word */
    MBPF_JIT_RT_MEM = 2,    /* slow memory check (stack, region caches, check_mem) */
    MBPF_JIT_RT_RANGE = 3,  /* loop guards: check_range and cache refresh */
    MBPF_JIT_RT_UDIV64 = 4,
    MBPF_JIT_RT_SDIV64 = 5,
    MBPF_JIT_RT_CALL = 6,   /* helper call: ctx->call_helper, status, caches */
    MBPF_JIT_RT_RUN = 7,    /* runs a program: r0 = context block, r1 = its code (buf) */
    MBPF_JIT_RT_LEAVE = 8,  /* the final exit: r0, budget from their homes, unwind */
    MBPF_JIT_RT_COUNT = 9,
};

/* The program header at buf + 0: byte 0 holds the header's length / 2 in
 * bits 0-2, byte 1 the local-call depth, the register map (the deopt map,
 * below) starts at MBPF_JIT_HDR_MAP. */
#define MBPF_JIT_HDR_MAP 2
static inline uint32_t mbpf_jit_header_len(const uint8_t *code) { return 2u * (code[0] & 7u); }

/* Native frame offset of the program's copy of rt[0] (rt[k] at + 4k): a
 * veneer is `ldr.w pc, [sp, #MBPF_JIT_FRAME_RT + 4k]` (for listings). */
#define MBPF_JIT_FRAME_RT 152

typedef struct mbpf_jit_runtime {
    /* Address of each routine (Thumb bit set) when the blob runs where it was
     * emitted (a 32-bit target): the table ctx->rt points to on the device
     * (first, so that the table's address is the struct's). */
    uint32_t addr[MBPF_JIT_RT_COUNT];
    const void *code;                   /* the blob (set by mbpf_jit_runtime_emit) */
    uint32_t size;                      /* its bytes */
    uint32_t entry[MBPF_JIT_RT_COUNT];  /* byte offset of each routine in it */
} mbpf_jit_runtime;

/* Emits the shared runtime into buf (4-byte aligned) and fills rt (rt->code =
 * buf, entry[], addr[]). buf NULL or buf_len < needed: MBPF_E_NOSPACE, *len =
 * bytes needed, nothing written. MBPF_E_ARG for a NULL len or rt, or a
 * misaligned buf. */
int mbpf_jit_runtime_emit(void *buf, size_t buf_len, size_t *len, mbpf_jit_runtime *rt);

/* Makes vm's runs (mbpf_jit_run) use the runtime rt (the embedder owns rt and
 * its blob; one runtime serves every VM of the device). NULL detaches. */
void mbpf_jit_set_runtime(mbpf_vm *vm, const mbpf_jit_runtime *rt);

/* Runs code compiled for vm: same contract and result as mbpf_vm_run
 * (ctx becomes a region for the run). When a loop guard fails in a program
 * without local calls (kind MBPF_JIT_KIND_DEOPT), the interpreter finishes
 * the run from the loop head (mbpf_interp_resume), inside this call. Only on an ARMv7-M build (__thumb2__
 * and __ARM_ARCH_7M__ / __ARM_ARCH_7EM__); elsewhere returns MBPF_E_STATE.
 * Needs a runtime (mbpf_jit_set_runtime): MBPF_E_STATE without one. */
int mbpf_jit_run(mbpf_vm *vm, const void *code, void *ctx, uint32_t ctx_len,
                 uint32_t ctx_flags, void *user, mbpf_result *res);

/* ---- The context block ----------------------------------------------------
 *
 * r0 at entry = address of this block; the shared run routine is called as
 * `void run(mbpf_jit_ctx *c, const void *code)` (AAPCS, needs native stack:
 * see mbpf_jit_native_stack). The outputs status .. helper_id (0x24-0x47)
 * must start as 0 (run takes its zeros from them). All fields are 32-bit
 * words; offsets are fixed.
 * Addresses are 32-bit target addresses.
 */
typedef struct mbpf_jit_ctx {
    /* Inputs, set by the runner. */
    uint32_t stack_base;  /* 0x00 lowest byte of the eBPF stack area */
    uint32_t stack_end;   /* 0x04 end of the stack area = r10 of frame 0 */
    uint32_t arg_ctx;     /* 0x08 initial eBPF r1 (low half; high half 0) */
    uint32_t arg_ctx_len; /* 0x0c initial eBPF r2 */
    uint32_t budget_lo;   /* 0x10 budget units left (64-bit): lo written back on exit, */
    uint32_t budget_hi;   /* 0x14 hi updated in place by the refill routine */
    /* Routine addresses (Thumb bit set), AAPCS:
     * uint32_t check_mem(uint32_t addr_lo, uint32_t addr_hi, uint32_t desc,
     *                    mbpf_jit_ctx *c)  -> 0 when allowed, else fills the
     *   result fields (status MBPF_E_MEM, pc, fault) and returns non-zero.
     *   desc = MBPF_JIT_DESC(pc, size, kind). When the access is allowed by a
     *   region, it also refreshes the region caches cr_* / cw_* below for the
     *   flags of that region (the code keeps copies for its inline check).
     * uint64_t call_helper(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
     *                      uint64_t a5, mbpf_jit_ctx *c, uint32_t id)
     *   -> helper result; on error sets status (and helper_id, fault fields,
     *   msg) and the generated code stops with pc = the call. Used for both
     *   call imm and callx (checks registered/allowed, pointer arguments). */
    uint32_t check_mem;   /* 0x18 */
    uint32_t call_helper; /* 0x1c */
    uint32_t env;         /* 0x20 runner's own pointer (not used by the code) */
    /* Outputs, written by the generated code or the routines. The runner
     * sets them to 0 first: a successful run writes only r0_lo (and r0_hi
     * when r0's upper half can be non-zero); budget_hi is updated in place
     * when the low word is refilled. */
    uint32_t status;      /* 0x24 MBPF_OK or an mbpf_status (as uint32) */
    uint32_t pc;          /* 0x28 instruction index where it stopped */
    uint32_t r0_lo;       /* 0x2c eBPF r0 at exit */
    uint32_t r0_hi;       /* 0x30 */
    uint32_t fault_lo;    /* 0x34 MBPF_E_MEM: address */
    uint32_t fault_hi;    /* 0x38 */
    uint32_t fault_size;  /* 0x3c */
    uint32_t kind;        /* 0x40 MBPF_JIT_KIND_* of the failure (selects msg) */
    uint32_t helper_id;   /* 0x44 helper of a failed call */
    uint32_t reserved0;   /* 0x48 (was saved_sp, never read: dropped) */
    uint32_t reserved;    /* 0x4c */
    /* Last region hit by check_mem, per need: an access of up to 8 bytes at
     * addr is inside when addr - start < lim (lim = len - 7, or 0 = none).
     * Set to 0 by the runner; lims reset to 0 after each helper call. */
    uint32_t cr_start;    /* 0x50 readable region */
    uint32_t cr_lim;      /* 0x54 */
    uint32_t cw_start;    /* 0x58 writable region */
    uint32_t cw_lim;      /* 0x5c */
    /* Routine address (Thumb bit set), used by the guards of counted loops:
     * uint32_t check_range(uint32_t start, uint32_t len, uint32_t desc,
     *                      mbpf_jit_ctx *c)
     *   -> 0 when every byte of [start, start + len) (len >= 1, the sum
     *   computed without wrapping) lies inside the stack area or inside ONE
     *   region with the need of desc's kind; refreshes cr_* / cw_* like
     *   check_mem on a region hit; never records an error (a failing guard
     *   just runs the checked loop). */
    uint32_t check_range; /* 0x60 */
    /* Input: address of the shared runtime's table: MBPF_JIT_RT_COUNT words,
     * word k = the address of routine k (MBPF_JIT_RT_*), Thumb bit set. The
     * device runner points it at rt->addr; a harness builds the table for
     * the address it mapped the blob at (mbpf_jit_runtime_table). */
    uint32_t rt;          /* 0x64 */
    /* Outputs of a deopt (kind MBPF_JIT_KIND_DEOPT, status
     * MBPF_JIT_STATUS_DEOPT): a loop guard failed in a program without local
     * calls; the run goes on in the interpreter at deopt_pc (the loop head).
     * The trap routine copies the ARM registers r4-r11 and the frame's eBPF
     * register slots (r0-r9: lo, hi) here; deopt_map is the address of the
     * program's deopt map (MBPF_JIT_DEOPT_MAP bytes in its code), which says
     * where each half lives: mbpf_jit_deopt_regs decodes them. ctx.pc keeps
     * the last helper call's pc; budget_lo has the low word written back. */
    uint32_t deopt_pc;       /* 0x68 */
    uint32_t deopt_map;      /* 0x6c */
    uint32_t deopt_r[8];     /* 0x70 r4-r11 */
    uint32_t deopt_slot[20]; /* 0x90 eBPF r0-r9 frame slots: lo, hi */
} mbpf_jit_ctx;

enum {
    MBPF_JIT_CTX_STACK_BASE = 0x00,
    MBPF_JIT_CTX_STACK_END = 0x04,
    MBPF_JIT_CTX_ARG_CTX = 0x08,
    MBPF_JIT_CTX_ARG_CTX_LEN = 0x0c,
    MBPF_JIT_CTX_BUDGET_LO = 0x10,
    MBPF_JIT_CTX_BUDGET_HI = 0x14,
    MBPF_JIT_CTX_CHECK_MEM = 0x18,
    MBPF_JIT_CTX_CALL_HELPER = 0x1c,
    MBPF_JIT_CTX_ENV = 0x20,
    MBPF_JIT_CTX_STATUS = 0x24,
    MBPF_JIT_CTX_PC = 0x28,
    MBPF_JIT_CTX_R0_LO = 0x2c,
    MBPF_JIT_CTX_R0_HI = 0x30,
    MBPF_JIT_CTX_FAULT_LO = 0x34,
    MBPF_JIT_CTX_FAULT_HI = 0x38,
    MBPF_JIT_CTX_FAULT_SIZE = 0x3c,
    MBPF_JIT_CTX_KIND = 0x40,
    MBPF_JIT_CTX_HELPER_ID = 0x44,
    MBPF_JIT_CTX_CR_START = 0x50,
    MBPF_JIT_CTX_CR_LIM = 0x54,
    MBPF_JIT_CTX_CW_START = 0x58,
    MBPF_JIT_CTX_CW_LIM = 0x5c,
    MBPF_JIT_CTX_CHECK_RANGE = 0x60,
    MBPF_JIT_CTX_RT = 0x64,
    MBPF_JIT_CTX_DEOPT_PC = 0x68,
    MBPF_JIT_CTX_DEOPT_MAP = 0x6c,
    MBPF_JIT_CTX_DEOPT_R = 0x70,
    MBPF_JIT_CTX_DEOPT_SLOT = 0x90,
    MBPF_JIT_CTX_SIZE = 0xe0,
};

/* What failed (ctx.kind), to pick the interpreter's message. */
enum {
    MBPF_JIT_KIND_NONE = 0,
    MBPF_JIT_KIND_LOAD = 1,   /* "out-of-bounds load" */
    MBPF_JIT_KIND_STORE = 2,  /* "out-of-bounds store" */
    MBPF_JIT_KIND_ATOMIC = 3, /* "out-of-bounds atomic" */
    MBPF_JIT_KIND_BUDGET = 4, /* "execution budget exhausted" */
    MBPF_JIT_KIND_DEPTH = 5,  /* "call depth exceeded" */
    MBPF_JIT_KIND_HELPER = 6, /* status/msg came from the helper-call routine */
    MBPF_JIT_KIND_DEOPT = 7,  /* not a failure: go on in the interpreter (deopt_*) */
};

/* ctx.status of a deopt: no mbpf_status (runners must continue the run with
 * mbpf_interp_resume; a runner that does not is never mistaken for success). */
#define MBPF_JIT_STATUS_DEOPT 1

/* Most bytes of a program's deopt map: one per eBPF register r0, r1, ...
 * up to the last one the program names (r1-r5 with helper calls), low
 * nibble where its low half lives, high nibble its high half: 0 its frame
 * slot, 1-8 ARM register r4-r11, 15 (high half only) always 0; then 0xff
 * (no entry) up to an even length when it ends before r9: the registers
 * after it read as 0. r10 is the stack end (programs that deopt make no
 * local calls). The map is part of the program's header (MBPF_JIT_HDR_MAP)
 * and always covers r0-r2. */
#define MBPF_JIT_DEOPT_MAP 10

/* After a run that left with kind MBPF_JIT_KIND_DEOPT: the eBPF registers
 * r0-r10 at c->deopt_pc from the block and the program's map (its bytes at
 * c->deopt_map, read by the caller). Values are target addresses. */
void mbpf_jit_deopt_regs(const mbpf_jit_ctx *c, const uint8_t map[MBPF_JIT_DEOPT_MAP],
                         uint64_t regs[11]);

/* The interpreter from instruction pc with registers regs (r0-r10) and
 * budget_left units of the VM's budget left (budget_used then counts from
 * vm->cfg.budget): what the run of the same program that reached pc in that
 * state gives (the same interpreter loop as mbpf_vm_run). For JIT runners
 * after a deopt, inside their run: the VM is marked running, ctx is still a
 * region, the program makes no local calls (depth 1). res is not cleared:
 * res->pc must hold the pc of the last helper call so far (the interpreter
 * reports it on success); the other fields as the interpreter sets them.
 * MBPF_E_ARG for a pc outside the program or budget_left > budget. */
int mbpf_interp_resume(mbpf_vm *vm, const uint64_t regs[11], uint32_t pc,
                       uint64_t budget_left, void *user, mbpf_result *res);

/* Memory-check descriptor passed to check_mem: pc (24 bits), access size in
 * bytes (1/2/4/8), kind (LOAD/STORE/ATOMIC). */
#define MBPF_JIT_DESC(pc, size, kind)                                                    \
    (((uint32_t)(pc)&0xffffffu) | ((uint32_t)(size) << 24) | ((uint32_t)(kind) << 28))
#define MBPF_JIT_DESC_PC(d) ((d)&0xffffffu)
#define MBPF_JIT_DESC_SIZE(d) (((d) >> 24) & 0xfu)
#define MBPF_JIT_DESC_KIND(d) ((d) >> 28)

/* Region cache limit for a region of len bytes (see cr_lim). */
static inline uint32_t mbpf_jit_cache_lim(uint32_t len) { return len >= 8u ? len - 7u : 0u; }

/* The table ctx->rt points to, for the runtime rt mapped at address base
 * (a host harness: the emulated address of the blob). */
static inline void mbpf_jit_runtime_table(const mbpf_jit_runtime *rt, uint32_t base,
                                          uint32_t table[MBPF_JIT_RT_COUNT])
{
    for (unsigned k = 0; k < MBPF_JIT_RT_COUNT; k++)
        table[k] = (base + rt->entry[k]) | 1u;
}

/* Budget units left after a run. A run stopped by MBPF_E_BUDGET has used it
 * all: the budget routine leaves the borrowed low word (0xffffffff) in place
 * (it does not know where the program keeps it), so it reads 0 here. */
static inline uint64_t mbpf_jit_budget_left(const mbpf_jit_ctx *c)
{
    if (c->status == (uint32_t)MBPF_E_BUDGET && c->kind == MBPF_JIT_KIND_BUDGET)
        return 0;
    return (uint64_t)c->budget_hi << 32 | c->budget_lo;
}

/* Static message of a failure kind (NULL for NONE/HELPER). */
const char *mbpf_jit_kind_msg(uint32_t kind);

/* Bytes of native stack the generated code of vm uses below the caller's SP
 * (prologue, frame, local-call records), not counting what helpers use. */
uint32_t mbpf_jit_native_stack(const mbpf_vm *vm);

#ifdef __cplusplus
}
#endif

#endif /* MBPF_JIT_H */
