/* Differential runs: one program on the interpreter and through the JIT
 * under Unicorn (tools/lib/jit_uc.h), with everything compared (host only).
 *
 * Compared: status, and r0 on success; pc and msg on error; fault address and
 * size (MBPF_E_MEM); helper id (helper errors); budget_used always; and the
 * final bytes of the ctx buffer and of the whole eBPF stack area, which both
 * runs start from the same contents. When they agree, the same code runs a
 * second time with the ctx at another address and must agree again.
 */
#ifndef MBPF_TOOLS_JIT_DIFF_H
#define MBPF_TOOLS_JIT_DIFF_H

#include <stdint.h>
#include <stdio.h>

#include "mbpf/mbpf.h"
#include "progen.h"

typedef struct jit_diff jit_diff;

enum jit_diff_verdict {
    JIT_DIFF_SAME = 0,     /* both agree on everything */
    JIT_DIFF_MISMATCH = 1, /* a difference: a JIT (or interpreter) bug */
    JIT_DIFF_LOAD = 2,     /* the verifier refused the program (a generator bug) */
    JIT_DIFF_HARNESS = 3,  /* compile failure or emulator fault: a JIT bug too */
};

typedef struct jit_diff_report {
    int verdict;           /* enum jit_diff_verdict */
    char why[512];         /* what differed, or the load/harness error */
    mbpf_result interp;    /* the interpreter's result */
    mbpf_result jit;       /* the JIT's result (translated to host addresses) */
    uint64_t arm_insns;    /* ARM instructions the JIT'd code executed */
    size_t code_len;       /* bytes of generated code */
} jit_diff_report;

/* Opens the Unicorn engine and the buffers. NULL on failure. */
jit_diff *jit_diff_open(void);
void jit_diff_close(jit_diff *d);

/* Runs a generated program both ways (with its allowed-helper list) and
 * fills r. Returns r->verdict. */
int jit_diff_program(jit_diff *d, const progen_program *p, jit_diff_report *r);

/* Same for a given program, configuration and input (ctx may be NULL with
 * ctx_len 0; stack_fill is the byte every stack byte starts with). The
 * helpers are progen's (ids 5-10, 0x100), all allowed. */
int jit_diff_run(jit_diff *d, const mbpf_insn *insns, uint32_t n, const mbpf_config *cfg,
                 const uint8_t *ctx, uint32_t ctx_len, uint32_t ctx_flags, uint8_t stack_fill,
                 jit_diff_report *r);

/* The comparison of jit_diff_run for runs made elsewhere (`mbpf jit --run`):
 * r->interp against r->jit, and the final ctx and stack bytes of each run
 * (NULL with length 0 to skip them). Appends each difference to r->why and
 * sets and returns r->verdict (SAME or MISMATCH). */
int jit_diff_compare(jit_diff_report *r, const uint8_t *ictx, const uint8_t *jctx,
                     uint32_t ctx_len, const uint8_t *istack, const uint8_t *jstack,
                     size_t stack_len);

/* Prints a result in one line ("status 0 r0 0x.. budget 3" / "status -4 pc 7 ..."). */
void jit_diff_print_result(FILE *out, const char *who, const mbpf_result *res);

/* Prints the program's configuration, input and disassembly (with pcs). */
void jit_diff_print_program(FILE *out, const progen_program *p);

#endif /* MBPF_TOOLS_JIT_DIFF_H */
