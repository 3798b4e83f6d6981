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
static bool add_access(jit_loop *L, const jit_loop_base *a)
{
    for (unsigned k = 0; k < L->nbases; k++) {
        jit_loop_base *bs = &L->bases[k];
        int32_t lo = a->lo, hi = a->hi;
        if (bs->reg == a->reg && bs->t2 == a->t2 && bs->derived == a->derived) {
            bs->lo = lo < bs->lo ? lo : bs->lo;
            bs->hi = hi > bs->hi ? hi : bs->hi;
            bs->need |= a->need;
            return true;
        }
    }
    if (L->nbases == JIT_LOOP_BASES)
        return false;
    L->bases[L->nbases++] = *a;
    return true;
}

/* A term of a derived base: the entry value of a register that the body
 * does not write, or steps once by a 64-bit add of an immediate. */
static bool term_step(const mbpf_insn *ins, unsigned r, const uint8_t *nw, const uint32_t *wat,
                      int32_t *step)
{
    bool is64 = false;
    *step = 0;
    if (r > 10)
        return false;
    return nw[r] == 0 || (nw[r] == 1 && jit_loop_add_imm(&ins[wat[r]], step, &is64) && is64);
}

#define T_NONE 0xffu
#define T_UNKNOWN 0xfeu
#define C_MAX 0x100000 /* constants beyond this: unknown */

#define SPAN_MAX 0x10000u /* bounded values: [0, SPAN_MAX] at most */

typedef struct sym {
    uint8_t t[2]; /* registers whose entry values are summed, or T_NONE */
    int32_t c;
    uint32_t span; /* plus a value in [0, span] (a masked index, scaled) */
} sym;

/* The value of a sym without terms, known only to lie in [0, span]. */
static sym bounded(uint32_t span) { return (sym){{T_NONE, T_NONE}, 0, span}; }

static bool is_bounded(const sym *v) { return v->t[0] == T_NONE && v->c == 0; }

/* Register r just before `at` as the sum of at most two registers' entry
 * values, a constant and a bounded value, by replaying the straight-line
 * body from h (64-bit mov, add / sub of an immediate or a register; an
 * `and` with a mask of at most SPAN_MAX bounds any value, `lsh` and mov32
 * keep a bounded value bounded: a table index `(x & 15) << 2`); false when
 * it is anything else. */
static bool derive(const mbpf_insn *ins, uint32_t h, uint32_t at, unsigned r, sym *out)
{
    sym v[11];
    for (unsigned k = 0; k < 11; k++)
        v[k] = (sym){{(uint8_t)k, T_NONE}, 0, 0};
    for (uint32_t i = h; i < at; i++) {
        const mbpf_insn *in = &ins[i];
        uint16_t w = writes(in);
        unsigned d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
        int32_t step = 0;
        bool is64 = false;
        if (in->code == MBPF_OP_LDDW)
            i++;
        if (!w)
            continue;
        unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        bool alu = (cls == MBPF_ALU || cls == MBPF_ALU64) && in->off == 0;
        if (d > 10 || s > 10) {
            return false;
        } else if (in->code == (MBPF_ALU64 | MBPF_X | MBPF_MOV) && in->off == 0) {
            v[d] = v[s];
        } else if (alu && op == MBPF_AND && MBPF_SRCBIT(in->code) == MBPF_K && in->imm >= 0 &&
                   (uint32_t)in->imm <= SPAN_MAX) {
            v[d] = bounded((uint32_t)in->imm); /* zero-extended or imm >= 0 */
        } else if (alu && op == MBPF_LSH && MBPF_SRCBIT(in->code) == MBPF_K && in->imm >= 0 &&
                   in->imm < 32 && is_bounded(&v[d]) &&
                   ((uint64_t)v[d].span << in->imm) <= SPAN_MAX) {
            v[d] = bounded(v[d].span << in->imm); /* no bit leaves 32 bits */
        } else if (in->code == (MBPF_ALU | MBPF_X | MBPF_MOV) && in->off == 0 &&
                   is_bounded(&v[s])) {
            v[d] = v[s]; /* below 2^32 already: zero-extending keeps it */
        } else if (jit_loop_add_imm(in, &step, &is64) && is64 && v[d].t[0] != T_UNKNOWN &&
                   step > -C_MAX && step < C_MAX && v[d].c > -C_MAX && v[d].c < C_MAX) {
            v[d].c += step;
        } else if (in->code == (MBPF_ALU64 | MBPF_X | MBPF_ADD) && in->off == 0 &&
                   v[d].t[0] != T_UNKNOWN && v[s].t[0] != T_UNKNOWN &&
                   (v[d].t[1] == T_NONE || v[s].t[0] == T_NONE) &&
                   (v[d].t[0] == T_NONE || v[s].t[1] == T_NONE)) {
            sym x = v[d];
            for (unsigned k = 0; k < 2; k++)
                if (v[s].t[k] != T_NONE)
                    x.t[x.t[0] == T_NONE ? 0 : 1] = v[s].t[k];
            x.c += v[s].c; /* both below C_MAX */
            x.span += v[s].span; /* both at most SPAN_MAX */
            v[d] = x;
        } else {
            for (unsigned k = 0; k < 11; k++)
                if ((w >> k) & 1u)
                    v[k].t[0] = T_UNKNOWN;
        }
    }
    *out = v[r];
    if (out->t[0] == T_UNKNOWN || out->t[0] == T_NONE)
        return false;
    if (out->t[1] != T_NONE && out->t[1] < out->t[0]) { /* one order for merging */
        uint8_t t = out->t[0];
        out->t[0] = out->t[1];
        out->t[1] = t;
    }
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
    /* counter: written once, by +-1 (+-2, 4, 8 for a != test); the limit
     * not at all */
    int32_t cs = 0;
    bool c64 = false, cmp64 = MBPF_CLASS(jb->code) == MBPF_JMP;
    unsigned order = op == MBPF_JNE ? 0u : op == MBPF_JLT || op == MBPF_JGT ? 1u : 2u;
    if (nw[c] != 1 || !jit_loop_add_imm(&ins[wat[c]], &cs, &c64) ||
        (lreg != JIT_NOREG && nw[lreg] != 0))
        return false;
    uint32_t mag = cs < 0 ? 0u - (uint32_t)cs : (uint32_t)cs;
    if (mag != 1 && (order || (mag != 2 && mag != 4 && mag != 8)))
        return false;
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
        if (base > 10)
            return false;
        /* a base register invariant in the body, or an induction pointer
         * (one 64-bit add of a small step) */
        int32_t step = 0;
        uint32_t span = 0; /* a derived base's bounded part */
        bool is64 = false;
        jit_loop_base a = {(uint8_t)base, T_NONE, 0, need, 0, 0, 0};
        if (base != c && (nw[base] == 0 || (nw[base] == 1 &&
                                            jit_loop_add_imm(&ins[wat[base]], &step, &is64) &&
                                            is64 && step >= -MAX_STEP && step <= MAX_STEP))) {
            if (nw[base] == 1 && wat[base] < i)
                off += step; /* after this iteration's increment */
        } else {
            /* else computed in the body, e.g. `mov rB, rX; add rB, rI` */
            sym v;
            int32_t s1 = 0, s2 = 0;
            if (!derive(ins, h, i, base, &v) || !term_step(ins, v.t[0], nw, wat, &s1) ||
                (v.t[1] != T_NONE && !term_step(ins, v.t[1], nw, wat, &s2)))
                return false;
            /* the sum over 64 bits, as the body adds: two steps of
             * 0x7fffffff are 0xfffffffe, not -2 in 32 bits */
            int64_t sum = (int64_t)s1 + s2;
            if (sum < -MAX_STEP || sum > MAX_STEP)
                return false;
            step = (int32_t)sum;
            off += v.c; /* the terms stepped before i are in v.c */
            span = v.span;
            a.reg = v.t[0];
            a.t2 = v.t[1];
            a.derived = 1;
        }
        a.step = (int16_t)step;
        a.lo = off;
        a.hi = off + (int32_t)size + (int32_t)span;
        if (!add_access(L, &a))
            return false;
    }
    /* An induction pointer's own values P0 + i*step (i <= N) must stay
     * below 2^32 too (the fast copy adds 32-bit): widen so that they lie in
     * [s, e]. (A derived base is not kept in a register.) */
    for (unsigned k = 0; k < L->nbases; k++) {
        jit_loop_base *bs = &L->bases[k];
        if (bs->derived)
            continue;
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

