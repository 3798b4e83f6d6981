/* The eBPF instruction set (RFC 9669, versions 1 to 4) as data.
 *
 * One byte per opcode: its kind (what its fields mean and which must be
 * zero) in the low 5 bits, the ISA version that introduced it in the top 3
 * bits (0 = not an instruction). The verifier, the interpreter, the JIT and
 * the disassembler all decode through this table, so they agree on what
 * exists. mbpf_isa_check validates one instruction's encoding; program-level
 * rules (targets, functions, helpers, stack) are in verifier.c.
 */
#ifndef MBPF_ISA_H
#define MBPF_ISA_H

#include <stdbool.h>
#include <stdint.h>

#include "mbpf/insn.h"

enum mbpf_isa_kind {
    MBPF_KIND_INVALID = 0, /* not an opcode */
    MBPF_KIND_ALU_K,       /* dst op= imm: src 0, off 0 */
    MBPF_KIND_ALU_X,       /* dst op= src: imm 0, off 0 */
    MBPF_KIND_DIVMOD_K,    /* div/mod imm: src 0, off 0 (unsigned) or 1 (signed, v4) */
    MBPF_KIND_DIVMOD_X,    /* div/mod src: imm 0, off 0 or 1 */
    MBPF_KIND_MOV32_X,     /* mov32 src: imm 0, off 0, or 8/16 (movsx, v4) */
    MBPF_KIND_MOV64_X,     /* mov src: imm 0, off 0, or 8/16/32 (movsx, v4) */
    MBPF_KIND_NEG,         /* neg: src 0, off 0, imm 0 */
    MBPF_KIND_END,         /* le/be/bswap: src 0, off 0, imm 16/32/64 */
    MBPF_KIND_LDDW,        /* two slots: off 0, src = lddw source (0..6) */
    MBPF_KIND_LDX,         /* dst = *(src + off), also sign-extending: imm 0 */
    MBPF_KIND_ST,          /* *(dst + off) = imm: src 0 */
    MBPF_KIND_STX,         /* *(dst + off) = src: imm 0 */
    MBPF_KIND_ATOMIC,      /* atomic op on *(dst + off) with src: imm = operation */
    MBPF_KIND_JA,          /* goto pc + off + 1: dst 0, src 0, imm 0 */
    MBPF_KIND_JA32,        /* goto pc + imm + 1: dst 0, src 0, off 0 */
    MBPF_KIND_JMP_K,       /* if (dst op imm) goto pc + off + 1: src 0 */
    MBPF_KIND_JMP_X,       /* if (dst op src) goto pc + off + 1: imm 0 */
    MBPF_KIND_CALL,        /* src 0: helper imm, 1: local pc + imm + 1, 2: BTF id; dst 0, off 0 */
    MBPF_KIND_CALLX,       /* helper id in register dst: src 0, off 0, imm 0 */
    MBPF_KIND_EXIT,        /* every field 0 */
    MBPF_KIND_LEGACY,      /* LD_ABS / LD_IND: always rejected */
    MBPF_KIND_ATOMIC_SIZE, /* B/H atomics: always rejected */
    MBPF_KIND_COUNT
};

/* kind | version << 5, indexed by opcode. */
extern const uint8_t mbpf_isa_table[256];

#define MBPF_ISA_MAX_VERSION 4u

static inline unsigned mbpf_isa_kind(uint8_t code) { return mbpf_isa_table[code] & 0x1fu; }

/* RFC 9669 version that introduced the opcode; 0 for non-instructions. */
static inline unsigned mbpf_isa_version(uint8_t code) { return mbpf_isa_table[code] >> 5; }

static inline bool mbpf_isa_is_lddw(uint8_t code) { return code == MBPF_OP_LDDW; }

/* Slots the instruction takes (lddw: 2). */
static inline unsigned mbpf_isa_width(uint8_t code) { return mbpf_isa_is_lddw(code) ? 2u : 1u; }

/* ja, ja32 and conditional jumps (JMP and JMP32); not call or exit. */
static inline bool mbpf_isa_is_jump(uint8_t code)
{
    unsigned k = mbpf_isa_kind(code);
    return k == MBPF_KIND_JA || k == MBPF_KIND_JA32 || k == MBPF_KIND_JMP_K ||
           k == MBPF_KIND_JMP_X;
}

static inline bool mbpf_isa_is_cond_jump(uint8_t code)
{
    unsigned k = mbpf_isa_kind(code);
    return k == MBPF_KIND_JMP_K || k == MBPF_KIND_JMP_X;
}

/* Jump distance: target = pc + 1 + mbpf_isa_jump_offset (ja32 uses imm). */
static inline int32_t mbpf_isa_jump_offset(const mbpf_insn *in)
{
    return in->code == MBPF_OP_JA32 ? in->imm : (int32_t)in->off;
}

/* Instructions after which execution never falls through to pc + 1. */
static inline bool mbpf_isa_is_terminator(uint8_t code)
{
    return code == MBPF_OP_EXIT || code == MBPF_OP_JA || code == MBPF_OP_JA32;
}

static inline bool mbpf_isa_is_local_call(const mbpf_insn *in)
{
    return in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_LOCAL;
}

/* LDX (also sign-extending), ST, STX and atomics. */
static inline bool mbpf_isa_is_mem(uint8_t code)
{
    unsigned k = mbpf_isa_kind(code);
    return k == MBPF_KIND_LDX || k == MBPF_KIND_ST || k == MBPF_KIND_STX ||
           k == MBPF_KIND_ATOMIC;
}

/* Bytes accessed by a load/store/atomic opcode (size bits: W, H, B, DW). */
static inline unsigned mbpf_isa_mem_size(uint8_t code)
{
    return (0x8124u >> (MBPF_SIZE(code) >> 1)) & 0xfu; /* nibbles 4, 2, 1, 8 */
}

/* Atomic operations: add/or/and/xor with or without FETCH, xchg, cmpxchg. */
static inline bool mbpf_isa_atomic_op_ok(int32_t imm)
{
    uint32_t op = (uint32_t)imm;
    uint32_t base = op & ~(uint32_t)MBPF_FETCH;
    if (op == MBPF_XCHG || op == MBPF_CMPXCHG)
        return true;
    return base == MBPF_ADD || base == MBPF_OR || base == MBPF_AND || base == MBPF_XOR;
}

/* Atomic operations that write the old value back into src (not cmpxchg,
 * which writes r0). */
static inline bool mbpf_isa_atomic_writes_src(int32_t imm)
{
    uint32_t op = (uint32_t)imm;
    return (op & MBPF_FETCH) != 0 && op != MBPF_CMPXCHG;
}

/* Checks the encoding of one instruction (for lddw: the first slot only)
 * against ISA version isa (1..4): opcode known and allowed, reserved fields
 * zero, off/imm values legal, registers r0-r10, no write to r10. Returns
 * NULL when well formed, else a static reason. Whether microbpf accepts the
 * instruction in a program (helpers, callx, lddw sources, targets) is the
 * verifier's business. */
const char *mbpf_isa_check(const mbpf_insn *in, unsigned isa);

#endif /* MBPF_ISA_H */
