/* Prologue (after the header: what the shared run routine does not do) and
 * the routines emitted once after the program's code: exit (return from a
 * local call, or the final exit into the shared leave routine; none when the
 * program's one exit instruction is the final exit), then
 * one 4-byte veneer per shared runtime routine the program calls through
 * one (jit_shared.c: slow memory check, 64-bit division, helper call; the
 * trap, the budget refill and the range check are called directly).
 * Every routine has a fixed size whatever the offsets, and they reach each
 * other with 32-bit branches, so their layout never depends on a pass.
 */
#include "jit/armv7m/jit_internal.h"

/* The header (jit_entry.c: the shared run reads it, builds the frame and
 * sets the budget's low word, eBPF r1, r2 and zeros in r4-r11), then what
 * run does not do: r0 = the context block here. */
void jit_prologue(jit *j)
{
    t2_buf *b = &j->b;
    jit_header(j);
    if (j->use_mem && (j->copies & COPY_SB)) {
        t2_ldr(b, T2_W, 1, 0, MBPF_JIT_CTX_STACK_BASE, JIT_NOREG);
        t2_str(b, T2_W, 1, T2_SP, F_SB, JIT_NOREG);
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
    /* frame slots of registers read before written: 0 (r1, r2: their
     * initial low words); run set every register home */
    bool zero = false;
    for (unsigned r = 0; r < 10; r++) {
        if ((j->noinit >> r) & 1u)
            continue;
        if (j->lo[r] == JIT_NOREG && r != 1 && r != 2)
            zero = true;
        if (!((j->zhi >> r) & 1u) && j->hi[r] == JIT_NOREG)
            zero = true;
    }
    if (zero)
        t2_mov_imm(b, 3, 0);
    for (unsigned r = 0; r < 10; r++) {
        if ((j->noinit >> r) & 1u)
            continue;
        if (j->lo[r] != JIT_NOREG) {
            /* run */
        } else if (r == 1 || r == 2) {
            t2_ldr(b, T2_W, 1, 0, r == 1 ? MBPF_JIT_CTX_ARG_CTX : MBPF_JIT_CTX_ARG_CTX_LEN,
                   JIT_NOREG);
            t2_str(b, T2_W, 1, T2_SP, jit_slot(r, false), JIT_NOREG);
        } else {
            t2_str(b, T2_W, 3, T2_SP, jit_slot(r, false), JIT_NOREG);
        }
        if (!((j->zhi >> r) & 1u) && j->hi[r] == JIT_NOREG)
            t2_str(b, T2_W, 3, T2_SP, jit_slot(r, true), JIT_NOREG);
    }
}

/* The final exit: r0's high word into the block when it can be non-zero
 * (status and r0_hi start as 0: the runner's), then the shared leave, which
 * reads r0's low word and the budget from their homes (header). */
void jit_final_exit(jit *j)
{
    t2_buf *b = &j->b;
    if (!(j->zhi & 1u)) {
        unsigned hi = jit_src_hi(j, 0, 1);
        t2_ldr(b, T2_W, 2, T2_SP, F_CTX, JIT_NOREG);
        t2_str(b, T2_W, hi, 2, MBPF_JIT_CTX_R0_HI, JIT_NOREG);
    }
    t2_ldr(b, T2_W, T2_PC, T2_SP, F_RT + 4 * MBPF_JIT_RT_LEAVE, JIT_NOREG);
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
    if (j->use_calls || !j->exit_inline)
        jit_final_exit(j);
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
        /* (the trap, the budget refill and the range check are called
         * through the frame's table, without a veneer: jit_call_rt) */
        [MBPF_JIT_RT_MEM] = j->use_mem ? &j->r_mem : NULL,
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
