/* Which eBPF registers live in ARM registers, and operand access.
 *
 * Choice: every use of a register (as dst or src, helper arguments, exit's r0)
 * counts 1, times 8 per enclosing loop (the span of a backward jump), up to
 * 3 levels. Registers are taken greedily by weight while r4-r11 last: a
 * 64-bit register needs a pair, r10 one register. The most used get r4-r7
 * first, which allows 16-bit encodings. The others live in frame slots.
 * The budget's low word competes like a register, one use per budget event
 * (weight 2 took registers from 64-bit pairs: examples/asm/demo.s ran 5%
 * slower, Fletcher-16 the same); else a register left over holds
 * it, else it stays in the frame.
 *
 * Before that, registers whose upper half is 0 at every point are found
 * (j->zhi): all registers start with a 32-bit value, so a register qualifies
 * when every instruction that writes it zero-extends (ALU32, narrow loads,
 * non-negative immediates, ...; a few 64-bit ops keep a zero upper half of
 * their operands, hence a greatest fixed point). Such a register needs one
 * ARM register, its upper half is never written and reads as 0.
 */
#include "jit/armv7m/jit_internal.h"

#define W_BUDGET 11 /* pseudo-register: the budget's low word */

static void add_use(uint32_t w[12], unsigned r, uint32_t weight)
{
    if (r < 12)
        w[r] += weight;
}

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
        const mbpf_insn *next = i + 1 < j->n ? &j->insns[i + 1] : NULL;
        int r = written_reg(in);
        uint32_t at = i;
        if (in->code == MBPF_OP_LDDW)
            i++;
        if (r < 0 || r > 9 || keeps_zero(in, next, 0))
            continue;
        if (keeps_zero(in, next, 0x7ffu))
            dep[ndep++] = at;
        else
            z &= (uint16_t)~(1u << r);
    }
    for (bool changed = ndep > 0; changed;) {
        changed = false;
        for (uint32_t k = 0; k < ndep; k++) {
            const mbpf_insn *in = &j->insns[dep[k]];
            int r = written_reg(in);
            if (((z >> r) & 1u) && !keeps_zero(in, dep[k] + 1 < j->n ? in + 1 : NULL, z)) {
                z &= (uint16_t)~(1u << r);
                changed = true;
            }
        }
    }
    j->zhi = z;
}

void jit_alloc_regs(jit *j)
{
    find_zero_upper(j);
    uint32_t w[12] = {0};
    /* Loop depth per instruction: a difference array in the offsets table
     * (it is rewritten by the passes afterwards). */
    int32_t *depth = (int32_t *)(void *)j->offs;
    for (uint32_t i = 0; i <= j->n; i++)
        depth[i] = 0;
    for (uint32_t i = 0; i < j->n; i++) {
        const mbpf_insn *in = &j->insns[i];
        unsigned cls = MBPF_CLASS(in->code);
        if (in->code == MBPF_OP_LDDW) {
            i++;
            continue;
        }
        if (cls != MBPF_JMP && cls != MBPF_JMP32)
            continue;
        unsigned op = MBPF_OP(in->code);
        if (op == MBPF_CALL || op == MBPF_EXIT)
            continue;
        int64_t t = in->code == MBPF_OP_JA32 ? (int64_t)i + in->imm + 1 : (int64_t)i + in->off + 1;
        if (t >= 0 && t <= (int64_t)i) {
            depth[t]++;
            depth[i + 1]--;
        }
    }
    int32_t d = 0;
    for (uint32_t i = 0; i < j->n; i++) {
        d += depth[i];
        const mbpf_insn *in = &j->insns[i];
        uint32_t wt = 1u << (3 * (uint32_t)(d < 0 ? 0 : d > 3 ? 3 : d));
        unsigned cls = MBPF_CLASS(in->code), dst = MBPF_INSN_DST(in), src = MBPF_INSN_SRC(in);
        switch (cls) {
        case MBPF_ALU:
        case MBPF_ALU64:
            add_use(w, dst, wt);
            if (MBPF_SRCBIT(in->code) && MBPF_OP(in->code) != MBPF_END)
                add_use(w, src, wt);
            break;
        case MBPF_LD:
            add_use(w, dst, wt);
            if (in->code == MBPF_OP_LDDW && i + 1 < j->n) {
                i++;
                d += depth[i];
            }
            break;
        case MBPF_LDX:
        case MBPF_STX:
            add_use(w, dst, wt);
            add_use(w, src, wt);
            break;
        case MBPF_ST:
            add_use(w, dst, wt);
            break;
        default: /* jumps */
            if (in->code == MBPF_OP_CALL) {
                for (unsigned r = 0; r <= 5; r++)
                    add_use(w, r, wt);
            } else if (in->code == MBPF_OP_EXIT) {
                add_use(w, 0, wt);
            } else if (in->code == MBPF_OP_CALLX) {
                add_use(w, dst, wt);
            } else if (in->code != MBPF_OP_JA && in->code != MBPF_OP_JA32) {
                add_use(w, dst, wt);
                if (MBPF_SRCBIT(in->code))
                    add_use(w, src, wt);
            }
            break;
        }
        /* A budget unit in the frame costs a load and a store more. */
        if ((cls == MBPF_JMP || cls == MBPF_JMP32) && j->use_budget) {
            unsigned op = MBPF_OP(in->code);
            int64_t t = in->code == MBPF_OP_JA32 ? (int64_t)i + in->imm + 1
                                                 : (int64_t)i + in->off + 1;
            bool local = in->code == MBPF_OP_CALL && src == MBPF_CALL_LOCAL;
            if (local || (op != MBPF_CALL && op != MBPF_EXIT && t <= (int64_t)i))
                add_use(w, W_BUDGET, wt);
        }
    }
    for (unsigned r = 0; r < 11; r++)
        j->lo[r] = j->hi[r] = JIT_NOREG;
    unsigned next = 4; /* r4..r11 */
    bool taken[12] = {false};
    j->breg = JIT_NOREG;
    for (;;) {
        int best = -1;
        for (unsigned r = 0; r < 12; r++)
            if (!taken[r] && w[r] > 0 && (best < 0 || w[r] > w[best]))
                best = (int)r;
        if (best < 0)
            break;
        taken[best] = true;
        if (best == W_BUDGET) {
            if (next <= 11)
                j->breg = (uint8_t)next++;
            continue;
        }
        unsigned need = ((j->zhi >> best) & 1u) ? 1u : 2u;
        if (next + need > 12)
            continue; /* does not fit: a lighter r10 may still */
        j->lo[best] = (uint8_t)next++;
        if (need == 2)
            j->hi[best] = (uint8_t)next++;
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
