/* Listings of JIT output (host only): sizes, and the Thumb-2 code through
 * capstone (ARM, Thumb, M-class) with each block preceded by the eBPF
 * instruction it came from.
 */
#ifndef MBPF_TOOLS_JIT_LISTING_H
#define MBPF_TOOLS_JIT_LISTING_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mbpf/insn.h"

typedef struct jit_sizes {
    uint32_t ebpf_insns;   /* instructions (lddw counts once) */
    uint32_t ebpf_slots;   /* 8-byte slots */
    size_t code_bytes;     /* everything generated */
    size_t main_bytes;     /* code of the instructions (offsets[n]) */
    size_t routine_bytes;  /* routines emitted once after the main code */
    size_t runtime_bytes;  /* the shared runtime (once per device), 0: not shown */
} jit_sizes;

/* Sizes from the program and the compiler's insn_offsets (n+1 entries). */
void jit_listing_sizes(const mbpf_insn *insns, uint32_t n, size_t code_len,
                       const uint32_t *offsets, jit_sizes *out);

/* Prints the sizes block:
 *   ebpf instructions: 12 (13 slots)
 *   code bytes:        96 (main 80 + routines 16)
 *   bytes per insn:    8.00 (6.67 for the main code)          */
void jit_listing_print_sizes(FILE *out, const jit_sizes *s);

/* Prints the disassembly of code (code_len bytes; offsets as above; code is
 * listed at address base, e.g. 0). Bytes capstone cannot decode are shown as
 * `.short`. Returns 0, or -1 if capstone cannot be opened. */
int jit_listing_disasm(FILE *out, const mbpf_insn *insns, uint32_t n, const uint8_t *code,
                       size_t code_len, const uint32_t *offsets, uint32_t base);

/* Name of shared runtime routine k (MBPF_JIT_RT_*), "?" if none. */
const char *jit_listing_rt_name(unsigned k);

/* Prints the disassembly of the shared runtime (rt: its entry offsets),
 * each routine preceded by its name. Returns 0, or -1 as above. */
int jit_listing_runtime(FILE *out, const uint8_t *code, size_t len, const uint32_t *entry,
                        uint32_t base);

#endif /* MBPF_TOOLS_JIT_LISTING_H */
