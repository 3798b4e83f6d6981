/* Opcode table for the conformance assembly syntax (RFC 9669 encodings). */
#include "asm_table.h"

#include <stddef.h>
#include <string.h>

#define ALU2(name, op)                                                            \
    {name, MBPF_ALU64 | (op), MBPF_SHAPE_ALU, 0, 0},                              \
    {name "32", MBPF_ALU | (op), MBPF_SHAPE_ALU, 0, 0}
#define SALU2(name, op)                                                           \
    {name, MBPF_ALU64 | (op), MBPF_SHAPE_ALU, 1, 0},                              \
    {name "32", MBPF_ALU | (op), MBPF_SHAPE_ALU, 1, 0}
#define JCC2(name, op)                                                            \
    {name, MBPF_JMP | (op), MBPF_SHAPE_JCOND, 0, 0},                              \
    {name "32", MBPF_JMP32 | (op), MBPF_SHAPE_JCOND, 0, 0}
#define MOVSX(name, cls, bits) {name, (cls) | MBPF_MOV | MBPF_X, MBPF_SHAPE_ALU_REG, bits, 0}
#define END(name, code, bits) {name, code, MBPF_SHAPE_UNARY, 0, bits}
#define MEM4(prefix, cls, mode, shape)                                            \
    {prefix "b", (cls) | (mode) | MBPF_B, shape, 0, 0},                           \
    {prefix "h", (cls) | (mode) | MBPF_H, shape, 0, 0},                           \
    {prefix "w", (cls) | (mode) | MBPF_W, shape, 0, 0},                           \
    {prefix "dw", (cls) | (mode) | MBPF_DW, shape, 0, 0}
#define ATOMIC2(name, op)                                                         \
    {"lock " name, MBPF_STX | MBPF_ATOMIC | MBPF_DW, MBPF_SHAPE_STORE_REG, 0, op}, \
    {"lock " name "32", MBPF_STX | MBPF_ATOMIC | MBPF_W, MBPF_SHAPE_STORE_REG, 0, op}

#define OP_BE (MBPF_ALU | MBPF_END | MBPF_X)
#define OP_LE (MBPF_ALU | MBPF_END | MBPF_K)
#define OP_BSWAP (MBPF_ALU64 | MBPF_END | MBPF_K)

static const mbpf_asm_op ops[] = {
    ALU2("add", MBPF_ADD),
    ALU2("sub", MBPF_SUB),
    ALU2("mul", MBPF_MUL),
    ALU2("div", MBPF_DIV),
    SALU2("sdiv", MBPF_DIV),
    ALU2("or", MBPF_OR),
    ALU2("and", MBPF_AND),
    ALU2("lsh", MBPF_LSH),
    ALU2("rsh", MBPF_RSH),
    ALU2("mod", MBPF_MOD),
    SALU2("smod", MBPF_MOD),
    ALU2("xor", MBPF_XOR),
    ALU2("mov", MBPF_MOV),
    ALU2("arsh", MBPF_ARSH),
    {"neg", MBPF_ALU64 | MBPF_NEG, MBPF_SHAPE_UNARY, 0, 0},
    {"neg32", MBPF_ALU | MBPF_NEG, MBPF_SHAPE_UNARY, 0, 0},
    MOVSX("movsx832", MBPF_ALU, 8),
    MOVSX("movsx1632", MBPF_ALU, 16),
    MOVSX("movsx864", MBPF_ALU64, 8),
    MOVSX("movsx1664", MBPF_ALU64, 16),
    MOVSX("movsx3264", MBPF_ALU64, 32),
    END("be16", OP_BE, 16),
    END("be32", OP_BE, 32),
    END("be64", OP_BE, 64),
    END("le16", OP_LE, 16),
    END("le32", OP_LE, 32),
    END("le64", OP_LE, 64),
    /* bswap is the RFC name and what the disassembler prints; swap is an alias. */
    END("bswap16", OP_BSWAP, 16),
    END("bswap32", OP_BSWAP, 32),
    END("bswap64", OP_BSWAP, 64),
    END("swap16", OP_BSWAP, 16),
    END("swap32", OP_BSWAP, 32),
    END("swap64", OP_BSWAP, 64),

    {"lddw", MBPF_OP_LDDW, MBPF_SHAPE_LDDW, 0, 0},
    MEM4("ldx", MBPF_LDX, MBPF_MEM, MBPF_SHAPE_LOAD),
    {"ldxsb", MBPF_LDX | MBPF_MEMSX | MBPF_B, MBPF_SHAPE_LOAD, 0, 0},
    {"ldxsh", MBPF_LDX | MBPF_MEMSX | MBPF_H, MBPF_SHAPE_LOAD, 0, 0},
    {"ldxsw", MBPF_LDX | MBPF_MEMSX | MBPF_W, MBPF_SHAPE_LOAD, 0, 0},
    MEM4("st", MBPF_ST, MBPF_MEM, MBPF_SHAPE_STORE_IMM),
    MEM4("stx", MBPF_STX, MBPF_MEM, MBPF_SHAPE_STORE_REG),
    ATOMIC2("add", MBPF_ADD),
    ATOMIC2("or", MBPF_OR),
    ATOMIC2("and", MBPF_AND),
    ATOMIC2("xor", MBPF_XOR),
    ATOMIC2("fetch add", MBPF_ADD | MBPF_FETCH),
    ATOMIC2("fetch or", MBPF_OR | MBPF_FETCH),
    ATOMIC2("fetch and", MBPF_AND | MBPF_FETCH),
    ATOMIC2("fetch xor", MBPF_XOR | MBPF_FETCH),
    ATOMIC2("xchg", MBPF_XCHG),
    ATOMIC2("cmpxchg", MBPF_CMPXCHG),

    {"ja", MBPF_OP_JA, MBPF_SHAPE_JA, 0, 0},
    {"ja32", MBPF_OP_JA32, MBPF_SHAPE_JA32, 0, 0},
    JCC2("jeq", MBPF_JEQ),
    JCC2("jgt", MBPF_JGT),
    JCC2("jge", MBPF_JGE),
    JCC2("jset", MBPF_JSET),
    JCC2("jne", MBPF_JNE),
    JCC2("jsgt", MBPF_JSGT),
    JCC2("jsge", MBPF_JSGE),
    JCC2("jlt", MBPF_JLT),
    JCC2("jle", MBPF_JLE),
    JCC2("jslt", MBPF_JSLT),
    JCC2("jsle", MBPF_JSLE),
    {"call", MBPF_OP_CALL, MBPF_SHAPE_CALL, 0, 0},
    {"call local", MBPF_OP_CALL, MBPF_SHAPE_CALL_LOCAL, 0, 0},
    {"exit", MBPF_OP_EXIT, MBPF_SHAPE_EXIT, 0, 0},
};

const mbpf_asm_op *mbpf_asm_op_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

/* Does insn use exactly the fields shape op gives it, with zero elsewhere? */
static int op_matches(const mbpf_asm_op *op, const mbpf_insn *insn)
{
    unsigned dst = MBPF_INSN_DST(insn), src = MBPF_INSN_SRC(insn);
    int k = insn->code == op->code, x = insn->code == (op->code | MBPF_X);

    switch ((mbpf_asm_shape)op->shape) {
    case MBPF_SHAPE_ALU:
    case MBPF_SHAPE_JCOND:
        if (op->shape == MBPF_SHAPE_ALU && insn->off != op->off)
            return 0;
        return (k && src == 0) || (x && insn->imm == 0);
    case MBPF_SHAPE_ALU_REG:
        return k && insn->off == op->off && insn->imm == 0;
    case MBPF_SHAPE_UNARY:
        return k && src == 0 && insn->off == 0 && insn->imm == op->imm;
    case MBPF_SHAPE_LDDW:
        return k && src <= MBPF_LDDW_MAP_VAL_BY_IDX && insn->off == 0;
    case MBPF_SHAPE_LOAD:
        return k && insn->imm == 0;
    case MBPF_SHAPE_STORE_IMM:
        return k && src == 0;
    case MBPF_SHAPE_STORE_REG:
        return k && insn->imm == op->imm;
    case MBPF_SHAPE_JA:
        return k && insn->regs == 0 && insn->imm == 0;
    case MBPF_SHAPE_JA32:
        return k && insn->regs == 0 && insn->off == 0;
    case MBPF_SHAPE_CALL:
        return insn->off == 0 && src == MBPF_CALL_HELPER &&
               ((k && dst == 0) || (x && insn->imm == 0));
    case MBPF_SHAPE_CALL_LOCAL:
        return k && dst == 0 && src == MBPF_CALL_LOCAL && insn->off == 0;
    case MBPF_SHAPE_EXIT:
        return k && insn->regs == 0 && insn->off == 0 && insn->imm == 0;
    }
    return 0;
}

const mbpf_asm_op *mbpf_asm_op_decode(const mbpf_insn *insn)
{
    /* %r11..%r15 have no spelling; unused register fields must be 0 anyway. */
    if (MBPF_INSN_DST(insn) >= MBPF_NREGS || MBPF_INSN_SRC(insn) >= MBPF_NREGS)
        return NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (op_matches(&ops[i], insn))
            return &ops[i];
    return NULL;
}

static const char *const lddw_sources[] = {
    [MBPF_LDDW_MAP_BY_FD] = "map_by_fd",   [MBPF_LDDW_MAP_VAL_BY_FD] = "map_val_by_fd",
    [MBPF_LDDW_VAR_ADDR] = "var_addr",     [MBPF_LDDW_CODE_ADDR] = "code_addr",
    [MBPF_LDDW_MAP_BY_IDX] = "map_by_idx", [MBPF_LDDW_MAP_VAL_BY_IDX] = "map_val_by_idx",
};

const char *mbpf_asm_lddw_source_name(unsigned src)
{
    return src < sizeof lddw_sources / sizeof lddw_sources[0] ? lddw_sources[src] : NULL;
}

int mbpf_asm_lddw_source_by_name(const char *name, size_t len)
{
    for (unsigned i = 1; i < sizeof lddw_sources / sizeof lddw_sources[0]; i++)
        if (strlen(lddw_sources[i]) == len && memcmp(lddw_sources[i], name, len) == 0)
            return (int)i;
    return -1;
}

int mbpf_asm_lddw_source_has_offset(unsigned src)
{
    return src == MBPF_LDDW_MAP_VAL_BY_FD || src == MBPF_LDDW_MAP_VAL_BY_IDX;
}

int mbpf_asm_shape_operands(uint8_t shape)
{
    switch ((mbpf_asm_shape)shape) {
    case MBPF_SHAPE_EXIT:
        return 0;
    case MBPF_SHAPE_UNARY:
    case MBPF_SHAPE_JA:
    case MBPF_SHAPE_JA32:
    case MBPF_SHAPE_CALL:
    case MBPF_SHAPE_CALL_LOCAL:
        return 1;
    case MBPF_SHAPE_JCOND:
        return 3;
    default:
        return 2;
    }
}
