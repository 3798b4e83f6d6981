/* The shared runtime: the routines that do not depend on any program,
 * emitted ONCE per device (mbpf_jit_runtime_emit) instead of after every
 * program: trap, budget refill, slow memory check, the loop guards' range
 * check, 64-bit division (jit_div64.c), the entry `run` and the exits
 * (jit_entry.c).
 *
 * A program reaches routine k through the frame's copy of its address,
 * F_RT + 4k, which run (jit_entry.c) copied from the table ctx->rt points
 * to: directly (`ldr rS, [sp, #F_RT + 4k]; blx rS`: trap, budget refill,
 * range) or through its own 4-byte veneer `ldr.w pc, [sp, #F_RT + 4k]`
 * (jit_routines.c: the others). So at every entry sp is the program's frame
 * (sp never moves during a run) and lr points after the caller's call, at
 * the descriptor when there is one. The routines
 * depend on nothing but the frame layout (jit_internal.h) and the context
 * block: they reach each other by relative branches inside the blob, leave
 * on failure through the shared error exit, whose address run stored at
 * [sp, #F_EXIT_ERR] (jit_entry.c), and refresh all four frame copies of the
 * region caches (whichever the program's inline checks read).
 */
#include <stddef.h>

#include "jit/armv7m/jit_internal.h"

_Static_assert(offsetof(mbpf_jit_ctx, rt) == MBPF_JIT_CTX_RT &&
                   sizeof(mbpf_jit_ctx) == MBPF_JIT_CTX_SIZE,
               "context block layout: rt appended at 0x64");

static void wide_b(jit *j, uint32_t target)
{
    t2_b(&j->b, (int32_t)target - (int32_t)j->b.pos, true);
}

/* Leaves through the shared error exit (sp = the frame). */
static void to_exit_err(jit *j)
{
    t2_ldr(&j->b, T2_W, T2_PC, T2_SP, F_EXIT_ERR, JIT_NOREG);
}

/* After a push of r0-r3, ip, lr (24 bytes): the frame's copies of the
 * region caches := the context block's (all four: the routine does not know
 * which ones the program's inline checks read). Clobbers r1-r3, ip, lr. */
static void refresh_copies(jit *j)
{
    t2_buf *b = &j->b;
    t2_ldr(b, T2_W, 3, T2_SP, 24 + F_CTX, JIT_NOREG);
    t2_hw(b, (uint16_t)(0x3300u | MBPF_JIT_CTX_CR_START)); /* adds r3, #0x50 */
    t2_w32(b, 0xE893u, 0x400Eu);                            /* ldm.w r3, {r1-r3, lr} */
    t2_add_rd_sp(b, T2_IP, 24 + F_CR_START);
    t2_w32(b, 0xE88Cu, 0x400Eu);                            /* stm.w ip, {r1-r3, lr} */
}

/* trap: lr-1 = descriptor after the caller's BL. Stores pc and kind; budget
 * and depth also set the status (a helper failure has set it already). */
static void trap_routine(jit *j, uint32_t *entry)
{
    t2_buf *b = &j->b;
    entry[MBPF_JIT_RT_TRAP] = j->r_trap = b->pos;
    t2_ldr(b, T2_H, 0, T2_LR, -1, JIT_NOREG);
    t2_ldr(b, T2_H, 1, T2_LR, 1, JIT_NOREG);
    t2_ldr(b, T2_W, 2, T2_SP, F_CTX, JIT_NOREG);
    t2_dp_reg(b, T2_ORR, false, 0, 0, 1, T2_LSL, 16);
    t2_dp_imm(b, T2_BIC, false, 3, 0, 0xff000000u);
    t2_shift_imm(b, T2_LSR, 1, 0, 28);
    t2_cmp_imm(b, 1, MBPF_JIT_KIND_DEOPT);
    uint32_t deopt = jit_fwd_begin(j); /* beq: a loop guard failed (jit_deopt.c) */
    t2_str(b, T2_W, 3, 2, MBPF_JIT_CTX_PC, JIT_NOREG);
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
    to_exit_err(j);
    jit_fwd_end(j, deopt, T2_EQ);
    jit_deopt_routine(j);
}

/* budget: called when the low word borrowed (it is now 0xffffffff, in the
 * program's budget register or already stored in the frame): take one from
 * the high word and return to the program's `bcs` (lr - 1 - the descriptor's
 * size) with C set, or stop through the trap. The borrowed low word stays as it
 * is (the routine does not know where the program keeps it): the runner
 * reads a run stopped by the budget as 0 left (mbpf_jit_budget_left). */
static void budget_routine(jit *j, uint32_t *entry)
{
    t2_buf *b = &j->b;
    entry[MBPF_JIT_RT_BUDGET] = b->pos;
    t2_ldr(b, T2_W, 0, T2_SP, F_CTX, JIT_NOREG);
    t2_ldr(b, T2_W, 1, 0, MBPF_JIT_CTX_BUDGET_HI, JIT_NOREG);
    uint32_t none = jit_fwd_begin(j); /* cbz r1, exhausted */
    t2_hw(b, 0x3901u); /* subs r1, #1: no borrow (r1 >= 1), C = 1 */
    t2_str(b, T2_W, 1, 0, MBPF_JIT_CTX_BUDGET_HI, JIT_NOREG);
    /* back to the caller's `bcs` (the descriptor's size field: bytes from
     * it to the descriptor) with C still set, so that it branches */
    t2_ldr(b, T2_B, 1, T2_LR, 2, JIT_NOREG);  /* descriptor bits 24-31 */
    t2_dp_imm(b, T2_AND, false, 1, 1, 0xfu);   /* and.w: flags kept */
    t2_alu(b, T2_SUB, T2_LR, T2_LR, 1, false); /* sub.w: flags kept */
    t2_bx(b, T2_LR);
    jit_fwd_end_cbz(j, none, false, 1);
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

/* r2 = the caller's descriptor (two halfwords at lr-1: it may be unaligned),
 * r3 = ctx, then ctx->routine(r0, r1, desc, ctx) (after a push of 24 bytes). */
static void call_ctx_routine(jit *j, int32_t routine)
{
    t2_buf *b = &j->b;
    t2_ldr(b, T2_H, 2, T2_LR, -1, JIT_NOREG);
    t2_ldr(b, T2_H, 3, T2_LR, 1, JIT_NOREG);
    t2_dp_reg(b, T2_ORR, false, 2, 2, 3, T2_LSL, 16);
    t2_ldr(b, T2_W, 3, T2_SP, 24 + F_CTX, JIT_NOREG);
    t2_ldr(b, T2_W, T2_IP, 3, routine, JIT_NOREG);
    t2_blx_reg(b, T2_IP);
}

/* mem_slow: ip = address low word, r3 = high word, lr-1 = descriptor.
 * Calls ctx->check_mem(lo, hi, desc, ctx); returns past the descriptor with
 * every register but lr kept, or leaves through the error exit. */
static void mem_routine(jit *j, uint32_t *entry)
{
    t2_buf *b = &j->b;
    entry[MBPF_JIT_RT_MEM] = b->pos;
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
    call_ctx_routine(j, MBPF_JIT_CTX_CHECK_MEM);
    uint32_t fail = jit_fwd_begin(j); /* cbnz r0, fail */
    refresh_copies(j);
    t2_pop(b, 0x500Fu);
    t2_dp_imm(b, T2_ADD, false, T2_LR, T2_LR, 4);
    t2_bx(b, T2_LR);
    jit_fwd_end_cbz(j, fail, true, 0);
    t2_add_sp(b, 24);
    to_exit_err(j);
}

/* range (loop guards): two entries, for the need's region cache: the
 * table's (rt[RANGE]) loads the read cache's frame copy into r1, ip (start,
 * lim), the one RANGE_W_BACK bytes before it the write cache's. r2 = e - 1 - s, r3 = e - 1
 * (true values, e <= 2^32), lr = the return address; the 8 bytes before the
 * caller's bl are its failure stub, whose descriptor's size field holds the
 * check kind (LOAD / STORE / ATOMIC). Allowed: returns with C clear, r0,
 * r2, r3 kept (r1 is not). Refused: returns to the stub (lr - 12), every
 * register but r1 and lr kept. First the former inline test against the
 * cached region: s >= start (v = e - 1 - start >= e - 1 - s; when e - 1 is
 * below start, v wraps beyond the region and the window test fails) and the
 * 8-byte window at e - 8 inside it (regions are intervals), refreshing
 * nothing; on a miss ctx->check_range(s, e - s, kind << 28, ctx), which
 * refreshes the caches. */
static void range_routine(jit *j, uint32_t *entry)
{
    t2_buf *b = &j->b;
    uint32_t w = b->pos;
    t2_ldrd(b, 1, T2_IP, T2_SP, F_CW_START);
    uint32_t common = jit_fwd_begin(j); /* b common */
    entry[MBPF_JIT_RT_RANGE] = b->pos;
    if (b->pos - w != RANGE_W_BACK)
        jit_fail(j, MBPF_E_JIT, "internal: range's write entry");
    t2_ldrd(b, 1, T2_IP, T2_SP, F_CR_START);
    jit_fwd_end(j, common, T2_AL);
    t2_alu(b, T2_SUB, 1, RB1, 1, true); /* r1 = e - 1 - start */
    t2_cmp_reg(b, 1, RB0);
    uint32_t below = jit_fwd_begin(j); /* blo miss: s below start */
    t2_hw(b, 0x3907u);                  /* subs r1, #7: e - 8 - start (mod 2^32) */
    t2_cmp_reg(b, 1, T2_IP);
    uint32_t beyond = jit_fwd_begin(j); /* bhs miss */
    t2_bx(b, T2_LR);                    /* C clear: r1 < lim */
    jit_fwd_end(j, below, T2_LO);
    jit_fwd_end(j, beyond, T2_HS);
    t2_push(b, 0x500Fu); /* r0-r3, ip, lr: 24 bytes, sp stays 8-aligned */
    t2_alu(b, T2_SUB, 0, RB1, RB0, false); /* s */
    t2_dp_imm(b, T2_ADD, false, 1, RB0, 1); /* len = e - s (0 for s = 0, e = 2^32: refused) */
    /* the stub's descriptor ends at lr - 1 - 4: its top byte holds the kind
     * (the stub's own, DEOPT) and the size field, the check's kind */
    t2_ldr(b, T2_B, 2, T2_LR, -6, JIT_NOREG);
    t2_shift_imm(b, T2_LSL, 2, 2, 28); /* desc = kind << 28 */
    t2_ldr(b, T2_W, 3, T2_SP, 24 + F_CTX, JIT_NOREG);
    t2_ldr(b, T2_W, T2_IP, 3, MBPF_JIT_CTX_CHECK_RANGE, JIT_NOREG);
    t2_blx_reg(b, T2_IP);
    uint32_t fail = jit_fwd_begin(j); /* cbnz r0, fail */
    refresh_copies(j);                 /* keeps r0 */
    t2_cmp_imm(b, 0, 1);               /* r0 = 0: C clear */
    t2_pop(b, 0x500Fu);
    t2_bx(b, T2_LR);
    jit_fwd_end_cbz(j, fail, true, 0);
    t2_pop(b, 0x500Fu);
    t2_dp_imm(b, T2_SUB, false, T2_LR, T2_LR, 12); /* to the stub */
    t2_bx(b, T2_LR);
}

void jit_shared_routines(jit *j, uint32_t *entry)
{
    trap_routine(j, entry);
    jit_call_core(j); /* jit_call.c: its failure path branches to the trap */
    entry[MBPF_JIT_RT_CALL] = j->r_call;
    budget_routine(j, entry);
    mem_routine(j, entry);
    range_routine(j, entry);
    j->use_div64 = j->use_sdiv64 = true;
    jit_div64_routines(j);
    entry[MBPF_JIT_RT_UDIV64] = j->r_udiv64;
    entry[MBPF_JIT_RT_SDIV64] = j->r_sdiv64;
    jit_entry_routines(j, entry); /* jit_entry.c: run, leave, the error exit */
}

int mbpf_jit_runtime_emit(void *buf, size_t buf_len, size_t *len, mbpf_jit_runtime *rt)
{
    if (!len || !rt || ((uintptr_t)buf & 3u) != 0)
        return MBPF_E_ARG;
    /* the routines use only j.b, the branch helpers and their own offsets:
     * a sizing run, then the emitting run */
    jit j = {0};
    uint32_t entry[MBPF_JIT_RT_COUNT];
    t2_init(&j.b, NULL, 0);
    jit_shared_routines(&j, entry);
    *len = j.b.pos;
    if (!buf || buf_len < j.b.pos)
        return MBPF_E_NOSPACE;
    uint32_t size = j.b.pos;
    j.final = true;
    t2_init(&j.b, (uint8_t *)buf, size);
    jit_shared_routines(&j, rt->entry);
    if (j.err_status != MBPF_OK || j.b.pos != size || j.b.overflow)
        return MBPF_E_JIT;
    rt->code = buf;
    rt->size = size;
    mbpf_jit_runtime_table(rt, (uint32_t)(uintptr_t)buf, rt->addr);
    return MBPF_OK;
}
