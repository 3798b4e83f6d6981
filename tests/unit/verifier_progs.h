/* Hand-encoded eBPF instructions for the verifier tests.
 *
 * The encodings are written out from RFC 9669 directly (not through
 * src/isa.h) so that the tests cross-check the instruction table instead of
 * repeating it.
 */
#ifndef MBPF_TEST_VERIFIER_PROGS_H
#define MBPF_TEST_VERIFIER_PROGS_H

#include <stdint.h>

#include "mbpf/insn.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Any instruction, every field explicit. */
#define INSN(code, dst, src, off, imm)                                                       \
    ((mbpf_insn){(uint8_t)(code), (uint8_t)((((src)&0xf) << 4) | ((dst)&0xf)), (int16_t)(off), \
                 (int32_t)(imm)})

#define EXIT INSN(0x95, 0, 0, 0, 0)
#define MOV_K(d, imm) INSN(0xb7, d, 0, 0, imm)      /* mov dst, imm */
#define MOV_X(d, s) INSN(0xbf, d, s, 0, 0)          /* mov dst, src */
#define MOV32_K(d, imm) INSN(0xb4, d, 0, 0, imm)    /* mov32 dst, imm */
#define ADD_K(d, imm) INSN(0x07, d, 0, 0, imm)      /* add dst, imm */
#define ADD_X(d, s) INSN(0x0f, d, s, 0, 0)          /* add dst, src */
#define JA(off) INSN(0x05, 0, 0, off, 0)            /* ja +off */
#define JA32(imm) INSN(0x06, 0, 0, 0, imm)          /* ja32 +imm */
#define JEQ_K(d, imm, off) INSN(0x15, d, 0, off, imm) /* jeq dst, imm, +off */
#define JNE_X(d, s, off) INSN(0x5d, d, s, off, 0)   /* jne dst, src, +off */
#define JEQ32_K(d, imm, off) INSN(0x16, d, 0, off, imm)
#define CALL(id) INSN(0x85, 0, 0, 0, id)            /* helper call */
#define CALL_LOCAL(imm) INSN(0x85, 0, 1, 0, imm)    /* call pc + imm + 1 */
#define CALLX(d) INSN(0x8d, d, 0, 0, 0)             /* helper id in register d */
#define LDXDW(d, s, off) INSN(0x79, d, s, off, 0)
#define LDXB(d, s, off) INSN(0x71, d, s, off, 0)
#define LDXSW(d, s, off) INSN(0x81, d, s, off, 0)
#define STDW(d, off, imm) INSN(0x7a, d, 0, off, imm)
#define STW(d, off, imm) INSN(0x62, d, 0, off, imm)
#define STXDW(d, s, off) INSN(0x7b, d, s, off, 0)
#define STXH(d, s, off) INSN(0x6b, d, s, off, 0)
#define ATOMIC_DW(d, s, off, op) INSN(0xdb, d, s, off, op)
#define ATOMIC_W(d, s, off, op) INSN(0xc3, d, s, off, op)

/* lddw takes two slots: use inside an initializer list. */
#define LDDW(d, v)                                                                           \
    INSN(0x18, d, 0, 0, (uint32_t)(uint64_t)(v)), INSN(0, 0, 0, 0, (uint32_t)((uint64_t)(v) >> 32))

/* Every opcode of RFC 9669 v1-v4 plus callx, with the version that
 * introduced it. */
typedef struct valid_opcode {
    uint8_t code;
    uint8_t version;
} valid_opcode;

static const valid_opcode valid_opcodes[] = {
    /* ALU (32-bit): add sub mul div or and lsh rsh (K, X), neg, mod xor mov arsh (K, X), le, be */
    {0x04, 1}, {0x0c, 1}, {0x14, 1}, {0x1c, 1}, {0x24, 1}, {0x2c, 1}, {0x34, 1}, {0x3c, 1},
    {0x44, 1}, {0x4c, 1}, {0x54, 1}, {0x5c, 1}, {0x64, 1}, {0x6c, 1}, {0x74, 1}, {0x7c, 1},
    {0x84, 1}, {0x94, 1}, {0x9c, 1}, {0xa4, 1}, {0xac, 1}, {0xb4, 1}, {0xbc, 1}, {0xc4, 1},
    {0xcc, 1}, {0xd4, 1}, {0xdc, 1},
    /* ALU64, then bswap (v4) */
    {0x07, 1}, {0x0f, 1}, {0x17, 1}, {0x1f, 1}, {0x27, 1}, {0x2f, 1}, {0x37, 1}, {0x3f, 1},
    {0x47, 1}, {0x4f, 1}, {0x57, 1}, {0x5f, 1}, {0x67, 1}, {0x6f, 1}, {0x77, 1}, {0x7f, 1},
    {0x87, 1}, {0x97, 1}, {0x9f, 1}, {0xa7, 1}, {0xaf, 1}, {0xb7, 1}, {0xbf, 1}, {0xc7, 1},
    {0xcf, 1}, {0xd7, 4},
    /* JMP: ja, jeq jgt jge jset jne jsgt jsge (K, X), call, callx, exit; jlt jle jslt jsle v2 */
    {0x05, 1}, {0x15, 1}, {0x1d, 1}, {0x25, 1}, {0x2d, 1}, {0x35, 1}, {0x3d, 1}, {0x45, 1},
    {0x4d, 1}, {0x55, 1}, {0x5d, 1}, {0x65, 1}, {0x6d, 1}, {0x75, 1}, {0x7d, 1}, {0x85, 1},
    {0x8d, 1}, {0x95, 1}, {0xa5, 2}, {0xad, 2}, {0xb5, 2}, {0xbd, 2}, {0xc5, 2}, {0xcd, 2},
    {0xd5, 2}, {0xdd, 2},
    /* JMP32: every conditional jump v3, ja32 v4 */
    {0x16, 3}, {0x1e, 3}, {0x26, 3}, {0x2e, 3}, {0x36, 3}, {0x3e, 3}, {0x46, 3}, {0x4e, 3},
    {0x56, 3}, {0x5e, 3}, {0x66, 3}, {0x6e, 3}, {0x76, 3}, {0x7e, 3}, {0xa6, 3}, {0xae, 3},
    {0xb6, 3}, {0xbe, 3}, {0xc6, 3}, {0xce, 3}, {0xd6, 3}, {0xde, 3}, {0x06, 4},
    /* lddw; ldx w h b dw; ldxs w h b (v4); st; stx; atomic w dw (v3) */
    {0x18, 1}, {0x61, 1}, {0x69, 1}, {0x71, 1}, {0x79, 1}, {0x81, 4}, {0x89, 4}, {0x91, 4},
    {0x62, 1}, {0x6a, 1}, {0x72, 1}, {0x7a, 1}, {0x63, 1}, {0x6b, 1}, {0x73, 1}, {0x7b, 1},
    {0xc3, 3}, {0xdb, 3},
};

/* A well-formed use of `code` followed by exit: writes 1-3 slots into out and
 * returns how many. Helper calls use id 5. */
static inline uint32_t make_valid_program(uint8_t code, mbpf_insn out[3])
{
    uint32_t n = 0;
    unsigned cls = code & 0x07u, op = code & 0xf0u, x = code & 0x08u;
    mbpf_insn in = INSN(code, 1, 2, 0, 0);

    switch (cls) {
    case 0x04: /* ALU */
    case 0x07: /* ALU64 */
        if (op == 0xd0)
            in = INSN(code, 1, 0, 0, 32); /* le32 / be32 / bswap32 */
        else if (op == 0x80)
            in = INSN(code, 1, 0, 0, 0); /* neg */
        else if (!x)
            in = INSN(code, 1, 0, 0, 7);
        break;
    case 0x05: /* JMP */
    case 0x06: /* JMP32 */
        if (code == 0x95)
            in = EXIT;
        else if (code == 0x05 || code == 0x06)
            in = INSN(code, 0, 0, 0, 0);
        else if (code == 0x85)
            in = INSN(code, 0, 0, 0, 5);
        else if (code == 0x8d)
            in = INSN(code, 1, 0, 0, 0);
        else
            in = x ? INSN(code, 1, 2, 0, 0) : INSN(code, 1, 0, 0, 3);
        break;
    case 0x00: /* lddw */
        out[n++] = INSN(code, 1, 0, 0, 0x55667788);
        in = INSN(0, 0, 0, 0, 0x11223344);
        break;
    case 0x01: /* LDX */
        in = INSN(code, 1, 2, 4, 0);
        break;
    case 0x02: /* ST */
        in = INSN(code, 1, 0, 4, 9);
        break;
    case 0x03: /* STX, atomic add */
        in = INSN(code, 1, 2, 4, 0);
        break;
    }
    out[n++] = in;
    if (code != 0x95)
        out[n++] = EXIT;
    return n;
}

#endif /* MBPF_TEST_VERIFIER_PROGS_H */
