/* Prologue (its program-independent part is the shared enter routine; the
 * error exit follows its call) and the routines emitted once after the
 * program's code: exit (return from a local call, or the final exit, which
 * branches back to the error exit and so to the shared leave routine when
 * there are no local calls), which depend on the register map, then
 * one 4-byte veneer per shared runtime routine the program uses
 * (jit_shared.c: trap, budget refill, slow memory check, range check,
 * 64-bit division, helper call).
 * Every routine has a fixed size whatever the offsets, and they reach each
 * other with 32-bit branches, so their layout never depends on a pass.
 */
#include "jit/armv7m/jit_internal.h"

static void wide_b(jit *j, uint32_t target)
{
    t2_b(&j->b, (int32_t)target - (int32_t)j->b.pos, true);
}

/* r1 = the budget's low word for the shared leave routine: its register,
 * or the frame word (which enter filled from the block when the program
 * keeps it nowhere else). */
static void budget_to_r1(jit *j)
{
    if (j->use_budget && j->breg != JIT_NOREG)
        t2_mov_reg(&j->b, 1, j->breg);
    else
        t2_ldr(&j->b, T2_W, 1, T2_SP, F_BLO, JIT_NOREG);
}

/* The error exit, right after the prologue's call of enter (whose return
 * address it is: enter stores it at F_EXIT_ERR and returns past it), 6
 * bytes: without local calls the shared leave routine, with them the
 * exits' common tail after the program (r_exit_err; status etc. are
 * already in the block). */
static void error_exit(jit *j)
{
    t2_buf *b = &j->b;
    uint32_t at = b->pos;
    j->err_at = at; /* the same in every pass: nothing before it varies */
    if (j->use_calls) {
        t2_ldr(b, T2_W, 2, T2_SP, F_CTX, JIT_NOREG);
        wide_b(j, j->r_exit_err);
    } else {
        budget_to_r1(j);
        t2_ldr(b, T2_W, T2_PC, T2_SP, F_RT + 4 * MBPF_JIT_RT_LEAVE, JIT_NOREG);
    }
    if (b->pos - at != ERR_EXIT_BYTES)
        jit_fail(j, MBPF_E_JIT, "internal: error exit size");
}

void jit_prologue(jit *j)
{
    t2_buf *b = &j->b;
    t2_push(b, JIT_PUSH_LIST);
    if (j->use_rt) {
        /* The shared enter routine builds the frame below the local-call
         * records (if any): the region caches, rt[], the error exit's
         * address, F_CTX, F_BLO; it returns past the error exit with r1 =
         * the budget's low word and r0 kept. */
        t2_add_sp(b, -(int32_t)(j->frame - F_RECS));
        t2_ldr(b, T2_W, 1, 0, MBPF_JIT_CTX_RT, JIT_NOREG);
        t2_ldr(b, T2_W, 2, 1, 4 * MBPF_JIT_RT_ENTER, JIT_NOREG);
        t2_blx_reg(b, 2);
        error_exit(j);
        if (j->deopt) { /* data at a place the deopt routine finds: enter's
                         * return address (F_EXIT_ERR) + the error exit + b */
            t2_b(b, (int32_t)jit_deopt_map_len(j) + 2, false);
            jit_deopt_map(j);
        }
        if (j->use_budget && j->breg != JIT_NOREG)
            t2_mov_reg(b, j->breg, 1);
        for (unsigned r = 1; r <= 2; r++) { /* r2, r3 = the initial r1, r2 */
            if ((j->noinit >> r) & 1u)
                continue;
            if (j->lo[r] != JIT_NOREG)
                t2_mov_reg(b, j->lo[r], r + 1);
            else
                t2_str(b, T2_W, r + 1, T2_SP, jit_slot(r, false), JIT_NOREG);
        }
    } else {
        t2_add_sp(b, -(int32_t)j->frame);
        t2_str(b, T2_W, 0, T2_SP, F_CTX, JIT_NOREG);
    }
    if (j->use_mem && (j->copies & COPY_SB)) {
        t2_ldr(b, T2_W, 1, 0, MBPF_JIT_CTX_STACK_BASE, JIT_NOREG);
        t2_str(b, T2_W, 1, T2_SP, F_SB, JIT_NOREG);
    }
    /* (the region caches and the budget's low word: enter; the high word
     * stays in the block: only the refill routine touches it) */
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
        if ((r == 1 || r == 2) && j->use_rt) {
            /* the low word came from enter, above */
        } else if (r == 1 || r == 2) {
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
    if (j->use_rt && !j->use_calls) { /* r0, r1 = budget: the shared leave */
        unsigned lo = jit_src_lo(j, 0, 0);
        if (lo != 0)
            t2_mov_reg(b, 0, lo);
        if (!(j->zhi & 1u)) {
            unsigned hi = jit_src_hi(j, 0, 1);
            t2_ldr(b, T2_W, 2, T2_SP, F_CTX, JIT_NOREG);
            t2_str(b, T2_W, hi, 2, MBPF_JIT_CTX_R0_HI, JIT_NOREG);
        }
        /* then the error exit's code: r1 = budget, leave */
        if (!j->final)
            j->exit_b_at = b->pos;
        t2_b(b, (int32_t)j->err_at - (int32_t)b->pos, !(j->final && j->exit_b16));
        return;
    }
    t2_ldr(b, T2_W, 2, T2_SP, F_CTX, JIT_NOREG);
    t2_str(b, T2_W, jit_src_lo(j, 0, 0), 2, MBPF_JIT_CTX_R0_LO, JIT_NOREG);
    if (!(j->zhi & 1u))
        t2_str(b, T2_W, jit_src_hi(j, 0, 1), 2, MBPF_JIT_CTX_R0_HI, JIT_NOREG);
    /* Both exits (the error exit after the prologue branches here when the
     * program has local calls), r2 = the context block: the budget's low
     * word back (the high word lives in the block), unwind. */
    j->r_exit_err = b->pos;
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
}

/* Veneer to shared routine k: its address is in the frame (sp never
 * moves), so no register changes and lr stays the caller's. */
static void veneer(jit *j, unsigned k)
{
    t2_ldr(&j->b, T2_W, T2_PC, T2_SP, F_RT + 4 * (int32_t)k, JIT_NOREG);
}

void jit_routines(jit *j)
{
    exit_routines(j);
    /* veneers in MBPF_JIT_RT_* order, one per routine the program uses */
    uint32_t *at[MBPF_JIT_RT_COUNT] = {
        /* the program calls the trap only for the call depth (the budget
         * and helper-call routines reach it inside the runtime) */
        [MBPF_JIT_RT_TRAP] = j->use_calls || j->deopt ? &j->r_trap : NULL,
        [MBPF_JIT_RT_BUDGET] = j->use_budget && !j->no_budget_rt ? &j->r_budget : NULL,
        [MBPF_JIT_RT_MEM] = j->use_mem ? &j->r_mem : NULL,
        [MBPF_JIT_RT_RANGE] = j->use_range ? &j->r_range : NULL,
        [MBPF_JIT_RT_UDIV64] = j->use_div64 ? &j->r_udiv64 : NULL,
        [MBPF_JIT_RT_SDIV64] = j->use_sdiv64 ? &j->r_sdiv64 : NULL,
        [MBPF_JIT_RT_CALL] = j->use_helpers ? &j->r_call : NULL,
    };
    for (unsigned k = 0; k < MBPF_JIT_RT_COUNT; k++) {
        if (!at[k])
            continue;
        uint32_t marshal = j->b.pos;
        if (k == MBPF_JIT_RT_CALL)
            jit_call_marshal(j); /* falls into the veneer */
        veneer(j, k);
        *at[k] = marshal;
    }
}
