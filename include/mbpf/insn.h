/* eBPF instruction encoding (RFC 9669), as names that read like the spec.
 *
 * An instruction is 8 bytes: opcode, a register byte (dst in the low nibble,
 * src in the high nibble), a signed 16-bit offset and a signed 32-bit
 * immediate, all little-endian. lddw takes two slots.
 */
#ifndef MBPF_INSN_H
#define MBPF_INSN_H

#include <stdint.h>

typedef struct mbpf_insn {
    uint8_t code; /* class | size/mode | op | source */
    uint8_t regs; /* dst: bits 0-3, src: bits 4-7 */
    int16_t off;
    int32_t imm;
} mbpf_insn;

#define MBPF_INSN_DST(i) ((unsigned)((i)->regs & 0x0fu))
#define MBPF_INSN_SRC(i) ((unsigned)((i)->regs >> 4))
#define MBPF_REGS(dst, src) ((uint8_t)(((src) << 4) | ((dst)&0x0f)))

/* Instruction classes: the low 3 bits of the opcode. */
#define MBPF_CLASS(code) ((code)&0x07u)
#define MBPF_LD 0x00u
#define MBPF_LDX 0x01u
#define MBPF_ST 0x02u
#define MBPF_STX 0x03u
#define MBPF_ALU 0x04u
#define MBPF_JMP 0x05u
#define MBPF_JMP32 0x06u
#define MBPF_ALU64 0x07u

/* Arithmetic and jump instructions: op in bits 4-7, source in bit 3. */
#define MBPF_OP(code) ((code)&0xf0u)
#define MBPF_SRCBIT(code) ((code)&0x08u)
#define MBPF_K 0x00u /* operand is imm */
#define MBPF_X 0x08u /* operand is src register */

#define MBPF_ADD 0x00u
#define MBPF_SUB 0x10u
#define MBPF_MUL 0x20u
#define MBPF_DIV 0x30u /* off 1: signed */
#define MBPF_OR 0x40u
#define MBPF_AND 0x50u
#define MBPF_LSH 0x60u
#define MBPF_RSH 0x70u
#define MBPF_NEG 0x80u
#define MBPF_MOD 0x90u /* off 1: signed */
#define MBPF_XOR 0xa0u
#define MBPF_MOV 0xb0u /* off 8/16/32: movsx */
#define MBPF_ARSH 0xc0u
#define MBPF_END 0xd0u /* ALU: le (K) / be (X); ALU64 K: bswap */

#define MBPF_JA 0x00u
#define MBPF_JEQ 0x10u
#define MBPF_JGT 0x20u
#define MBPF_JGE 0x30u
#define MBPF_JSET 0x40u
#define MBPF_JNE 0x50u
#define MBPF_JSGT 0x60u
#define MBPF_JSGE 0x70u
#define MBPF_CALL 0x80u
#define MBPF_EXIT 0x90u
#define MBPF_JLT 0xa0u
#define MBPF_JLE 0xb0u
#define MBPF_JSLT 0xc0u
#define MBPF_JSLE 0xd0u

/* Load and store instructions: size in bits 3-4, mode in bits 5-7. */
#define MBPF_SIZE(code) ((code)&0x18u)
#define MBPF_MODE(code) ((code)&0xe0u)
#define MBPF_W 0x00u
#define MBPF_H 0x08u
#define MBPF_B 0x10u
#define MBPF_DW 0x18u
#define MBPF_IMM 0x00u
#define MBPF_ABS 0x20u /* legacy packet access: rejected */
#define MBPF_IND 0x40u /* legacy packet access: rejected */
#define MBPF_MEM 0x60u
#define MBPF_MEMSX 0x80u
#define MBPF_ATOMIC 0xc0u

/* Atomic operations, in imm. */
#define MBPF_FETCH 0x01u
#define MBPF_XCHG (0xe0u | MBPF_FETCH)
#define MBPF_CMPXCHG (0xf0u | MBPF_FETCH)

/* Call instruction src field. */
#define MBPF_CALL_HELPER 0u
#define MBPF_CALL_LOCAL 1u

/* lddw src field (RFC 9669 section 5.4). */
#define MBPF_LDDW_IMM64 0u
#define MBPF_LDDW_MAP_BY_FD 1u
#define MBPF_LDDW_MAP_VAL_BY_FD 2u
#define MBPF_LDDW_VAR_ADDR 3u
#define MBPF_LDDW_CODE_ADDR 4u
#define MBPF_LDDW_MAP_BY_IDX 5u
#define MBPF_LDDW_MAP_VAL_BY_IDX 6u

/* Whole opcodes used often enough to name. */
#define MBPF_OP_LDDW (MBPF_LD | MBPF_IMM | MBPF_DW) /* 0x18 */
#define MBPF_OP_CALL (MBPF_JMP | MBPF_CALL)         /* 0x85 */
#define MBPF_OP_CALLX (MBPF_JMP | MBPF_CALL | MBPF_X) /* 0x8d */
#define MBPF_OP_EXIT (MBPF_JMP | MBPF_EXIT)         /* 0x95 */
#define MBPF_OP_JA (MBPF_JMP | MBPF_JA)             /* 0x05 */
#define MBPF_OP_JA32 (MBPF_JMP32 | MBPF_JA)         /* 0x06: offset in imm */

/* Registers. */
#define MBPF_NREGS 11u
#define MBPF_REG_FP 10u /* read-only frame pointer */

#endif /* MBPF_INSN_H */
