/* Thumb-2 (ARMv7-M) instruction encoders.
 *
 * Each function appends one instruction to a t2_buf, choosing the 16-bit
 * encoding whenever it exists for the operands (and is allowed: 16-bit data
 * processing forms set the flags outside IT blocks, so the callers that need
 * the flags preserved use the *_nf forms). In sizing mode (buf == NULL)
 * nothing is written, only the position advances, so the same code computes
 * sizes and emits. Encodings follow the ARMv7-M Architecture Reference Manual.
 */
#ifndef MBPF_JIT_THUMB2_EMIT_H
#define MBPF_JIT_THUMB2_EMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct t2_buf {
    uint8_t *buf;  /* NULL: sizing pass */
    uint32_t pos;  /* bytes emitted so far */
    uint32_t cap;  /* bytes available in buf */
    bool overflow; /* set if an emit would pass cap (never with a sized buffer) */
    /* IT watch (t2_it_watch): instructions emitted since, and whether one
     * of them may not be predicated as a plain "then" of an IT block (a
     * branch, or it reads or sets the flags). Works in the sizing pass too:
     * it looks at the halfwords, not at the buffer. */
    bool it_watch, it_bad, it_half;
    uint8_t it_count;
    uint16_t it_first;
} t2_buf;

enum { T2_SP = 13, T2_LR = 14, T2_PC = 15, T2_IP = 12 };

/* Condition codes. */
enum {
    T2_EQ = 0, T2_NE, T2_HS, T2_LO, T2_MI, T2_PL, T2_VS, T2_VC,
    T2_HI, T2_LS, T2_GE, T2_LT, T2_GT, T2_LE, T2_AL,
};

/* Data-processing opcodes of the 32-bit forms (modified immediate / shifted
 * register), as in the ARM ARM tables. */
enum {
    T2_AND = 0, T2_BIC = 1, T2_ORR = 2, T2_ORN = 3, T2_EOR = 4,
    T2_ADD = 8, T2_ADC = 10, T2_SBC = 11, T2_SUB = 13, T2_RSB = 14,
};
enum { T2_LSL = 0, T2_LSR = 1, T2_ASR = 2, T2_ROR = 3 };

/* Load/store sizes and signedness. */
enum { T2_W = 0, T2_H = 1, T2_B = 2, T2_SH = 3, T2_SB = 4 };

void t2_init(t2_buf *b, uint8_t *buf, uint32_t cap);
/* Starts watching the instructions emitted from here (see t2_buf). */
void t2_it_watch(t2_buf *b);
void t2_hw(t2_buf *b, uint16_t hw);
void t2_w32(t2_buf *b, uint16_t first, uint16_t second);
/* Overwrites a halfword already emitted (forward branch fix-ups). */
void t2_patch_hw(t2_buf *b, uint32_t at, uint16_t hw);

/* 12-bit i:imm3:imm8 "modified immediate" for v, or -1. */
int t2_modimm(uint32_t v);
static inline bool t2_is_low(unsigned r) { return r < 8; }

/* Moves and constants. */
void t2_mov_reg(t2_buf *b, unsigned rd, unsigned rm);          /* MOV (no flags) */
void t2_mov_imm(t2_buf *b, unsigned rd, uint32_t v);           /* any v, flags may change */
void t2_mov_imm_nf(t2_buf *b, unsigned rd, uint32_t v);        /* any v, flags kept */
void t2_movw(t2_buf *b, unsigned rd, uint16_t v);
void t2_movt(t2_buf *b, unsigned rd, uint16_t v);

/* rd = rn OP imm (32-bit modified immediate form); false if v is not encodable. */
bool t2_dp_imm(t2_buf *b, unsigned op, bool s, unsigned rd, unsigned rn, uint32_t v);
/* rd = rn OP (rm SHIFT amount) (32-bit shifted-register form). */
void t2_dp_reg(t2_buf *b, unsigned op, bool s, unsigned rd, unsigned rn, unsigned rm,
               unsigned shift_type, unsigned amount);
/* Same as t2_dp_reg without shift, using a 16-bit form when one exists with
 * the same flag behaviour (flags: true = must set flags, false = may clobber). */
void t2_alu(t2_buf *b, unsigned op, unsigned rd, unsigned rn, unsigned rm, bool setflags);
/* rd = rn + v / rn - v for any v; uses scratch when v is not encodable (rd, rn
 * may equal; scratch must differ from rn). Flags may change. */
void t2_add_imm(t2_buf *b, unsigned rd, unsigned rn, int32_t v, unsigned scratch);
void t2_cmp_reg(t2_buf *b, unsigned rn, unsigned rm);
bool t2_cmp_imm(t2_buf *b, unsigned rn, uint32_t v); /* false if not encodable */
void t2_tst_reg(t2_buf *b, unsigned rn, unsigned rm);
/* Shifts by immediate (amount 1..31, LSR/ASR also 32) and by register. */
void t2_shift_imm(t2_buf *b, unsigned type, unsigned rd, unsigned rm, unsigned amount);
void t2_shift_reg(t2_buf *b, unsigned type, unsigned rd, unsigned rn, unsigned rm);
void t2_mvn(t2_buf *b, unsigned rd, unsigned rm); /* no flags */

/* Multiply and divide. */
void t2_mul(t2_buf *b, unsigned rd, unsigned rn, unsigned rm);
void t2_mla(t2_buf *b, unsigned rd, unsigned rn, unsigned rm, unsigned ra);
void t2_mls(t2_buf *b, unsigned rd, unsigned rn, unsigned rm, unsigned ra);
void t2_umull(t2_buf *b, unsigned rdlo, unsigned rdhi, unsigned rn, unsigned rm);
void t2_udiv(t2_buf *b, unsigned rd, unsigned rn, unsigned rm);
void t2_sdiv(t2_buf *b, unsigned rd, unsigned rn, unsigned rm);
void t2_clz(t2_buf *b, unsigned rd, unsigned rm);
/* rd = (rn >> lsb) & ((1 << width) - 1); 1 <= width <= 32 - lsb */
void t2_ubfx(t2_buf *b, unsigned rd, unsigned rn, unsigned lsb, unsigned width);

/* Byte order and extension. */
void t2_rev(t2_buf *b, unsigned rd, unsigned rm);
void t2_rev16(t2_buf *b, unsigned rd, unsigned rm);
void t2_sxtb(t2_buf *b, unsigned rd, unsigned rm);
void t2_sxth(t2_buf *b, unsigned rd, unsigned rm);
void t2_uxtb(t2_buf *b, unsigned rd, unsigned rm);
void t2_uxtab(t2_buf *b, unsigned rd, unsigned rn, unsigned rm);
void t2_uxtah(t2_buf *b, unsigned rd, unsigned rn, unsigned rm);
void t2_uxth(t2_buf *b, unsigned rd, unsigned rm);

/* Loads and stores: [rn, #off] with any off (scratch used when the offset
 * does not fit; scratch must differ from rn and rt, or be 0xff if the caller
 * guarantees -255 <= off <= 4095). size: T2_W/H/B/SH/SB (SH/SB loads only). */
void t2_ldr(t2_buf *b, unsigned size, unsigned rt, unsigned rn, int32_t off, unsigned scratch);
void t2_str(t2_buf *b, unsigned size, unsigned rt, unsigned rn, int32_t off, unsigned scratch);
/* LDRD rt, rt2, [rn, #off]: only for 8-aligned native frame slots. */
void t2_ldrd(t2_buf *b, unsigned rt, unsigned rt2, unsigned rn, uint32_t off);
void t2_ldrex(t2_buf *b, unsigned rt, unsigned rn);
void t2_strex(t2_buf *b, unsigned rd, unsigned rt, unsigned rn);
void t2_clrex(t2_buf *b);
void t2_push(t2_buf *b, uint16_t list); /* register bit mask */
void t2_pop(t2_buf *b, uint16_t list);
void t2_add_sp(t2_buf *b, int32_t v);  /* sp += v (any multiple of 4) */
void t2_add_rd_sp(t2_buf *b, unsigned rd, uint32_t v); /* rd = sp + v, v < 4096 */

/* Branches. off = target - (address of the branch); they return false when
 * the offset does not fit the chosen form. */
bool t2_b16_fits(int32_t off);
bool t2_bcond16_fits(int32_t off);
bool t2_b(t2_buf *b, int32_t off, bool wide);                  /* B / B.W */
bool t2_bcond(t2_buf *b, unsigned cond, int32_t off, bool wide); /* B<c> / B<c>.W */
bool t2_bl(t2_buf *b, int32_t off);
void t2_blx_reg(t2_buf *b, unsigned rm);
void t2_bx(t2_buf *b, unsigned rm);
void t2_cbz(t2_buf *b, bool nz, unsigned rn, uint32_t off); /* off 4..130, even */
/* IT block: mask as the 4-bit field of the encoding ("it" = 0x8). */
void t2_it(t2_buf *b, unsigned firstcond, unsigned mask);
void t2_adr(t2_buf *b, unsigned rd, int32_t off_from_aligned_pc); /* ADD rd, PC, #v (wide) */

/* System: PRIMASK save, interrupts off / restore. */
void t2_mrs_primask(t2_buf *b, unsigned rd);
void t2_msr_primask(t2_buf *b, unsigned rn);
void t2_cpsid_i(t2_buf *b);

#endif /* MBPF_JIT_THUMB2_EMIT_H */
