/* IT blocks for short conditionals (called from jit_compile.c's jump and
 * its pass loop). */
#include "jit/armv7m/jit_internal.h"

/* IT blocks for short conditionals: a conditional forward jump over 1 to
 * 3 ALU instructions (no division: it has IT blocks and calls of its own)
 * with no label among them becomes `it <!cond>` with those instructions
 * predicated, when they translate to at most 4 Thumb instructions that an
 * IT block holds as they are (t2_buf's IT watch: no branch, nothing that
 * reads or sets the flags; 16-bit forms then leave the flags alone, which
 * nothing after the block relies on: its end is a label); otherwise a
 * 16-bit b<cond> over them, the same 2 bytes. So the decision never
 * changes a size: the sizing pass marks the site (JIT_CBZ without JIT_FWD;
 * relayout leaves it alone), the emitting pass follows the mark. */
static bool it_candidate(const jit *j, uint32_t t)
{
    if (j->head || t - j->pc < 2 || t - j->pc > 4)
        return false;
    for (uint32_t i = j->pc + 1; i < t; i++) {
        const mbpf_insn *in = &j->insns[i];
        unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        if ((j->offs[i] & JIT_LABEL) || (cls != MBPF_ALU && cls != MBPF_ALU64) ||
            op == MBPF_DIV || op == MBPF_MOD)
            return false;
    }
    return true;
}

bool jit_it_begin(jit *j, unsigned c, uint32_t t)
{
    uint32_t *o = &j->offs[j->pc];
    if (j->final) {
        if ((*o & (JIT_CBZ | JIT_FWD)) != JIT_CBZ)
            return false;
    } else {
        if ((*o & JIT_CBZ) || !it_candidate(j, t)) /* a cbz candidate: its own way */
            return false;
        *o |= JIT_CBZ;
    }
    j->it_at = j->b.pos;
    j->it_end = t;
    j->it_cond = (uint8_t)(c ^ 1u); /* the block runs when the jump is not taken */
    t2_hw(&j->b, 0xBF00u);          /* placeholder: it, or b<cond> */
    t2_it_watch(&j->b);
    return true;
}

/* At the block's end (its target): the `it` with one "then" per
 * instruction, or the fallback branch. */
void jit_it_finish(jit *j)
{
    t2_buf *b = &j->b;
    unsigned n = b->it_count, fc = j->it_cond;
    b->it_watch = false;
    j->it_end = 0;
    j->zf = JIT_NOREG;
    if (!b->it_bad && !b->it_half && n >= 1 && n <= 4) {
        unsigned mask = 1u << (4 - n) | ((fc & 1u) ? (0xFu << (5 - n)) & 0xFu : 0u);
        t2_patch_hw(b, j->it_at, (uint16_t)(0xBF00u | fc << 4 | mask));
        return;
    }
    if (b->pos == j->it_at + 2)
        return; /* the instructions emitted nothing: the placeholder is a nop */
    uint32_t off = b->pos - (j->it_at + 4);
    if (off > 254)
        jit_fail(j, MBPF_E_JIT, "internal: IT block fallback out of reach");
    t2_patch_hw(b, j->it_at, (uint16_t)(0xD000u | (fc ^ 1u) << 8 | off >> 1));
}
