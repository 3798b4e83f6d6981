/* Counted-loop fast path: loop versioning.
 *
 * An innermost loop `h: body; jne rC, K -> h` (or another closing test, see
 * jit_loop_find.c) whose counter rC moves by +-1
 * exactly once per iteration runs a number of times N known at its entry.
 * When, at that entry, the budget covers the N-1 backward jumps and every
 * access of every iteration provably lies in the stack area or in one region
 * with the needed flags, no iteration can fail, and a copy of the body
 * without memory checks and without budget events gives the same registers,
 * memory and (after subtracting N-1 at once) budget. Otherwise the normal,
 * checked copy runs and fails exactly where the interpreter does. Layout at
 * the head (every jump to h lands on the guard):
 *
 *   guard: N-1 from the counter; budget; one call of the shared range
 *          routine per base register and need (the frame's region cache,
 *          else check_range); any doubt -> slow; then budget -= N-1 (N
 *          when an outer `ja` is folded in: jit_loop_fold.c)
 *   fast:  the body unchecked; the back-edge is `b<cond> fast`; `b after`
 *   slow:  the normal translation; its back-edge targets slow
 *
 * Which loops qualify: jit_loop_find.c; why the ranges are exact:
 * docs/jit-armv7m.md.
 */
#include <stddef.h>

#include "jit/armv7m/jit_internal.h"

_Static_assert(offsetof(mbpf_jit_ctx, check_range) == MBPF_JIT_CTX_CHECK_RANGE,
               "context block layout");

#define M_LIMIT 0x800000u /* N-1 below 2^23: (N-1) * 255 stays below 2^31 */

/* rd = rn + c with the flags of the addition (C: carry / no borrow). */
static void add_flags(jit *j, unsigned rd, unsigned rn, int32_t c)
{
    t2_buf *b = &j->b;
    uint32_t mag = c < 0 ? 0u - (uint32_t)c : (uint32_t)c;
    unsigned op = c < 0 ? T2_SUB : T2_ADD;
    if (t2_is_low(rd) && t2_is_low(rn) && (mag <= 7u || (rd == rn && mag <= 0xffu)))
        t2_add_imm(b, rd, rn, c, T2_LR); /* the 16-bit ADDS / SUBS */
    else if (!t2_dp_imm(b, op, true, rd, rn, mag)) {
        t2_mov_imm(b, T2_LR, mag);
        t2_alu(b, op, rd, rn, T2_LR, true);
    }
}

/* Guard -> checked copy. The sizing pass emits B<cond>.W and counts it;
 * relayout decides from that wide layout whether every such branch of the
 * head reaches as 16-bit (distances only shrink), the emitting pass obeys. */
static void to_slow(jit *j, jit_loop *L, unsigned cond, uint32_t slow)
{
    bool narrow = j->final && (L->narrow & JIT_LOOP_NARROW_SLOW);
    if (!j->final) {
        L->nslow++;
        L->nslow_pre += !L->stubbed || !j->deopt; /* a checked copy follows all */
    }
    int32_t off = (int32_t)slow - (int32_t)j->b.pos;
    if (!t2_bcond(&j->b, cond, off, !narrow) && j->final)
        jit_fail(j, MBPF_E_JIT, narrow ? "internal: a 16-bit branch does not reach"
                                       : "branch out of range (program too large)");
}

/* Where a failing guard leaves for the interpreter: J when the guard
 * charges J's unit (the interpreter charges it again from there), else h. */
static uint32_t deopt_pc(const jit_loop *L) { return L->fold ? L->fold : L->h; }

/* A failure stub (8 bytes): a direct call of the trap (`ldr r0, [sp,
 * #F_RT]; blx r0`) + descriptor (pc, DEOPT), or in a
 * program with checked copies `b.w slow` + a descriptor never executed. The
 * descriptor's size field holds `kind` for the range routine (0 if none).
 * The first one is where the guard's other failing tests branch (L->slow). */
static void stub(jit *j, jit_loop *L, uint32_t slow, unsigned kind)
{
    if (!L->stubbed && j->deopt)
        L->slow = j->b.pos;
    L->stubbed = 1;
    if (j->deopt) {
        jit_call_rt(j, MBPF_JIT_RT_TRAP, RA0);
    } else if (!t2_b(&j->b, (int32_t)slow - (int32_t)j->b.pos, true) && j->final) {
        jit_fail(j, MBPF_E_JIT, "branch out of range (program too large)");
    }
    jit_desc(j, MBPF_JIT_DESC(deopt_pc(L), kind, MBPF_JIT_KIND_DEOPT));
}

/* The guard's last test of a loop without a base. With a checked copy: ->
 * it when cond holds. In a program that deopts (j->deopt): a branch over
 * the deopt stub when the test passes, then the stub, which every other
 * failing test of the guard targets (L->slow): the run leaves for the
 * interpreter at the head (or at J), where nothing of the loop has run. */
static void last_test(jit *j, jit_loop *L, unsigned cond, uint32_t slow)
{
    if (!j->deopt) {
        to_slow(j, L, cond, slow);
        return;
    }
    uint32_t past = jit_fwd_begin(j);
    stub(j, L, slow, 0);
    jit_fwd_end(j, past, cond ^ 1u);
}

/* Guard: -> checked copy when register r (a high word, already in an ARM
 * register) is not 0; `cbnz` when relayout found it in reach. */
static void nonzero_to_slow(jit *j, jit_loop *L, unsigned r, uint32_t slow)
{
    if (t2_is_low(r) && !(L->stubbed && j->deopt)) { /* forward only */
        if (!j->final)
            L->ncbz++;
        if (j->final && (L->narrow & JIT_LOOP_NARROW_CBZ)) {
            if (slow < j->b.pos + 4u || slow > j->b.pos + 130u)
                jit_fail(j, MBPF_E_JIT, "internal: a cbnz does not reach");
            t2_cbz(&j->b, true, r, slow - j->b.pos);
            return;
        }
    }
    t2_cmp_imm(&j->b, r, 0);
    to_slow(j, L, T2_NE, slow);
}

/* A byte walker counted like Fletcher-16's inner loop (one base, step 1,
 * bytes [P0, P0 + N)): the range's length - 1 is N - 1, which the count
 * then computes straight into r2, the range routine's argument. */
static bool n_in_r2(const jit_loop *L)
{
    const jit_loop_base *bs = &L->bases[0];
    return L->nbases == 1 && !bs->derived && bs->step == 1 && bs->lo == 0 && bs->hi == 1 &&
           !L->wide && !L->order && L->lreg == JIT_NOREG && (L->cstep == 1 || L->cstep == -1);
}

/* r0 = N - 1 (back jumps the loop takes: 2^32 - 1 for N = 0, which the
 * budget test then sends to the checked copy unless it covers them), or ->
 * slow when N - 1 >= M_LIMIT and a base has a scaled step. The iteration i ends with
 * C0 + i*step and goes on while that is not the limit (or before it), so
 * N = (limit - C0) / step over the compared width (a step of 2^k needs a
 * multiple of it); an ordered test also
 * needs C0 before the limit (else -> slow; the checked copy is exact). */
static void guard_count(jit *j, jit_loop *L, uint32_t slow)
{
    t2_buf *b = &j->b;
    bool unit = L->cstep == 1 || L->cstep == -1;
    if (!L->wide && !L->order && L->lreg == JIT_NOREG && unit) { /* Fletcher's shape */
        unsigned cl = jit_src_lo(j, L->creg, RA0), nr = n_in_r2(L) ? RB0 : RA0;
        if (L->cstep < 0) { /* N - 1 = C - K - 1 (mod 2^32) */
            t2_add_imm(b, nr, cl, (int32_t)(0u - ((uint32_t)L->k + 1u)), T2_LR);
        } else { /* N - 1 = K - C - 1 */
            t2_mov_imm(b, RA1, (uint32_t)L->k - 1u);
            t2_alu(b, T2_SUB, nr, RA1, cl, false);
        }
    } else {
        /* operands first (moves may change the flags), then subs / sbcs */
        unsigned ll = RB0, lh = RB1;
        if (L->lreg == JIT_NOREG) {
            t2_mov_imm(b, RB0, (uint32_t)L->k);
            if (L->wide)
                t2_mov_imm(b, RB1, L->k < 0 ? 0xffffffffu : 0u);
        } else {
            ll = jit_src_lo(j, L->lreg, RB0);
            if (L->wide)
                lh = jit_src_hi(j, L->lreg, RB1);
        }
        unsigned cl = jit_src_lo(j, L->creg, RA0), ch = RA1;
        if (L->wide)
            ch = jit_src_hi(j, L->creg, RA1);
        bool up = L->cstep > 0;
        t2_alu(b, T2_SUB, RA0, up ? ll : cl, up ? cl : ll, true);
        if (L->wide)
            t2_alu(b, T2_SBC, RA1, up ? lh : ch, up ? ch : lh, true);
        /* A difference of 0 is N = 2^32 only for a 32-bit != test with a
         * step of +-1; else it is one iteration (ordered: C0 at the limit),
         * 2^64 (64-bit) or 2^(32-k) (step 2^k) -> slow. Ordered 32-bit: C0
         * at or after the limit (borrow or zero) in one branch. */
        if (L->order)
            to_slow(j, L, L->wide ? (L->order == 1 ? T2_LO : T2_LT)
                                  : (L->order == 1 ? T2_LS : T2_LE), slow);
        if (L->wide)
            nonzero_to_slow(j, L, RA1, slow);
        if (!unit) { /* step 2^k: the difference must be a multiple (else the
                        counter never meets the limit: budget error) */
            uint32_t mag = L->cstep < 0 ? 0u - (uint32_t)(int32_t)L->cstep : (uint32_t)L->cstep;
            unsigned k = mag == 2 ? 1u : mag == 4 ? 2u : 3u;
            t2_dp_imm(b, T2_AND, true, 15, RA0, mag - 1u); /* tst */
            to_slow(j, L, T2_NE, slow);
            t2_shift_imm(b, T2_LSR, RA0, RA0, k);
        }
        if (L->wide || !unit) { /* N - 1 borrowed: the difference was 0 */
            add_flags(j, RA0, RA0, -1);
            to_slow(j, L, T2_LO, slow);
        } else {
            t2_add_imm(b, RA0, RA0, -1, T2_LR);
        }
    }
    /* only a scaled step can overflow the range arithmetic; with steps of
     * 0 or +-1 every addition below tests its own carry */
    bool scaled = false;
    for (unsigned k = 0; k < L->nbases; k++)
        scaled |= L->bases[k].step < -1 || L->bases[k].step > 1;
    if (scaled) {
        t2_cmp_imm(b, RA0, M_LIMIT);
        to_slow(j, L, T2_HS, slow);
    }
}

/* Budget: the loop takes N-1 (r0) backward jumps; the low word must cover
 * them (else the checked copy runs: it borrows from the high word or stops
 * at the exact jump). With J folded in (L->fold) it must cover N: low >
 * N-1, so that N-1 = 2^32-1 (N = 0: 2^32 iterations) always fails. */
static void guard_budget(jit *j, jit_loop *L, uint32_t slow)
{
    t2_buf *b = &j->b;
    unsigned lo = j->breg;
    if (lo == JIT_NOREG) {
        t2_ldr(b, T2_W, RA1, T2_SP, F_BLO, JIT_NOREG);
        lo = RA1;
    }
    unsigned nr = n_in_r2(L) ? RB0 : RA0;
    t2_cmp_reg(b, L->fold ? nr : lo, L->fold ? lo : nr);
    unsigned fail = L->fold ? T2_HS : T2_LO;
    if (L->nbases == 0)
        last_test(j, L, fail, slow);
    else
        to_slow(j, L, fail, slow);
}

/* low word -= N-1; with J folded in, -= N: the guard's last test passed
 * with C clear (`blo` past the stub, or the range routine's return), so
 * one sbc does it. */
static void commit_budget(jit *j, const jit_loop *L)
{
    t2_buf *b = &j->b;
    unsigned op = L->fold ? T2_SBC : T2_SUB, nr = n_in_r2(L) ? RB0 : RA0;
    if (j->breg != JIT_NOREG) {
        t2_alu(b, op, j->breg, j->breg, nr, false);
    } else {
        t2_ldr(b, T2_W, RA1, T2_SP, F_BLO, JIT_NOREG);
        t2_alu(b, op, RA1, RA1, nr, false);
        t2_str(b, T2_W, RA1, T2_SP, F_BLO, JIT_NOREG);
    }
}

/* One base (its high word already tested 0): every access of every
 * iteration lies in [s, e) with
 *   s = P0 + lo - (step < 0 ? (N-1)|step| : 0),
 *   e = P0 + hi + (step > 0 ? (N-1)|step| : 0),
 * computed in 32 bits without wrapping (else -> slow). Then per need the
 * shared range routine (jit_shared.c) with r1, ip = the frame's copy of
 * that need's region cache (start, lim), r2 = e - 1 - s, r3 = e - 1: it returns
 * when the range is allowed and to the 8-byte stub right before its call
 * otherwise; the stub's descriptor holds the kind check_range gets. A
 * read-write base calls it twice (read cache, then write cache: both must
 * hold the range, or check_range allows it for both needs). r0 (N-1) is
 * kept. */
static void guard_base(jit *j, jit_loop *L, const jit_loop_base *bs, uint32_t slow)
{
    t2_buf *b = &j->b;
    unsigned pl; /* P0's register: its home, or r3 (read before r3 is written) */
    if (!bs->derived) {
        pl = jit_src_lo(j, bs->reg, RB1);
    } else if (bs->t2 == 0xffu) {
        pl = jit_src_lo(j, bs->reg, RB1);
        if (!((j->zhi >> bs->reg) & 1u))
            nonzero_to_slow(j, L, jit_src_hi(j, bs->reg, T2_LR), slow);
    } else { /* P0 = t1 + t2 over 64 bits, high word 0 (operands before adds) */
        unsigned ah = jit_src_hi(j, bs->reg, RA1), bh = jit_src_hi(j, bs->t2, T2_LR);
        unsigned al = jit_src_lo(j, bs->reg, RB0), bl = jit_src_lo(j, bs->t2, RB1);
        t2_alu(b, T2_ADD, RB1, al, bl, true);
        t2_alu(b, T2_ADC, T2_LR, ah, bh, true);
        nonzero_to_slow(j, L, T2_LR, slow);
        pl = RB1;
    }
    unsigned d = n_in_r2(L) ? RB0 : RA0; /* D = (N-1)|step| */
    uint32_t as = bs->step < 0 ? (uint32_t)-bs->step : (uint32_t)bs->step;
    if (as > 1 && (as & (as - 1u)) == 0) {
        unsigned sh = 0;
        while ((1u << sh) != as)
            sh++;
        t2_shift_imm(b, T2_LSL, RA1, RA0, sh);
        d = RA1;
    } else if (as > 1) {
        t2_mov_imm(b, RA1, as);
        t2_mul(b, RA1, RA0, RA1);
        d = RA1;
    }
    unsigned first = bs->need & NEED_READ ? 0u : 1u;
    unsigned kind = bs->need == NEED_READ    ? MBPF_JIT_KIND_LOAD
                    : bs->need == NEED_WRITE ? MBPF_JIT_KIND_STORE
                                             : MBPF_JIT_KIND_ATOMIC;
    /* r2 = e - 1 - s, r3 = e - 1 (true values: e <= 2^32); then the cache
     * load (flags kept), and the last test of r3 branches over the stub when
     * it passes */
    unsigned pend = 0xffu; /* a failing test not emitted yet */
    if (bs->lo == 0 && bs->step >= 0) { /* s = P0: r2 = D + hi - 1, r3 = P0 + r2 */
        if (bs->step == 0) {
            t2_mov_imm(b, RB0, (uint32_t)(bs->hi - 1)); /* hi > lo = 0 */
        } else if (bs->hi > 1) {
            add_flags(j, RB0, d, bs->hi - 1);
            to_slow(j, L, T2_HS, slow);
        } else if (d != RB0) {
            t2_mov_reg(b, RB0, d);
        }
        t2_alu(b, T2_ADD, RB1, pl, RB0, true);
        pend = T2_HS;
    } else { /* s into r2 (no wrap), r3 = e - 1, then r2 = r3 - s */
        add_flags(j, RB0, pl, bs->lo);
        if (bs->lo != 0)
            to_slow(j, L, bs->lo < 0 ? T2_LO : T2_HS, slow);
        if (bs->step < 0) {
            t2_alu(b, T2_SUB, RB0, RB0, d, true);
            to_slow(j, L, T2_LO, slow);
        }
        unsigned src = pl;
        if (bs->step > 0) {
            t2_alu(b, T2_ADD, RB1, pl, d, true);
            pend = T2_HS;
            src = RB1;
        }
        if (bs->hi > 1) {
            if (pend != 0xffu)
                to_slow(j, L, pend, slow);
            add_flags(j, RB1, src, bs->hi - 1);
            pend = T2_HS;
        } else if (bs->hi != 1 || src != RB1) {
            if (pend != 0xffu) /* before the flags change */
                to_slow(j, L, pend, slow);
            pend = 0xffu;
            t2_add_imm(b, RB1, src, bs->hi - 1, T2_LR);
        }
        t2_dp_reg(b, T2_SUB, false, RB0, RB1, RB0, T2_LSL, 0); /* flags kept */
    }
    /* the call, 4 bytes after the stub either way: `ldr r1, [sp, #F_RT +
     * 4 * RANGE]; blx r1` for the read cache, for the write cache the
     * entry 6 bytes before it (the ldr first, where it keeps the flags of
     * the pending test: `subs r1, #6; blx r1`) */
    for (unsigned c = first; c < 2; c++) {
        if (c == 1 && !(bs->need & NEED_WRITE))
            break;
        j->copies_used |= c == 0 ? COPY_CR : COPY_CW;
        if (c == 1)
            t2_ldr(b, T2_W, RA1, T2_SP, F_RT + 4 * MBPF_JIT_RT_RANGE, JIT_NOREG);
        uint32_t over = jit_fwd_begin(j); /* b<pass> call */
        stub(j, L, slow, kind);
        jit_fwd_end(j, over, pend == 0xffu ? T2_AL : pend ^ 1u);
        pend = 0xffu;
        if (c == 1) {
            t2_hw(b, (uint16_t)(0x3900u | RANGE_W_BACK)); /* subs r1, #6 */
            t2_blx_reg(b, RA1);
        } else {
            jit_call_rt(j, MBPF_JIT_RT_RANGE, RA1);
        }
    }
}

/* A sunk copy's pair (2 instructions) computes into a; its copy (1) emits
 * nothing. Returns the instructions consumed, 0 if none. */
static unsigned sunk(jit *j, const jit_sink *sk, unsigned nsk, uint32_t rel, const mbpf_insn *in)
{
    for (unsigned k = 0; k < nsk; k++) {
        if (sk[k].p == rel) {
            const mbpf_insn *op = in + 1;
            unsigned a = sk[k].a, b = sk[k].b;
            jit_clobber(j, b); /* b's register is stale from here on */
            jit_alu3(j, MBPF_OP(op->code), a, MBPF_INSN_SRC(in), MBPF_INSN_SRC(op));
            j->zf = JIT_NOREG;
            return 2;
        }
        if (sk[k].q == rel) {
            if (j->zf == sk[k].a || j->zf == sk[k].b)
                j->zf = JIT_NOREG;
            return 1;
        }
    }
    return 0;
}

/* clang's little-endian halfword from two bytes: `ldxb a, [p + k + 1];
 * lsh32 a, 8; ldxb b, [p + k]; or32 a, b` (a, b, p distinct, in ARM
 * registers): a = `ldrh [p + k]` (unaligned halfword loads are fine on
 * ARMv7-M), then b's own load as translated. Only in a fast copy: nothing
 * there can fail, so the two loads need not come in their order; the guard
 * proved the bytes [p + k, p + k + 2). Returns the instructions consumed. */
static unsigned halfword(jit *j, const jit_loop *L, uint32_t i)
{
    const mbpf_insn *in = &j->insns[i];
    const uint8_t ldxb = MBPF_LDX | MBPF_MEM | MBPF_B;
    if (i + 3 >= L->e || in[0].code != ldxb || in[2].code != ldxb)
        return 0;
    unsigned a = MBPF_INSN_DST(&in[0]), p = MBPF_INSN_SRC(&in[0]), b = MBPF_INSN_DST(&in[2]);
    if (MBPF_INSN_SRC(&in[2]) != p || in[0].off != in[2].off + 1 ||
        in[1].code != (MBPF_ALU | MBPF_K | MBPF_LSH) || MBPF_INSN_DST(&in[1]) != a ||
        in[1].imm != 8 || in[1].off != 0 || in[3].code != (MBPF_ALU | MBPF_X | MBPF_OR) ||
        MBPF_INSN_DST(&in[3]) != a || MBPF_INSN_SRC(&in[3]) != b || in[3].off != 0 || a == b ||
        a == p || b == p || a >= 10 || b >= 10 || p > 10 || j->lo[a] == JIT_NOREG ||
        j->lo[b] == JIT_NOREG || j->lo[p] == JIT_NOREG)
        return 0;
    const mbpf_insn h = {.code = MBPF_LDX | MBPF_MEM | MBPF_H, .regs = (uint8_t)(a | p << 4),
                         .off = in[2].off};
    jit_translate(j, &h);
    j->pc = i + 2;
    jit_translate(j, &in[2]);
    j->zf = JIT_NOREG;
    return 4;
}

/* The exit path of the fast copy: b = a for each sunk copy (mov32). */
static void sink_exit(jit *j, const jit_sink *sk, unsigned nsk)
{
    for (unsigned k = 0; k < nsk; k++) {
        unsigned a = sk[k].a, b = sk[k].b;
        t2_mov_reg(&j->b, j->lo[b], j->lo[a]);
        j->hz &= (uint16_t)~(1u << b);
        jit_alu32_result(j, b);
    }
}

/* The body once more, unchecked: mem_addr skips checks while j->fast is
 * set, pointer steps are 32-bit adds (jit_loop_ptr_add), the back-edge is a
 * plain branch (jit_loop_back). Mirrors run_pass's per-instruction step. */
static void fast_copy(jit *j, jit_loop *L)
{
    jit_sink sk[JIT_LOOP_SINKS];
    unsigned nsk = jit_loop_sinks(j, L, sk, JIT_LOOP_SINKS);
    jit_forget_all(j);
    j->zf = JIT_NOREG;
    j->post_done = 0;
    L->fast = j->b.pos;
    for (uint32_t i = L->h; i <= L->e; i++) {
        const mbpf_insn *in = &j->insns[i];
        j->pc = i;
        uint32_t at = j->b.pos;
        j->zf_next = JIT_NOREG;
        unsigned used = sunk(j, sk, nsk, i - L->h, in);
        if (used) {
            i += used - 1u;
            continue;
        }
        used = halfword(j, L, i);
        if (used) {
            i += used - 1u;
            continue;
        }
        if (i < L->e && jit_alu_pair(j, in)) {
            i++;
            j->zf = JIT_NOREG;
            continue;
        }
        jit_translate(j, in);
        if (j->zf_next != JIT_NOREG)
            j->zf = j->zf_next;
        else if (!jit_flag_neutral(j, in, j->b.pos - at))
            j->zf = JIT_NOREG;
        if (in->code == MBPF_OP_LDDW)
            i++;
    }
    sink_exit(j, sk, nsk);
}

uint32_t jit_loop_head(jit *j, uint32_t i)
{
    if (j->fast)
        return i;
    unsigned idx = 0;
    while (idx < j->nloops && j->loops[idx].h != i)
        idx++;
    if (idx == j->nloops)
        return i;
    jit_loop *L = &j->loops[idx];
    /* The sizing pass lays the head out with wide branches to the checked
     * copy and to the loop's exit; relayout then decides which of them are
     * 16-bit (L->narrow) and where the checked copy lands (L->slow_rel), and
     * the emitting pass checks that it does land there. */
    uint32_t head = j->b.pos;
    uint32_t slow = j->final ? head + L->slow_rel : head;
    if (!j->final)
        L->nslow = L->ncbz = L->nslow_pre = 0;
    L->stubbed = 0;
    j->head = true;
    /* the bases' high words first: on the host, pointers that are 64-bit
     * host addresses (map values) fail here, at the least cost */
    for (unsigned k = 0; k < L->nbases; k++) {
        unsigned r = L->bases[k].reg;
        if (!L->bases[k].derived && r != 10 && !((j->zhi >> r) & 1u))
            nonzero_to_slow(j, L, jit_src_hi(j, r, RA1), slow);
    }
    guard_count(j, L, slow);
    guard_budget(j, L, slow);
    for (unsigned k = 0; k < L->nbases; k++)
        guard_base(j, L, &L->bases[k], slow);
    if (!j->final)
        L->span = j->b.pos - head;
    if (j->deopt) { /* the stub (L->slow) lands where relayout said */
        if (!j->final)
            L->slow_rel = L->slow - head;
        else if (L->slow != slow)
            jit_fail(j, MBPF_E_JIT, "internal: loop guard size differs from the sizing pass");
    }
    commit_budget(j, L);
    j->fast = (uint8_t)(idx + 1u);
    fast_copy(j, L);
    j->fast = 0;
    if (j->deopt) { /* no checked copy: the fast copy falls into e + 1 */
        j->pc = i;
        j->head = false;
        return L->e;
    }
    j->pc = L->e + 1;
    if (!j->final)
        L->after_rel = j->b.pos - head;
    int32_t off = (int32_t)(j->offs[L->e + 1] & JIT_OFF) - (int32_t)j->b.pos;
    bool narrow = j->final && (L->narrow & JIT_LOOP_NARROW_AFTER);
    if (!t2_bcond(&j->b, T2_AL, off, !narrow) && j->final)
        jit_fail(j, MBPF_E_JIT, "branch out of range (program too large)");
    j->pc = i;
    j->head = false;
    jit_forget_all(j);
    j->zf = JIT_NOREG;
    L->slow = j->b.pos;
    if (!j->final)
        L->slow_rel = L->slow - head;
    else if (L->slow != slow)
        jit_fail(j, MBPF_E_JIT, "internal: loop head size differs from the sizing pass");
    return i;
}

/* Instruction i belongs to a loop with a fast copy: its normal translation
 * is the checked copy, run only when the guard failed, which for these
 * straight-line bodies means the loop faults, runs out of budget, or runs
 * once (an ordered test whose counter starts past its limit). */
bool jit_loop_cold(const jit *j, uint32_t i)
{
    for (unsigned k = 0; k < j->nloops; k++)
        if (j->loops[k].h <= i && i <= j->loops[k].e)
            return true;
    return false;
}

/* relayout (after the sizing pass): the head of L, at `at` in the sizing
 * layout whose offsets of later instructions are still in j->offs, gets its
 * branches decided (see to_slow); returns the bytes the head shrinks by. */
uint32_t jit_loop_relayout(jit *j, jit_loop *L, uint32_t at)
{
    uint32_t delta = 0, moved = 0;
    L->narrow = 0;
    /* the first branch to the checked copy lies at or after the head; in a
     * program that deopts the later ones may branch back to the first stub,
     * at most the guard's length */
    if (t2_bcond16_fits((int32_t)L->slow_rel) &&
        (!j->deopt || t2_bcond16_fits(-(int32_t)L->span))) {
        L->narrow |= JIT_LOOP_NARROW_SLOW;
        delta += 2u * L->nslow;
        moved += 2u * L->nslow_pre;
        if (L->slow_rel <= 130u) { /* cbnz reaches 4..130 forward */
            L->narrow |= JIT_LOOP_NARROW_CBZ;
            delta += 2u * L->ncbz; /* the cmp goes too (all before the stub) */
            moved += 2u * L->ncbz;
        }
    }
    int32_t exit_off = (int32_t)(j->offs[L->e + 1] & JIT_OFF) - (int32_t)(at + L->after_rel);
    if (!j->deopt && t2_b16_fits(exit_off)) { /* (a deopt stub lies in the guard) */
        L->narrow |= JIT_LOOP_NARROW_AFTER;
        delta += 2u;
        moved += 2u;
    }
    L->slow_rel -= moved;
    return delta;
}

/* The jumps of a loop: in the fast copy the back-edge is a plain branch
 * (for `jeq c, K, out; ja head`, one `b<ne> fast` at the jeq, nothing at
 * the ja); the checked copy's back-edge targets the checked copy. */
bool jit_loop_back(jit *j, unsigned cond, bool backward, uint32_t *to)
{
    if (j->fast) {
        const jit_loop *L = &j->loops[j->fast - 1u];
        bool jeq_ja = MBPF_OP(j->insns[L->e].code) == MBPF_JA;
        /* inside the fast copy, whose layout is the same in both passes:
         * 16-bit when it reaches */
        int32_t off = (int32_t)L->fast - (int32_t)j->b.pos;
        if (jeq_ja && j->pc == L->e - 1u)
            t2_bcond(&j->b, cond ^ 1u, off, !t2_bcond16_fits(off));
        else if (j->pc == L->e && !jeq_ja)
            t2_bcond(&j->b, cond, off, !t2_bcond16_fits(off));
        return j->pc == L->e || (jeq_ja && j->pc == L->e - 1u);
    }
    for (unsigned k = 0; backward && k < j->nloops; k++)
        if (j->loops[k].e == j->pc)
            *to = j->loops[k].slow;
    return false;
}

bool jit_loop_ptr_add(jit *j, const mbpf_insn *in)
{
    int32_t step = 0;
    bool is64 = false;
    if (!j->fast || !jit_loop_add_imm(in, &step, &is64) || !is64)
        return false;
    const jit_loop *L = &j->loops[j->fast - 1u];
    unsigned d = MBPF_INSN_DST(in);
    bool induction = false;
    for (unsigned k = 0; k < L->nbases; k++)
        induction |= L->bases[k].reg == d && L->bases[k].step != 0 && !L->bases[k].derived;
    if (!induction)
        return false;
    /* the guard proved P0 + i*step < 2^32 for every i <= N: no carry into
     * the high word, which stays 0 */
    uint64_t bit = 1ull << (j->pc - L->h); /* bodies have at most 48 slots */
    if (j->post_done & bit) {
        j->post_done &= ~bit; /* done by the post-indexed access before it */
    } else if (j->lo[d] != JIT_NOREG) {
        t2_add_imm(&j->b, j->lo[d], j->lo[d], step, T2_LR);
    } else {
        t2_ldr(&j->b, T2_W, RA0, T2_SP, jit_slot(d, false), JIT_NOREG);
        t2_add_imm(&j->b, RA0, RA0, step, T2_LR);
        t2_str(&j->b, T2_W, RA0, T2_SP, jit_slot(d, false), JIT_NOREG);
    }
    jit_clobber(j, d);
    j->hz |= (uint16_t)(1u << d);
    return true;
}

/* Fast copy: `ld/st rt, [P + 0]` where P is an induction pointer whose
 * step comes later with no other use of P in between: one post-indexed
 * LDR/STR does both (nothing can fail in between, so the order of the
 * access and the step is not observable); the step then emits nothing. */
bool jit_loop_post(jit *j, const mbpf_insn *in, unsigned t, bool store, unsigned rt,
                   unsigned rn)
{
    if (!j->fast || in->off != 0 || rt == rn || rt == T2_SP || rt == T2_PC)
        return false;
    const jit_loop *L = &j->loops[j->fast - 1u];
    unsigned base = store ? MBPF_INSN_DST(in) : MBPF_INSN_SRC(in);
    int32_t step = 0;
    for (unsigned k = 0; k < L->nbases; k++)
        if (L->bases[k].reg == base && !L->bases[k].derived)
            step = L->bases[k].step;
    if (step == 0 || j->lo[base] != rn)
        return false;
    uint32_t at = j->pc + 1;
    for (; at < L->e; at++) {
        const mbpf_insn *x = &j->insns[at];
        int32_t st = 0;
        bool is64 = false;
        if (jit_loop_add_imm(x, &st, &is64) && is64 && MBPF_INSN_DST(x) == base)
            break;
        if (MBPF_INSN_DST(x) == base || MBPF_INSN_SRC(x) == base)
            return false; /* P read or written in between (over-approximated) */
    }
    if (at >= L->e)
        return false;
    static const uint16_t ld[5] = {0xF850u, 0xF830u, 0xF810u, 0xF930u, 0xF910u};
    static const uint16_t st_[3] = {0xF840u, 0xF820u, 0xF800u};
    if (store && t > T2_B)
        return false;
    uint16_t first = (uint16_t)((store ? st_[t] : ld[t]) | rn);
    uint32_t mag = step < 0 ? (uint32_t)-step : (uint32_t)step;
    /* T4/T3 immediate, P = 0 (post-indexed), U = step > 0, W = 1 */
    t2_w32(&j->b, first, (uint16_t)(rt << 12 | 0x0900u | (step > 0 ? 0x0200u : 0u) | mag));
    j->post_done |= 1ull << (at - L->h);
    return true;
}
