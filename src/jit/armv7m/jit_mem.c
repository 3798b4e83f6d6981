/* Loads, stores and atomics with the interpreter's memory checks.
 *
 * Address = 64-bit base + sign-extended off, wrapping; valid only below 2^32
 * and inside the stack area or one region with the needed flags. Emitted:
 *   1. the low word into ip (or the base register itself when off = 0), the
 *      high word into r3 with the carry; non-zero high word -> slow path
 *      (folded into the region check of step 2: `cmp diff, len; sbcs r0,
 *      hi, #0; bcc ok` is below-and-high-word-0 in one test);
 *   2. for a register derived from r10 by additions (j->fpd), an
 *      inline stack check: (addr - stack_base) <= K, K the largest encodable
 *      constant <= stack bytes - size (the few bytes above K take the slow
 *      path, which is exact); for any other register (not atomics) the last
 *      region that allowed the same need: addr - start < len - 7, kept in
 *      the frame, refreshed by the slow path, dropped after helper calls;
 *   3. slow path: `bl mem_slow` + 4-byte descriptor (pc, size, kind); the
 *      routine calls ctx->check_mem (last-hit region, then binary search:
 *      the interpreter's own mbpf_vm_find_region on the device) and returns
 *      past the descriptor, or leaves through the error exit.
 * Checks are skipped (proven safe) for r10 + constant inside the current
 * frame, and for an access through the same register inside a range already
 * checked for the same need since the last write to that register, label or
 * call (j->rd_ok / j->wr_ok). LDRD/STRD/LDM/STM are never used here: 64-bit
 * accesses are two LDR/STR, which tolerate any alignment.
 */
#include "jit/armv7m/jit_internal.h"

typedef struct maddr {
    unsigned reg; /* ARM register holding the base address */
    int32_t disp; /* displacement to add */
} maddr;

static bool covered(const jit_range *r, int32_t lo, int32_t hi)
{
    return r->lo < r->hi && r->lo <= lo && hi <= r->hi;
}

/* Largest Thumb-2 modified immediate <= v (v < 2^31). */
static uint32_t modimm_floor(uint32_t v)
{
    if (v <= 0xffu)
        return v;
    unsigned top = 31;
    while (!(v >> top))
        top--;
    return v & (0xffu << (top - 7));
}

static uint32_t size_of(unsigned sz)
{
    return sz == MBPF_B ? 1u : sz == MBPF_H ? 2u : sz == MBPF_W ? 4u : 8u;
}

/* Base address register: lo half of base, loaded into ip if in a slot. */
static unsigned base_lo(jit *j, unsigned base) { return jit_src_lo(j, base, T2_IP); }

static unsigned need_of(unsigned kind)
{
    return kind == MBPF_JIT_KIND_LOAD    ? NEED_READ
           : kind == MBPF_JIT_KIND_STORE ? NEED_WRITE
                                         : NEED_READ | NEED_WRITE;
}

/* [base + lo, base + hi) is checked for need until base changes. */
static void mark_checked(jit *j, unsigned base, unsigned need, int32_t lo, int32_t hi)
{
    if (need & NEED_READ)
        j->rd_ok[base] = (jit_range){lo, hi};
    if (need & NEED_WRITE)
        j->wr_ok[base] = (jit_range){lo, hi};
}

/* ip = l + off with the flags, r3 = h + sext(off) + carry (SBCS #0 ==
 * ADCS #-1): the 64-bit address of base + off. */
static void addr_plus_off(jit *j, unsigned l, unsigned h, int32_t off)
{
    t2_buf *b = &j->b;
    uint32_t mag = off < 0 ? 0u - (uint32_t)off : (uint32_t)off;
    unsigned op = off < 0 ? T2_SUB : T2_ADD;
    if (!t2_dp_imm(b, op, true, T2_IP, l, mag)) {
        t2_mov_imm(b, RB0, mag);
        t2_alu(b, op, T2_IP, l, RB0, true);
    }
    t2_dp_imm(b, off < 0 ? T2_SBC : T2_ADC, true, RB1, h, 0);
}

/* In a loop's checked copy (j->cold): no inline test, only the address for
 * mem_slow (ip = low word, r3 = high word) and the call, which decides
 * exactly (stack, cached regions, then check_mem): 12 bytes instead of
 * about 26, paid in time only when the guard has failed. */
static maddr cold_check(jit *j, unsigned base, int32_t off, uint32_t size, unsigned kind,
                        bool hi_zero)
{
    t2_buf *b = &j->b;
    unsigned l = base_lo(j, base);
    if (off == 0) {
        if (l != T2_IP)
            t2_mov_reg(b, T2_IP, l);
        if (hi_zero) {
            t2_mov_imm(b, RB1, 0);
        } else {
            unsigned h = jit_src_hi(j, base, RB1);
            if (h != RB1)
                t2_mov_reg(b, RB1, h);
        }
    } else {
        unsigned h = RB1;
        if (hi_zero)
            t2_mov_imm(b, RB1, 0);
        else
            h = jit_src_hi(j, base, RB1);
        addr_plus_off(j, l, h, off);
    }
    jit_bl(j, j->r_mem);
    jit_desc(j, MBPF_JIT_DESC(j->pc, size, kind));
    mark_checked(j, base, need_of(kind), off, off + (int32_t)size);
    return off == 0 ? (maddr){l, 0} : (maddr){T2_IP, 0};
}

static maddr mem_addr(jit *j, unsigned base, int32_t off, uint32_t size, unsigned kind)
{
    t2_buf *b = &j->b;
    unsigned need = need_of(kind);
    int32_t lo = off, hi = off + (int32_t)size;
    if (j->fast) /* a loop's fast copy: its guard proved every access */
        return (maddr){base_lo(j, base), off};
    /* r10 + constant inside the current frame. */
    if (base == 10 && off < 0 && (uint32_t)-off >= size && (uint32_t)-off <= j->stack_size)
        return (maddr){base_lo(j, base), off};
    if ((!(need & NEED_READ) || covered(&j->rd_ok[base], lo, hi)) &&
        (!(need & NEED_WRITE) || covered(&j->wr_ok[base], lo, hi)))
        return (maddr){base_lo(j, base), off};

    bool hi_zero = (j->hz >> base) & 1u;
    if (j->cold)
        return cold_check(j, base, off, size, kind, hi_zero);
    /* Region check with the high word folded in (no separate branch):
     * cmp diff, len (C = 0 iff below); sbcs hi, #0 (C = 0 iff also hi = 0). */
    bool fold_hi = !((j->fpd >> base) & 1u) && kind != MBPF_JIT_KIND_ATOMIC &&
                   (!hi_zero || off != 0);
    unsigned a, h = RB1; /* address low word, high word register */
    uint32_t to_slow = 0;
    bool have_slow_branch = false, slow_by_cbnz = false;
    /* an atomic through anything but r10 has no inline check: mem_slow,
     * right after, tests the high word itself */
    bool inline_chk = ((j->fpd >> base) & 1u) || kind != MBPF_JIT_KIND_ATOMIC;
    if (off == 0) {
        a = base_lo(j, base);
        if (!hi_zero && (fold_hi || !inline_chk)) {
            h = jit_src_hi(j, base, RB1);
        } else if (!hi_zero) {
            h = jit_src_hi(j, base, RB1);
            slow_by_cbnz = t2_is_low(h); /* cbnz h, slow */
            if (!slow_by_cbnz)
                t2_cmp_imm(b, h, 0);
            to_slow = jit_fwd_begin(j);
            have_slow_branch = true;
        }
    } else {
        unsigned l = base_lo(j, base);
        if (hi_zero) {
            t2_mov_imm(b, RB1, 0);
            h = RB1;
        } else {
            h = jit_src_hi(j, base, RB1);
        }
        addr_plus_off(j, l, h, off);
        h = RB1;
        a = T2_IP;
        if (!fold_hi && inline_chk) {
            to_slow = jit_fwd_begin(j); /* bne: high word != 0 */
            have_slow_branch = true;
        }
    }
    uint32_t to_ok = 0;
    unsigned ok_cond = T2_AL;
    if ((j->fpd >> base) & 1u) {
        /* derived from r10: inline stack check */
        uint32_t k = modimm_floor(j->stack_total - size);
        j->copies_used |= COPY_SB;
        t2_ldr(b, T2_W, T2_LR, T2_SP, F_SB, JIT_NOREG);
        t2_alu(b, T2_SUB, T2_LR, a, T2_LR, false);
        t2_cmp_imm(b, T2_LR, k);
        to_ok = jit_fwd_begin(j);
        ok_cond = T2_LS;
    } else if (kind != MBPF_JIT_KIND_ATOMIC) {
        /* anything else: the last region that allowed this need */
        int32_t at = kind == MBPF_JIT_KIND_LOAD ? F_CR_START : F_CW_START;
        j->copies_used |= kind == MBPF_JIT_KIND_LOAD ? COPY_CR : COPY_CW;
        t2_ldrd(b, RA0, RA1, T2_SP, (uint32_t)at); /* frame slot: 8-aligned */
        t2_alu(b, T2_SUB, RA0, a, RA0, false);
        t2_cmp_reg(b, RA0, RA1);
        if (fold_hi)
            t2_dp_imm(b, T2_SBC, true, RA0, h, 0);
        to_ok = jit_fwd_begin(j);
        ok_cond = T2_LO;
    }
    if (have_slow_branch && slow_by_cbnz)
        jit_fwd_end_cbz(j, to_slow, true, h);
    else if (have_slow_branch)
        jit_fwd_end(j, to_slow, T2_NE);
    if (a != T2_IP)
        t2_mov_reg(b, T2_IP, a);
    if (hi_zero && off == 0)
        t2_mov_imm(b, RB1, 0);
    else if (h != RB1)
        t2_mov_reg(b, RB1, h);
    jit_bl(j, j->r_mem);
    jit_desc(j, MBPF_JIT_DESC(j->pc, size, kind));
    if (ok_cond != T2_AL)
        jit_fwd_end(j, to_ok, ok_cond);
    mark_checked(j, base, need, lo, hi);
    if (a == T2_IP)
        return (maddr){T2_IP, 0};
    return (maddr){a, 0};
}

static const unsigned ld_size[4] = {T2_W, T2_H, T2_B, T2_W}; /* by MBPF_SIZE >> 3 */

void jit_ldx(jit *j, const mbpf_insn *in)
{
    t2_buf *b = &j->b;
    unsigned d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in), sz = MBPF_SIZE(in->code);
    bool sx = MBPF_MODE(in->code) == MBPF_MEMSX;
    uint32_t size = size_of(sz);
    maddr m = mem_addr(j, s, in->off, size, MBPF_JIT_KIND_LOAD);
    unsigned dl = jit_dst_lo(j, d), dh = jit_dst_hi(j, d);
    if (sz == MBPF_DW) {
        if (dl == m.reg) {
            t2_ldr(b, T2_W, dh, m.reg, m.disp + 4, T2_LR);
            t2_ldr(b, T2_W, dl, m.reg, m.disp, T2_LR);
        } else {
            t2_ldr(b, T2_W, dl, m.reg, m.disp, T2_LR);
            t2_ldr(b, T2_W, dh, m.reg, m.disp + 4, T2_LR);
        }
        jit_store_dst(j, d, true, true);
        jit_clobber(j, d);
        return;
    }
    unsigned t = ld_size[sz >> 3];
    if (sx)
        t = sz == MBPF_H ? T2_SH : sz == MBPF_B ? T2_SB : T2_W;
    if (!j->fast || !jit_loop_post(j, in, t, false, dl, m.reg))
        t2_ldr(b, t, dl, m.reg, m.disp, T2_LR);
    if (sx) {
        t2_shift_imm(b, T2_ASR, dh, dl, 31);
        jit_store_dst(j, d, true, true);
        jit_clobber(j, d);
        return;
    }
    jit_store_dst(j, d, true, false);
    bool known = (j->hz >> d) & 1u;
    jit_clobber(j, d);
    if (known)
        j->hz |= (uint16_t)(1u << d);
    jit_set_hi_zero(j, d);
}

void jit_store(jit *j, const mbpf_insn *in)
{
    t2_buf *b = &j->b;
    unsigned d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in), sz = MBPF_SIZE(in->code);
    uint32_t size = size_of(sz);
    maddr m = mem_addr(j, d, in->off, size, MBPF_JIT_KIND_STORE);
    unsigned vl, vh = RB1;
    if (MBPF_CLASS(in->code) == MBPF_ST) {
        t2_mov_imm(b, RB0, (uint32_t)in->imm);
        if (sz == MBPF_DW)
            t2_mov_imm(b, RB1, in->imm < 0 ? 0xffffffffu : 0u);
        vl = RB0;
    } else {
        vl = jit_src_lo(j, s, RB0);
        if (sz == MBPF_DW)
            vh = jit_src_hi(j, s, RB1);
    }
    if (sz == MBPF_DW || !j->fast || !jit_loop_post(j, in, ld_size[sz >> 3], true, vl, m.reg))
        t2_str(b, ld_size[sz >> 3], vl, m.reg, m.disp, T2_LR);
    if (sz == MBPF_DW)
        t2_str(b, T2_W, vh, m.reg, m.disp + 4, T2_LR);
}

/* ARM data-processing op of an eBPF atomic op (0xff: none / unknown). */
static unsigned atomic_alu(uint32_t op)
{
    switch (op & ~MBPF_FETCH) {
    case MBPF_ADD: return T2_ADD;
    case MBPF_OR: return T2_ORR;
    case MBPF_AND: return T2_AND;
    case MBPF_XOR: return T2_EOR;
    default: return 0xffu;
    }
}

/* 32-bit atomic on a 4-aligned address: LDREX/STREX retry loop. Old value in
 * r0; the store is retried until no other access intervened. */
static void atomic32_exclusive(jit *j, uint32_t op, unsigned a, unsigned s)
{
    t2_buf *b = &j->b;
    unsigned v = jit_src_lo(j, s, RB0);
    unsigned e = op == MBPF_CMPXCHG ? jit_src_lo(j, 0, T2_LR) : T2_LR;
    uint32_t retry = b->pos;
    t2_ldrex(b, RA0, a);
    uint32_t to_fail = 0;
    if (op == MBPF_CMPXCHG) {
        t2_cmp_reg(b, RA0, e);
        to_fail = jit_fwd_begin(j);
    } else if (op != MBPF_XCHG) {
        t2_alu(b, atomic_alu(op), RA1, RA0, v, false);
        v = RA1;
    }
    t2_strex(b, RB1, v, a);
    t2_cmp_imm(b, RB1, 0);
    t2_bcond(b, T2_NE, (int32_t)retry - (int32_t)b->pos, false);
    if (op == MBPF_CMPXCHG) {
        uint32_t to_done = jit_fwd_begin(j);
        jit_fwd_end(j, to_fail, T2_NE);
        t2_clrex(b);
        jit_fwd_end(j, to_done, T2_AL);
    }
}

/* Any other atomic: interrupts off around a plain read-modify-write (PRIMASK
 * saved in lr). One VM runs on one thread, so the only other observer on a
 * single-core Cortex-M is an interrupt handler; with interrupts masked the
 * sequence is indivisible, for 64-bit accesses (ARMv7-M has no LDREXD) and
 * unaligned 32-bit ones (LDREX faults there) alike. Needs privileged
 * execution for CPSID to take effect. */
static void atomic_masked(jit *j, uint32_t op, bool dw, unsigned a, unsigned s)
{
    t2_buf *b = &j->b;
    t2_mrs_primask(b, T2_LR);
    t2_cpsid_i(b);
    t2_ldr(b, T2_W, RA0, a, 0, JIT_NOREG);
    if (dw)
        t2_ldr(b, T2_W, RA1, a, 4, JIT_NOREG);
    if (op == MBPF_CMPXCHG) {
        unsigned e = jit_src_lo(j, 0, RB0);
        t2_cmp_reg(b, RA0, e);
        uint32_t skip1 = jit_fwd_begin(j), skip2 = 0;
        if (dw) {
            e = jit_src_hi(j, 0, RB0);
            t2_cmp_reg(b, RA1, e);
            skip2 = jit_fwd_begin(j);
        }
        unsigned vl = jit_src_lo(j, s, RB0);
        t2_str(b, T2_W, vl, a, 0, JIT_NOREG);
        if (dw) {
            unsigned vh = jit_src_hi(j, s, RB1);
            t2_str(b, T2_W, vh, a, 4, JIT_NOREG);
        }
        jit_fwd_end(j, skip1, T2_NE);
        if (dw)
            jit_fwd_end(j, skip2, T2_NE);
    } else {
        unsigned vl = jit_src_lo(j, s, RB0), vh = dw ? jit_src_hi(j, s, RB1) : RB1;
        if (op != MBPF_XCHG) {
            unsigned t = atomic_alu(op);
            t2_alu(b, t, RB0, RA0, vl, t == T2_ADD);
            if (dw)
                t2_alu(b, t == T2_ADD ? T2_ADC : t, RB1, RA1, vh, false);
            vl = RB0;
            vh = RB1;
        }
        t2_str(b, T2_W, vl, a, 0, JIT_NOREG);
        if (dw)
            t2_str(b, T2_W, vh, a, 4, JIT_NOREG);
    }
    t2_msr_primask(b, T2_LR);
}

void jit_atomic(jit *j, const mbpf_insn *in)
{
    t2_buf *b = &j->b;
    unsigned d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
    bool dw = MBPF_SIZE(in->code) == MBPF_DW;
    uint32_t op = (uint32_t)in->imm;
    if (op != MBPF_XCHG && op != MBPF_CMPXCHG && atomic_alu(op) == 0xffu) {
        jit_fail(j, MBPF_E_JIT, "unsupported atomic operation");
        return;
    }
    maddr m = mem_addr(j, d, in->off, dw ? 8u : 4u, MBPF_JIT_KIND_ATOMIC);
    unsigned a = m.reg;
    if (m.disp != 0) {
        t2_add_imm(b, T2_IP, m.reg, m.disp, T2_LR);
        a = T2_IP;
    }
    if (dw) {
        atomic_masked(j, op, true, a, s);
    } else {
        t2_dp_imm(b, T2_AND, true, 15, a, 3); /* tst a, #3 */
        uint32_t to_unaligned = jit_fwd_begin(j);
        atomic32_exclusive(j, op, a, s);
        uint32_t to_done = jit_fwd_begin(j);
        jit_fwd_end(j, to_unaligned, T2_NE);
        atomic_masked(j, op, false, a, s);
        jit_fwd_end(j, to_done, T2_AL);
    }
    /* Results: old value into src (fetch/xchg) or r0 (cmpxchg). */
    unsigned r = op == MBPF_CMPXCHG ? 0u : s;
    if (op != MBPF_CMPXCHG && !(op & MBPF_FETCH))
        return;
    if (j->lo[r] != JIT_NOREG) /* each half: its register or its slot */
        t2_mov_reg(b, j->lo[r], RA0);
    if (dw && j->hi[r] != JIT_NOREG)
        t2_mov_reg(b, j->hi[r], RA1);
    jit_store_dst(j, r, true, dw);
    jit_clobber(j, r);
    if (!dw)
        jit_set_hi_zero(j, r);
}
