/* Which eBPF registers live in ARM registers, and operand access.
 *
 * Choice: the low and the high half of each eBPF register, and the budget's
 * low word, are candidates for r4-r11, one ARM register each. Every use of
 * a half counts 1 (a 32-bit result writes the high half 0 unless that is
 * known; helper arguments and results, exit's r0, a local call's record,
 * one budget unit per budget event), times 8 per enclosing loop (the span
 * of a backward jump), up to 3 levels. An instruction of a loop with a fast
 * path (j->loops) counts as its fast copy runs it: no checks (no base high
 * words), 32-bit pointer steps, no budget event on the back-edge; the guard
 * counts once per entry, at the loop's entry weight. The 8 heaviest win (a
 * high half only with its low half, which always weighs at least as much);
 * low halves and the budget are numbered first from r4, those whose 16-bit
 * forms need a low register most (low_gain) getting r4-r7.
 * The rest live in frame slots; a budget left out takes a spare register.
 *
 * Before the choice, registers whose upper half is 0 at every point are found
 * (j->zhi): all registers start with a 32-bit value, so a register qualifies
 * when every instruction that writes it zero-extends (ALU32, narrow loads,
 * non-negative immediates, ...; a few 64-bit ops keep a zero upper half of
 * their operands, hence a greatest fixed point). Its high half is no
 * candidate: it is never written and reads as 0.
 */
#include "jit/armv7m/jit_internal.h"

/* Does this write of register d keep its upper half 0, given the set z? */
static bool zero_extends(const mbpf_insn *in, const mbpf_insn *next, uint16_t z)
{
    unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    unsigned d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
    bool x = MBPF_SRCBIT(in->code) != 0;
    bool zd = (z >> d) & 1u, zs = x ? ((z >> s) & 1u) : in->imm >= 0;
    switch (cls) {
    case MBPF_ALU:
        if (op == MBPF_END && in->imm == 64) /* be64 swaps, le64 keeps */
            return x ? false : zd;
        return true;
    case MBPF_ALU64:
        switch (op) {
        case MBPF_MOV: return x ? in->off == 0 && zs : in->imm >= 0;
        case MBPF_AND: return zd || zs;
        case MBPF_OR:
        case MBPF_XOR: return zd && zs;
        case MBPF_RSH: return zd || (!x && (in->imm & 63) >= 32);
        case MBPF_ARSH: return zd;
        case MBPF_DIV:
        case MBPF_MOD: return zd && in->off == 0;
        case MBPF_END: return in->imm != 64;
        default: return false;
        }
    case MBPF_LD:
        return next && next->imm == 0;
    case MBPF_LDX:
        return MBPF_MODE(in->code) == MBPF_MEM && MBPF_SIZE(in->code) != MBPF_DW;
    case MBPF_STX: /* atomics with fetch write src (or r0): zero-extended for W */
        return MBPF_SIZE(in->code) == MBPF_W;
    default:
        return false;
    }
}

/* Register written by in (or -1), for the zero-upper analysis. */
static int written_reg(const mbpf_insn *in)
{
    unsigned cls = MBPF_CLASS(in->code);
    if (cls == MBPF_ALU || cls == MBPF_ALU64 || cls == MBPF_LD || cls == MBPF_LDX)
        return (int)MBPF_INSN_DST(in);
    if (cls == MBPF_STX && MBPF_MODE(in->code) == MBPF_ATOMIC) {
        uint32_t op = (uint32_t)in->imm;
        if (op == MBPF_CMPXCHG)
            return 0;
        if (op & MBPF_FETCH)
            return (int)MBPF_INSN_SRC(in);
        return -1;
    }
    if ((cls == MBPF_JMP) && (in->code == MBPF_OP_CALL || in->code == MBPF_OP_CALLX) &&
        !(in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_LOCAL))
        return 0; /* helper result: 64-bit */
    return -1;
}

/* Does this write keep the upper half 0 given z (the 64-bit moves, logic
 * ops, shifts and divisions of registers in z; most writes decide alone)? */
static bool keeps_zero(const mbpf_insn *in, const mbpf_insn *next, uint16_t z)
{
    if (MBPF_CLASS(in->code) == MBPF_JMP)
        return false;
    if (MBPF_CLASS(in->code) == MBPF_ALU64 && MBPF_OP(in->code) == MBPF_END &&
        MBPF_SRCBIT(in->code) == MBPF_K)
        return in->imm != 64; /* bswap */
    return zero_extends(in, next, z);
}

/* In a program that deopts, is the instruction at i the pointer step of a
 * fast-path loop? Such a loop has no checked copy: its body runs only in
 * the fast copy, whose guard proved that the step never carries into the
 * high word (jit_loop_ptr_add adds the low word only), so a zero upper
 * half stays zero. A failing guard leaves for the interpreter first. */
static bool deopt_ptr_step(const jit *j, uint32_t i)
{
    int32_t step;
    bool is64;
    if (!j->deopt || !jit_loop_add_imm(&j->insns[i], &step, &is64) || !is64)
        return false;
    unsigned d = MBPF_INSN_DST(&j->insns[i]);
    for (unsigned k = 0; k < j->nloops; k++) {
        const jit_loop *L = &j->loops[k];
        if (i < L->h || i > L->e)
            continue;
        for (unsigned b = 0; b < L->nbases; b++)
            if (L->bases[b].reg == d && L->bases[b].step != 0 && !L->bases[b].derived)
                return true;
    }
    return false;
}

/* Does the write at i keep the upper half 0 given z? */
static bool keeps_zero_at(const jit *j, uint32_t i, uint16_t z)
{
    const mbpf_insn *in = &j->insns[i];
    if (deopt_ptr_step(j, i))
        return (z >> MBPF_INSN_DST(in)) & 1u;
    return keeps_zero(in, i + 1 < j->n ? in + 1 : NULL, z);
}

/* Greatest fixed point, but only the writes whose answer depends on z are
 * iterated (listed in the offset table, free until the passes): a write
 * that keeps the upper half even when nothing is known, or loses it even
 * when everything is, is decided in the first sweep (the answer is monotone
 * in z). */
static void find_zero_upper(jit *j)
{
    uint16_t z = 0x7ffu;
    uint32_t *dep = j->offs, ndep = 0;
    for (uint32_t i = 0; i < j->n; i++) {
        const mbpf_insn *in = &j->insns[i];
        int r = written_reg(in);
        uint32_t at = i;
        if (in->code == MBPF_OP_LDDW)
            i++;
        if (r < 0 || r > 9 || keeps_zero_at(j, at, 0))
            continue;
        if (keeps_zero_at(j, at, 0x7ffu))
            dep[ndep++] = at;
        else
            z &= (uint16_t)~(1u << r);
    }
    for (bool changed = ndep > 0; changed;) {
        changed = false;
        for (uint32_t k = 0; k < ndep; k++) {
            const mbpf_insn *in = &j->insns[dep[k]];
            int r = written_reg(in);
            if (((z >> r) & 1u) && !keeps_zero_at(j, dep[k], z)) {
                z &= (uint16_t)~(1u << r);
                changed = true;
            }
        }
    }
    j->zhi = z;
}

/* ---- Weights ------------------------------------------------------------ */

/* Candidates: the low half of eBPF r at w[r], its high half at w[W_HI + r],
 * the budget's low word at w[W_BUDGET]. Each gets one ARM register. */
#define W_HI 11
#define W_BUDGET 22
#define W_N 23
#define DEPTH_BIAS 0x40000000u /* loop-depth differences kept under JIT_LABEL */

typedef struct weigh {
    uint32_t w[W_N];
    uint16_t known; /* bit r: upper half known 0 here (a cheap j->hz) */
} weigh;

static void use_lo(weigh *s, unsigned r, uint32_t wt)
{
    if (r <= 10)
        s->w[r] += wt;
}

static void use_hi(weigh *s, unsigned r, uint32_t wt)
{
    if (r < 10)
        s->w[W_HI + r] += wt;
}

static void use64(weigh *s, unsigned r, uint32_t wt)
{
    use_lo(s, r, wt);
    use_hi(s, r, wt);
}

static void write64(weigh *s, unsigned r, uint32_t wt)
{
    use64(s, r, wt);
    s->known &= (uint16_t)~(1u << (r & 15u));
}

/* A 32-bit result: the upper half is written 0 unless known to be. */
static void write32(weigh *s, unsigned r, uint32_t wt)
{
    use_lo(s, r, wt);
    if (!((s->known >> (r & 15u)) & 1u))
        use_hi(s, r, wt);
    s->known |= (uint16_t)(1u << (r & 15u));
}

/* A memory base: its high word is read by a checked access (not in a
 * loop's fast copy, not r10) unless known 0. */
static void use_base(weigh *s, unsigned r, bool checked, uint32_t wt)
{
    use_lo(s, r, wt);
    if (checked && r != 10 && !((s->known >> (r & 15u)) & 1u))
        use_hi(s, r, wt);
}

static bool induction(const jit_loop *L, unsigned r)
{
    for (unsigned k = 0; k < L->nbases; k++)
        if (L->bases[k].reg == r && L->bases[k].step != 0 && !L->bases[k].derived)
            return true;
    return false;
}

/* The guard at a loop head, once per entry (weight wt): the bases' words,
 * counter, limit, budget (compare and subtract). */
static void weigh_guard(weigh *s, const jit_loop *L, uint32_t wt)
{
    for (unsigned k = 0; k < L->nbases; k++) {
        const jit_loop_base *bs = &L->bases[k];
        use_lo(s, bs->reg, wt);
        if (bs->reg != 10)
            use_hi(s, bs->reg, wt);
        if (bs->t2 != 0xffu)
            use64(s, bs->t2, wt);
    }
    use_lo(s, L->creg, wt);
    if (L->wide)
        use_hi(s, L->creg, wt);
    if (L->lreg != JIT_NOREG) {
        use_lo(s, L->lreg, wt);
        if (L->wide)
            use_hi(s, L->lreg, wt);
    }
    s->w[W_BUDGET] += 2 * wt;
}

/* The uses of one instruction at weight wt; L: the loop whose fast copy
 * runs it (its checks, pointer steps' high words and back-edge budget event
 * are not there), or NULL. */
static void weigh_insn(weigh *s, const jit *j, uint32_t i, uint32_t wt, const jit_loop *L)
{
    const mbpf_insn *in = &j->insns[i];
    unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    unsigned d = MBPF_INSN_DST(in), src = MBPF_INSN_SRC(in);
    bool x = MBPF_SRCBIT(in->code) != 0, dw = MBPF_SIZE(in->code) == MBPF_DW;
    int32_t step = 0;
    bool is64 = false;
    switch (cls) {
    case MBPF_ALU:
    case MBPF_ALU64:
        if (op == MBPF_END) {
            bool swap = cls == MBPF_ALU64 || x;
            if (in->imm == 64 && swap)
                write64(s, d, wt);
            else if (in->imm != 64)
                write32(s, d, wt);
        } else if (cls == MBPF_ALU) {
            if (x)
                use_lo(s, src, wt);
            write32(s, d, wt);
        } else if (L && jit_loop_add_imm(in, &step, &is64) && induction(L, d)) {
            use_lo(s, d, wt); /* 32-bit step in the fast copy */
            s->known |= (uint16_t)(1u << d);
        } else {
            if (x && (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH))
                use_lo(s, src, wt);
            else if (x)
                use64(s, src, wt);
            write64(s, d, wt);
            if (op == MBPF_MOV && ((!x && in->imm >= 0) || (x && in->off == 0 &&
                                                          ((s->known >> src) & 1u))))
                s->known |= (uint16_t)(1u << d);
        }
        break;
    case MBPF_LD:
        write64(s, d, wt);
        break;
    case MBPF_LDX:
        use_base(s, src, !L, wt);
        if (dw || MBPF_MODE(in->code) == MBPF_MEMSX)
            write64(s, d, wt);
        else
            write32(s, d, wt);
        break;
    case MBPF_ST:
        use_base(s, d, !L, wt);
        break;
    case MBPF_STX:
        use_base(s, d, !L, wt);
        use_lo(s, src, wt);
        if (dw)
            use_hi(s, src, wt);
        if (MBPF_MODE(in->code) == MBPF_ATOMIC) {
            uint32_t aop = (uint32_t)in->imm;
            unsigned r = aop == MBPF_CMPXCHG ? 0u : src;
            if (aop == MBPF_CMPXCHG || (aop & MBPF_FETCH)) {
                if (dw)
                    write64(s, r, wt);
                else
                    write32(s, r, wt);
            }
        }
        break;
    default: /* jumps */
        if (in->code == MBPF_OP_CALL && src == MBPF_CALL_LOCAL) {
            for (unsigned r = 6; r <= 9; r++)
                use64(s, r, wt); /* the record */
            use_lo(s, 10, wt);
            s->w[W_BUDGET] += wt;
            s->known = 0;
        } else if (in->code == MBPF_OP_CALL || in->code == MBPF_OP_CALLX) {
            if (in->code == MBPF_OP_CALLX)
                use_lo(s, d, wt);
            for (unsigned r = 1; r <= 5; r++)
                use64(s, r, wt);
            write64(s, 0, wt);
        } else if (in->code == MBPF_OP_EXIT) {
            use64(s, 0, wt);
        } else {
            if (op != MBPF_JA) {
                uint16_t k = s->known;
                bool lo_only = cls == MBPF_JMP32 || (!x && ((k >> d) & 1u) && in->imm >= 0) ||
                               (x && ((k >> d) & (k >> src) & 1u));
                use_lo(s, d, wt);
                if (x)
                    use_lo(s, src, wt);
                if (!lo_only) {
                    use_hi(s, d, wt);
                    if (x)
                        use_hi(s, src, wt);
                }
            }
            int64_t t = in->code == MBPF_OP_JA32 ? (int64_t)i + in->imm + 1
                                                 : (int64_t)i + in->off + 1;
            /* a budget unit in the frame costs a load and a store more;
             * a fast copy's back-edge has none (its guard: weigh_guard) */
            if (t <= (int64_t)i && !(L && i == L->e) && !jit_loop_folded(j, i))
                s->w[W_BUDGET] += wt;
        }
        break;
    }
}

/* Loop depth per instruction: spans of backward jumps, a difference array
 * kept in the offset table under the label bits (DEPTH_BIAS + difference). */
static void depth_diffs(jit *j)
{
    for (uint32_t i = 0; i <= j->n; i++)
        j->offs[i] = (j->offs[i] & JIT_LABEL) | DEPTH_BIAS;
    for (uint32_t i = 0; i < j->n; i++) {
        const mbpf_insn *in = &j->insns[i];
        unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        if (in->code == MBPF_OP_LDDW) {
            i++;
            continue;
        }
        if ((cls != MBPF_JMP && cls != MBPF_JMP32) || op == MBPF_CALL || op == MBPF_EXIT)
            continue;
        int64_t t = in->code == MBPF_OP_JA32 ? (int64_t)i + in->imm + 1 : (int64_t)i + in->off + 1;
        if (t >= 0 && t <= (int64_t)i) {
            j->offs[t]++;
            j->offs[i + 1]--;
        }
    }
}

static uint32_t level_weight(int32_t d)
{
    return 1u << (3 * (uint32_t)(d < 0 ? 0 : d > 3 ? 3 : d));
}

/* Every use counts 1, times 8 per enclosing loop (up to 3 levels). An
 * instruction of a loop with a fast path counts as its fast copy runs it;
 * the guard counts once per entry, at the loop's entry weight. */
static void weigh_program(jit *j, weigh *s)
{
    depth_diffs(j);
    int32_t d = 0;
    unsigned k = 0; /* next loop (they are found in program order, disjoint) */
    for (uint32_t i = 0; i < j->n; i++) {
        uint32_t e = j->offs[i];
        d += (int32_t)((e & ~JIT_LABEL) - DEPTH_BIAS);
        if (e & JIT_LABEL)
            s->known = 0;
        while (k < j->nloops && j->loops[k].e < i)
            k++;
        const jit_loop *L = k < j->nloops && j->loops[k].h <= i ? &j->loops[k] : NULL;
        if (L && i == L->h)
            weigh_guard(s, L, level_weight(d - 1));
        weigh_insn(s, j, i, level_weight(d), L);
        if (j->insns[i].code == MBPF_OP_LDDW && i + 1 < j->n) {
            i++;
            d += (int32_t)((j->offs[i] & ~JIT_LABEL) - DEPTH_BIAS);
        }
    }
}

/* ---- Low registers ------------------------------------------------------ */

/* Bytes that a low register (r4-r7) saves on one instruction for the low
 * half of each register it names, counted once whatever the loop depth
 * (the encoding's width does not change what runs): an immediate of 0..255
 * (movs, adds/subs, cmp), a shift by an immediate (lsls/lsrs/asrs) or a
 * byte/halfword mask (uxtb/uxth): 2 for the destination; a register ALU op
 * or a memory access (16-bit forms need every operand low): 1 each. The
 * budget: 2 per backward jump (16-bit subs). */
static void low_gain(const jit *j, uint32_t *g)
{
    for (uint32_t i = 0; i < j->n; i++) {
        const mbpf_insn *in = &j->insns[i];
        unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        unsigned d = MBPF_INSN_DST(in) & 15u, src = MBPF_INSN_SRC(in) & 15u;
        bool x = MBPF_SRCBIT(in->code) != 0;
        bool imm8 = in->imm >= -255 && in->imm <= 255;
        if (in->code == MBPF_OP_LDDW) {
            i++;
            continue;
        }
        if (d > 10 || src > 10)
            continue;
        switch (cls) {
        case MBPF_ALU:
        case MBPF_ALU64:
            if (op == MBPF_END || op == MBPF_NEG)
                break;
            if (x) {
                if (op != MBPF_MOV) {
                    g[d] += 1;
                    g[src] += 1;
                }
            } else if (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH ||
                       (op == MBPF_AND && (in->imm == 0xff || in->imm == 0xffff)) ||
                       ((op == MBPF_MOV || op == MBPF_ADD || op == MBPF_SUB) && imm8)) {
                g[d] += 2;
            }
            break;
        case MBPF_LDX:
            g[d] += 1;
            g[src] += 1;
            break;
        case MBPF_STX:
            g[d] += 1;
            g[src] += 1;
            break;
        case MBPF_ST:
            g[d] += 1;
            break;
        default:
            if (op == MBPF_CALL || op == MBPF_EXIT)
                break;
            if (op != MBPF_JA && !x && in->imm >= 0 && in->imm <= 255)
                g[d] += 2;
            int64_t t = in->code == MBPF_OP_JA32 ? (int64_t)i + in->imm + 1
                                                 : (int64_t)i + in->off + 1;
            if (t <= (int64_t)i && !jit_loop_folded(j, i))
                g[W_BUDGET] += 2;
            break;
        }
    }
}

/* ---- Choice ------------------------------------------------------------- */

void jit_alloc_regs(jit *j)
{
    weigh s = {{0}, 0};
    weigh_program(j, &s); /* needs the labels: before the table is reused */
    find_zero_upper(j);
    for (unsigned r = 0; r < 11; r++) {
        j->lo[r] = j->hi[r] = JIT_NOREG;
        if (r == 10 || ((j->zhi >> r) & 1u))
            s.w[W_HI + r] = 0; /* no storage */
    }
    if (!j->use_budget)
        s.w[W_BUDGET] = 0;
    /* The heaviest 8 candidates (a high half only with its low half: a low
     * half always weighs at least as much, as every use of a high half
     * comes with one of its low half). */
    uint8_t pick[8];
    unsigned npick = 0;
    uint32_t chosen = 0; /* bit c: candidate c picked */
    while (npick < 8) {
        unsigned best = 0;
        uint32_t bw = 0;
        for (unsigned c = 0; c < W_N; c++)
            if (s.w[c] > bw) {
                bw = s.w[c];
                best = c;
            }
        if (bw == 0)
            break;
        s.w[best] = 0;
        if (best >= W_HI && best < W_BUDGET && !((chosen >> (best - W_HI)) & 1u))
            continue;
        chosen |= 1u << best;
        pick[npick++] = (uint8_t)best;
    }
    /* Numbered r4 up: low halves and the budget first (16-bit encodings
     * want r4-r7), by weight, then high halves. */
    uint32_t g[W_N] = {0};
    low_gain(j, g);
    for (unsigned k = 1; k < npick; k++) /* stable: by weight among equals */
        for (unsigned m = k; m > 0 && g[pick[m]] > g[pick[m - 1]]; m--) {
            uint8_t t = pick[m];
            pick[m] = pick[m - 1];
            pick[m - 1] = t;
        }
    unsigned next = 4;
    j->breg = JIT_NOREG;
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned k = 0; k < npick; k++) {
            unsigned c = pick[k];
            bool high = c >= W_HI && c < W_BUDGET;
            if (high != (pass == 1))
                continue;
            if (c == W_BUDGET)
                j->breg = (uint8_t)next++;
            else if (high)
                j->hi[c - W_HI] = (uint8_t)next++;
            else
                j->lo[c] = (uint8_t)next++;
        }
    if (j->use_budget && j->breg == JIT_NOREG && next <= 11)
        j->breg = (uint8_t)next;
}

int32_t jit_slot(unsigned r, bool high)
{
    if (r == 10)
        return F_R10;
    return F_SLOT + 8 * (int32_t)r + (high ? 4 : 0);
}

unsigned jit_src_lo(jit *j, unsigned r, unsigned tmp)
{
    if (j->lo[r] != JIT_NOREG)
        return j->lo[r];
    t2_ldr(&j->b, T2_W, tmp, T2_SP, jit_slot(r, false), JIT_NOREG);
    return tmp;
}

unsigned jit_src_hi(jit *j, unsigned r, unsigned tmp)
{
    if ((j->zhi >> r) & 1u) {
        t2_mov_imm(&j->b, tmp, 0);
        return tmp;
    }
    if (j->hi[r] != JIT_NOREG)
        return j->hi[r];
    t2_ldr(&j->b, T2_W, tmp, T2_SP, jit_slot(r, true), JIT_NOREG);
    return tmp;
}

unsigned jit_dst_lo(const jit *j, unsigned r) { return j->lo[r] != JIT_NOREG ? j->lo[r] : RA0; }
unsigned jit_dst_hi(const jit *j, unsigned r) { return j->hi[r] != JIT_NOREG ? j->hi[r] : RA1; }

void jit_load_dst(jit *j, unsigned r, bool lo, bool hi)
{
    if (lo && j->lo[r] == JIT_NOREG)
        t2_ldr(&j->b, T2_W, RA0, T2_SP, jit_slot(r, false), JIT_NOREG);
    if (hi && (j->zhi >> r) & 1u)
        t2_mov_imm(&j->b, RA1, 0);
    else if (hi && j->hi[r] == JIT_NOREG)
        t2_ldr(&j->b, T2_W, RA1, T2_SP, jit_slot(r, true), JIT_NOREG);
}

void jit_store_dst(jit *j, unsigned r, bool lo, bool hi)
{
    if (lo && j->lo[r] == JIT_NOREG)
        t2_str(&j->b, T2_W, RA0, T2_SP, jit_slot(r, false), JIT_NOREG);
    if (hi && j->hi[r] == JIT_NOREG && !((j->zhi >> r) & 1u))
        t2_str(&j->b, T2_W, RA1, T2_SP, jit_slot(r, true), JIT_NOREG);
}

/* Upper half := 0 unless already known to be 0 (flags may change). */
void jit_set_hi_zero(jit *j, unsigned r)
{
    if (j->hz & (1u << r))
        return;
    if (j->hi[r] != JIT_NOREG) {
        t2_mov_imm(&j->b, j->hi[r], 0);
    } else {
        t2_mov_imm(&j->b, RA1, 0);
        t2_str(&j->b, T2_W, RA1, T2_SP, jit_slot(r, true), JIT_NOREG);
    }
    j->hz |= (uint16_t)(1u << r);
}

/* r gets a new value: forget what was known about it. */
void jit_clobber(jit *j, unsigned r)
{
    j->hz &= (uint16_t)~(1u << r);
    j->hz |= j->zhi;
    j->fpd &= (uint16_t)~(1u << r);
    j->rd_ok[r].lo = j->rd_ok[r].hi = 0;
    j->wr_ok[r].lo = j->wr_ok[r].hi = 0;
}

void jit_forget_all(jit *j)
{
    for (unsigned r = 0; r <= 10; r++) {
        j->rd_ok[r].lo = j->rd_ok[r].hi = 0;
        j->wr_ok[r].lo = j->wr_ok[r].hi = 0;
    }
    j->hz = (uint16_t)((1u << 10) | j->zhi);
    j->fpd = 1u << 10;
}

/* ---- Registers read before any write (they must start as 0) ----------- */

/* Registers an instruction may read (a superset is safe) and writes. */
static uint16_t insn_reads(const mbpf_insn *in)
{
    unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    unsigned d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
    uint16_t dm = (uint16_t)(1u << d), sm = (uint16_t)(1u << s);
    switch (cls) {
    case MBPF_ALU:
    case MBPF_ALU64:
        if (op == MBPF_MOV)
            return MBPF_SRCBIT(in->code) ? sm : 0;
        return (uint16_t)(dm | (MBPF_SRCBIT(in->code) && op != MBPF_END ? sm : 0));
    case MBPF_LD:
        return 0;
    case MBPF_LDX:
        return sm;
    case MBPF_ST:
        return dm;
    case MBPF_STX:
        return (uint16_t)(dm | sm | (MBPF_MODE(in->code) == MBPF_ATOMIC ? 1u : 0u));
    default:
        if (in->code == MBPF_OP_EXIT)
            return 1u;
        if (in->code == MBPF_OP_CALL)
            return 0x3eu; /* r1-r5 */
        if (in->code == MBPF_OP_CALLX)
            return (uint16_t)(0x3eu | dm);
        if (op == MBPF_JA)
            return 0;
        return (uint16_t)(dm | (MBPF_SRCBIT(in->code) ? sm : 0));
    }
}

static uint16_t insn_writes(const mbpf_insn *in)
{
    unsigned cls = MBPF_CLASS(in->code);
    unsigned d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
    if (cls == MBPF_ALU || cls == MBPF_ALU64 || cls == MBPF_LD || cls == MBPF_LDX)
        return (uint16_t)(1u << d);
    if (cls == MBPF_STX && MBPF_MODE(in->code) == MBPF_ATOMIC) {
        if ((uint32_t)in->imm == MBPF_CMPXCHG)
            return 1u;
        return (uint32_t)in->imm & MBPF_FETCH ? (uint16_t)(1u << s) : 0;
    }
    if (in->code == MBPF_OP_CALL || in->code == MBPF_OP_CALLX)
        return 1u;
    return 0;
}

/* j->noinit: registers (of r0, r3-r9) that no path reads before writing
 * them, so the prologue need not zero them. A "must be written" dataflow
 * over the program, kept in the offset table; programs with local calls, or
 * that do not settle in a few rounds, zero everything. */
#define NO_SUCC 0xffffffffu
void jit_find_noinit(jit *j)
{
    j->noinit = 0;
    if (j->use_calls)
        return;
    uint32_t *in = j->offs;
    for (uint32_t i = 0; i <= j->n; i++)
        in[i] = 0x7ffu;
    in[0] = (1u << 1) | (1u << 2) | (1u << 10);
    bool changed = true;
    uint16_t need = 0;
    for (unsigned round = 0; changed; round++) {
        if (round == 16)
            return;
        changed = false;
        need = 0; /* exact in the last round: no in[] before i changes any more */
        for (uint32_t i = 0; i < j->n; i++) {
            const mbpf_insn *ins = &j->insns[i];
            need |= (uint16_t)(insn_reads(ins) & ~in[i]);
            uint32_t out = in[i] | insn_writes(ins), succ[2] = {i + 1, NO_SUCC};
            unsigned cls = MBPF_CLASS(ins->code), op = MBPF_OP(ins->code);
            if (ins->code == MBPF_OP_LDDW) {
                succ[0] = i + 2;
            } else if ((cls == MBPF_JMP || cls == MBPF_JMP32) && op != MBPF_CALL) {
                int64_t t = ins->code == MBPF_OP_JA32 ? (int64_t)i + ins->imm + 1
                                                      : (int64_t)i + ins->off + 1;
                if (op == MBPF_EXIT)
                    succ[0] = NO_SUCC;
                else if (t < 0 || t >= (int64_t)j->n)
                    return;
                else if (op == MBPF_JA)
                    succ[0] = (uint32_t)t;
                else
                    succ[1] = (uint32_t)t;
            }
            for (unsigned k = 0; k < 2; k++) {
                if (succ[k] == NO_SUCC || succ[k] > j->n)
                    continue;
                if ((in[succ[k]] & out) != in[succ[k]]) {
                    in[succ[k]] &= out;
                    /* a later instruction is still visited in this round */
                    changed |= succ[k] <= i;
                }
            }
            if (ins->code == MBPF_OP_LDDW)
                i++;
        }
    }
    j->noinit = (uint16_t)(0x3f9u & ~need); /* r0, r3..r9 */
}
