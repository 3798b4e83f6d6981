/* Random valid eBPF programs for differential testing (host only).
 *
 * progen_generate(seed, index) builds one program, its configuration and its
 * input (ctx bytes, initial stack fill) from a 64-bit PRNG of our own
 * (splitmix64), so a (seed, index) pair gives the same program on every
 * platform. Programs pass the verifier at ISA v4 with callx, use every opcode
 * class, bounded loops, local calls and the helpers of progen_helpers_init.
 * They may fault (wild or out-of-bounds pointers, bad callx ids, helper errors,
 * call depth, budget) but what they compute never depends on where memory is:
 * pointers are never stored, compared with scalars, hashed into r0 or passed to
 * scalar helper arguments, so the interpreter and the JIT under emulation must
 * agree on r0, status, pc, fault offset, budget and final memory.
 */
#ifndef MBPF_TOOLS_PROGEN_H
#define MBPF_TOOLS_PROGEN_H

#include <stdint.h>

#include "mbpf/mbpf.h"

#define PROGEN_MAX_INSNS 768u
#define PROGEN_MAX_CTX 8192u
#define PROGEN_NUM_HELPERS 7u

typedef struct progen_program {
    uint64_t seed;      /* the run's seed */
    uint32_t index;     /* program number within the run */
    uint32_t n;         /* instruction slots */
    mbpf_insn insns[PROGEN_MAX_INSNS];
    mbpf_config cfg;    /* stack size, depth, budget, isa 4, callx on */
    uint32_t ctx_len;   /* 0..PROGEN_MAX_CTX (0: no ctx, r1 = 0) */
    uint32_t ctx_flags; /* MBPF_MEM_RW, sometimes MBPF_MEM_READ only */
    uint8_t ctx[PROGEN_MAX_CTX];
    uint8_t stack_fill; /* byte every stack byte holds before the run */
    uint16_t num_allowed; /* 0: every helper allowed; else the sorted ids below */
    uint32_t allowed[PROGEN_NUM_HELPERS]; /* all but one: callx to it is refused */
} progen_program;

/* Builds program number `index` of the run `seed`. Always succeeds. */
void progen_generate(uint64_t seed, uint32_t index, progen_program *out);

/* Registers the helpers generated programs call (ids 5-10 and 0x100) into a
 * set backed by storage. Returns 0 or a negative mbpf_status. The helpers
 * compute only from argument values and the bytes pointer arguments reach. */
int progen_helpers_init(mbpf_helpers *set, mbpf_helper storage[PROGEN_NUM_HELPERS]);

/* Helper ids (all registered by progen_helpers_init). */
#define PROGEN_H_MIX 5u           /* scalar mix of a1..a5 */
#define PROGEN_H_SUM 6u           /* byte checksum of MEM_R a1, len a2 */
#define PROGEN_H_FILL 7u          /* memset MEM_W a1, len a2, byte a3 */
#define PROGEN_H_STRLEN 8u        /* strlen(STR a1) */
#define PROGEN_H_FAIL 9u          /* fails when a1 % 16 == 3, else a1 + a2 */
#define PROGEN_H_SUM_OR_NULL 10u  /* like SUM, a1 may be 0 */
#define PROGEN_H_INC64 0x100u     /* *(u64 *)a1 += 1 (MEM_RW, 8 bytes), returns old */

/* An id progen uses with callx to provoke "unknown helper". */
#define PROGEN_BAD_HELPER_ID 0x4242u

#endif /* MBPF_TOOLS_PROGEN_H */
