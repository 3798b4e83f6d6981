/* Test helper: the JIT's register choice for a program, run the way
 * mbpf_jit_compile runs it (labels, the loops with a fast path, then the
 * choice, which weighs the fast copies), so tests can read j->lo / j->hi. */
#ifndef MBPF_TESTS_JIT_CHOICE_H
#define MBPF_TESTS_JIT_CHOICE_H

#include <stdlib.h>
#include <string.h>

#include "jit/armv7m/jit_internal.h"

static inline void jit_test_choice(const mbpf_insn *p, uint32_t n, jit *j)
{
    memset(j, 0, sizeof *j);
    j->insns = p;
    j->n = n;
    j->offs = calloc(n + 1, sizeof(uint32_t));
    assert_non_null(j->offs);
    j->offs[0] = JIT_LABEL;
    for (uint32_t i = 0; i < n; i++) {
        unsigned cls = MBPF_CLASS(p[i].code), op = MBPF_OP(p[i].code);
        if ((cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_CALL && op != MBPF_EXIT) {
            j->offs[i + 1 + p[i].off] |= JIT_LABEL;
            j->use_budget |= p[i].off < 0;
        }
    }
    jit_loop_find(j);
    jit_alloc_regs(j);
    free(j->offs);
    j->offs = NULL;
}

#endif /* MBPF_TESTS_JIT_CHOICE_H */
