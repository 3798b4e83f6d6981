/* The instruction table and the per-instruction encoding rules (RFC 9669).
 *
 * Version boundaries (RFC 9669 conformance groups): jlt/jle/jslt/jsle are
 * v2; JMP32 and atomics v3 (local calls too, checked on src); ja32,
 * sdiv/smod, movsx, sign-extending loads and bswap v4. Everything else v1.
 */
#include <stddef.h>

#include "isa.h"

#define E(kind, ver) ((uint8_t)((kind) | ((ver) << 5)))

/* An ALU operation in both widths and both sources. */
#define ALU_OP(op, k, x, ver)                                                                \
    [MBPF_ALU | (op) | MBPF_K] = E(k, ver), [MBPF_ALU | (op) | MBPF_X] = E(x, ver),           \
    [MBPF_ALU64 | (op) | MBPF_K] = E(k, ver), [MBPF_ALU64 | (op) | MBPF_X] = E(x, ver)

/* A conditional jump with both sources: JMP since v_jmp, JMP32 since v3. */
#define JMP_OP(op, ver)                                                                      \
    [MBPF_JMP | (op) | MBPF_K] = E(MBPF_KIND_JMP_K, ver),                                     \
    [MBPF_JMP | (op) | MBPF_X] = E(MBPF_KIND_JMP_X, ver),                                     \
    [MBPF_JMP32 | (op) | MBPF_K] = E(MBPF_KIND_JMP_K, 3),                                     \
    [MBPF_JMP32 | (op) | MBPF_X] = E(MBPF_KIND_JMP_X, 3)

#define MEM_OP(cls, mode, size, kind, ver) [(cls) | (mode) | (size)] = E(kind, ver)

const uint8_t mbpf_isa_table[256] = {
    ALU_OP(MBPF_ADD, MBPF_KIND_ALU_K, MBPF_KIND_ALU_X, 1),
    ALU_OP(MBPF_SUB, MBPF_KIND_ALU_K, MBPF_KIND_ALU_X, 1),
    ALU_OP(MBPF_MUL, MBPF_KIND_ALU_K, MBPF_KIND_ALU_X, 1),
    ALU_OP(MBPF_DIV, MBPF_KIND_DIVMOD_K, MBPF_KIND_DIVMOD_X, 1),
    ALU_OP(MBPF_OR, MBPF_KIND_ALU_K, MBPF_KIND_ALU_X, 1),
    ALU_OP(MBPF_AND, MBPF_KIND_ALU_K, MBPF_KIND_ALU_X, 1),
    ALU_OP(MBPF_LSH, MBPF_KIND_ALU_K, MBPF_KIND_ALU_X, 1),
    ALU_OP(MBPF_RSH, MBPF_KIND_ALU_K, MBPF_KIND_ALU_X, 1),
    ALU_OP(MBPF_MOD, MBPF_KIND_DIVMOD_K, MBPF_KIND_DIVMOD_X, 1),
    ALU_OP(MBPF_XOR, MBPF_KIND_ALU_K, MBPF_KIND_ALU_X, 1),
    ALU_OP(MBPF_ARSH, MBPF_KIND_ALU_K, MBPF_KIND_ALU_X, 1),
    [MBPF_ALU | MBPF_MOV | MBPF_K] = E(MBPF_KIND_ALU_K, 1),
    [MBPF_ALU | MBPF_MOV | MBPF_X] = E(MBPF_KIND_MOV32_X, 1),
    [MBPF_ALU64 | MBPF_MOV | MBPF_K] = E(MBPF_KIND_ALU_K, 1),
    [MBPF_ALU64 | MBPF_MOV | MBPF_X] = E(MBPF_KIND_MOV64_X, 1),
    [MBPF_ALU | MBPF_NEG | MBPF_K] = E(MBPF_KIND_NEG, 1),
    [MBPF_ALU64 | MBPF_NEG | MBPF_K] = E(MBPF_KIND_NEG, 1),
    [MBPF_ALU | MBPF_END | MBPF_K] = E(MBPF_KIND_END, 1),   /* le */
    [MBPF_ALU | MBPF_END | MBPF_X] = E(MBPF_KIND_END, 1),   /* be */
    [MBPF_ALU64 | MBPF_END | MBPF_K] = E(MBPF_KIND_END, 4), /* bswap */

    [MBPF_OP_JA] = E(MBPF_KIND_JA, 1),
    [MBPF_OP_JA32] = E(MBPF_KIND_JA32, 4),
    JMP_OP(MBPF_JEQ, 1),
    JMP_OP(MBPF_JGT, 1),
    JMP_OP(MBPF_JGE, 1),
    JMP_OP(MBPF_JSET, 1),
    JMP_OP(MBPF_JNE, 1),
    JMP_OP(MBPF_JSGT, 1),
    JMP_OP(MBPF_JSGE, 1),
    JMP_OP(MBPF_JLT, 2),
    JMP_OP(MBPF_JLE, 2),
    JMP_OP(MBPF_JSLT, 2),
    JMP_OP(MBPF_JSLE, 2),
    [MBPF_OP_CALL] = E(MBPF_KIND_CALL, 1),
    [MBPF_OP_CALLX] = E(MBPF_KIND_CALLX, 1),
    [MBPF_OP_EXIT] = E(MBPF_KIND_EXIT, 1),

    [MBPF_OP_LDDW] = E(MBPF_KIND_LDDW, 1),
    MEM_OP(MBPF_LD, MBPF_ABS, MBPF_W, MBPF_KIND_LEGACY, 0),
    MEM_OP(MBPF_LD, MBPF_ABS, MBPF_H, MBPF_KIND_LEGACY, 0),
    MEM_OP(MBPF_LD, MBPF_ABS, MBPF_B, MBPF_KIND_LEGACY, 0),
    MEM_OP(MBPF_LD, MBPF_IND, MBPF_W, MBPF_KIND_LEGACY, 0),
    MEM_OP(MBPF_LD, MBPF_IND, MBPF_H, MBPF_KIND_LEGACY, 0),
    MEM_OP(MBPF_LD, MBPF_IND, MBPF_B, MBPF_KIND_LEGACY, 0),

    MEM_OP(MBPF_LDX, MBPF_MEM, MBPF_W, MBPF_KIND_LDX, 1),
    MEM_OP(MBPF_LDX, MBPF_MEM, MBPF_H, MBPF_KIND_LDX, 1),
    MEM_OP(MBPF_LDX, MBPF_MEM, MBPF_B, MBPF_KIND_LDX, 1),
    MEM_OP(MBPF_LDX, MBPF_MEM, MBPF_DW, MBPF_KIND_LDX, 1),
    MEM_OP(MBPF_LDX, MBPF_MEMSX, MBPF_W, MBPF_KIND_LDX, 4),
    MEM_OP(MBPF_LDX, MBPF_MEMSX, MBPF_H, MBPF_KIND_LDX, 4),
    MEM_OP(MBPF_LDX, MBPF_MEMSX, MBPF_B, MBPF_KIND_LDX, 4),

    MEM_OP(MBPF_ST, MBPF_MEM, MBPF_W, MBPF_KIND_ST, 1),
    MEM_OP(MBPF_ST, MBPF_MEM, MBPF_H, MBPF_KIND_ST, 1),
    MEM_OP(MBPF_ST, MBPF_MEM, MBPF_B, MBPF_KIND_ST, 1),
    MEM_OP(MBPF_ST, MBPF_MEM, MBPF_DW, MBPF_KIND_ST, 1),

    MEM_OP(MBPF_STX, MBPF_MEM, MBPF_W, MBPF_KIND_STX, 1),
    MEM_OP(MBPF_STX, MBPF_MEM, MBPF_H, MBPF_KIND_STX, 1),
    MEM_OP(MBPF_STX, MBPF_MEM, MBPF_B, MBPF_KIND_STX, 1),
    MEM_OP(MBPF_STX, MBPF_MEM, MBPF_DW, MBPF_KIND_STX, 1),
    MEM_OP(MBPF_STX, MBPF_ATOMIC, MBPF_W, MBPF_KIND_ATOMIC, 3),
    MEM_OP(MBPF_STX, MBPF_ATOMIC, MBPF_DW, MBPF_KIND_ATOMIC, 3),
    MEM_OP(MBPF_STX, MBPF_ATOMIC, MBPF_H, MBPF_KIND_ATOMIC_SIZE, 0),
    MEM_OP(MBPF_STX, MBPF_ATOMIC, MBPF_B, MBPF_KIND_ATOMIC_SIZE, 0),
};

/* Per kind: fields that must be zero, whether src names a register (for
 * call and lddw it is a mode), and whether dst is written. */
enum {
    Z_DST = 1u,
    Z_SRC = 2u,
    Z_OFF = 4u,
    Z_IMM = 8u,
    SRC_MODE = 16u,
    W_DST = 32u,
};

static const uint8_t kind_rules[MBPF_KIND_COUNT] = {
    [MBPF_KIND_ALU_K] = Z_SRC | Z_OFF | W_DST,
    [MBPF_KIND_ALU_X] = Z_IMM | Z_OFF | W_DST,
    [MBPF_KIND_DIVMOD_K] = Z_SRC | W_DST,
    [MBPF_KIND_DIVMOD_X] = Z_IMM | W_DST,
    [MBPF_KIND_MOV32_X] = Z_IMM | W_DST,
    [MBPF_KIND_MOV64_X] = Z_IMM | W_DST,
    [MBPF_KIND_NEG] = Z_SRC | Z_OFF | Z_IMM | W_DST,
    [MBPF_KIND_END] = Z_SRC | Z_OFF | W_DST,
    [MBPF_KIND_LDDW] = Z_OFF | SRC_MODE | W_DST,
    [MBPF_KIND_LDX] = Z_IMM | W_DST,
    [MBPF_KIND_ST] = Z_SRC,
    [MBPF_KIND_STX] = Z_IMM,
    [MBPF_KIND_ATOMIC] = 0,
    [MBPF_KIND_JA] = Z_DST | Z_SRC | Z_IMM,
    [MBPF_KIND_JA32] = Z_DST | Z_SRC | Z_OFF,
    [MBPF_KIND_JMP_K] = Z_SRC,
    [MBPF_KIND_JMP_X] = Z_IMM,
    [MBPF_KIND_CALL] = Z_DST | Z_OFF | SRC_MODE,
    [MBPF_KIND_CALLX] = Z_SRC | Z_OFF | Z_IMM,
    [MBPF_KIND_EXIT] = Z_DST | Z_SRC | Z_OFF | Z_IMM,
};

static const char *const needs_version[MBPF_ISA_MAX_VERSION + 1] = {
    [0] = "unknown opcode",
    [1] = "opcode needs ISA v1",
    [2] = "opcode needs ISA v2",
    [3] = "opcode needs ISA v3",
    [4] = "opcode needs ISA v4",
};

/* Kind-specific values of off and imm (and src for the mode kinds). */
static const char *check_values(unsigned kind, const mbpf_insn *in, unsigned isa)
{
    int32_t off = in->off;
    switch (kind) {
    case MBPF_KIND_DIVMOD_K:
    case MBPF_KIND_DIVMOD_X:
        if (off != 0 && off != 1)
            return "div/mod offset must be 0 (unsigned) or 1 (signed)";
        if (off == 1 && isa < 4)
            return "signed div/mod (offset 1) needs ISA v4";
        return NULL;
    case MBPF_KIND_MOV32_X:
    case MBPF_KIND_MOV64_X:
        if (off != 0 && off != 8 && off != 16 && !(off == 32 && kind == MBPF_KIND_MOV64_X))
            return kind == MBPF_KIND_MOV32_X ? "mov32 offset must be 0, 8 or 16 (movsx)"
                                             : "mov offset must be 0, 8, 16 or 32 (movsx)";
        if (off != 0 && isa < 4)
            return "movsx needs ISA v4";
        return NULL;
    case MBPF_KIND_END:
        if (in->imm != 16 && in->imm != 32 && in->imm != 64)
            return "byte swap width (imm) must be 16, 32 or 64";
        return NULL;
    case MBPF_KIND_ATOMIC:
        if (!mbpf_isa_atomic_op_ok(in->imm))
            return "unknown atomic operation (imm)";
        return NULL;
    case MBPF_KIND_CALL:
        if (MBPF_INSN_SRC(in) > 2u)
            return "call source must be 0 (helper), 1 (local) or 2 (BTF id)";
        if (MBPF_INSN_SRC(in) == MBPF_CALL_LOCAL && isa < 3)
            return "local call needs ISA v3";
        return NULL;
    case MBPF_KIND_LDDW:
        if (MBPF_INSN_SRC(in) > MBPF_LDDW_MAP_VAL_BY_IDX)
            return "unknown lddw source (src must be 0..6)";
        return NULL;
    default:
        return NULL;
    }
}

const char *mbpf_isa_check(const mbpf_insn *in, unsigned isa)
{
    unsigned kind = mbpf_isa_kind(in->code);
    unsigned ver = mbpf_isa_version(in->code);
    unsigned dst = MBPF_INSN_DST(in), src = MBPF_INSN_SRC(in);

    if (kind == MBPF_KIND_LEGACY)
        return "legacy packet access (LD_ABS/LD_IND) is not supported";
    if (kind == MBPF_KIND_ATOMIC_SIZE)
        return "atomic operations need size W or DW";
    if (ver == 0)
        return "unknown opcode";
    if (ver > isa)
        return needs_version[ver];

    unsigned rules = kind_rules[kind];
    if ((rules & Z_DST) && dst != 0)
        return "nonzero reserved dst field";
    if ((rules & Z_SRC) && src != 0)
        return "nonzero reserved src field";
    if ((rules & Z_OFF) && in->off != 0)
        return "nonzero reserved offset";
    if ((rules & Z_IMM) && in->imm != 0)
        return "nonzero reserved immediate";

    const char *why = check_values(kind, in, isa);
    if (why)
        return why;

    if (!(rules & Z_DST) && dst > MBPF_REG_FP)
        return "destination register above r10";
    if (!(rules & (Z_SRC | SRC_MODE)) && src > MBPF_REG_FP)
        return "source register above r10";
    if ((rules & W_DST) && dst == MBPF_REG_FP)
        return "write to r10 (read-only frame pointer)";
    if (kind == MBPF_KIND_ATOMIC && mbpf_isa_atomic_writes_src(in->imm) && src == MBPF_REG_FP)
        return "write to r10 (read-only frame pointer)";
    return NULL;
}
