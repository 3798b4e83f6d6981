/* Counted-loop fast path, part 3: a loop whose only way in from outside is
 * one backward jump J (clang's rotated nested loops: the outer loop's `ja`
 * back to the inner head; or a conditional jump). J becomes a plain
 * (conditional) branch to the guard and the guard charges J's budget unit
 * with the loop's N-1 back jumps (N in all); a failing guard leaves for the
 * interpreter AT J, which takes the jump again (the same registers) and
 * charges that unit itself. Only in programs that deopt (no checked
 * copies). See docs/jit-armv7m.md, "Loop fast path" and "Budget".
 */
#include "jit/armv7m/jit_internal.h"

/* Target of a jump instruction, or -1 when i is none (call, exit, other). */
static int64_t target(const mbpf_insn *in, uint32_t i)
{
    unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    if ((cls != MBPF_JMP && cls != MBPF_JMP32) || op == MBPF_CALL || op == MBPF_EXIT)
        return -1;
    return in->code == MBPF_OP_JA32 ? (int64_t)i + in->imm + 1 : (int64_t)i + in->off + 1;
}

static bool is_ja(const mbpf_insn *in)
{
    return in->code == (MBPF_JMP | MBPF_JA) || in->code == MBPF_OP_JA32;
}

/* Does the instruction before h fall into h? (h > 0; the slot before h may
 * be the second half of an lddw, which falls through.) */
static bool falls_into(const jit *j, uint32_t h)
{
    const mbpf_insn *prev = &j->insns[h - 1];
    if (h >= 2 && j->insns[h - 2].code == MBPF_OP_LDDW)
        return true;
    return !is_ja(prev) && prev->code != MBPF_OP_EXIT;
}

/* J for loop L, or 0: J > e jumps to h, and no other instruction but the
 * loop's own back edge jumps to h. */
static uint32_t find_fold(const jit *j, const jit_loop *L)
{
    if (L->h == 0 || falls_into(j, L->h))
        return 0;
    uint32_t fold = 0;
    for (uint32_t i = 0; i < j->n; i++) {
        const mbpf_insn *in = &j->insns[i];
        if (in->code == MBPF_OP_LDDW) {
            i++;
            continue;
        }
        if (target(in, i) != (int64_t)L->h || i == L->e)
            continue;
        if (fold || i <= L->e)
            return 0;
        fold = i;
    }
    return fold;
}

void jit_loop_fold(jit *j)
{
    if (!j->deopt)
        return;
    for (unsigned k = 0; k < j->nloops; k++)
        j->loops[k].fold = find_fold(j, &j->loops[k]);
}

bool jit_loop_folded(const jit *j, uint32_t i)
{
    for (unsigned k = 0; k < j->nloops; k++)
        if (j->loops[k].fold && j->loops[k].fold == i)
            return true;
    return false;
}

/* Translation of a jump at j->pc (its compare, if any, emitted: cond): J
 * of a loop becomes a plain branch to the guard at `to` (the head). */
bool jit_loop_fold_jump(jit *j, unsigned cond, uint32_t to)
{
    if (!jit_loop_folded(j, j->pc))
        return false;
    jit_branch(j, cond, to);
    return true;
}
