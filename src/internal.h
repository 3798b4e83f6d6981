/* Private helpers shared inside the microbpf core (not part of the API).
 *
 * Everything here is static inline or a declaration of a core-internal
 * function, so including it never creates state.
 */
#ifndef MBPF_INTERNAL_H
#define MBPF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mbpf/mbpf.h"

/* Static messages used by both the interpreter and the helper path; the JIT
 * runtime reports the same strings so that results compare equal. */
#define MBPF_MSG_LOAD "out-of-bounds load"
#define MBPF_MSG_STORE "out-of-bounds store"
#define MBPF_MSG_ATOMIC "out-of-bounds atomic"
#define MBPF_MSG_HELPER_PTR "bad helper pointer argument"
#define MBPF_MSG_BUDGET "execution budget exhausted"
#define MBPF_MSG_DEPTH "call depth exceeded"
#define MBPF_MSG_UNKNOWN_HELPER "unknown helper"
#define MBPF_MSG_HELPER_NOT_ALLOWED "helper not allowed"
#define MBPF_MSG_HELPER_FAILED "helper failed"
#define MBPF_MSG_BAD_INSN "invalid instruction reached at run time"

/* Bytes in the whole stack area (all frames). mbpf_vm_init guarantees this
 * fits in 32 bits. */
static inline uint32_t mbpf_stack_bytes(const mbpf_vm *vm)
{
    return (uint32_t)vm->cfg.max_depth * vm->cfg.stack_size;
}

/* Address of the top (exclusive end) of frame k; frame 0 is the highest.
 * Valid for k in [0, max_depth]. */
static inline uint64_t mbpf_frame_top(const mbpf_vm *vm, uint32_t k)
{
    uint32_t below = (uint32_t)(vm->cfg.max_depth - k) * vm->cfg.stack_size;
    return (uint64_t)(uintptr_t)(vm->stack + below);
}

/* True when [addr, addr+size) lies inside [lo, lo+span). Written so that
 * no sum can wrap: addr < lo makes addr-lo huge, which fails the first test. */
static inline int mbpf_range_in(uint64_t addr, uint64_t size, uint64_t lo, uint64_t span)
{
    uint64_t rel = addr - lo;
    return rel <= span && size <= span - rel;
}

/* Is a sorted id list (allowed helpers) holding id? NULL list = all. */
int mbpf_id_allowed(const uint32_t *ids, uint16_t n, uint32_t id);

/* The interpreter: runs vm->insns from instruction 0 with r1, r2 set and
 * fills res (status, pc, r0, fault info, budget_used). r2 = UINT64_MAX is
 * reserved (mbpf_interp_resume's entry into the same loop). */
int mbpf_interp_run(mbpf_vm *vm, uint64_t r1, uint64_t r2, void *user, mbpf_result *res);

/* A barrier in a zeroing loop: without it compilers turn the loop into a
 * memset call (see mbpf_result_clear). */
#define MBPF_NO_MEMSET() __asm__ volatile("" ::: "memory")

/* *res = all zero, field by field: an aggregate {0} of this size becomes a
 * memset call, and a small libc's byte-wise memset (picolibc's: 4
 * instructions per byte) costs more than a short program run. */
static inline void mbpf_result_clear(mbpf_result *res)
{
    res->r0 = 0;
    res->status = 0;
    res->pc = 0;
    res->msg = NULL;
    res->fault_addr = 0;
    res->fault_size = 0;
    res->helper_id = 0;
    res->budget_used = 0;
}

#endif /* MBPF_INTERNAL_H */
