/* Counted-loop fast path, part 1: which loops qualify (docs/jit-armv7m.md,
 * "Loop fast path"). Runs once per compile, before the passes; the facts
 * go to j->loops (no heap). The guard and the two copies: jit_loop.c.
 */
#include "jit/armv7m/jit_internal.h"

#define MAX_STEP 255 /* |pointer step|: (N-1) * 255 < 2^31 for N-1 < 2^23 */

/* Registers an instruction writes (bit mask of r0..r10). */
static uint16_t writes(const mbpf_insn *in)
{
    unsigned cls = MBPF_CLASS(in->code);
    if (cls == MBPF_ALU || cls == MBPF_ALU64 || cls == MBPF_LD || cls == MBPF_LDX)
        return (uint16_t)(1u << (MBPF_INSN_DST(in) & 15u));
    if (cls == MBPF_STX && MBPF_MODE(in->code) == MBPF_ATOMIC) {
        uint32_t op = (uint32_t)in->imm;
        if (op == MBPF_CMPXCHG)
            return 1u;
        return (op & MBPF_FETCH) ? (uint16_t)(1u << (MBPF_INSN_SRC(in) & 15u)) : 0u;
    }
    return 0;
}

/* `add/sub dst, imm` (ALU or ALU64): the step it adds, and its width. */
bool jit_loop_add_imm(const mbpf_insn *in, int32_t *step, bool *is64)
{
    unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    if ((cls != MBPF_ALU && cls != MBPF_ALU64) || MBPF_SRCBIT(in->code) != MBPF_K ||
        (op != MBPF_ADD && op != MBPF_SUB) || in->off != 0 || in->imm == INT32_MIN)
        return false;
    *step = op == MBPF_ADD ? in->imm : -in->imm;
    *is64 = cls == MBPF_ALU64;
    return true;
}

static uint32_t access_size(const mbpf_insn *in)
{
    if (MBPF_MODE(in->code) == MBPF_ATOMIC)
        return MBPF_SIZE(in->code) == MBPF_DW ? 8u : 4u;
    unsigned sz = MBPF_SIZE(in->code);
    return sz == MBPF_B ? 1u : sz == MBPF_H ? 2u : sz == MBPF_W ? 4u : 8u;
}

/* Adds one access to the loop's base list; false if the list is full. */
static bool add_access(jit_loop *L, unsigned reg, int16_t step, int32_t lo, int32_t hi,
                       uint8_t need)
{
    for (unsigned k = 0; k < L->nbases; k++) {
        jit_loop_base *bs = &L->bases[k];
        if (bs->reg == reg) {
            bs->lo = lo < bs->lo ? lo : bs->lo;
            bs->hi = hi > bs->hi ? hi : bs->hi;
            bs->need |= need;
            return true;
        }
    }
    if (L->nbases == JIT_LOOP_BASES)
        return false;
    L->bases[L->nbases++] = (jit_loop_base){(uint8_t)reg, need, step, lo, hi};
    return true;
}

/* Is [h, e] a loop with a fast path? jb (at back, e or e - 1) is the
 * counter's test: it goes on while `counter op limit`. Fills L. */
static bool analyse(const jit *j, uint32_t h, uint32_t e, uint32_t back, unsigned op,
                    jit_loop *L)
{
    const mbpf_insn *ins = j->insns, *jb = &ins[back];
    if (e - h + 1 > JIT_LOOP_BODY || e + 1 >= j->n)
        return false;
    unsigned c = MBPF_INSN_DST(jb);
    unsigned lreg = MBPF_SRCBIT(jb->code) == MBPF_X ? MBPF_INSN_SRC(jb) : JIT_NOREG;
    if (c >= 10 || c == lreg)
        return false;
    for (uint32_t i = h + 1; i <= e; i++) /* entered only at h */
        if (j->offs[i] & JIT_LABEL)
            return false;
    uint8_t nw[16] = {0};
    uint32_t wat[16] = {0};
    for (uint32_t i = h; i < back; i++) {
        const mbpf_insn *in = &ins[i];
        unsigned cls = MBPF_CLASS(in->code);
        /* straight-line body: no jump, call or exit */
        if (cls == MBPF_JMP || cls == MBPF_JMP32)
            return false;
        if (cls == MBPF_LD && in->code != MBPF_OP_LDDW)
            return false;
        uint16_t w = writes(in);
        for (unsigned r = 0; r < 16; r++)
            if ((w >> r) & 1u) {
                nw[r]++;
                wat[r] = i;
            }
        if (in->code == MBPF_OP_LDDW)
            i++;
    }
    /* counter: written once, by +-1; the limit not at all */
    int32_t cs = 0;
    bool c64 = false, cmp64 = MBPF_CLASS(jb->code) == MBPF_JMP;
    if (nw[c] != 1 || !jit_loop_add_imm(&ins[wat[c]], &cs, &c64) || (cs != 1 && cs != -1) ||
        (lreg != JIT_NOREG && nw[lreg] != 0))
        return false;
    unsigned order = op == MBPF_JNE ? 0u : op == MBPF_JLT || op == MBPF_JGT ? 1u : 2u;
    if (order && (op == MBPF_JLT || op == MBPF_JSLT) != (cs > 0))
        return false; /* moving away from the limit */
    /* a zero-extended counter against a 64-bit limit: only != imm >= 0 */
    if (!c64 && cmp64 && (order || lreg != JIT_NOREG || jb->imm < 0))
        return false;
    *L = (jit_loop){0};
    L->h = h;
    L->e = e;
    L->k = jb->imm;
    L->creg = (uint8_t)c;
    L->lreg = (uint8_t)lreg;
    L->order = (uint8_t)order;
    L->cstep = (int8_t)cs;
    L->wide = c64 && cmp64;
    for (uint32_t i = h; i < back; i++) {
        const mbpf_insn *in = &ins[i];
        unsigned cls = MBPF_CLASS(in->code);
        if (in->code == MBPF_OP_LDDW) {
            i++;
            continue;
        }
        if (cls != MBPF_LDX && cls != MBPF_ST && cls != MBPF_STX)
            continue;
        unsigned base = cls == MBPF_LDX ? MBPF_INSN_SRC(in) : MBPF_INSN_DST(in);
        uint32_t size = access_size(in);
        uint8_t need = cls == MBPF_LDX                     ? NEED_READ
                       : MBPF_MODE(in->code) == MBPF_ATOMIC ? NEED_READ | NEED_WRITE
                                                            : NEED_WRITE;
        int32_t off = in->off;
        if (base == 10 && off < 0 && (uint32_t)-off >= size && (uint32_t)-off <= j->stack_size)
            continue; /* r10 + constant inside the frame: never checked */
        if (base == c || base > 10 || nw[base] > 1)
            return false;
        int32_t step = 0;
        if (nw[base] == 1) { /* induction pointer: one 64-bit add of a small step */
            bool p64 = false;
            if (!jit_loop_add_imm(&ins[wat[base]], &step, &p64) || !p64 || step < -MAX_STEP ||
                step > MAX_STEP)
                return false;
            if (wat[base] < i)
                off += step; /* after this iteration's increment */
        }
        if (!add_access(L, base, (int16_t)step, off, off + (int32_t)size, need))
            return false;
    }
    /* The pointer's own values P0 + i*step (i <= N) must stay below 2^32
     * too (the fast copy adds 32-bit): widen so that they lie in [s, e]. */
    for (unsigned k = 0; k < L->nbases; k++) {
        jit_loop_base *bs = &L->bases[k];
        if (bs->step > 0 && bs->hi < bs->step)
            bs->hi = bs->step;
        if (bs->step < 0 && bs->lo > bs->step)
            bs->lo = bs->step;
    }
    return true;
}

static int64_t jump_target(const mbpf_insn *in, uint32_t pc)
{
    return in->code == MBPF_OP_JA32 ? (int64_t)pc + in->imm + 1 : (int64_t)pc + in->off + 1;
}

/* The closing test of a loop ending at e (a backward jump), or false:
 * `j<op> c, limit -> h` at e, or `jeq c, limit -> e + 1` at e - 1 then
 * `ja -> h` at e (clang's shape; the same as jne -> h). */
static bool closing(const jit *j, uint32_t e, uint32_t *h, uint32_t *back, unsigned *op)
{
    const mbpf_insn *in = &j->insns[e];
    unsigned cls = MBPF_CLASS(in->code);
    if (cls != MBPF_JMP && cls != MBPF_JMP32)
        return false;
    int64_t t = jump_target(in, e);
    *op = MBPF_OP(in->code);
    if (t < 0 || t >= (int64_t)e || *op == MBPF_CALL || *op == MBPF_EXIT)
        return false;
    *h = (uint32_t)t;
    *back = e;
    if (*op == MBPF_JA) {
        const mbpf_insn *x = &j->insns[e - 1]; /* e > t >= 0 */
        unsigned xc = MBPF_CLASS(x->code);
        if ((xc != MBPF_JMP && xc != MBPF_JMP32) || MBPF_OP(x->code) != MBPF_JEQ ||
            jump_target(x, e - 1) != (int64_t)e + 1 || e - 1 <= *h)
            return false;
        *back = e - 1;
        *op = MBPF_JNE;
    }
    return *op == MBPF_JNE || *op == MBPF_JLT || *op == MBPF_JSLT || *op == MBPF_JGT ||
           *op == MBPF_JSGT;
}

void jit_loop_find(jit *j)
{
    j->nloops = 0;
    for (uint32_t e = 0; e < j->n && j->nloops < JIT_MAX_LOOPS; e++) {
        if (j->insns[e].code == MBPF_OP_LDDW) {
            e++;
            continue;
        }
        uint32_t h = 0, back = 0;
        unsigned op = 0;
        jit_loop L;
        if (!closing(j, e, &h, &back, &op) || !analyse(j, h, e, back, op, &L))
            continue;
        j->loops[j->nloops++] = L;
        /* the code after the loop is reached from both copies: start it
         * with no register knowledge, like any jump target */
        j->offs[e + 1] |= JIT_LABEL;
        if (L.nbases)
            j->use_range = true;
    }
}

