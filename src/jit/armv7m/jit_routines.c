/* Prologue and the routines emitted once after the program's code:
 * exit (return from a local call, or the final exit), the error exit, the
 * trap (budget / depth / helper failure with the pc in a descriptor), the
 * slow memory check, the budget refill, and 64-bit division (only if used,
 * jit_div64.c).
 * Every routine has a fixed size whatever the offsets, and they reach each
 * other with 32-bit branches, so their layout never depends on a pass.
 */
#include "jit/armv7m/jit_internal.h"

void jit_prologue(jit *j)
{
    t2_buf *b = &j->b;
    t2_push(b, JIT_PUSH_LIST);
    t2_add_sp(b, -(int32_t)j->frame);
    t2_str(b, T2_W, 0, T2_SP, F_CTX, JIT_NOREG);
    t2_str(b, T2_W, T2_SP, 0, MBPF_JIT_CTX_SAVED_SP, JIT_NOREG); /* str.w sp */
    if (j->use_mem && (j->copies & COPY_SB)) {
        t2_ldr(b, T2_W, 1, 0, MBPF_JIT_CTX_STACK_BASE, JIT_NOREG);
        t2_str(b, T2_W, 1, T2_SP, F_SB, JIT_NOREG);
    }
    if (j->use_mem) {
        for (int32_t at = F_CR_START; at < F_RECS; at += 4) {
            if (!(j->copies & (at < F_CW_START ? COPY_CR : COPY_CW)))
                continue;
            t2_ldr(b, T2_W, 1, 0, MBPF_JIT_CTX_CR_START + (at - F_CR_START), JIT_NOREG);
            t2_str(b, T2_W, 1, T2_SP, at, JIT_NOREG);
        }
    }
    /* the budget's low word (the high word stays in the block: only the
     * refill routine touches it) */
    if (j->use_budget && j->breg != JIT_NOREG) {
        t2_ldr(b, T2_W, j->breg, 0, MBPF_JIT_CTX_BUDGET_LO, JIT_NOREG);
    } else if (j->use_budget) {
        t2_ldr(b, T2_W, 1, 0, MBPF_JIT_CTX_BUDGET_LO, JIT_NOREG);
        t2_str(b, T2_W, 1, T2_SP, F_BLO, JIT_NOREG);
    }
    if (j->use_calls) {
        t2_add_rd_sp(b, 1, F_RECS);
        t2_str(b, T2_W, 1, T2_SP, F_REC, JIT_NOREG);
    }
    if (j->lo[10] != JIT_NOREG) {
        t2_ldr(b, T2_W, j->lo[10], 0, MBPF_JIT_CTX_STACK_END, JIT_NOREG);
    } else if (j->use_r10 || j->use_calls) { /* else nothing reads the slot */
        t2_ldr(b, T2_W, 1, 0, MBPF_JIT_CTX_STACK_END, JIT_NOREG);
        t2_str(b, T2_W, 1, T2_SP, F_R10, JIT_NOREG);
    }
    /* r3 = 0 for the registers to clear and the upper halves of r1, r2 */
    if ((0x3f9u & ~j->noinit) != 0 || (0x6u & ~j->zhi) != 0)
        t2_mov_imm(b, 3, 0);
    for (unsigned r = 0; r < 10; r++) {
        if ((j->noinit >> r) & 1u)
            continue;
        if (r == 1 || r == 2) {
            int32_t from = r == 1 ? MBPF_JIT_CTX_ARG_CTX : MBPF_JIT_CTX_ARG_CTX_LEN;
            if (j->lo[r] != JIT_NOREG) {
                t2_ldr(b, T2_W, j->lo[r], 0, from, JIT_NOREG);
            } else {
                t2_ldr(b, T2_W, 1, 0, from, JIT_NOREG);
                t2_str(b, T2_W, 1, T2_SP, jit_slot(r, false), JIT_NOREG);
            }
        } else if (j->lo[r] != JIT_NOREG) {
            t2_mov_reg(b, j->lo[r], 3);
        } else {
            t2_str(b, T2_W, 3, T2_SP, jit_slot(r, false), JIT_NOREG);
        }
        if ((j->zhi >> r) & 1u)
            continue; /* upper half has no storage */
        if (j->hi[r] != JIT_NOREG)
            t2_mov_reg(b, j->hi[r], 3);
        else
            t2_str(b, T2_W, 3, T2_SP, jit_slot(r, true), JIT_NOREG);
    }
}

static void wide_b(jit *j, uint32_t target)
{
    t2_b(&j->b, (int32_t)target - (int32_t)j->b.pos, true);
}

/* exit: frame 0 -> final exit; else pop the record, restore r6-r9, r10
 * and return to the caller. */
static void exit_routines(jit *j)
{
    t2_buf *b = &j->b;
    j->r_exit = b->pos;
    if (j->use_calls) {
        t2_ldr(b, T2_W, 2, T2_SP, F_REC, JIT_NOREG);
        t2_add_rd_sp(b, 3, F_RECS);
        t2_cmp_reg(b, 2, 3);
        uint32_t to_final = jit_fwd_begin(j);
        t2_hw(b, (uint16_t)(0x3800u | 2u << 8 | REC_SIZE)); /* subs r2, #40 */
        t2_str(b, T2_W, 2, T2_SP, F_REC, JIT_NOREG);
        for (unsigned r = 6; r <= 10; r++) {
            for (unsigned half = 0; half < (r == 10 || ((j->zhi >> r) & 1u) ? 1u : 2u); half++) {
                int32_t at = r == 10 ? REC_R10 : (int32_t)(r - 6) * 8 + 4 * (int32_t)half;
                unsigned reg = half ? j->hi[r] : j->lo[r];
                if (reg != JIT_NOREG) {
                    t2_ldr(b, T2_W, reg, 2, at, JIT_NOREG);
                } else {
                    t2_ldr(b, T2_W, 0, 2, at, JIT_NOREG);
                    t2_str(b, T2_W, 0, T2_SP, jit_slot(r, half != 0), JIT_NOREG);
                }
            }
        }
        t2_ldr(b, T2_W, T2_PC, 2, REC_RET, JIT_NOREG);
        jit_fwd_end(j, to_final, T2_EQ);
    }
    /* Final exit: r0 into the context block (status and r0_hi start as 0:
     * the runner's; r0_hi is written only when r0 can have an upper half). */
    t2_ldr(b, T2_W, 2, T2_SP, F_CTX, JIT_NOREG);
    t2_str(b, T2_W, jit_src_lo(j, 0, 0), 2, MBPF_JIT_CTX_R0_LO, JIT_NOREG);
    if (!(j->zhi & 1u))
        t2_str(b, T2_W, jit_src_hi(j, 0, 1), 2, MBPF_JIT_CTX_R0_HI, JIT_NOREG);
    /* Both exits, r2 = the context block: the budget's low word back (the
     * high word lives in the block), unwind. */
    uint32_t common = b->pos;
    if (j->use_budget) {
        if (j->breg != JIT_NOREG) {
            t2_str(b, T2_W, j->breg, 2, MBPF_JIT_CTX_BUDGET_LO, JIT_NOREG);
        } else {
            t2_ldr(b, T2_W, 3, T2_SP, F_BLO, JIT_NOREG);
            t2_str(b, T2_W, 3, 2, MBPF_JIT_CTX_BUDGET_LO, JIT_NOREG);
        }
    }
    t2_add_sp(b, (int32_t)j->frame);
    t2_pop(b, JIT_POP_LIST);
    /* Error exit (status etc. already in the block). */
    j->r_exit_err = b->pos;
    t2_ldr(b, T2_W, 2, T2_SP, F_CTX, JIT_NOREG);
    wide_b(j, common);
}

/* trap: lr-1 = descriptor after the caller's BL. Stores pc and kind; budget
 * and depth also set the status (a helper failure has set it already). */
static void trap_routine(jit *j)
{
    t2_buf *b = &j->b;
    j->r_trap = b->pos;
    t2_ldr(b, T2_H, 0, T2_LR, -1, JIT_NOREG);
    t2_ldr(b, T2_H, 1, T2_LR, 1, JIT_NOREG);
    t2_ldr(b, T2_W, 2, T2_SP, F_CTX, JIT_NOREG);
    t2_dp_reg(b, T2_ORR, false, 0, 0, 1, T2_LSL, 16);
    t2_dp_imm(b, T2_BIC, false, 3, 0, 0xff000000u);
    t2_str(b, T2_W, 3, 2, MBPF_JIT_CTX_PC, JIT_NOREG);
    t2_shift_imm(b, T2_LSR, 1, 0, 28);
    t2_str(b, T2_W, 1, 2, MBPF_JIT_CTX_KIND, JIT_NOREG);
    static const struct { uint32_t kind, status_not; } set[2] = {
        {MBPF_JIT_KIND_BUDGET, (uint32_t)~(uint32_t)MBPF_E_BUDGET},
        {MBPF_JIT_KIND_DEPTH, (uint32_t)~(uint32_t)MBPF_E_DEPTH},
    };
    for (unsigned i = 0; i < 2; i++) {
        t2_cmp_imm(b, 1, set[i].kind);
        t2_it(b, T2_EQ, 0x4u); /* itt eq */
        t2_dp_imm(b, T2_ORN, false, 3, T2_PC, set[i].status_not); /* mvn r3, #~status */
        t2_str(b, T2_W, 3, 2, MBPF_JIT_CTX_STATUS, JIT_NOREG);
    }
    wide_b(j, j->r_exit_err);
}

/* budget: called when the low word borrowed (it is now 0xffffffff, in the
 * budget register or already stored in the frame): take one from the high
 * word, or stop with a low word of 0. */
static void budget_routine(jit *j)
{
    t2_buf *b = &j->b;
    j->r_budget = b->pos;
    t2_ldr(b, T2_W, 0, T2_SP, F_CTX, JIT_NOREG);
    t2_ldr(b, T2_W, 1, 0, MBPF_JIT_CTX_BUDGET_HI, JIT_NOREG);
    uint32_t none = jit_fwd_begin(j); /* cbz r1, exhausted */
    t2_hw(b, 0x3901u); /* subs r1, #1 */
    t2_str(b, T2_W, 1, 0, MBPF_JIT_CTX_BUDGET_HI, JIT_NOREG);
    t2_dp_imm(b, T2_ADD, false, T2_LR, T2_LR, 4);
    t2_bx(b, T2_LR);
    jit_fwd_end_cbz(j, none, false, 1);
    if (j->breg != JIT_NOREG) /* exhausted: the low word is 0, not the borrow */
        t2_mov_imm(b, j->breg, 0);
    else /* r1 = 0 here; the caller has stored the borrow */
        t2_str(b, T2_W, 1, T2_SP, F_BLO, JIT_NOREG);
    wide_b(j, j->r_trap);
}

/* In mem_slow: is [ip, ip + r2) inside the cached region at ctx r3 + at
 * (start, lim)? lim = len - 7 for len >= 8, else 0 (then C decides). Adds
 * two placeholders to to_c, taken when not inside: cbz r1, bhi. */
static void window_check(jit *j, int32_t at, uint32_t *to_c, unsigned *nto_c)
{
    t2_buf *b = &j->b;
    t2_ldr(b, T2_W, 1, 3, at + 4, JIT_NOREG);  /* lim */
    to_c[(*nto_c)++] = jit_fwd_begin(j);       /* cbz r1: no region cached */
    t2_hw(b, 0x3107u);                         /* adds r1, #7: len */
    t2_alu(b, T2_SUB, 1, 1, 2, true);          /* r1 = len - size (len >= 8) */
    t2_ldr(b, T2_W, 0, 3, at, JIT_NOREG);      /* start */
    t2_dp_reg(b, T2_SUB, false, 0, T2_IP, 0, T2_LSL, 0); /* r0 = addr - start */
    t2_cmp_reg(b, 0, 1);
    to_c[(*nto_c)++] = jit_fwd_begin(j);       /* bhi: beyond the last valid start */
}

/* mem_slow: ip = address low word, r3 = high word, lr-1 = descriptor.
 * Calls ctx->check_mem(lo, hi, desc, ctx); returns past the descriptor with
 * every register but lr kept, or leaves through the error exit. */
static void mem_routine(jit *j)
{
    t2_buf *b = &j->b;
    j->r_mem = b->pos;
    t2_push(b, 0x500Fu); /* r0-r3, ip, lr: 24 bytes, sp stays 8-aligned */
    /* The stack area first, without leaving generated code: pointers into the
     * stack that the compiler no longer knows as r10-derived (after a label,
     * or passed to a callee) miss the inline region cache and land here. */
    uint32_t hi_set = jit_fwd_begin(j); /* cbnz r3: not a stack address */
    t2_ldr(b, T2_W, 3, T2_SP, 24 + F_CTX, JIT_NOREG);
    t2_ldr(b, T2_W, 0, 3, MBPF_JIT_CTX_STACK_BASE, JIT_NOREG);
    t2_ldr(b, T2_W, 1, 3, MBPF_JIT_CTX_STACK_END, JIT_NOREG);
    t2_alu(b, T2_SUB, 1, 1, 0, true);          /* r1 = stack bytes */
    t2_dp_reg(b, T2_SUB, false, 0, T2_IP, 0, T2_LSL, 0); /* r0 = addr - base (wraps) */
    t2_ldr(b, T2_H, 2, T2_LR, 1, JIT_NOREG);   /* descriptor high half: kind | size */
    t2_shift_imm(b, T2_LSR, 2, 2, 8);
    t2_dp_imm(b, T2_AND, false, 2, 2, 0xfu);   /* r2 = access size */
    t2_alu(b, T2_SUB, 1, 1, 2, true);          /* r1 = bytes - size */
    uint32_t too_big = jit_fwd_begin(j);       /* bcc: size > stack bytes */
    t2_cmp_reg(b, 0, 1);
    uint32_t inside = jit_fwd_begin(j);        /* bls: at or below the last valid start */
    jit_fwd_end(j, too_big, T2_LO);
    /* Then the cached regions of the access's need, exactly (the inline
     * check's lim = len - 7 sends the last 7 bytes of a region here): r2 =
     * size, r3 = ctx. An atomic needs both caches, like the interpreter. */
    uint32_t to_c[4];
    unsigned nto_c = 0;
    t2_ldr(b, T2_H, 0, T2_LR, 1, JIT_NOREG);
    t2_shift_imm(b, T2_LSR, 0, 0, 13);         /* r0 = write need, C = read need */
    uint32_t no_read = jit_fwd_begin(j);       /* bcc */
    window_check(j, MBPF_JIT_CTX_CR_START, to_c, &nto_c);
    t2_ldr(b, T2_H, 0, T2_LR, 1, JIT_NOREG);
    t2_shift_imm(b, T2_LSR, 0, 0, 13);
    jit_fwd_end(j, no_read, T2_LO);
    uint32_t no_write = jit_fwd_begin(j);      /* cbz r0 */
    window_check(j, MBPF_JIT_CTX_CW_START, to_c, &nto_c);
    jit_fwd_end_cbz(j, no_write, false, 0);
    jit_fwd_end(j, inside, T2_LS);
    t2_pop(b, 0x500Fu);
    t2_dp_imm(b, T2_ADD, false, T2_LR, T2_LR, 4);
    t2_bx(b, T2_LR);
    for (unsigned k = 0; k < nto_c; k++) {
        if (k % 2 == 0)
            jit_fwd_end_cbz(j, to_c[k], false, 1);
        else
            jit_fwd_end(j, to_c[k], T2_HI);
    }
    t2_ldr(b, T2_W, 3, T2_SP, 12, JIT_NOREG); /* the saved high word back */
    jit_fwd_end_cbz(j, hi_set, true, 3);
    t2_mov_reg(b, 0, T2_IP);
    t2_mov_reg(b, 1, 3);
    t2_ldr(b, T2_H, 2, T2_LR, -1, JIT_NOREG);
    t2_ldr(b, T2_H, 3, T2_LR, 1, JIT_NOREG);
    t2_dp_reg(b, T2_ORR, false, 2, 2, 3, T2_LSL, 16);
    t2_ldr(b, T2_W, 3, T2_SP, 24 + F_CTX, JIT_NOREG);
    t2_ldr(b, T2_W, T2_IP, 3, MBPF_JIT_CTX_CHECK_MEM, JIT_NOREG);
    t2_blx_reg(b, T2_IP);
    uint32_t cbnz_at = b->pos;
    t2_hw(b, 0xBF00u); /* cbnz r0, fail: patched below */
    /* allowed: refresh the frame's copies of the region caches (those the
     * inline checks read) */
    if (j->copies & (COPY_CR | COPY_CW))
        t2_ldr(b, T2_W, 3, T2_SP, 24 + F_CTX, JIT_NOREG);
    for (int32_t at = F_CR_START; at < F_RECS; at += 4) {
        if (!(j->copies & (at < F_CW_START ? COPY_CR : COPY_CW)))
            continue;
        t2_ldr(b, T2_W, 0, 3, MBPF_JIT_CTX_CR_START + (at - F_CR_START), JIT_NOREG);
        t2_str(b, T2_W, 0, T2_SP, 24 + at, JIT_NOREG);
    }
    t2_pop(b, 0x500Fu);
    t2_dp_imm(b, T2_ADD, false, T2_LR, T2_LR, 4);
    t2_bx(b, T2_LR);
    t2_buf fix;
    uint8_t hw[2];
    t2_init(&fix, hw, sizeof hw);
    t2_cbz(&fix, true, 0, b->pos - cbnz_at);
    t2_patch_hw(b, cbnz_at, (uint16_t)(hw[0] | hw[1] << 8));
    t2_add_sp(b, 24);
    wide_b(j, j->r_exit_err);
}

void jit_routines(jit *j)
{
    exit_routines(j);
    if (j->use_trap)
        trap_routine(j);
    if (j->use_helpers)
        jit_call_routine(j);
    if (j->use_budget)
        budget_routine(j);
    if (j->use_mem)
        mem_routine(j);
    jit_div64_routines(j);
    if (j->use_range)
        jit_loop_routine(j);
}
