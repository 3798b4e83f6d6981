/* ALU / ALU64 / END / lddw translation.
 *
 * The destination is computed in its ARM registers, or in r0:r1 when it lives
 * in a frame slot (then stored back); a source in a slot is loaded into r2:r3.
 * ALU32 results write the upper half as 0 only when it is not already known
 * to be 0 (j->hz).
 */
#include "jit/armv7m/jit_internal.h"

/* IT masks for a block after firstcond. */
static unsigned it_mask_tt(unsigned c) { return ((c & 1u) << 3) | 4u; }
static unsigned it_mask_te(unsigned c) { return (((c & 1u) ^ 1u) << 3) | 4u; }

void jit_alu32_result(jit *j, unsigned d)
{
    jit_store_dst(j, d, true, false);
    bool known = (j->hz >> d) & 1u;
    jit_clobber(j, d);
    if (known)
        j->hz |= (uint16_t)(1u << d);
    jit_set_hi_zero(j, d);
}

static void alu64_finish(jit *j, unsigned d, bool hi_zero)
{
    jit_store_dst(j, d, true, true);
    jit_clobber(j, d);
    if (hi_zero)
        j->hz |= (uint16_t)(1u << d);
}

/* d = copy of s, or d +/- a constant or a register: d is a stack pointer if
 * s / d was (likely: the memory check's inline test is exact either way). */
static void keep_fpd(jit *j, unsigned d, bool was)
{
    if (was)
        j->fpd |= (uint16_t)(1u << d);
}

/* rd = rd OP imm for a 32-bit logical/arithmetic op; r2 used if needed. */
static void op_imm32(jit *j, unsigned op, unsigned rd, uint32_t imm)
{
    if (op == T2_ADD || op == T2_SUB) {
        uint32_t v = op == T2_ADD ? imm : 0u - imm;
        t2_add_imm(&j->b, rd, rd, (int32_t)v, RB0);
        return;
    }
    if (t2_dp_imm(&j->b, op, false, rd, rd, imm))
        return;
    /* a run of ones that is no modified immediate (0xfff, 0x3ffff00):
     * extract it and shift it back, instead of building the mask */
    if (op == T2_AND && imm != 0) {
        unsigned lo = 0;
        while (!((imm >> lo) & 1u))
            lo++;
        uint32_t run = imm >> lo;
        if ((run & (run + 1u)) == 0) {
            unsigned width = 0;
            while (width < 32 - lo && ((run >> width) & 1u))
                width++;
            t2_ubfx(&j->b, rd, rd, lo, width);
            if (lo)
                t2_shift_imm(&j->b, T2_LSL, rd, rd, lo);
            return;
        }
    }
    t2_mov_imm(&j->b, RB0, imm);
    t2_alu(&j->b, op, rd, rd, RB0, false);
}

static unsigned t2_op_of(unsigned op)
{
    switch (op) {
    case MBPF_ADD: return T2_ADD;
    case MBPF_SUB: return T2_SUB;
    case MBPF_OR: return T2_ORR;
    case MBPF_AND: return T2_AND;
    case MBPF_XOR: return T2_EOR;
    default: return T2_ADD;
    }
}

static unsigned shift_type(unsigned op)
{
    return op == MBPF_LSH ? T2_LSL : op == MBPF_RSH ? T2_LSR : T2_ASR;
}

static void divmod32(jit *j, unsigned op, bool sgn, unsigned dl, unsigned sl, bool maybe_zero)
{
    t2_buf *b = &j->b;
    if (op == MBPF_DIV) {
        if (maybe_zero) {
            t2_cmp_imm(b, sl, 0);
            t2_it(b, T2_EQ, it_mask_te(T2_EQ));
            t2_mov_imm_nf(b, dl, 0);
        }
        if (sgn)
            t2_sdiv(b, dl, dl, sl);
        else
            t2_udiv(b, dl, dl, sl);
        return;
    }
    if (maybe_zero) {
        t2_cmp_imm(b, sl, 0);
        t2_it(b, T2_NE, it_mask_tt(T2_NE));
    }
    if (sgn)
        t2_sdiv(b, T2_IP, dl, sl);
    else
        t2_udiv(b, T2_IP, dl, sl);
    t2_mls(b, dl, T2_IP, sl, dl);
}

/* rd += / -= imm (imm != 0) in one flag-setting instruction, if one exists. */
static bool add_imm_flags(jit *j, unsigned op, unsigned rd, uint32_t imm)
{
    uint32_t v = op == MBPF_ADD ? imm : 0u - imm;
    bool neg = (v >> 31) != 0;
    uint32_t mag = neg ? 0u - v : v;
    if (t2_is_low(rd) && mag <= 0xffu) {
        t2_hw(&j->b, (uint16_t)((neg ? 0x3800u : 0x3000u) | rd << 8 | mag)); /* adds/subs */
        return true;
    }
    return t2_dp_imm(&j->b, neg ? T2_SUB : T2_ADD, true, rd, rd, mag);
}

static void alu32(jit *j, const mbpf_insn *in)
{
    t2_buf *b = &j->b;
    uint32_t zf_at = 0xffffffffu;
    unsigned op = MBPF_OP(in->code), d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
    bool x = MBPF_SRCBIT(in->code) != 0;
    uint32_t imm = (uint32_t)in->imm;
    jit_load_dst(j, d, op != MBPF_MOV, false);
    unsigned dl = jit_dst_lo(j, d);
    /* a move from a slot loads straight into d's register */
    unsigned sl = x ? jit_src_lo(j, s, op == MBPF_MOV ? dl : RB0) : RB0;
    switch (op) {
    case MBPF_MOV:
        if (!x)
            t2_mov_imm(b, dl, imm);
        else if (in->off == 8)
            t2_sxtb(b, dl, sl);
        else if (in->off == 16)
            t2_sxth(b, dl, sl);
        else if (dl != sl && j->lo[d] == JIT_NOREG) { /* into a slot: str */
            t2_str(b, T2_W, sl, T2_SP, jit_slot(d, false), JIT_NOREG);
            bool known = (j->hz >> d) & 1u;
            jit_clobber(j, d);
            if (known)
                j->hz |= (uint16_t)(1u << d);
            jit_set_hi_zero(j, d);
            j->zf_next = JIT_NOREG;
            return;
        } else if (dl != sl)
            t2_mov_reg(b, dl, sl);
        break;
    case MBPF_ADD:
    case MBPF_SUB:
    case MBPF_OR:
    case MBPF_AND:
    case MBPF_XOR:
        if (x) {
            /* add/sub set the flags where that costs nothing (16-bit ADDS /
             * SUBS of low registers; SUB.W and SUBS.W are the same size):
             * a following jeq/jne d, 0 needs no compare */
            bool flags = j->lo[d] != JIT_NOREG && (op == MBPF_SUB || (op == MBPF_ADD &&
                         t2_is_low(dl) && t2_is_low(sl)));
            t2_alu(b, t2_op_of(op), dl, dl, sl, flags);
            if (flags) {
                j->zf_next = (uint8_t)d;
                zf_at = b->pos;
            }
        } else if ((op == MBPF_ADD || op == MBPF_SUB) && j->lo[d] != JIT_NOREG && imm != 0 &&
                   add_imm_flags(j, op, dl, imm)) {
            j->zf_next = (uint8_t)d; /* unless alu32_finish emits more */
            zf_at = b->pos;
        } else if (op == MBPF_AND && (imm == 0xffu || imm == 0xffffu)) {
            if (imm == 0xffu) /* 16-bit for low registers */
                t2_uxtb(b, dl, dl);
            else
                t2_uxth(b, dl, dl);
        } else {
            op_imm32(j, t2_op_of(op), dl, imm);
        }
        break;
    case MBPF_MUL:
        if (!x)
            t2_mov_imm(b, RB0, imm);
        t2_mul(b, dl, dl, sl);
        break;
    case MBPF_LSH:
    case MBPF_RSH:
    case MBPF_ARSH:
        if (!x) {
            if (imm & 31u)
                t2_shift_imm(b, shift_type(op), dl, dl, imm & 31u);
        } else {
            t2_dp_imm(b, T2_AND, false, T2_IP, sl, 31);
            t2_shift_reg(b, shift_type(op), dl, dl, T2_IP);
        }
        break;
    case MBPF_NEG:
        t2_dp_imm(b, T2_RSB, false, dl, dl, 0);
        break;
    case MBPF_DIV:
    case MBPF_MOD:
        if (!x) {
            if (imm == 0) { /* /0 -> 0, %0 -> dst */
                if (op == MBPF_DIV)
                    t2_mov_imm(b, dl, 0);
                break;
            }
            t2_mov_imm(b, RB0, imm);
        }
        divmod32(j, op, in->off == 1, dl, sl, x);
        break;
    default:
        jit_fail(j, MBPF_E_JIT, "unsupported ALU32 instruction");
        return;
    }
    jit_alu32_result(j, d);
    if (b->pos != zf_at)
        j->zf_next = JIT_NOREG;
}

/* and32 a, 0xff / 0xffff followed by add32 a, c (c != a, both in ARM
 * registers): UXTAB / UXTAH a, c, a, one instruction for two (the same 4
 * bytes as uxtb + adds for low registers); clang's reduction modulo 255 of
 * a checksum (Fletcher-16: `(s & 0xff) + (s >> 8)`). */
static bool and_add_pair(jit *j, const mbpf_insn *in)
{
    const mbpf_insn *nx = in + 1;
    unsigned a = MBPF_INSN_DST(in), c = MBPF_INSN_SRC(nx);
    if (in->off != 0 || (in->imm != 0xff && in->imm != 0xffff) ||
        nx->code != (MBPF_ALU | MBPF_X | MBPF_ADD) || nx->off != 0 || MBPF_INSN_DST(nx) != a ||
        c == a || a >= 10 || c > 10 || j->lo[a] == JIT_NOREG || j->lo[c] == JIT_NOREG)
        return false;
    if (in->imm == 0xff)
        t2_uxtab(&j->b, j->lo[a], j->lo[c], j->lo[a]);
    else
        t2_uxtah(&j->b, j->lo[a], j->lo[c], j->lo[a]);
    jit_alu32_result(j, a);
    return true;
}

/* mov32 a, b followed by add32/sub32/or32/and32/xor32 a, c (c != a, not a
 * jump target, all three in ARM registers): one three-operand instruction.
 * Also and32 a, 0xff / 0xffff + add32 a, c (and_add_pair). */
bool jit_alu_pair(jit *j, const mbpf_insn *in)
{
    const mbpf_insn *nx = in + 1;
    unsigned a = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in), c = MBPF_INSN_SRC(nx);
    unsigned op = MBPF_OP(nx->code);
    if (in->code == (MBPF_ALU | MBPF_K | MBPF_AND))
        return and_add_pair(j, in);
    if (jit_alu_pair_imm(j, in))
        return true;
    if (in->code != (MBPF_ALU | MBPF_MOV | MBPF_X) || in->off != 0 ||
        MBPF_CLASS(nx->code) != MBPF_ALU || !MBPF_SRCBIT(nx->code) || nx->off != 0 ||
        MBPF_INSN_DST(nx) != a || c == a || a >= 10 || s > 10 || c > 10)
        return false;
    if (op != MBPF_ADD && op != MBPF_SUB && op != MBPF_OR && op != MBPF_AND && op != MBPF_XOR)
        return false;
    if (j->lo[a] == JIT_NOREG || j->lo[s] == JIT_NOREG || j->lo[c] == JIT_NOREG)
        return false;
    jit_alu3(j, op, a, s, c);
    return true;
}

void jit_alu3(jit *j, unsigned op, unsigned d, unsigned x, unsigned y)
{
    t2_alu(&j->b, t2_op_of(op), j->lo[d], j->lo[x], j->lo[y], false);
    jit_alu32_result(j, d);
}

/* mov32 a, b followed by a shift of a by a constant (1..31), or by and32 a,
 * 0xff / 0xffff (a, b in ARM registers, b != a): one instruction
 * (LSLS/LSRS/ASRS a, b, #k are 16-bit for low registers, UXTB/UXTH too). */
bool jit_alu_pair_imm(jit *j, const mbpf_insn *in)
{
    const mbpf_insn *nx = in + 1;
    unsigned a = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in), op = MBPF_OP(nx->code);
    uint32_t k = (uint32_t)nx->imm;
    if (in->code != (MBPF_ALU | MBPF_MOV | MBPF_X) || in->off != 0 ||
        MBPF_CLASS(nx->code) != MBPF_ALU || MBPF_SRCBIT(nx->code) || nx->off != 0 ||
        MBPF_INSN_DST(nx) != a || s == a || a >= 10 || s > 10 ||
        j->lo[a] == JIT_NOREG || j->lo[s] == JIT_NOREG)
        return false;
    bool shift = (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH) && k >= 1 && k <= 31;
    bool ext = op == MBPF_AND && (k == 0xffu || k == 0xffffu);
    if (!shift && !ext)
        return false;
    if (shift)
        t2_shift_imm(&j->b, shift_type(op), j->lo[a], j->lo[s], k);
    else if (k == 0xffu)
        t2_uxtb(&j->b, j->lo[a], j->lo[s]);
    else
        t2_uxth(&j->b, j->lo[a], j->lo[s]);
    jit_alu32_result(j, a);
    return true;
}

/* mov32 a, b; lsh32 a, k; and32 a, m with m = 0xff << k or 0xffff << k
 * (mod 2^32; a, b low registers, b != a): `uxtb/uxth a, b; lsls a, #k`, 4
 * bytes instead of `lsls` + `and.w` (6), since (b << k) & (0xff << k) =
 * (b & 0xff) << k modulo 2^32: clang's `(x << 8) & 0xff00`. */
bool jit_alu_triple(jit *j, const mbpf_insn *in)
{
    const mbpf_insn *sh = in + 1, *an = in + 2;
    unsigned a = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
    uint32_t k = (uint32_t)sh->imm, m = (uint32_t)an->imm;
    if (in->code != (MBPF_ALU | MBPF_MOV | MBPF_X) || in->off != 0 ||
        sh->code != (MBPF_ALU | MBPF_K | MBPF_LSH) || sh->off != 0 || MBPF_INSN_DST(sh) != a ||
        an->code != (MBPF_ALU | MBPF_K | MBPF_AND) || an->off != 0 || MBPF_INSN_DST(an) != a ||
        k < 1 || k > 31 || a >= 10 || s > 10 || s == a || j->lo[a] == JIT_NOREG ||
        j->lo[s] == JIT_NOREG || !t2_is_low(j->lo[a]) || !t2_is_low(j->lo[s]))
        return false;
    if (m == 0xffu << k)
        t2_uxtb(&j->b, j->lo[a], j->lo[s]);
    else if (m == 0xffffu << k)
        t2_uxth(&j->b, j->lo[a], j->lo[s]);
    else
        return false;
    t2_shift_imm(&j->b, T2_LSL, j->lo[a], j->lo[a], k);
    jit_alu32_result(j, a);
    return true;
}

/* Does this instruction, which emitted `bytes`, leave the flags and the Z
 * flag's register alone? Only a plain mov32 between ARM registers (a 16-bit
 * MOV, which sets no flags) to another register. */
bool jit_flag_neutral(const jit *j, const mbpf_insn *in, uint32_t bytes)
{
    unsigned d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
    if (in->code != (MBPF_ALU | MBPF_MOV | MBPF_X) || in->off != 0 || d == j->zf || d >= 10 ||
        s > 10 || j->lo[d] == JIT_NOREG || j->lo[s] == JIT_NOREG)
        return false;
    return j->lo[d] != j->lo[s] ? bytes == 2 : bytes == 0;
}

static void shift64_imm(jit *j, unsigned op, unsigned dl, unsigned dh, unsigned k)
{
    t2_buf *b = &j->b;
    if (k == 0)
        return;
    if (op == MBPF_LSH) {
        if (k < 32) {
            t2_shift_imm(b, T2_LSL, dh, dh, k);
            t2_dp_reg(b, T2_ORR, false, dh, dh, dl, T2_LSR, 32 - k);
            t2_shift_imm(b, T2_LSL, dl, dl, k);
        } else {
            if (k == 32)
                t2_mov_reg(b, dh, dl);
            else
                t2_shift_imm(b, T2_LSL, dh, dl, k - 32);
            t2_mov_imm(b, dl, 0);
        }
        return;
    }
    if (k < 32) {
        t2_shift_imm(b, T2_LSR, dl, dl, k);
        t2_dp_reg(b, T2_ORR, false, dl, dl, dh, T2_LSL, 32 - k);
        t2_shift_imm(b, op == MBPF_RSH ? T2_LSR : T2_ASR, dh, dh, k);
        return;
    }
    if (k == 32)
        t2_mov_reg(b, dl, dh);
    else
        t2_shift_imm(b, op == MBPF_RSH ? T2_LSR : T2_ASR, dl, dh, k - 32);
    if (op == MBPF_RSH)
        t2_mov_imm(b, dh, 0);
    else
        t2_shift_imm(b, T2_ASR, dh, dh, 31);
}

/* Shift by register: n = src & 63 in ip; temporaries lr and r2. ARM register
 * shifts use the low byte of the amount, so amounts >= 32 give 0 and the
 * negative (32 - n) / (n - 32) terms vanish on their own for LSL/LSR. */
static void shift64_reg(jit *j, unsigned op, unsigned dl, unsigned dh, unsigned sl)
{
    t2_buf *b = &j->b;
    t2_dp_imm(b, T2_AND, false, T2_IP, sl, 63);
    if (op == MBPF_LSH) {
        t2_shift_reg(b, T2_LSL, dh, dh, T2_IP);
        t2_dp_imm(b, T2_RSB, false, T2_LR, T2_IP, 32);
        t2_shift_reg(b, T2_LSR, RB0, dl, T2_LR);
        t2_alu(b, T2_ORR, dh, dh, RB0, false);
        t2_dp_imm(b, T2_SUB, false, T2_LR, T2_IP, 32);
        t2_shift_reg(b, T2_LSL, RB0, dl, T2_LR);
        t2_alu(b, T2_ORR, dh, dh, RB0, false);
        t2_shift_reg(b, T2_LSL, dl, dl, T2_IP);
        return;
    }
    if (op == MBPF_RSH) {
        t2_shift_reg(b, T2_LSR, dl, dl, T2_IP);
        t2_dp_imm(b, T2_RSB, false, T2_LR, T2_IP, 32);
        t2_shift_reg(b, T2_LSL, RB0, dh, T2_LR);
        t2_alu(b, T2_ORR, dl, dl, RB0, false);
        t2_dp_imm(b, T2_SUB, false, T2_LR, T2_IP, 32);
        t2_shift_reg(b, T2_LSR, RB0, dh, T2_LR);
        t2_alu(b, T2_ORR, dl, dl, RB0, false);
        t2_shift_reg(b, T2_LSR, dh, dh, T2_IP);
        return;
    }
    /* ARSH: the n - 32 term would sign-fill, so branch on n >= 32. */
    t2_dp_imm(b, T2_SUB, true, T2_LR, T2_IP, 32);
    uint32_t to_small = jit_fwd_begin(j);
    t2_shift_reg(b, T2_ASR, dl, dh, T2_LR);
    t2_shift_imm(b, T2_ASR, dh, dh, 31);
    uint32_t to_done = jit_fwd_begin(j);
    jit_fwd_end(j, to_small, T2_MI);
    t2_shift_reg(b, T2_LSR, dl, dl, T2_IP);
    t2_dp_imm(b, T2_RSB, false, T2_LR, T2_IP, 32);
    t2_shift_reg(b, T2_LSL, RB0, dh, T2_LR);
    t2_alu(b, T2_ORR, dl, dl, RB0, false);
    t2_shift_reg(b, T2_ASR, dh, dh, T2_IP);
    jit_fwd_end(j, to_done, T2_AL);
}

static void divmod64(jit *j, const mbpf_insn *in)
{
    t2_buf *b = &j->b;
    unsigned op = MBPF_OP(in->code), d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
    bool sgn = in->off == 1;
    /* r0:r1 = dst, r2:r3 = divisor, then the routine. */
    if (MBPF_SRCBIT(in->code)) {
        unsigned sl = jit_src_lo(j, s, RB0);
        if (sl != RB0)
            t2_mov_reg(b, RB0, sl);
        unsigned sh = jit_src_hi(j, s, RB1);
        if (sh != RB1)
            t2_mov_reg(b, RB1, sh);
    } else {
        t2_mov_imm(b, RB0, (uint32_t)in->imm);
        t2_mov_imm(b, RB1, in->imm < 0 ? 0xffffffffu : 0u);
    }
    unsigned dl = jit_src_lo(j, d, RA0);
    if (dl != RA0)
        t2_mov_reg(b, RA0, dl);
    unsigned dh = jit_src_hi(j, d, RA1);
    if (dh != RA1)
        t2_mov_reg(b, RA1, dh);
    if (sgn) /* the shared sdiv64 calls udiv64 itself: one veneer each */
        j->use_sdiv64 = true;
    else
        j->use_div64 = true;
    jit_bl(j, sgn ? j->r_sdiv64 : j->r_udiv64);
    unsigned rl = op == MBPF_DIV ? RA0 : RB0, rh = op == MBPF_DIV ? RA1 : RB1;
    bool dz = (j->zhi >> d) & 1u;
    if (j->lo[d] != JIT_NOREG)
        t2_mov_reg(b, j->lo[d], rl);
    else
        t2_str(b, T2_W, rl, T2_SP, jit_slot(d, false), JIT_NOREG);
    if (!dz && j->hi[d] != JIT_NOREG)
        t2_mov_reg(b, j->hi[d], rh);
    else if (!dz)
        t2_str(b, T2_W, rh, T2_SP, jit_slot(d, true), JIT_NOREG);
    jit_clobber(j, d);
}

static void alu64(jit *j, const mbpf_insn *in)
{
    t2_buf *b = &j->b;
    unsigned op = MBPF_OP(in->code), d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
    bool x = MBPF_SRCBIT(in->code) != 0;
    uint32_t imm = (uint32_t)in->imm, sext = in->imm < 0 ? 0xffffffffu : 0u;
    if (op == MBPF_DIV || op == MBPF_MOD) {
        divmod64(j, in);
        return;
    }
    bool hz = false;
    /* a stack pointer stays one when moved, or moved by a constant or by a
     * register (an index: p[i] on a stack array): only a heuristic for the
     * memory check's inline test, which is exact for any address */
    bool fpd = (x && op == MBPF_MOV && in->off == 0 && ((j->fpd >> s) & 1u)) ||
               ((op == MBPF_ADD || op == MBPF_SUB) && ((j->fpd >> d) & 1u));
    /* d with no upper half: logical ops and moves skip it (it stays 0) */
    bool dz = (j->zhi >> d) & 1u;
    bool logic = op == MBPF_MOV || op == MBPF_OR || op == MBPF_AND || op == MBPF_XOR;
    jit_load_dst(j, d, op != MBPF_MOV, op != MBPF_MOV && !(dz && logic));
    unsigned dl = jit_dst_lo(j, d), dh = jit_dst_hi(j, d);
    unsigned sl = RB0, sh = RB1;
    bool need_src_hi = x && !(dz && logic) &&
                       (op == MBPF_MOV || op == MBPF_ADD || op == MBPF_SUB ||
                        op == MBPF_MUL || op == MBPF_OR || op == MBPF_AND || op == MBPF_XOR);
    if (x) { /* a move from a slot loads straight into d's register */
        bool mv = op == MBPF_MOV && in->off == 0;
        sl = jit_src_lo(j, s, mv && j->lo[d] != JIT_NOREG ? j->lo[d] : RB0);
        if (need_src_hi && !(op == MBPF_MOV && in->off != 0))
            sh = jit_src_hi(j, s, mv && j->hi[d] != JIT_NOREG ? j->hi[d] : RB1);
    }
    switch (op) {
    case MBPF_MOV:
        if (!x && !dz && imm == sext && j->lo[d] == JIT_NOREG && j->hi[d] == JIT_NOREG) {
            /* 0 or -1 into a register in slots: one value, two stores */
            t2_mov_imm(b, RA0, imm);
            t2_str(b, T2_W, RA0, T2_SP, jit_slot(d, false), JIT_NOREG);
            t2_str(b, T2_W, RA0, T2_SP, jit_slot(d, true), JIT_NOREG);
            jit_clobber(j, d);
            if (sext == 0)
                j->hz |= (uint16_t)(1u << d);
            return;
        }
        if (!x) {
            t2_mov_imm(b, dl, imm);
            if (!dz)
                t2_mov_imm(b, dh, sext);
            hz = sext == 0;
        } else if (in->off == 8 || in->off == 16 || in->off == 32) {
            if (in->off == 8)
                t2_sxtb(b, dl, sl);
            else if (in->off == 16)
                t2_sxth(b, dl, sl);
            else if (dl != sl)
                t2_mov_reg(b, dl, sl);
            t2_shift_imm(b, T2_ASR, dh, dl, 31);
        } else {
            /* a half of d in a slot takes the source straight from its
             * register (no move into r0 / r1 first) */
            if (j->lo[d] == JIT_NOREG)
                t2_str(b, T2_W, sl, T2_SP, jit_slot(d, false), JIT_NOREG);
            else if (dl != sl)
                t2_mov_reg(b, dl, sl);
            if (!dz && j->hi[d] == JIT_NOREG)
                t2_str(b, T2_W, sh, T2_SP, jit_slot(d, true), JIT_NOREG);
            else if (!dz && dh != sh)
                t2_mov_reg(b, dh, sh);
            bool shz = (j->hz >> s) & 1u;
            jit_clobber(j, d);
            if (shz)
                j->hz |= (uint16_t)(1u << d);
            keep_fpd(j, d, fpd);
            return;
        }
        break;
    case MBPF_ADD:
    case MBPF_SUB: {
        bool add = op == MBPF_ADD;
        if (x) {
            t2_alu(b, add ? T2_ADD : T2_SUB, dl, dl, sl, true);
            t2_alu(b, add ? T2_ADC : T2_SBC, dh, dh, sh, false);
            break;
        }
        if (imm == 0 && sext == 0)
            break;
        if (t2_is_low(dl) && imm <= 0xffu) /* 16-bit adds/subs dl, #imm8 */
            t2_hw(b, (uint16_t)((add ? 0x3000u : 0x3800u) | dl << 8 | imm));
        else if (!t2_dp_imm(b, add ? T2_ADD : T2_SUB, true, dl, dl, imm) &&
            !(imm != 0 && t2_dp_imm(b, add ? T2_SUB : T2_ADD, true, dl, dl, 0u - imm))) {
            t2_mov_imm(b, RB0, imm);
            t2_alu(b, add ? T2_ADD : T2_SUB, dl, dl, RB0, true);
        }
        t2_dp_imm(b, add ? T2_ADC : T2_SBC, false, dh, dh, sext);
        break;
    }
    case MBPF_MUL:
        if (!x) {
            t2_mov_imm(b, RB0, imm);
            t2_mov_imm(b, RB1, sext);
        }
        t2_mul(b, T2_IP, dl, sh);
        t2_mla(b, T2_IP, dh, sl, T2_IP);
        t2_umull(b, dl, T2_LR, dl, sl);
        t2_alu(b, T2_ADD, dh, T2_LR, T2_IP, false);
        break;
    case MBPF_OR:
    case MBPF_AND:
    case MBPF_XOR: {
        unsigned top = t2_op_of(op);
        if (x) {
            t2_alu(b, top, dl, dl, sl, false);
            if (!dz)
                t2_alu(b, top, dh, dh, sh, false);
            hz = op == MBPF_AND ? (((j->hz >> s) | (j->hz >> d)) & 1u)
                                : (((j->hz >> s) & (j->hz >> d)) & 1u);
            break;
        }
        op_imm32(j, top, dl, imm);
        if (dz)
            ;
        else if (op == MBPF_OR && sext)
            t2_mov_imm(b, dh, sext);
        else if (op == MBPF_AND && !sext)
            t2_mov_imm(b, dh, 0);
        else if (op == MBPF_XOR && sext)
            t2_mvn(b, dh, dh);
        hz = ((j->hz >> d) & 1u) ? !sext : (op == MBPF_AND && !sext);
        break;
    }
    case MBPF_LSH:
    case MBPF_RSH:
    case MBPF_ARSH:
        if (!x) {
            shift64_imm(j, op, dl, dh, imm & 63u);
            hz = (op == MBPF_RSH && (imm & 63u) >= 32) ||
                 (op != MBPF_LSH && (imm & 63u) == 0 && ((j->hz >> d) & 1u));
        } else {
            shift64_reg(j, op, dl, dh, sl);
        }
        break;
    case MBPF_NEG:
        t2_dp_imm(b, T2_RSB, true, dl, dl, 0);
        t2_mvn(b, dh, dh);
        t2_dp_imm(b, T2_ADC, false, dh, dh, 0);
        break;
    default:
        jit_fail(j, MBPF_E_JIT, "unsupported ALU64 instruction");
        return;
    }
    alu64_finish(j, d, hz);
    keep_fpd(j, d, fpd);
}

static void endian(jit *j, const mbpf_insn *in)
{
    t2_buf *b = &j->b;
    unsigned d = MBPF_INSN_DST(in);
    bool swap = MBPF_CLASS(in->code) == MBPF_ALU64 || MBPF_SRCBIT(in->code);
    uint32_t bits = (uint32_t)in->imm;
    if (bits == 64 && !swap)
        return; /* le64: no-op on a little-endian target */
    jit_load_dst(j, d, true, bits == 64);
    unsigned dl = jit_dst_lo(j, d), dh = jit_dst_hi(j, d);
    if (bits == 16) {
        if (swap)
            t2_rev16(b, dl, dl);
        t2_uxth(b, dl, dl);
    } else if (bits == 32) {
        if (swap)
            t2_rev(b, dl, dl);
    } else if (bits == 64) {
        t2_rev(b, T2_IP, dl);
        t2_rev(b, dl, dh);
        t2_mov_reg(b, dh, T2_IP);
        alu64_finish(j, d, false);
        return;
    } else {
        jit_fail(j, MBPF_E_JIT, "bad byte-swap width");
        return;
    }
    jit_alu32_result(j, d);
}

void jit_alu(jit *j, const mbpf_insn *in)
{
    if (j->fast && jit_loop_ptr_add(j, in)) /* pointer step in a loop's fast copy */
        return;
    if (MBPF_OP(in->code) == MBPF_END)
        endian(j, in);
    else if (MBPF_CLASS(in->code) == MBPF_ALU)
        alu32(j, in);
    else
        alu64(j, in);
}

void jit_lddw(jit *j, const mbpf_insn *in)
{
    unsigned d = MBPF_INSN_DST(in);
    uint32_t lo = (uint32_t)in[0].imm, hi = (uint32_t)in[1].imm;
    unsigned dl = jit_dst_lo(j, d), dh = jit_dst_hi(j, d);
    t2_mov_imm(&j->b, dl, lo);
    t2_mov_imm(&j->b, dh, hi);
    alu64_finish(j, d, hi == 0);
}
