/* Helper calls: the call site only puts the id in ip and does `bl call` +
 * a descriptor (pc, kind HELPER); 12 bytes instead of about 70. What every
 * call needs alike is done once, in two parts:
 * - the program's marshalling (jit_call_marshal, in its routines): the
 *   arguments from the homes of r1-r5 (a1 r0:r1, a2 r2:r3, a3-a5 at [sp]; the
 *   register map is the same for the whole program and every register's home
 *   always holds its value); it falls through into its veneer;
 * - the shared core (jit_call_core, in the shared runtime, jit_shared.c):
 *   the id and the call's pc into the frame and the block (the interpreter
 *   reports the last helper call's pc even on success), ctx->call_helper,
 *   the status test (a failure leaves through the trap with the same
 *   descriptor), and dropping the frame's region caches (the helper may have
 *   changed the regions).
 * Cost: 5 more executed instructions per call than inline code (a helper
 * call costs hundreds in the checks and the helper itself).
 */
#include "jit/armv7m/jit_internal.h"

/* The program's part: emitted right before its RT_CALL veneer, into which
 * it falls; `bl` sites land here with lr at their descriptor. */
void jit_call_marshal(jit *j)
{
    t2_buf *b = &j->b;
    for (unsigned r = 3; r <= 5; r++) { /* ip holds the id: not a temporary */
        int32_t at = F_OUT + 8 * (int32_t)(r - 3);
        t2_str(b, T2_W, jit_src_lo(j, r, RA0), T2_SP, at, JIT_NOREG);
        t2_str(b, T2_W, jit_src_hi(j, r, RA0), T2_SP, at + 4, JIT_NOREG);
    }
    for (unsigned r = 2; r >= 1; r--) {
        unsigned tl = r == 1 ? RA0 : RB0, th = r == 1 ? RA1 : RB1;
        unsigned l = jit_src_lo(j, r, tl);
        if (l != tl)
            t2_mov_reg(b, tl, l);
        unsigned h = jit_src_hi(j, r, th);
        if (h != th)
            t2_mov_reg(b, th, h);
    }
}

/* The shared part: ip = id, lr = the call site's descriptor (+1). */
void jit_call_core(jit *j)
{
    t2_buf *b = &j->b;
    j->r_call = b->pos;
    t2_str(b, T2_W, T2_IP, T2_SP, F_ID, JIT_NOREG);
    /* the descriptor: one unaligned word load (ARMv7-M LDR allows it; the
     * trap's two halfwords would cost two more instructions per call) */
    t2_ldr(b, T2_W, T2_IP, T2_LR, -1, JIT_NOREG);
    /* sp must stay where the arguments are: the return address, past the
     * descriptor, goes to a frame slot */
    t2_dp_imm(b, T2_ADD, false, T2_LR, T2_LR, 4);
    t2_str(b, T2_W, T2_LR, T2_SP, F_CALL_LR, JIT_NOREG);
    t2_ldr(b, T2_W, T2_LR, T2_SP, F_CTX, JIT_NOREG);
    t2_dp_imm(b, T2_BIC, false, T2_IP, T2_IP, 0xff000000u); /* the pc */
    t2_str(b, T2_W, T2_IP, T2_LR, MBPF_JIT_CTX_PC, JIT_NOREG);
    t2_ldr(b, T2_W, T2_IP, T2_LR, MBPF_JIT_CTX_CALL_HELPER, JIT_NOREG);
    t2_blx_reg(b, T2_IP);
    t2_ldr(b, T2_W, RB0, T2_SP, F_CTX, JIT_NOREG);
    t2_ldr(b, T2_W, RB0, RB0, MBPF_JIT_CTX_STATUS, JIT_NOREG);
    uint32_t failed = jit_fwd_begin(j); /* cbnz r2: failed */
    t2_mov_imm(b, RB0, 0);
    t2_str(b, T2_W, RB0, T2_SP, F_CR_LIM, JIT_NOREG);
    t2_str(b, T2_W, RB0, T2_SP, F_CW_LIM, JIT_NOREG);
    t2_ldr(b, T2_W, T2_PC, T2_SP, F_CALL_LR, JIT_NOREG); /* return */
    jit_fwd_end_cbz(j, failed, true, RB0);
    /* lr as after `bl trap`: the trap reads the same descriptor */
    t2_ldr(b, T2_W, T2_LR, T2_SP, F_CALL_LR, JIT_NOREG);
    t2_dp_imm(b, T2_SUB, false, T2_LR, T2_LR, 4);
    t2_b(b, (int32_t)j->r_trap - (int32_t)b->pos, true);
}
