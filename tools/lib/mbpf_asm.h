/* Assembler and disassembler for the bpf_conformance assembly syntax (host only).
 *
 * Syntax: `mov %r0, %r2`, `mov32 %r1, 0xa`, `lddw %r0, 0x1122334455667788`,
 * `ldxw %r0, [%r1+2]`, `stxdw [%r10-8], %r0`, `jeq %r1, 0xb, label|+3|exit`,
 * `lock cmpxchg [%r10-8], %r1`, `call local func1`, `call %r2`, `call 5`,
 * `be16 %r0`, `movsx1632 %r0, %r1`, labels `name:`, `#` comments.
 * Also: `;` and `//` comments, `.raw 0x<64-bit word>` for any one slot (the
 * little-endian word, low byte = opcode, as in `-- raw` sections), `bswapN`
 * and its alias `swapN`, and a `<pc>:` prefix that must match the index
 * (what MBPF_DISASM_PC prints). Jump targets: label, `+N`/`-N`, or `exit`
 * (the first exit instruction unless a label is named so). lddw pseudo
 * sources (RFC 9669 5.4): `lddw %r1, map_by_idx 3`, `lddw %r1, map_val_by_idx
 * 3, 16` (likewise map_by_fd, map_val_by_fd, var_addr, code_addr).
 */
#ifndef MBPF_TOOLS_ASM_H
#define MBPF_TOOLS_ASM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mbpf/insn.h"

typedef struct mbpf_asm_error {
    int line;       /* 1-based source line, 0 when not tied to a line */
    char msg[160];  /* e.g. "unknown mnemonic 'foo'" */
} mbpf_asm_error;

/* Assembles NUL-terminated text. Returns 0 and sets *out to a malloc'd array
 * of *n slots (free() it; never NULL, even for an empty program), or returns
 * -1 with *out = NULL and err (may be NULL) naming the line and the cause. */
int mbpf_assemble(const char *text, mbpf_insn **out, uint32_t *n, mbpf_asm_error *err);

/* Text of the instruction at pc (lddw uses two slots), without a newline.
 * Jump and local-call targets are written as signed offsets (`+3`, `-2`).
 * Returns the number of slots consumed (1 or 2), or 0 if pc is out of range. */
int mbpf_disasm_insn(const mbpf_insn *insns, uint32_t n, uint32_t pc, char *buf, size_t len);

enum {
    MBPF_DISASM_LABELS = 1u, /* emit `L<n>:` labels and use them as jump targets */
    MBPF_DISASM_PC = 2u,     /* prefix each line with its instruction index */
};

/* Whole program listing; with MBPF_DISASM_LABELS the output assembles back
 * to the same bytes. */
void mbpf_disasm(FILE *out, const mbpf_insn *insns, uint32_t n, unsigned flags);

#endif /* MBPF_TOOLS_ASM_H */
