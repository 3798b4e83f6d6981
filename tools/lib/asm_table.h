/* The one opcode table shared by the assembler and the disassembler, so that
 * what one prints the other reads. Each entry is a mnemonic, its opcode and
 * the shape of its operands; fields a shape does not use must be zero in the
 * encoding (the disassembler prints anything else as `.raw`). */
#ifndef MBPF_TOOLS_ASM_TABLE_H
#define MBPF_TOOLS_ASM_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "mbpf/insn.h"

typedef enum mbpf_asm_shape {
    MBPF_SHAPE_ALU,        /* op dst, src|imm: code is the K form, X = code | MBPF_X */
    MBPF_SHAPE_ALU_REG,    /* movsx dst, src: code is the X form, off fixed */
    MBPF_SHAPE_UNARY,      /* neg dst / be16 dst: imm fixed */
    MBPF_SHAPE_LDDW,       /* lddw dst, imm64 (two slots) */
    MBPF_SHAPE_LOAD,       /* ldxw dst, [src+off] */
    MBPF_SHAPE_STORE_IMM,  /* stw [dst+off], imm */
    MBPF_SHAPE_STORE_REG,  /* stxw [dst+off], src; lock ops too (imm fixed) */
    MBPF_SHAPE_JA,         /* ja target (in off) */
    MBPF_SHAPE_JA32,       /* ja32 target (in imm) */
    MBPF_SHAPE_JCOND,      /* jeq dst, src|imm, target: code is the K form */
    MBPF_SHAPE_CALL,       /* call imm (helper id) or call %rN (callx, reg in dst) */
    MBPF_SHAPE_CALL_LOCAL, /* call local target (in imm, src = 1) */
    MBPF_SHAPE_EXIT,       /* exit */
} mbpf_asm_shape;

typedef struct mbpf_asm_op {
    const char *name; /* "add32", "lock fetch add", "call local" */
    uint8_t code;
    uint8_t shape;    /* mbpf_asm_shape */
    int16_t off;      /* fixed off: sdiv/smod 1, movsx 8/16/32 */
    int32_t imm;      /* fixed imm: byte swap width, atomic operation */
} mbpf_asm_op;

/* The entry named name, or NULL. The first entry of a given name wins. */
const mbpf_asm_op *mbpf_asm_op_by_name(const char *name);

/* The entry that encodes insn exactly (opcode, fixed fields and zero unused
 * fields), or NULL. For lddw only the first slot is checked. */
const mbpf_asm_op *mbpf_asm_op_decode(const mbpf_insn *insn);

/* lddw pseudo sources (RFC 9669 section 5.4), spelled `lddw %r1, map_by_idx 3`
 * and, for the map value forms, `lddw %r1, map_val_by_idx 3, 16` (the offset
 * is the second slot's imm). Name of src 1..6, or NULL. */
const char *mbpf_asm_lddw_source_name(unsigned src);

/* src for a name of len bytes, or -1. */
int mbpf_asm_lddw_source_by_name(const char *name, size_t len);

/* Whether src uses the second slot's imm (map_val_by_fd, map_val_by_idx). */
int mbpf_asm_lddw_source_has_offset(unsigned src);

/* Number of operands the shape takes in assembly text (lddw: 2, or 3 with
 * a map value source). */
int mbpf_asm_shape_operands(uint8_t shape);

#endif /* MBPF_TOOLS_ASM_TABLE_H */
