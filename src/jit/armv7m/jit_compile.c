/* The compiler driver: passes, the translation switch, jumps and calls.
 *
 * Two passes over the program run the very code that emits: a sizing pass
 * (no buffer) and the emitting pass, with the same branch sizes. The sizing
 * pass decides each backward branch by its distance in its own layout, takes
 * every forward branch wide and marks the forward jumps; a sweep over the
 * offset table then makes 16-bit each forward jump whose target lies within
 * 16-bit range of the start of its instruction in that layout, and moves the
 * offsets. Narrowing only brings code closer together, so every distance of
 * the final layout is at most the sizing pass's: the decisions stay valid
 * (a `cmp; b.w` that becomes cbz/cbnz also needs a lower bound: cbz_fits).
 * A jump that is its instruction's whole code and lands right after it is
 * left out. The prologue's stack-base copy is made when the sizing pass's
 * checks used it (its size moves all offsets alike); the routines, of fixed
 * sizes, are sized once from the end of the code. Scratch: the n+1 word offset table only
 * (bit 31 marks jump targets, bits 26-30 the branch decisions).
 */
#include "jit/armv7m/jit_internal.h"

void jit_fail(jit *j, int status, const char *msg)
{
    if (j->err_status == MBPF_OK) {
        j->err_status = status;
        j->err_pc = j->pc;
        j->err_msg = msg;
    }
}

uint32_t jit_fwd_begin(jit *j)
{
    uint32_t at = j->b.pos;
    t2_hw(&j->b, 0xBF00u); /* patched by jit_fwd_end */
    return at;
}

void jit_fwd_end(jit *j, uint32_t at, unsigned cond)
{
    int32_t off = (int32_t)(j->b.pos - at);
    uint32_t d = (uint32_t)(off - 4) >> 1;
    if (off - 4 > (cond == T2_AL ? 2046 : 254))
        jit_fail(j, MBPF_E_JIT, "internal: local branch too far");
    uint16_t hw = cond == T2_AL ? (uint16_t)(0xE000u | (d & 0x7ffu))
                                : (uint16_t)(0xD000u | cond << 8 | (d & 0xffu));
    t2_patch_hw(&j->b, at, hw);
}

void jit_fwd_end_cbz(jit *j, uint32_t at, bool nz, unsigned rn)
{
    uint32_t off = j->b.pos - at;
    if (off == 2) { /* the target is the next instruction: nothing to skip */
        t2_patch_hw(&j->b, at, 0xBF00u);
        return;
    }
    if (off > 130 || !t2_is_low(rn))
        jit_fail(j, MBPF_E_JIT, "internal: cbz out of range");
    t2_buf fix;
    uint8_t hw[2];
    t2_init(&fix, hw, sizeof hw);
    t2_cbz(&fix, nz, rn, off);
    t2_patch_hw(&j->b, at, (uint16_t)(hw[0] | hw[1] << 8));
}

/* Branch to a code offset: the sizing pass decides the size from the
 * distance in its layout (an offset not emitted yet reads as far away: wide)
 * and records it for the first two branches of an instruction; the emitting
 * pass repeats it (any further branch is wide in both). */
void jit_branch(jit *j, unsigned cond, uint32_t target)
{
    int32_t off = (int32_t)target - (int32_t)j->b.pos;
    bool fits = cond == T2_AL ? t2_b16_fits(off) : t2_bcond16_fits(off);
    uint32_t bit = j->head || j->pc >= j->n ? 0 : j->nbr == 0 ? JIT_BR0 : j->nbr == 1 ? JIT_BR1 : 0;
    j->nbr++;
    bool narrow;
    if (!j->final) {
        narrow = bit && fits;
        if (narrow)
            j->offs[j->pc] |= bit;
    } else {
        narrow = bit && (j->offs[j->pc] & bit);
        if (narrow && !fits)
            jit_fail(j, MBPF_E_JIT, "internal: a 16-bit branch does not reach");
    }
    bool ok = t2_bcond(&j->b, cond, off, !narrow);
    if (!ok && j->final)
        jit_fail(j, MBPF_E_JIT, "branch out of range (program too large)");
}

/* Forward target of instruction i when it is a jump (n for exit), else
 * NO_TARGET: the sweep after the sizing pass finds it here. */
#define NO_TARGET 0xffffffffu
static uint32_t fwd_target(const jit *j, uint32_t i)
{
    const mbpf_insn *in = &j->insns[i];
    unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
    if (cls != MBPF_JMP && cls != MBPF_JMP32)
        return NO_TARGET;
    if (in->code == MBPF_OP_EXIT)
        return j->n;
    if (op == MBPF_CALL || op == MBPF_EXIT)
        return NO_TARGET;
    int64_t t = in->code == MBPF_OP_JA32 ? (int64_t)i + in->imm + 1 : (int64_t)i + in->off + 1;
    return t > (int64_t)i && t < (int64_t)j->n ? (uint32_t)t : NO_TARGET;
}

/* Branch to instruction t (t = n: the exit routine, which starts where the
 * code ends). A forward one is wide in the sizing pass and marked (once per
 * instruction, when t is the instruction's own target) for the sweep. */
void jit_branch_insn(jit *j, unsigned cond, uint32_t t)
{
    if (t <= j->pc) {
        jit_branch(j, cond, j->offs[t] & JIT_OFF);
        return;
    }
    int32_t off = (int32_t)(j->offs[t] & JIT_OFF) - (int32_t)j->b.pos;
    bool narrow = false;
    if (!j->head && !j->fwd_seen && j->pc < j->n && fwd_target(j, j->pc) == t) {
        j->fwd_seen = true;
        if (!j->final)
            j->offs[j->pc] |= JIT_FWD | (cond == T2_AL ? JIT_FWD_AL : 0u);
        else if ((j->offs[j->pc] & (JIT_FWD | JIT_FWD16)) == JIT_FWD16)
            return; /* relayout: a jump to the very next code, left out */
        else
            narrow = (j->offs[j->pc] & JIT_FWD16) != 0;
    }
    if (narrow && !(cond == T2_AL ? t2_b16_fits(off) : t2_bcond16_fits(off)))
        jit_fail(j, MBPF_E_JIT, "internal: a 16-bit branch does not reach");
    bool ok = t2_bcond(&j->b, cond, off, !narrow);
    if (!ok && j->final)
        jit_fail(j, MBPF_E_JIT, "branch out of range (program too large)");
}

void jit_bl(jit *j, uint32_t target)
{
    bool ok = t2_bl(&j->b, (int32_t)target - (int32_t)j->b.pos);
    if (!ok && j->final)
        jit_fail(j, MBPF_E_JIT, "call out of range (program too large)");
}

/* Call of shared routine k straight through the frame's copy of its
 * address: `ldr rS, [sp, #F_RT + 4k]; blx rS` (rS a free low register: 4
 * bytes, like `bl veneer`, and the same 2 instructions as bl + the veneer's
 * `ldr.w pc`), so the program needs no veneer for k. lr is the same as
 * after a `bl`, so descriptors and the budget's way back to its `bcs` are
 * unchanged. Only for routines whose call sites all have such a register:
 * the trap (never returns; reads no register), the budget refill (keeps
 * every register, and no call site has r0 live across it) and the loop
 * guards' range check (r1 free there). */
void jit_call_rt(jit *j, unsigned k, unsigned scratch)
{
    if (!t2_is_low(scratch))
        jit_fail(j, MBPF_E_JIT, "internal: shared routine call needs a low register");
    t2_ldr(&j->b, T2_W, scratch, T2_SP, F_RT + 4 * (int32_t)k, JIT_NOREG);
    t2_blx_reg(&j->b, scratch);
}

void jit_desc(jit *j, uint32_t desc)
{
    t2_hw(&j->b, (uint16_t)desc);
    t2_hw(&j->b, (uint16_t)(desc >> 16));
}

static uint32_t target_off(const jit *j, uint32_t t) { return j->offs[t] & JIT_OFF; }

/* One budget unit: left - 1 (in the budget register, or in the frame word,
 * stored back at once); on a borrow the routine takes one from the high word
 * and returns to the `bcs` with C set, or stops the run (pc in the
 * descriptor). With `to` != NONE this is a backward jump: the `bcs` goes
 * straight to `to`. */
static void budget_unit(jit *j, uint32_t to)
{
    t2_buf *b = &j->b;
    if (j->breg != JIT_NOREG) { /* the low word lives in a register */
        if (t2_is_low(j->breg))
            t2_hw(b, (uint16_t)(0x3801u | j->breg << 8)); /* subs breg, #1 */
        else
            t2_dp_imm(b, T2_SUB, true, j->breg, j->breg, 1);
    } else {
        t2_ldr(b, T2_W, RA0, T2_SP, F_BLO, JIT_NOREG);
        t2_hw(b, 0x3801u); /* subs r0, #1 */
        /* flags kept; on exhaustion the routine stores 0 back */
        t2_str(b, T2_W, RA0, T2_SP, F_BLO, JIT_NOREG);
    }
    uint32_t bcs = b->pos;
    if (to != NO_TARGET)
        jit_branch(j, T2_HS, to);
    else
        t2_hw(b, (uint16_t)(0xD200u | 3u)); /* bcs past bl + descriptor */
    /* after a refill the routine returns to the bcs with C set: the
     * descriptor's size field holds how far back it lies (bl + the bcs) */
    uint32_t back = 4u + (b->pos - bcs);
    jit_call_rt(j, MBPF_JIT_RT_BUDGET, RA0); /* r0: the frame's copy is stored */
    jit_desc(j, MBPF_JIT_DESC(j->pc, back, MBPF_JIT_KIND_BUDGET));
}

static unsigned jmp_cond(unsigned op)
{
    switch (op) {
    case MBPF_JEQ: return T2_EQ;
    case MBPF_JNE: return T2_NE;
    case MBPF_JGT: return T2_HI;
    case MBPF_JGE: return T2_HS;
    case MBPF_JLT: return T2_LO;
    case MBPF_JLE: return T2_LS;
    case MBPF_JSGT: return T2_GT;
    case MBPF_JSGE: return T2_GE;
    case MBPF_JSLT: return T2_LT;
    case MBPF_JSLE: return T2_LE;
    case MBPF_JSET: return T2_NE;
    default: return T2_AL;
    }
}

/* Signed condition -> the unsigned one (operands known non-negative). */
static unsigned to_unsigned(unsigned c)
{
    return c == T2_GT ? T2_HI : c == T2_GE ? T2_HS : c == T2_LT ? T2_LO : c == T2_LE ? T2_LS : c;
}

/* cmp rn, #v in one instruction (cmp, cmp.w or cmn.w: the same C for v != 0) */
static bool cmp_imm_ok(unsigned rn, uint32_t v)
{
    return (t2_is_low(rn) && v <= 0xffu) || t2_modimm(v) >= 0 || t2_modimm(0u - v) >= 0;
}

/* Emits the comparison of a conditional jump; returns the condition. */
static unsigned compare(jit *j, const mbpf_insn *in)
{
    t2_buf *b = &j->b;
    unsigned op = MBPF_OP(in->code), d = MBPF_INSN_DST(in), s = MBPF_INSN_SRC(in);
    bool x = MBPF_SRCBIT(in->code) != 0, is32 = MBPF_CLASS(in->code) == MBPF_JMP32;
    uint32_t imm = (uint32_t)in->imm, sext = in->imm < 0 ? 0xffffffffu : 0u;
    unsigned c = jmp_cond(op);
    bool sgn = op == MBPF_JSGT || op == MBPF_JSGE || op == MBPF_JSLT || op == MBPF_JSLE;
    unsigned dl = jit_src_lo(j, d, RA0);
    /* 32-bit compare, or 64-bit when both upper halves are known 0. */
    bool lo_only = is32 || (!x && ((j->hz >> d) & 1u) && sext == 0) ||
                   (x && ((j->hz >> d) & (j->hz >> s) & 1u));
    if (lo_only) {
        if (!is32 && sgn)
            c = to_unsigned(c);
        /* Z already reflects d's low word (add/sub just before, only moves
         * in between, no label). */
        if (!x && imm == 0 && (op == MBPF_JEQ || op == MBPF_JNE) && j->zf == d)
            return c;
        unsigned sl = RB0;
        if (x)
            sl = jit_src_lo(j, s, RB0);
        if (op == MBPF_JSET) {
            if (x)
                t2_tst_reg(b, dl, sl);
            else if (!t2_dp_imm(b, T2_AND, true, 15, dl, imm)) {
                t2_mov_imm(b, RB0, imm);
                t2_tst_reg(b, dl, RB0);
            }
        } else if (x) {
            t2_cmp_reg(b, dl, sl);
        } else if (!t2_cmp_imm(b, dl, imm)) {
            t2_mov_imm(b, RB0, imm);
            t2_cmp_reg(b, dl, RB0);
        }
        return c;
    }
    unsigned dh = jit_src_hi(j, d, RA1);
    if (!x && imm == 0 && (op == MBPF_JEQ || op == MBPF_JNE)) {
        t2_dp_reg(b, T2_ORR, true, T2_IP, dl, dh, T2_LSL, 0); /* Z: both halves 0 */
        return c;
    }
    if (!x && op != MBPF_JSET) { /* the immediate's halves in the compares */
        uint64_t v = (uint64_t)(int64_t)in->imm;
        unsigned cc = c;
        if (op == MBPF_JSGT || op == MBPF_JSLE) { /* d > v <=> d >= v + 1 (< 2^31) */
            v++;
            cc = op == MBPF_JSGT ? T2_GE : T2_LT;
        }
        uint32_t vl = (uint32_t)v, vh = (uint32_t)(v >> 32);
        if (cmp_imm_ok(dl, vl) && (sgn ? t2_modimm(vh) >= 0 : cmp_imm_ok(dh, vh))) {
            if (!sgn) {
                t2_cmp_imm(b, dh, vh);
                t2_it(b, T2_EQ, 0x8u);
                t2_cmp_imm(b, dl, vl);
                return c;
            }
            t2_cmp_imm(b, dl, vl); /* C: no borrow, as cmp with a register */
            t2_dp_imm(b, T2_SBC, true, T2_IP, dh, vh);
            return cc;
        }
    }
    unsigned sl, sh;
    if (x) {
        sl = jit_src_lo(j, s, RB0);
        sh = jit_src_hi(j, s, RB1);
    } else {
        t2_mov_imm(b, RB0, imm);
        t2_mov_imm(b, RB1, sext);
        sl = RB0;
        sh = RB1;
    }
    if (op == MBPF_JSET) {
        t2_tst_reg(b, dl, sl);
        t2_it(b, T2_EQ, 0x8u);
        t2_tst_reg(b, dh, sh);
        return T2_NE;
    }
    if (!sgn) {
        t2_cmp_reg(b, dh, sh);
        t2_it(b, T2_EQ, 0x8u);
        t2_cmp_reg(b, dl, sl);
        return c;
    }
    if (op == MBPF_JSLT || op == MBPF_JSGE) {
        t2_cmp_reg(b, dl, sl);
        t2_alu(b, T2_SBC, T2_IP, dh, sh, true);
        return c;
    }
    t2_cmp_reg(b, sl, dl); /* d > s  <=>  s < d */
    t2_alu(b, T2_SBC, T2_IP, sh, dh, true);
    return op == MBPF_JSGT ? T2_LT : T2_GE;
}

/* `jeq/jne d, 0` forward, d's low word in r4-r7 and its upper half known 0
 * (or JMP32), no flags to reuse: `cmp d, #0; b.w` in the sizing pass,
 * marked JIT_CBZ; relayout keeps the mark when cbz/cbnz reaches (then
 * emitted here alone). Returns true when it emitted the cbz. */
static bool cbz_jump(jit *j, const mbpf_insn *in, uint32_t t)
{
    if (j->final) {
        if ((j->offs[j->pc] & (JIT_CBZ | JIT_FWD16)) != (JIT_CBZ | JIT_FWD16))
            return false;
        uint32_t off = target_off(j, t) - j->b.pos;
        if (off < 4 || off > 130)
            jit_fail(j, MBPF_E_JIT, "internal: cbz out of range");
        t2_cbz(&j->b, MBPF_OP(in->code) == MBPF_JNE, j->lo[MBPF_INSN_DST(in)], off);
        return true;
    }
    unsigned op = MBPF_OP(in->code), d = MBPF_INSN_DST(in);
    if (j->head || j->pc >= j->n || t <= j->pc || MBPF_SRCBIT(in->code) || in->imm != 0 ||
        (op != MBPF_JEQ && op != MBPF_JNE) || d >= 10 || j->zf == d ||
        j->lo[d] == JIT_NOREG || !t2_is_low(j->lo[d]) ||
        !(MBPF_CLASS(in->code) == MBPF_JMP32 || ((j->hz >> d) & 1u)))
        return false;
    j->offs[j->pc] |= JIT_CBZ;
    return false;
}

/* Relayout: instruction i (`cmp; b.w`, 6 bytes at `at` in the sizing
 * layout) becomes cbz/cbnz when its target stays 4..130 bytes ahead: at
 * most its sizing distance - 4 (distances only shrink), and at least 4 when
 * some instruction in between has code that relayout never shrinks (no
 * jump, not in a loop with a fast path, whose guard relayout shrinks). */
static bool cbz_fits(const jit *j, uint32_t i, uint32_t t, uint32_t at)
{
    uint32_t dist = (j->offs[t] & JIT_OFF) - at;
    if ((j->offs[i + 1] & JIT_OFF) - at != 6 || dist > 134)
        return false;
    for (uint32_t k = i + 1; k < t; k++) {
        unsigned cls = MBPF_CLASS(j->insns[k].code);
        bool in_loop = false;
        for (unsigned l = 0; l < j->nloops; l++)
            in_loop |= j->loops[l].h <= k && k <= j->loops[l].e;
        if (!in_loop && cls != MBPF_JMP && cls != MBPF_JMP32 &&
            (j->offs[k + 1] & JIT_OFF) - (j->offs[k] & JIT_OFF) >= 2)
            return true;
    }
    return false;
}

static void jump(jit *j, const mbpf_insn *in)
{
    unsigned op = MBPF_OP(in->code);
    int64_t t = in->code == MBPF_OP_JA32 ? (int64_t)j->pc + in->imm + 1
                                         : (int64_t)j->pc + in->off + 1;
    if (t < 0 || t >= (int64_t)j->n) {
        jit_fail(j, MBPF_E_JIT, "jump out of range");
        return;
    }
    if (op != MBPF_JA && cbz_jump(j, in, (uint32_t)t))
        return;
    unsigned c = op == MBPF_JA ? T2_AL : compare(j, in);
    uint32_t to = target_off(j, (uint32_t)t);
    if (j->nloops && jit_loop_back(j, c, t <= (int64_t)j->pc, &to))
        return; /* back-edge of a loop's fast copy: no budget event */
    if (t > (int64_t)j->pc) {
        if (c == T2_AL || !jit_it_begin(j, c, (uint32_t)t))
            jit_branch_insn(j, c, (uint32_t)t);
        return;
    }
    if (j->nloops && jit_loop_fold_jump(j, c, to))
        return; /* its budget unit is charged by the loop's guard */
    uint32_t skip = 0;
    if (c != T2_AL)
        skip = jit_fwd_begin(j);
    budget_unit(j, to);
    if (c != T2_AL)
        jit_fwd_end(j, skip, c ^ 1u);
}

/* Helper call (imm id) or callx (id in dst): the id in ip, then the
 * program's marshalling of r1-r5 from their homes and the shared helper-call
 * routine (jit_call.c)
 * for the AAPCS call of ctx->call_helper. */
static void helper_call(jit *j, const mbpf_insn *in)
{
    t2_buf *b = &j->b;
    if (in->code == MBPF_OP_CALLX) {
        unsigned r = jit_src_lo(j, MBPF_INSN_DST(in), T2_IP);
        if (r != T2_IP)
            t2_mov_reg(b, T2_IP, r);
    } else {
        t2_mov_imm(b, T2_IP, (uint32_t)in->imm);
    }
    jit_bl(j, j->r_call);
    jit_desc(j, MBPF_JIT_DESC(j->pc, 0, MBPF_JIT_KIND_HELPER));
    if (j->lo[0] != JIT_NOREG) /* each half: its register or its slot */
        t2_mov_reg(b, j->lo[0], RA0);
    if (j->hi[0] != JIT_NOREG)
        t2_mov_reg(b, j->hi[0], RA1);
    jit_store_dst(j, 0, true, true);
    /* r1-r5 keep their values; regions may have changed. */
    uint16_t keep = (uint16_t)(j->hz & ~1u), keep_fpd = (uint16_t)(j->fpd & ~1u);
    jit_forget_all(j);
    j->hz = (uint16_t)(keep | (1u << 10));
    j->fpd = (uint16_t)(keep_fpd | (1u << 10));
}

/* Local call: depth check, budget, record r6-r9, r10 and the return address
 * in the next record, r10 moves down one frame, branch. The callee's exit
 * (jit_routines: exit) restores them and returns through the record. */
static void local_call(jit *j, const mbpf_insn *in)
{
    t2_buf *b = &j->b;
    int64_t t = (int64_t)j->pc + in->imm + 1;
    if (t < 0 || t >= (int64_t)j->n) {
        jit_fail(j, MBPF_E_JIT, "call target out of range");
        return;
    }
    t2_ldr(b, T2_W, RB0, T2_SP, F_REC, JIT_NOREG);
    t2_add_rd_sp(b, RB1, F_RECS + (j->max_depth - 1) * REC_SIZE);
    t2_cmp_reg(b, RB0, RB1);
    t2_hw(b, (uint16_t)(0xD100u | 3u)); /* bne past the call + descriptor */
    jit_call_rt(j, MBPF_JIT_RT_TRAP, RA0);
    jit_desc(j, MBPF_JIT_DESC(j->pc, 0, MBPF_JIT_KIND_DEPTH));
    budget_unit(j, NO_TARGET); /* keeps r2 */
    for (unsigned r = 6; r <= 9; r++) {
        int32_t at = (int32_t)(r - 6) * 8;
        t2_str(b, T2_W, jit_src_lo(j, r, RA0), RB0, at, JIT_NOREG);
        if (!((j->zhi >> r) & 1u)) /* a zero upper half is not restored */
            t2_str(b, T2_W, jit_src_hi(j, r, RA0), RB0, at + 4, JIT_NOREG);
    }
    unsigned fp = jit_src_lo(j, 10, RA0);
    t2_str(b, T2_W, fp, RB0, REC_R10, JIT_NOREG);
    if (j->lo[10] != JIT_NOREG) {
        t2_add_imm(b, fp, fp, -(int32_t)j->stack_size, RA1);
    } else {
        t2_add_imm(b, RA0, RA0, -(int32_t)j->stack_size, RA1);
        t2_str(b, T2_W, RA0, T2_SP, F_R10, JIT_NOREG);
    }
    /* adr r0, ret|1 (4) ; str r0,[r2,#36] (2) ; adds r2,#40 (2) ;
     * str r2,[sp,#F_REC] (2) ; b.w callee (4) ; ret: */
    uint32_t at = j->b.pos;
    uint32_t ret = at + 14;
    t2_adr(b, RA0, (int32_t)(ret + 1) - (int32_t)((at + 4) & ~3u));
    t2_str(b, T2_W, RA0, RB0, REC_RET, JIT_NOREG);
    t2_hw(b, (uint16_t)(0x3000u | RB0 << 8 | REC_SIZE));
    t2_str(b, T2_W, RB0, T2_SP, F_REC, JIT_NOREG);
    bool ok = t2_b(b, (int32_t)target_off(j, (uint32_t)t) - (int32_t)j->b.pos, true);
    if (!ok && j->final)
        jit_fail(j, MBPF_E_JIT, "call out of range (program too large)");
    jit_forget_all(j);
}

static void translate(jit *j, const mbpf_insn *in)
{
    switch (MBPF_CLASS(in->code)) {
    case MBPF_ALU:
    case MBPF_ALU64:
        jit_alu(j, in);
        return;
    case MBPF_LD:
        if (in->code != MBPF_OP_LDDW || MBPF_INSN_SRC(in) != MBPF_LDDW_IMM64 ||
            j->pc + 1 >= j->n) {
            jit_fail(j, MBPF_E_JIT, "unsupported load instruction");
            return;
        }
        jit_lddw(j, in);
        return;
    case MBPF_LDX:
        if (MBPF_MODE(in->code) != MBPF_MEM &&
            !(MBPF_MODE(in->code) == MBPF_MEMSX && MBPF_SIZE(in->code) != MBPF_DW)) {
            jit_fail(j, MBPF_E_JIT, "unsupported load instruction");
            return;
        }
        jit_ldx(j, in);
        return;
    case MBPF_ST:
    case MBPF_STX:
        if (MBPF_MODE(in->code) == MBPF_ATOMIC && MBPF_CLASS(in->code) == MBPF_STX &&
            (MBPF_SIZE(in->code) == MBPF_W || MBPF_SIZE(in->code) == MBPF_DW)) {
            jit_atomic(j, in);
            return;
        }
        if (MBPF_MODE(in->code) != MBPF_MEM) {
            jit_fail(j, MBPF_E_JIT, "unsupported store instruction");
            return;
        }
        jit_store(j, in);
        return;
    default: /* JMP, JMP32 */
        break;
    }
    unsigned op = MBPF_OP(in->code);
    if (op == MBPF_EXIT && MBPF_CLASS(in->code) == MBPF_JMP) {
        if (j->exit_inline)
            jit_final_exit(j); /* the one exit: no exit routine */
        else
            jit_branch_insn(j, T2_AL, j->n); /* exit routine: first after the code */
    } else if (op == MBPF_CALL && MBPF_CLASS(in->code) == MBPF_JMP) {
        if (in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_LOCAL)
            local_call(j, in);
        else
            helper_call(j, in);
    } else if (op == MBPF_CALL || op == MBPF_EXIT || op == 0xe0u || op == 0xf0u) {
        jit_fail(j, MBPF_E_JIT, "unsupported jump instruction");
    } else {
        jump(j, in);
    }
}

/* Offset of instruction i := here (the emitting pass checks that it is
 * where the sweep after the sizing pass put it). */
static void set_off(jit *j, uint32_t i)
{
    if (j->final && (j->offs[i] & JIT_OFF) != j->b.pos)
        jit_fail(j, MBPF_E_JIT, "internal: emitted layout differs from the sizing pass");
    if (j->b.pos > JIT_OFF)
        jit_fail(j, MBPF_E_JIT, "program too large for the JIT");
    j->offs[i] = (j->offs[i] & ~JIT_OFF) | (j->b.pos & JIT_OFF);
}

void jit_translate(jit *j, const mbpf_insn *in) { translate(j, in); }

static void run_pass(jit *j, uint8_t *buf, uint32_t cap)
{
    t2_init(&j->b, buf, cap);
    j->copies_used = 0;
    j->pc = 0;
    jit_prologue(j);
    /* every register starts as 0 or a 32-bit pointer, except those the
     * prologue leaves alone: they are written before being read, but an
     * ALU32 write must then set their upper half */
    j->hz = (uint16_t)(0x7ffu & ~(j->noinit & ~j->zhi));
    j->fpd = 1u << 10;
    for (unsigned r = 0; r < 11; r++)
        j->rd_ok[r] = j->wr_ok[r] = (jit_range){0, 0};
    j->zf = JIT_NOREG;
    for (uint32_t i = 0; i < j->n; i++) {
        const mbpf_insn *in = &j->insns[i];
        j->pc = i;
        if (j->it_end == i && i != 0)
            jit_it_finish(j);
        if (j->offs[i] & JIT_LABEL) {
            jit_forget_all(j);
            j->zf = JIT_NOREG;
        }
        set_off(j, i);
        if (j->nloops) {
            uint32_t last = jit_loop_head(j, i); /* a counted loop: guard and fast copy first */
            if (last != i) { /* no checked copy (deopt): the body ends here */
                while (i < last)
                    set_off(j, ++i);
                continue;
            }
            j->cold = jit_loop_cold(j, i);
        }
        j->nbr = 0;
        j->fwd_seen = false;
        uint32_t at = j->b.pos;
        j->zf_next = JIT_NOREG;
        bool mov32 = in->code == (MBPF_ALU | MBPF_MOV | MBPF_X); /* the pair peepholes */
        bool pair = mov32 || in->code == (MBPF_ALU | MBPF_K | MBPF_AND); /* start so */
        if (mov32 && i + 2 < j->n && !((j->offs[i + 1] | j->offs[i + 2]) & JIT_LABEL) &&
            jit_alu_triple(j, in)) {
            set_off(j, ++i);
            set_off(j, ++i);
            j->zf = JIT_NOREG;
            continue;
        }
        if (pair && i + 1 < j->n && !(j->offs[i + 1] & JIT_LABEL) && jit_alu_pair(j, in)) {
            i++;
            set_off(j, i);
            j->zf = JIT_NOREG;
            continue;
        }
        translate(j, in);
        if (j->zf_next != JIT_NOREG)
            j->zf = j->zf_next;
        else if (!mov32 || !jit_flag_neutral(j, in, j->b.pos - at))
            j->zf = JIT_NOREG;
        if (in->code == MBPF_OP_LDDW && i + 1 < j->n) {
            i++;
            set_off(j, i);
        }
    }
    j->cold = false;
    j->pc = j->n;
    set_off(j, j->n);
    j->main_end = j->b.pos;
    if (!j->final)
        j->copies = j->copies_used; /* the routines refresh only those */
    jit_routines(j);
}

/* Which routines the program can need (a superset: decided before any pass
 * so that every pass emits the same prologue and routines). */
static void scan_features(jit *j)
{
    uint32_t exits = 0;
    for (uint32_t i = 0; i < j->n; i++) {
        const mbpf_insn *in = &j->insns[i];
        unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        j->use_r10 |= MBPF_INSN_DST(in) == 10 || MBPF_INSN_SRC(in) == 10;
        if (in->code == MBPF_OP_LDDW) {
            i++;
            continue;
        }
        if (cls == MBPF_LDX || cls == MBPF_ST || cls == MBPF_STX) {
            unsigned base = cls == MBPF_LDX ? MBPF_INSN_SRC(in) : MBPF_INSN_DST(in);
            bool in_frame = base == 10 && in->off < 0 && (uint32_t)-in->off <= j->stack_size;
            if (!in_frame || MBPF_MODE(in->code) == MBPF_ATOMIC)
                j->use_mem = true;
            continue;
        }
        if (cls == MBPF_ALU64 && (op == MBPF_DIV || op == MBPF_MOD))
            j->use_rt = true; /* may call a shared division routine */
        if (cls != MBPF_JMP && cls != MBPF_JMP32)
            continue;
        exits += in->code == MBPF_OP_EXIT;
        if (in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_LOCAL) {
            j->use_calls = j->use_budget = j->use_trap = true;
        } else if (in->code == MBPF_OP_CALL || in->code == MBPF_OP_CALLX) {
            j->use_trap = j->use_helpers = true;
        } else if (op != MBPF_EXIT && op != MBPF_CALL) {
            int64_t t = in->code == MBPF_OP_JA32 ? (int64_t)i + in->imm + 1
                                                 : (int64_t)i + in->off + 1;
            if (t <= (int64_t)i)
                j->use_budget = j->use_trap = true;
        }
    }
    /* one exit: its final exit in place (4 bytes) instead of a jump to the
     * exit routine (2-4 + 4) */
    j->exit_inline = exits == 1 && !j->use_calls;
}

static void mark_labels(jit *j)
{
    for (uint32_t i = 0; i <= j->n; i++)
        j->offs[i] = JIT_OFF; /* not emitted yet: far away */
    j->offs[0] |= JIT_LABEL;
    for (uint32_t i = 0; i < j->n; i++) {
        const mbpf_insn *in = &j->insns[i];
        unsigned cls = MBPF_CLASS(in->code), op = MBPF_OP(in->code);
        if (in->code == MBPF_OP_LDDW) {
            i++;
            continue;
        }
        if (cls != MBPF_JMP && cls != MBPF_JMP32)
            continue;
        int64_t t;
        if (in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_LOCAL)
            t = (int64_t)i + in->imm + 1;
        else if (op == MBPF_CALL || op == MBPF_EXIT)
            continue;
        else if (in->code == MBPF_OP_JA32)
            t = (int64_t)i + in->imm + 1;
        else
            t = (int64_t)i + in->off + 1;
        if (t >= 0 && t < (int64_t)j->n)
            j->offs[t] |= JIT_LABEL;
    }
}

/* After the sizing pass: the prologue makes only the frame copies the
 * checks used (it shrinks: every offset moves alike), each marked forward
 * jump becomes 16-bit when its target is within 16-bit range of the start of
 * its instruction (the branch lies at or after it, and distances only
 * shrink), the offsets move accordingly, and so do the routines (sized at
 * the end of the sizing pass with the final copies: fixed sizes). Returns
 * the code size. */
static uint32_t relayout(jit *j)
{
    uint32_t wide_prologue = j->offs[0] & JIT_OFF, end = j->b.pos, main_end = j->main_end;
    t2_init(&j->b, NULL, 0);
    jit_prologue(j);
    uint32_t shift = wide_prologue - j->b.pos;
    for (uint32_t i = 0; i <= j->n; i++) {
        uint32_t e = j->offs[i], at = e & JIT_OFF;
        j->offs[i] = (e & ~JIT_OFF) | (at - shift);
        for (unsigned k = 0; k < j->nloops; k++)
            if (j->loops[k].h == i) /* its head comes first, then i's code */
                shift += jit_loop_relayout(j, &j->loops[k], at);
        if (!(e & JIT_FWD))
            continue;
        if (e & JIT_CBZ) {
            if (cbz_fits(j, i, fwd_target(j, i), at)) {
                j->offs[i] |= JIT_FWD16;
                shift += 4;
                continue;
            }
            j->offs[i] &= ~JIT_CBZ;
        }
        int32_t dist = (int32_t)(j->offs[fwd_target(j, i)] & JIT_OFF) - (int32_t)at;
        if ((e & JIT_FWD_AL) && dist == 4 && (j->offs[i + 1] & JIT_OFF) - at == 4) {
            /* the whole instruction is a jump to the code right after it
             * (e.g. the last `exit`, before the exit routine): nothing */
            j->offs[i] = (j->offs[i] & ~JIT_FWD) | JIT_FWD16;
            shift += 4;
        } else if ((e & JIT_FWD_AL) ? t2_b16_fits(dist) : t2_bcond16_fits(dist)) {
            j->offs[i] |= JIT_FWD16;
            shift += 2;
        }
    }
    /* shift now covers the whole code: the routines move by it */
    uint32_t *r[] = {&j->r_exit, &j->r_trap,  &j->r_mem,
                     &j->r_budget, &j->r_udiv64,   &j->r_sdiv64, &j->r_range, &j->r_call};
    for (unsigned k = 0; k < sizeof r / sizeof r[0]; k++)
        if (*r[k] >= main_end && *r[k] != JIT_OFF)
            *r[k] -= shift;
    j->main_end = main_end - shift;
    if (end - shift > JIT_OFF)
        jit_fail(j, MBPF_E_JIT, "program too large for the JIT");
    return end - shift;
}

static int fail_out(mbpf_jit_error *err, int status, uint32_t pc, const char *msg)
{
    if (err) {
        err->status = status;
        err->pc = pc;
        err->msg = msg;
    }
    return status;
}

int mbpf_jit_compile(mbpf_vm *vm, void *buf, size_t buf_len, size_t *code_len,
                     uint32_t *insn_offsets, mbpf_jit_error *err)
{
    if (!vm || !code_len)
        return fail_out(err, MBPF_E_ARG, 0, "bad argument");
    *code_len = 0;
    if (!vm->loaded || !vm->insns || vm->num_insns == 0)
        return fail_out(err, MBPF_E_STATE, 0, "no program loaded");
    if (((uintptr_t)buf & 3u) != 0)
        return fail_out(err, MBPF_E_ARG, 0, "code buffer must be 4-byte aligned");
    jit j = {0};
    j.vm = vm;
    j.insns = vm->insns;
    j.n = vm->num_insns;
    j.stack_size = vm->cfg.stack_size;
    j.max_depth = vm->cfg.max_depth ? vm->cfg.max_depth : 1u;
    j.stack_total = j.stack_size * j.max_depth;
    if (j.stack_size > 0x7fffu || j.stack_total > 0x7fffffffu)
        return fail_out(err, MBPF_E_JIT, 0, "stack too large for the JIT");
    if (insn_offsets) {
        j.offs = insn_offsets;
    } else {
        size_t need = ((size_t)j.n + 1) * sizeof(uint32_t);
        if (!vm->stack || need > j.stack_total || ((uintptr_t)vm->stack & 3u))
            return fail_out(err, MBPF_E_NOSPACE, 0,
                            "offset table does not fit the VM stack: pass insn_offsets");
        j.offs = (uint32_t *)(void *)vm->stack;
    }
    scan_features(&j);
    j.frame = F_RECS + (j.use_calls ? REC_SIZE * j.max_depth : 0u); /* records: local calls */
    mark_labels(&j);
    jit_loop_find(&j);
    jit_deopt_plan(&j); /* no checked copies without local calls */
    jit_loop_fold(&j);
    j.use_rt |= j.use_trap || j.use_budget || j.use_mem || j.use_range;
    jit_alloc_regs(&j); /* weighs the fast copies; reuses the offset table */
    jit_find_noinit(&j);
    mark_labels(&j);
    for (unsigned k = 0; k < j.nloops; k++)
        j.offs[j.loops[k].e + 1] |= JIT_LABEL; /* as jit_loop_find marked them */

    /* Sizing pass: every frame copy, forward jumps wide. */
    j.copies = COPY_SB | COPY_CR | COPY_CW;
    j.r_exit = j.r_trap = j.r_mem = j.r_budget = JIT_OFF;
    j.r_udiv64 = j.r_sdiv64 = j.r_range = j.r_call = JIT_OFF;
    run_pass(&j, NULL, 0);
    if (j.err_status != MBPF_OK)
        return fail_out(err, j.err_status, j.err_pc, j.err_msg);
    uint32_t size = relayout(&j);
    if (j.err_status != MBPF_OK)
        return fail_out(err, j.err_status, j.err_pc, j.err_msg);
    *code_len = size;
    if (!buf || buf_len < size)
        return fail_out(err, MBPF_E_NOSPACE, 0, "code buffer too small");
    j.final = true;
    uint32_t routines[] = {j.r_exit, j.r_trap,   j.r_mem, j.r_budget,
                           j.r_udiv64, j.r_sdiv64,   j.r_range, j.r_call};
    run_pass(&j, (uint8_t *)buf, (uint32_t)(buf_len > 0xffffffffu ? 0xffffffffu : buf_len));
    if (j.err_status != MBPF_OK)
        return fail_out(err, j.err_status, j.err_pc, j.err_msg);
    uint32_t emitted[] = {j.r_exit, j.r_trap,   j.r_mem, j.r_budget,
                          j.r_udiv64, j.r_sdiv64,   j.r_range, j.r_call};
    bool moved = false;
    for (unsigned k = 0; k < sizeof routines / sizeof routines[0]; k++)
        moved |= routines[k] != emitted[k];
    if (j.b.pos != size || j.b.overflow || moved)
        return fail_out(err, MBPF_E_JIT, 0, "internal: emitted size differs from the sizing pass");
    for (uint32_t i = 0; i <= j.n; i++)
        j.offs[i] &= JIT_OFF;
    return fail_out(err, MBPF_OK, 0, NULL);
}
