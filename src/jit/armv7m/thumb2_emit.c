/* Thumb-2 (ARMv7-M) instruction encoders: see thumb2_emit.h. */
#include "jit/armv7m/thumb2_emit.h"

void t2_init(t2_buf *b, uint8_t *buf, uint32_t cap)
{
    *b = (t2_buf){.buf = buf, .cap = cap};
}

void t2_it_watch(t2_buf *b)
{
    b->it_watch = true;
    b->it_bad = b->it_half = false;
    b->it_count = 0;
}

/* A 16-bit instruction that behaves inside an IT block as outside except
 * that it leaves the flags alone (ARMv7-M ARM A5.2, A7.3.3): shifts by an
 * immediate but `movs rd, rm` (UNPREDICTABLE in IT), add/sub, mov imm,
 * and/eor/lsl/lsr/asr/ror/neg/orr/mul/bic/mvn of registers, add/mov of high
 * registers not writing pc, loads/stores, adr, sp adjustments, extends, rev.
 * Not: compares and tests (they set the flags in IT too), adc/sbc (they
 * read C), branches, cbz, it, push/pop, ldm/stm. */
static bool it_ok16(uint16_t hw)
{
    if (hw < 0x0040u)
        return false;
    if (hw < 0x2800u)
        return true;
    if (hw < 0x3000u)
        return false;
    if (hw < 0x4000u)
        return true;
    if (hw < 0x4400u) {
        unsigned op = (hw >> 6) & 15u;
        return op != 5 && op != 6 && op != 8 && op != 10 && op != 11;
    }
    if (hw < 0x4500u || (hw >= 0x4600u && hw < 0x4700u))
        return (hw & 0x87u) != 0x87u; /* rd = pc would branch */
    if (hw < 0x4800u)
        return false;
    if (hw < 0xB100u)
        return true;
    return (hw & 0xFF00u) == 0xB200u || (hw & 0xFF00u) == 0xBA00u;
}

/* The same for a 32-bit instruction: data processing that sets no flags
 * (S = 0) and reads none (not adc/sbc), shifts by a register, extends,
 * rev/clz, multiplies and divides, single loads/stores not to pc. */
static bool it_ok32(uint16_t a, uint16_t c)
{
    unsigned op = (a >> 5) & 15u;
    bool s = (a >> 4) & 1u;
    if ((a & 0xFA00u) == 0xF000u && !(c & 0x8000u)) /* modified immediate */
        return !s && op != T2_ADC && op != T2_SBC;
    if ((a & 0xFA00u) == 0xF200u && !(c & 0x8000u)) /* plain binary immediate */
        return true;
    if ((a & 0xFE00u) == 0xEA00u) /* shifted register */
        return !s && op != T2_ADC && op != T2_SBC;
    if ((a & 0xFF00u) == 0xFA00u && (c & 0xF000u) == 0xF000u) { /* register */
        unsigned op1 = (a >> 4) & 15u, op2 = (c >> 4) & 15u;
        if (op1 < 8 && op2 == 0)
            return !(op1 & 1u); /* lsl/lsr/asr/ror.w without S */
        if (op1 < 8 && (op2 & 8u))
            return true; /* sxth/uxth/sxtb/uxtb (+ add) */
        return (op1 & 0xCu) == 0x8u && (op2 & 0xCu) == 0x8u && op1 != 0xAu; /* rev, clz; not sel */
    }
    if ((a & 0xFF00u) == 0xFB00u) /* multiply, long multiply, divide */
        return true;
    if ((a & 0xFE00u) == 0xF800u) /* load / store single */
        return (c >> 12) != 15u;
    return false;
}

static void it_note(t2_buf *b, uint16_t hw)
{
    if (b->it_half) {
        b->it_half = false;
        b->it_bad |= !it_ok32(b->it_first, hw);
        b->it_count++;
    } else if (hw >= 0xE800u) {
        b->it_half = true;
        b->it_first = hw;
    } else {
        b->it_bad |= !it_ok16(hw);
        b->it_count++;
    }
    if (b->it_count > 4)
        b->it_count = 5; /* too many anyway; no wrap */
}

void t2_hw(t2_buf *b, uint16_t hw)
{
    if (b->it_watch)
        it_note(b, hw);
    if (b->buf) {
        if (b->pos + 2 > b->cap) {
            b->overflow = true;
        } else {
            b->buf[b->pos] = (uint8_t)hw;
            b->buf[b->pos + 1] = (uint8_t)(hw >> 8);
        }
    }
    b->pos += 2;
}

void t2_w32(t2_buf *b, uint16_t first, uint16_t second)
{
    t2_hw(b, first);
    t2_hw(b, second);
}

void t2_patch_hw(t2_buf *b, uint32_t at, uint16_t hw)
{
    if (b->buf && at + 2 <= b->cap) {
        b->buf[at] = (uint8_t)hw;
        b->buf[at + 1] = (uint8_t)(hw >> 8);
    }
}

int t2_modimm(uint32_t v)
{
    if (v <= 0xffu)
        return (int)v;
    uint32_t x = v & 0xffu;
    if (x && v == (x | x << 16))
        return (int)(0x100u | x);
    x = (v >> 8) & 0xffu;
    if (x && v == (x << 8 | x << 24))
        return (int)(0x200u | x);
    x = v & 0xffu;
    if (v == x * 0x01010101u)
        return (int)(0x300u | x);
    /* (0x80 | x) ror rot, rot 8..31, is the 8-bit value shifted left by
     * 32 - rot: the highest set bit fixes the shift. */
    unsigned top = 31u - (unsigned)__builtin_clz(v);
    unsigned sh = top - 7u;
    if (sh < 1u || sh > 24u || ((v >> sh) << sh) != v)
        return -1;
    return (int)(((32u - sh) << 7) | ((v >> sh) & 0x7fu));
}

/* Places a 12-bit i:imm3:imm8 field into the two halfwords. */
static void put_imm12(t2_buf *b, uint16_t first, uint16_t second, uint32_t imm12)
{
    t2_w32(b, (uint16_t)(first | ((imm12 >> 11) & 1u) << 10),
           (uint16_t)(second | ((imm12 >> 8) & 7u) << 12 | (imm12 & 0xffu)));
}

bool t2_dp_imm(t2_buf *b, unsigned op, bool s, unsigned rd, unsigned rn, uint32_t v)
{
    int m = t2_modimm(v);
    if (m < 0)
        return false;
    put_imm12(b, (uint16_t)(0xF000u | op << 5 | (s ? 1u : 0u) << 4 | rn), (uint16_t)(rd << 8),
              (uint32_t)m);
    return true;
}

void t2_dp_reg(t2_buf *b, unsigned op, bool s, unsigned rd, unsigned rn, unsigned rm,
               unsigned shift_type, unsigned amount)
{
    amount &= 31u; /* LSR/ASR #32 encode as 0 */
    t2_w32(b, (uint16_t)(0xEA00u | op << 5 | (s ? 1u : 0u) << 4 | rn),
           (uint16_t)((amount >> 2) << 12 | rd << 8 | (amount & 3u) << 6 | shift_type << 4 | rm));
}

void t2_movw(t2_buf *b, unsigned rd, uint16_t v)
{
    t2_w32(b, (uint16_t)(0xF240u | ((v >> 11) & 1u) << 10 | (v >> 12)),
           (uint16_t)(((v >> 8) & 7u) << 12 | rd << 8 | (v & 0xffu)));
}

void t2_movt(t2_buf *b, unsigned rd, uint16_t v)
{
    t2_w32(b, (uint16_t)(0xF2C0u | ((v >> 11) & 1u) << 10 | (v >> 12)),
           (uint16_t)(((v >> 8) & 7u) << 12 | rd << 8 | (v & 0xffu)));
}

void t2_mov_reg(t2_buf *b, unsigned rd, unsigned rm)
{
    t2_hw(b, (uint16_t)(0x4600u | (rd >> 3) << 7 | rm << 3 | (rd & 7u)));
}

static void mov_imm(t2_buf *b, unsigned rd, uint32_t v, bool keep_flags)
{
    if (!keep_flags && t2_is_low(rd) && v <= 0xffu) {
        t2_hw(b, (uint16_t)(0x2000u | rd << 8 | v)); /* MOVS */
        return;
    }
    if (t2_dp_imm(b, T2_ORR, false, rd, T2_PC, v)) /* MOV.W */
        return;
    if (t2_dp_imm(b, T2_ORN, false, rd, T2_PC, ~v)) /* MVN.W */
        return;
    t2_movw(b, rd, (uint16_t)v);
    if (v >> 16)
        t2_movt(b, rd, (uint16_t)(v >> 16));
}

void t2_mov_imm(t2_buf *b, unsigned rd, uint32_t v) { mov_imm(b, rd, v, false); }
void t2_mov_imm_nf(t2_buf *b, unsigned rd, uint32_t v) { mov_imm(b, rd, v, true); }

/* 16-bit "data processing (register)" op numbers, or -1. */
static int dp16_op(unsigned op)
{
    switch (op) {
    case T2_AND: return 0;
    case T2_EOR: return 1;
    case T2_ADC: return 5;
    case T2_SBC: return 6;
    case T2_ORR: return 12;
    case T2_BIC: return 14;
    default: return -1;
    }
}

void t2_alu(t2_buf *b, unsigned op, unsigned rd, unsigned rn, unsigned rm, bool setflags)
{
    bool low = t2_is_low(rd) && t2_is_low(rn) && t2_is_low(rm);
    if (low && (op == T2_ADD || op == T2_SUB)) {
        t2_hw(b, (uint16_t)((op == T2_ADD ? 0x1800u : 0x1A00u) | rm << 6 | rn << 3 | rd));
        return;
    }
    if (!setflags && op == T2_ADD && (rd == rn || rd == rm) && rd != T2_SP && rm != T2_SP &&
        rn != T2_SP) {
        unsigned other = rd == rn ? rm : rn;
        t2_hw(b, (uint16_t)(0x4400u | (rd >> 3) << 7 | other << 3 | (rd & 7u)));
        return;
    }
    int op16 = dp16_op(op);
    if (low && op16 >= 0) {
        bool commut = op != T2_SBC && op != T2_BIC;
        if (rd == rn) {
            t2_hw(b, (uint16_t)(0x4000u | (unsigned)op16 << 6 | rm << 3 | rd));
            return;
        }
        if (commut && rd == rm) {
            t2_hw(b, (uint16_t)(0x4000u | (unsigned)op16 << 6 | rn << 3 | rd));
            return;
        }
    }
    t2_dp_reg(b, op, setflags, rd, rn, rm, T2_LSL, 0);
}

void t2_add_imm(t2_buf *b, unsigned rd, unsigned rn, int32_t v, unsigned scratch)
{
    if (v == 0) {
        if (rd != rn)
            t2_mov_reg(b, rd, rn);
        return;
    }
    uint32_t mag = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    bool neg = v < 0;
    if (t2_is_low(rd) && t2_is_low(rn)) {
        if (rd == rn && mag <= 0xffu) {
            t2_hw(b, (uint16_t)((neg ? 0x3800u : 0x3000u) | rd << 8 | mag));
            return;
        }
        if (mag <= 7u) {
            t2_hw(b, (uint16_t)((neg ? 0x1E00u : 0x1C00u) | mag << 6 | rn << 3 | rd));
            return;
        }
    }
    if (t2_dp_imm(b, neg ? T2_SUB : T2_ADD, false, rd, rn, mag))
        return;
    if (mag <= 0xfffu) { /* ADDW / SUBW */
        put_imm12(b, (uint16_t)((neg ? 0xF2A0u : 0xF200u) | rn), (uint16_t)(rd << 8), mag);
        return;
    }
    t2_mov_imm(b, scratch, mag);
    t2_alu(b, neg ? T2_SUB : T2_ADD, rd, rn, scratch, false);
}

void t2_cmp_reg(t2_buf *b, unsigned rn, unsigned rm)
{
    if (t2_is_low(rn) && t2_is_low(rm))
        t2_hw(b, (uint16_t)(0x4280u | rm << 3 | rn));
    else
        t2_hw(b, (uint16_t)(0x4500u | (rn >> 3) << 7 | rm << 3 | (rn & 7u)));
}

bool t2_cmp_imm(t2_buf *b, unsigned rn, uint32_t v)
{
    if (t2_is_low(rn) && v <= 0xffu) {
        t2_hw(b, (uint16_t)(0x2800u | rn << 8 | v));
        return true;
    }
    if (t2_dp_imm(b, T2_SUB, true, 15, rn, v))
        return true;
    return t2_dp_imm(b, T2_ADD, true, 15, rn, 0u - v); /* CMN */
}

void t2_tst_reg(t2_buf *b, unsigned rn, unsigned rm)
{
    if (t2_is_low(rn) && t2_is_low(rm))
        t2_hw(b, (uint16_t)(0x4200u | rm << 3 | rn));
    else
        t2_dp_reg(b, T2_AND, true, 15, rn, rm, T2_LSL, 0);
}

void t2_shift_imm(t2_buf *b, unsigned type, unsigned rd, unsigned rm, unsigned amount)
{
    if (type != T2_ROR && t2_is_low(rd) && t2_is_low(rm)) {
        static const uint16_t base[3] = {0x0000u, 0x0800u, 0x1000u};
        t2_hw(b, (uint16_t)(base[type] | (amount & 31u) << 6 | rm << 3 | rd));
        return;
    }
    t2_dp_reg(b, T2_ORR, false, rd, T2_PC, rm, type, amount);
}

void t2_shift_reg(t2_buf *b, unsigned type, unsigned rd, unsigned rn, unsigned rm)
{
    if (rd == rn && t2_is_low(rd) && t2_is_low(rm)) {
        static const uint16_t op16[4] = {2u, 3u, 4u, 7u};
        t2_hw(b, (uint16_t)(0x4000u | op16[type] << 6 | rm << 3 | rd));
        return;
    }
    t2_w32(b, (uint16_t)(0xFA00u | type << 5 | rn), (uint16_t)(0xF000u | rd << 8 | rm));
}

void t2_mvn(t2_buf *b, unsigned rd, unsigned rm)
{
    t2_dp_reg(b, T2_ORN, false, rd, T2_PC, rm, T2_LSL, 0);
}

void t2_mul(t2_buf *b, unsigned rd, unsigned rn, unsigned rm)
{
    if (t2_is_low(rd) && t2_is_low(rn) && rd == rm) {
        t2_hw(b, (uint16_t)(0x4340u | rn << 3 | rd));
        return;
    }
    if (t2_is_low(rd) && t2_is_low(rm) && rd == rn) {
        t2_hw(b, (uint16_t)(0x4340u | rm << 3 | rd));
        return;
    }
    t2_w32(b, (uint16_t)(0xFB00u | rn), (uint16_t)(0xF000u | rd << 8 | rm));
}

void t2_mla(t2_buf *b, unsigned rd, unsigned rn, unsigned rm, unsigned ra)
{
    t2_w32(b, (uint16_t)(0xFB00u | rn), (uint16_t)(ra << 12 | rd << 8 | rm));
}

void t2_mls(t2_buf *b, unsigned rd, unsigned rn, unsigned rm, unsigned ra)
{
    t2_w32(b, (uint16_t)(0xFB00u | rn), (uint16_t)(ra << 12 | rd << 8 | 0x10u | rm));
}

void t2_umull(t2_buf *b, unsigned rdlo, unsigned rdhi, unsigned rn, unsigned rm)
{
    t2_w32(b, (uint16_t)(0xFBA0u | rn), (uint16_t)(rdlo << 12 | rdhi << 8 | rm));
}

void t2_clz(t2_buf *b, unsigned rd, unsigned rm)
{
    t2_w32(b, (uint16_t)(0xFAB0u | rm), (uint16_t)(0xF080u | rd << 8 | rm));
}

void t2_ubfx(t2_buf *b, unsigned rd, unsigned rn, unsigned lsb, unsigned width)
{
    t2_w32(b, (uint16_t)(0xF3C0u | rn),
           (uint16_t)((lsb >> 2) << 12 | rd << 8 | (lsb & 3u) << 6 | (width - 1u)));
}

void t2_udiv(t2_buf *b, unsigned rd, unsigned rn, unsigned rm)
{
    t2_w32(b, (uint16_t)(0xFBB0u | rn), (uint16_t)(0xF0F0u | rd << 8 | rm));
}

void t2_sdiv(t2_buf *b, unsigned rd, unsigned rn, unsigned rm)
{
    t2_w32(b, (uint16_t)(0xFB90u | rn), (uint16_t)(0xF0F0u | rd << 8 | rm));
}

void t2_rev(t2_buf *b, unsigned rd, unsigned rm)
{
    if (t2_is_low(rd) && t2_is_low(rm))
        t2_hw(b, (uint16_t)(0xBA00u | rm << 3 | rd));
    else
        t2_w32(b, (uint16_t)(0xFA90u | rm), (uint16_t)(0xF080u | rd << 8 | rm));
}

void t2_rev16(t2_buf *b, unsigned rd, unsigned rm)
{
    if (t2_is_low(rd) && t2_is_low(rm))
        t2_hw(b, (uint16_t)(0xBA40u | rm << 3 | rd));
    else
        t2_w32(b, (uint16_t)(0xFA90u | rm), (uint16_t)(0xF090u | rd << 8 | rm));
}

static void extend(t2_buf *b, uint16_t op16, uint16_t op32, unsigned rd, unsigned rm)
{
    if (t2_is_low(rd) && t2_is_low(rm))
        t2_hw(b, (uint16_t)(op16 | rm << 3 | rd));
    else
        t2_w32(b, op32, (uint16_t)(0xF080u | rd << 8 | rm));
}

void t2_sxtb(t2_buf *b, unsigned rd, unsigned rm) { extend(b, 0xB240u, 0xFA4Fu, rd, rm); }
void t2_sxth(t2_buf *b, unsigned rd, unsigned rm) { extend(b, 0xB200u, 0xFA0Fu, rd, rm); }
void t2_uxtb(t2_buf *b, unsigned rd, unsigned rm) { extend(b, 0xB2C0u, 0xFA5Fu, rd, rm); }
/* rd = rn + zero-extended low byte / halfword of rm (32-bit only) */
void t2_uxtab(t2_buf *b, unsigned rd, unsigned rn, unsigned rm)
{
    t2_w32(b, (uint16_t)(0xFA50u | rn), (uint16_t)(0xF080u | rd << 8 | rm));
}
void t2_uxtah(t2_buf *b, unsigned rd, unsigned rn, unsigned rm)
{
    t2_w32(b, (uint16_t)(0xFA10u | rn), (uint16_t)(0xF080u | rd << 8 | rm));
}
void t2_uxth(t2_buf *b, unsigned rd, unsigned rm) { extend(b, 0xB280u, 0xFA1Fu, rd, rm); }

/* Encodings per size: 16-bit imm5 base and scale, 32-bit imm12 and imm8 forms. */
typedef struct ls_form {
    uint16_t op16, op32, op32neg;
    uint8_t shift; /* log2 of the 16-bit offset scale; 0xff: no 16-bit form */
} ls_form;

static const ls_form ld_forms[5] = {
    {0x6800u, 0xF8D0u, 0xF850u, 2}, {0x8800u, 0xF8B0u, 0xF830u, 1},
    {0x7800u, 0xF890u, 0xF810u, 0}, {0, 0xF9B0u, 0xF930u, 0xff},
    {0, 0xF990u, 0xF910u, 0xff},
};
static const ls_form st_forms[3] = {
    {0x6000u, 0xF8C0u, 0xF840u, 2}, {0x8000u, 0xF8A0u, 0xF820u, 1},
    {0x7000u, 0xF880u, 0xF800u, 0},
};

static void ldst(t2_buf *b, const ls_form *f, bool load, unsigned size, unsigned rt, unsigned rn,
                 int32_t off, unsigned scratch)
{
    if (rn == T2_SP && size == T2_W && t2_is_low(rt) && off >= 0 && off <= 1020 && !(off & 3)) {
        t2_hw(b, (uint16_t)((load ? 0x9800u : 0x9000u) | rt << 8 | (uint32_t)off >> 2));
        return;
    }
    if (f->shift != 0xff && t2_is_low(rt) && t2_is_low(rn) && off >= 0 &&
        !(off & ((1 << f->shift) - 1)) && (off >> f->shift) <= 31) {
        t2_hw(b, (uint16_t)(f->op16 | (uint32_t)(off >> f->shift) << 6 | rn << 3 | rt));
        return;
    }
    if (off >= 0 && off <= 4095) {
        t2_w32(b, (uint16_t)(f->op32 | rn), (uint16_t)(rt << 12 | (uint32_t)off));
        return;
    }
    if (off < 0 && off >= -255) {
        t2_w32(b, (uint16_t)(f->op32neg | rn), (uint16_t)(rt << 12 | 0xC00u | (uint32_t)-off));
        return;
    }
    /* Far offset: address into scratch first. */
    t2_add_imm(b, scratch, rn, off, scratch);
    ldst(b, f, load, size, rt, scratch, 0, scratch);
}

/* Frame slots (sp + small offset, low register) first: the most common
 * form, kept out of ldst's larger frame. */
static inline bool sp_word(unsigned size, unsigned rt, unsigned rn, int32_t off)
{
    return rn == T2_SP && size == T2_W && t2_is_low(rt) && (uint32_t)off <= 1020u && !(off & 3);
}

void t2_ldr(t2_buf *b, unsigned size, unsigned rt, unsigned rn, int32_t off, unsigned scratch)
{
    if (sp_word(size, rt, rn, off))
        t2_hw(b, (uint16_t)(0x9800u | rt << 8 | (uint32_t)off >> 2));
    else
        ldst(b, &ld_forms[size], true, size, rt, rn, off, scratch);
}

void t2_str(t2_buf *b, unsigned size, unsigned rt, unsigned rn, int32_t off, unsigned scratch)
{
    if (sp_word(size, rt, rn, off))
        t2_hw(b, (uint16_t)(0x9000u | rt << 8 | (uint32_t)off >> 2));
    else
        ldst(b, &st_forms[size], false, size, rt, rn, off, scratch);
}

void t2_ldrd(t2_buf *b, unsigned rt, unsigned rt2, unsigned rn, uint32_t off)
{
    t2_w32(b, (uint16_t)(0xE9D0u | rn), (uint16_t)(rt << 12 | rt2 << 8 | (off >> 2)));
}

void t2_ldrex(t2_buf *b, unsigned rt, unsigned rn)
{
    t2_w32(b, (uint16_t)(0xE850u | rn), (uint16_t)(rt << 12 | 0x0F00u));
}

void t2_strex(t2_buf *b, unsigned rd, unsigned rt, unsigned rn)
{
    t2_w32(b, (uint16_t)(0xE840u | rn), (uint16_t)(rt << 12 | rd << 8));
}

void t2_clrex(t2_buf *b) { t2_w32(b, 0xF3BFu, 0x8F2Fu); }

void t2_push(t2_buf *b, uint16_t list)
{
    if (!(list & 0xBF00u)) /* only r0-r7 and lr */
        t2_hw(b, (uint16_t)(0xB400u | (list & 0x4000u ? 0x100u : 0u) | (list & 0xffu)));
    else
        t2_w32(b, 0xE92Du, list);
}

void t2_pop(t2_buf *b, uint16_t list)
{
    if (!(list & 0x7F00u)) /* only r0-r7 and pc */
        t2_hw(b, (uint16_t)(0xBC00u | (list & 0x8000u ? 0x100u : 0u) | (list & 0xffu)));
    else
        t2_w32(b, 0xE8BDu, list);
}

void t2_add_sp(t2_buf *b, int32_t v)
{
    uint32_t mag = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    if (mag == 0)
        return;
    if (mag <= 508u) {
        t2_hw(b, (uint16_t)((v < 0 ? 0xB080u : 0xB000u) | mag >> 2));
        return;
    }
    put_imm12(b, v < 0 ? 0xF2ADu : 0xF20Du, (uint16_t)(T2_SP << 8), mag); /* ADDW/SUBW sp */
}

void t2_add_rd_sp(t2_buf *b, unsigned rd, uint32_t v)
{
    if (t2_is_low(rd) && v <= 1020u && !(v & 3u)) {
        t2_hw(b, (uint16_t)(0xA800u | rd << 8 | v >> 2));
        return;
    }
    put_imm12(b, 0xF20Du, (uint16_t)(rd << 8), v); /* ADDW rd, sp, #v */
}

bool t2_b16_fits(int32_t off) { return off - 4 >= -2048 && off - 4 <= 2046; }
bool t2_bcond16_fits(int32_t off) { return off - 4 >= -256 && off - 4 <= 254; }

bool t2_b(t2_buf *b, int32_t off, bool wide)
{
    int32_t d = off - 4;
    if (!wide) {
        t2_hw(b, (uint16_t)(0xE000u | (((uint32_t)d >> 1) & 0x7ffu)));
        return t2_b16_fits(off);
    }
    uint32_t u = (uint32_t)d;
    uint32_t s = (u >> 24) & 1u, i1 = (u >> 23) & 1u, i2 = (u >> 22) & 1u;
    uint32_t j1 = (~(i1 ^ s)) & 1u, j2 = (~(i2 ^ s)) & 1u;
    t2_w32(b, (uint16_t)(0xF000u | s << 10 | ((u >> 12) & 0x3ffu)),
           (uint16_t)(0x9000u | j1 << 13 | j2 << 11 | ((u >> 1) & 0x7ffu)));
    return d >= -(1 << 24) && d < (1 << 24);
}

bool t2_bl(t2_buf *b, int32_t off)
{
    int32_t d = off - 4;
    uint32_t u = (uint32_t)d;
    uint32_t s = (u >> 24) & 1u, i1 = (u >> 23) & 1u, i2 = (u >> 22) & 1u;
    uint32_t j1 = (~(i1 ^ s)) & 1u, j2 = (~(i2 ^ s)) & 1u;
    t2_w32(b, (uint16_t)(0xF000u | s << 10 | ((u >> 12) & 0x3ffu)),
           (uint16_t)(0xD000u | j1 << 13 | j2 << 11 | ((u >> 1) & 0x7ffu)));
    return d >= -(1 << 24) && d < (1 << 24);
}

bool t2_bcond(t2_buf *b, unsigned cond, int32_t off, bool wide)
{
    if (cond == T2_AL)
        return t2_b(b, off, wide);
    int32_t d = off - 4;
    if (!wide) {
        t2_hw(b, (uint16_t)(0xD000u | cond << 8 | (((uint32_t)d >> 1) & 0xffu)));
        return t2_bcond16_fits(off);
    }
    uint32_t u = (uint32_t)d;
    uint32_t s = (u >> 20) & 1u, j2 = (u >> 19) & 1u, j1 = (u >> 18) & 1u;
    t2_w32(b, (uint16_t)(0xF000u | s << 10 | cond << 6 | ((u >> 12) & 0x3fu)),
           (uint16_t)(0x8000u | j1 << 13 | j2 << 11 | ((u >> 1) & 0x7ffu)));
    return d >= -(1 << 20) && d < (1 << 20);
}

void t2_blx_reg(t2_buf *b, unsigned rm) { t2_hw(b, (uint16_t)(0x4780u | rm << 3)); }
void t2_bx(t2_buf *b, unsigned rm) { t2_hw(b, (uint16_t)(0x4700u | rm << 3)); }

void t2_cbz(t2_buf *b, bool nz, unsigned rn, uint32_t off)
{
    uint32_t imm = off - 4;
    t2_hw(b, (uint16_t)(0xB100u | (nz ? 0x800u : 0u) | ((imm >> 6) & 1u) << 9 |
                        ((imm >> 1) & 0x1fu) << 3 | rn));
}

void t2_it(t2_buf *b, unsigned firstcond, unsigned mask)
{
    t2_hw(b, (uint16_t)(0xBF00u | firstcond << 4 | mask));
}

void t2_adr(t2_buf *b, unsigned rd, int32_t v)
{
    if (v >= 0)
        put_imm12(b, 0xF20Fu, (uint16_t)(rd << 8), (uint32_t)v);
    else
        put_imm12(b, 0xF2AFu, (uint16_t)(rd << 8), (uint32_t)-v);
}

void t2_mrs_primask(t2_buf *b, unsigned rd) { t2_w32(b, 0xF3EFu, (uint16_t)(0x8010u | rd << 8)); }
void t2_msr_primask(t2_buf *b, unsigned rn) { t2_w32(b, (uint16_t)(0xF380u | rn), 0x8810u); }
void t2_cpsid_i(t2_buf *b) { t2_hw(b, 0xB672u); }
