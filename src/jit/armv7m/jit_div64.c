/* 64-bit division routines, emitted once after the program (only if used).
 *
 * udiv64: r0:r1 / r2:r3 -> quotient r0:r1, remainder r2:r3 (eBPF: x / 0 = 0,
 * x % 0 = x). ARMv7-M divides only 32 by 32 bits (UDIV), so:
 * - divisor 0: the eBPF results at once;
 * - divisor and dividend below 2^32: one UDIV and one MLS;
 * - divisor below 2^32: the high word by UDIV, then the 64 / 32 bit step
 *   below (the high remainder is now below the divisor);
 * - divisor from 2^32: quotient < 2^32. Normalise the divisor by CLZ of its
 *   high word, divide the dividend halved by its top 32 bits with the 64 / 32
 *   step, shift the estimate back: it is the quotient or one more; take one
 *   off, then one multiply-subtract and at most one correction.
 * The 64 / 32 step ("divlu", Knuth's algorithm D with 16-bit digits):
 * normalise the divisor to its top bit, then two 32 / 16 bit digit
 * divisions by UDIV, each estimate corrected (down by at most 2) by
 * comparing the partial products.
 * sdiv64 divides the magnitudes and sets the signs (quotient negative when
 * the signs differ, remainder with the dividend's sign): by wrapping this
 * gives INT64_MIN / -1 = INT64_MIN, INT64_MIN % -1 = 0, and /0, %0 as above.
 * Native stack: sdiv64 16 bytes, udiv64 32, its large-divisor path 16 more.
 */
#include "jit/armv7m/jit_internal.h"

/* One Knuth digit: q (estimate from UDIV), rhat = remainder of the estimate;
 * while q >= 2^16 or q * vn0 > (rhat << 16) + un: q--, rhat += vn1, as
 * long as rhat < 2^16. Registers: vn1 r4, vn0 r5, rhat r8, temporaries r9, ip. */
static void digit_fix(jit *j, unsigned q, unsigned un)
{
    t2_buf *b = &j->b;
    uint32_t again = b->pos;
    t2_cmp_imm(b, q, 0x10000u);
    uint32_t to_fix = jit_fwd_begin(j);               /* bhs fix */
    t2_mul(b, T2_IP, q, 5);                            /* q * vn0 */
    t2_dp_reg(b, T2_ADD, false, 9, un, 8, T2_LSL, 16); /* (rhat << 16) + un */
    t2_cmp_reg(b, T2_IP, 9);
    uint32_t to_done = jit_fwd_begin(j);              /* bls done */
    jit_fwd_end(j, to_fix, T2_HS);
    t2_hw(b, (uint16_t)(0x3801u | q << 8));            /* subs q, #1 */
    t2_alu(b, T2_ADD, 8, 8, 4, false);                 /* rhat += vn1 */
    t2_cmp_imm(b, 8, 0x10000u);
    t2_bcond(b, T2_LO, (int32_t)again - (int32_t)b->pos, false);
    jit_fwd_end(j, to_done, T2_LS);
}

/* divlu: (r1:r0) / r2 with r1 < r2 -> quotient r0, remainder r1.
 * Uses r2-r9, ip; keeps r10, lr (a local subroutine: bl / bx lr). */
static void divlu(jit *j)
{
    t2_buf *b = &j->b;
    t2_clz(b, 3, 2);                                   /* s */
    t2_shift_reg(b, T2_LSL, 2, 2, 3);                  /* v <<= s */
    t2_shift_reg(b, T2_LSL, 1, 1, 3);
    t2_dp_imm(b, T2_RSB, false, T2_IP, 3, 32);
    t2_shift_reg(b, T2_LSR, T2_IP, 0, T2_IP);          /* u0 >> (32 - s): 0 when s = 0 */
    t2_alu(b, T2_ORR, 1, 1, T2_IP, false);             /* un32 */
    t2_shift_reg(b, T2_LSL, 0, 0, 3);                  /* un10 */
    t2_shift_imm(b, T2_LSR, 4, 2, 16);                 /* vn1 */
    t2_uxth(b, 5, 2);                                  /* vn0 */
    t2_shift_imm(b, T2_LSR, 6, 0, 16);                 /* un1 */
    t2_uxth(b, 0, 0);                                  /* un0 */
    t2_udiv(b, 7, 1, 4);                               /* q1 */
    t2_mls(b, 8, 7, 4, 1);                             /* rhat */
    digit_fix(j, 7, 6);
    t2_dp_reg(b, T2_ADD, false, T2_IP, 6, 1, T2_LSL, 16); /* un32 * b + un1 */
    t2_mls(b, 1, 7, 2, T2_IP);                         /* un21 = that - q1 * v */
    t2_udiv(b, 6, 1, 4);                               /* q0 */
    t2_mls(b, 8, 6, 4, 1);                             /* rhat */
    digit_fix(j, 6, 0);
    t2_dp_reg(b, T2_ADD, false, T2_IP, 0, 1, T2_LSL, 16); /* un21 * b + un0 */
    t2_mls(b, T2_IP, 6, 2, T2_IP);                     /* - q0 * v */
    t2_shift_reg(b, T2_LSR, 1, T2_IP, 3);              /* remainder */
    t2_dp_reg(b, T2_ORR, false, 0, 6, 7, T2_LSL, 16);  /* q1 * b + q0 */
    t2_bx(b, T2_LR);
}

static void udiv64_routine(jit *j)
{
    t2_buf *b = &j->b;
    uint32_t r_divlu = b->pos;
    divlu(j);
    j->r_udiv64 = b->pos;
    t2_dp_reg(b, T2_ORR, true, T2_IP, 2, 3, T2_LSL, 0);
    uint32_t nz = jit_fwd_begin(j);
    t2_mov_reg(b, 2, 0); /* by 0: remainder = dividend, quotient 0 */
    t2_mov_reg(b, 3, 1);
    t2_mov_imm(b, 0, 0);
    t2_mov_imm(b, 1, 0);
    t2_bx(b, T2_LR);
    jit_fwd_end(j, nz, T2_NE);
    t2_dp_reg(b, T2_ORR, true, T2_IP, 1, 3, T2_LSL, 0);
    uint32_t wide = jit_fwd_begin(j); /* bne: an operand >= 2^32 */
    t2_udiv(b, T2_IP, 0, 2);
    t2_mls(b, 2, T2_IP, 2, 0);
    t2_mov_reg(b, 0, T2_IP);
    t2_bx(b, T2_LR);
    jit_fwd_end(j, wide, T2_NE);
    t2_push(b, 0x47F0u); /* r4-r10, lr */
    t2_cmp_imm(b, 3, 0);
    uint32_t big = jit_fwd_begin(j); /* bne: divisor >= 2^32 */
    t2_udiv(b, 10, 1, 2);     /* high quotient */
    t2_mls(b, 1, 10, 2, 1);   /* high remainder < divisor */
    t2_bl(b, (int32_t)r_divlu - (int32_t)b->pos);
    t2_mov_reg(b, 2, 1);
    t2_mov_reg(b, 1, 10);
    t2_mov_imm(b, 3, 0);
    t2_pop(b, 0x87F0u);
    jit_fwd_end(j, big, T2_NE);
    /* Divisor >= 2^32: dividend high word below the divisor's -> q = 0. */
    t2_cmp_reg(b, 1, 3);
    uint32_t some = jit_fwd_begin(j); /* bhs */
    t2_mov_reg(b, 2, 0);
    t2_mov_reg(b, 3, 1);
    t2_mov_imm(b, 0, 0);
    t2_mov_imm(b, 1, 0);
    t2_pop(b, 0x87F0u);
    jit_fwd_end(j, some, T2_HS);
    t2_push(b, 0x000Fu);                                /* n, d for the remainder */
    t2_clz(b, 10, 3);                                   /* s (< 32) */
    t2_shift_reg(b, T2_LSL, 3, 3, 10);
    t2_dp_imm(b, T2_RSB, false, T2_IP, 10, 32);
    t2_shift_reg(b, T2_LSR, T2_IP, 2, T2_IP);
    t2_alu(b, T2_ORR, 2, 3, T2_IP, false);              /* top 32 bits of d << s */
    t2_shift_imm(b, T2_LSR, 1, 1, 1);                   /* n >> 1 (lsrs: C = bit 32) */
    t2_dp_reg(b, T2_ORR, false, 0, T2_PC, 0, T2_ROR, 0); /* rrx r0 */
    t2_bl(b, (int32_t)r_divlu - (int32_t)b->pos);
    t2_dp_imm(b, T2_RSB, false, T2_IP, 10, 31);
    t2_shift_reg(b, T2_LSR, 0, 0, T2_IP);               /* estimate: q or q + 1 */
    uint32_t zero = jit_fwd_begin(j);                   /* cbz r0 */
    t2_hw(b, 0x3801u);                                  /* subs r0, #1 */
    jit_fwd_end_cbz(j, zero, false, 0);
    t2_pop(b, 0x003Cu);                                 /* r2:r3 = n, r4:r5 = d */
    t2_umull(b, 6, 7, 0, 4);
    t2_mla(b, 7, 0, 5, 7);                              /* q * d */
    t2_alu(b, T2_SUB, 2, 2, 6, true);
    t2_alu(b, T2_SBC, 3, 3, 7, true);                   /* r = n - q * d */
    t2_cmp_reg(b, 2, 4);
    t2_alu(b, T2_SBC, T2_IP, 3, 5, true);               /* C: r >= d */
    uint32_t done = jit_fwd_begin(j);                   /* bcc */
    t2_hw(b, 0x3001u);                                  /* adds r0, #1 */
    t2_alu(b, T2_SUB, 2, 2, 4, true);
    t2_alu(b, T2_SBC, 3, 3, 5, true);
    jit_fwd_end(j, done, T2_LO);
    t2_mov_imm(b, 1, 0);
    t2_pop(b, 0x87F0u);
}

static void neg64_if_negative(jit *j, unsigned sign_reg, unsigned lo, unsigned hi)
{
    t2_buf *b = &j->b;
    t2_cmp_imm(b, sign_reg, 0);
    uint32_t skip = jit_fwd_begin(j);
    t2_dp_imm(b, T2_RSB, true, lo, lo, 0);
    t2_mvn(b, hi, hi);
    t2_dp_imm(b, T2_ADC, false, hi, hi, 0);
    jit_fwd_end(j, skip, T2_GE);
}

/* sdiv64: signs off, udiv64, signs back. */
static void sdiv64_routine(jit *j)
{
    t2_buf *b = &j->b;
    j->r_sdiv64 = b->pos;
    t2_push(b, 0x4070u);
    t2_mov_reg(b, 4, 1);
    t2_dp_reg(b, T2_EOR, false, 5, 1, 3, T2_LSL, 0);
    neg64_if_negative(j, 1, 0, 1);
    neg64_if_negative(j, 3, 2, 3);
    t2_bl(b, (int32_t)j->r_udiv64 - (int32_t)b->pos);
    neg64_if_negative(j, 5, 0, 1);
    neg64_if_negative(j, 4, 2, 3);
    t2_pop(b, 0x8070u);
}

void jit_div64_routines(jit *j)
{
    if (j->use_div64)
        udiv64_routine(j);
    if (j->use_sdiv64)
        sdiv64_routine(j);
}
