/* Disassembler: prints the syntax the assembler reads, so that a listing
 * assembles back to the same bytes. Anything the opcode table cannot express
 * exactly (unknown opcodes, stray bits in unused fields) becomes `.raw`. */
#include <inttypes.h>
#include <stdlib.h>

#include "asm_table.h"
#include "mbpf_asm.h"

/* Small values in decimal, large ones in hex (the sign kept, so that the
 * text means the same signed 32-bit value the encoding holds). */
static void format_imm(char *buf, size_t len, int32_t imm)
{
    int64_t v = imm;
    if (v >= -1024 && v <= 1024)
        snprintf(buf, len, "%" PRId64, v);
    else if (v < 0)
        snprintf(buf, len, "-0x%" PRIx64, (uint64_t)-v);
    else
        snprintf(buf, len, "0x%" PRIx64, (uint64_t)v);
}

static void format_mem(char *buf, size_t len, unsigned reg, int16_t off)
{
    if (off == 0)
        snprintf(buf, len, "[%%r%u]", reg);
    else
        snprintf(buf, len, "[%%r%u%+d]", reg, (int)off);
}

static uint64_t raw_word(const mbpf_insn *insn)
{
    return (uint64_t)insn->code | (uint64_t)insn->regs << 8 |
           (uint64_t)(uint16_t)insn->off << 16 | (uint64_t)(uint32_t)insn->imm << 32;
}

/* The table entry for the instruction at pc, or NULL to print it raw. lddw
 * needs a second slot with nothing but the high immediate half in it. */
static const mbpf_asm_op *decode_at(const mbpf_insn *insns, uint32_t n, uint32_t pc)
{
    const mbpf_asm_op *op = mbpf_asm_op_decode(&insns[pc]);
    if (op && op->shape == MBPF_SHAPE_LDDW) {
        const mbpf_insn *hi = pc + 1 < n ? &insns[pc + 1] : NULL;
        unsigned src = MBPF_INSN_SRC(&insns[pc]);
        if (!hi || hi->code != 0 || hi->regs != 0 || hi->off != 0)
            return NULL;
        if (src != MBPF_LDDW_IMM64 && !mbpf_asm_lddw_source_has_offset(src) && hi->imm != 0)
            return NULL; /* the text has no place for it */
    }
    return op;
}

static int op_slots(const mbpf_asm_op *op)
{
    return op && op->shape == MBPF_SHAPE_LDDW ? 2 : 1;
}

/* Whether the instruction has a pc-relative target; *target gets it. */
static int op_target(const mbpf_asm_op *op, const mbpf_insn *insn, uint32_t pc, int64_t *target)
{
    if (!op)
        return 0;
    switch ((mbpf_asm_shape)op->shape) {
    case MBPF_SHAPE_JA:
    case MBPF_SHAPE_JCOND:
        *target = (int64_t)pc + 1 + insn->off;
        return 1;
    case MBPF_SHAPE_JA32:
    case MBPF_SHAPE_CALL_LOCAL:
        *target = (int64_t)pc + 1 + insn->imm;
        return 1;
    default:
        return 0;
    }
}

/* labels: NULL, or one flag per pc in 0..n saying `L<pc>` is emitted. */
static int format_insn(const mbpf_insn *insns, uint32_t n, uint32_t pc, const uint8_t *labels,
                       char *buf, size_t len)
{
    const mbpf_insn *insn = &insns[pc];
    const mbpf_asm_op *op = decode_at(insns, n, pc);
    unsigned dst = MBPF_INSN_DST(insn), src = MBPF_INSN_SRC(insn);
    char a[48], t[32];
    int64_t target;

    if (!op) {
        snprintf(buf, len, ".raw 0x%016" PRIx64, raw_word(insn));
        return 1;
    }
    if (op_target(op, insn, pc, &target)) {
        if (labels && target >= 0 && target <= (int64_t)n && labels[target])
            snprintf(t, sizeof t, "L%" PRId64, target);
        else
            snprintf(t, sizeof t, "%+" PRId64, target - pc - 1);
    }
    /* Register or immediate operand: the entry's code is the K form, so a
     * different code is the X form (the size bits of stores look like X). */
    int x = insn->code != op->code;
    if (x)
        snprintf(a, sizeof a, "%%r%u", src);
    else
        format_imm(a, sizeof a, insn->imm);

    switch ((mbpf_asm_shape)op->shape) {
    case MBPF_SHAPE_ALU:
        snprintf(buf, len, "%s %%r%u, %s", op->name, dst, a);
        break;
    case MBPF_SHAPE_ALU_REG:
        snprintf(buf, len, "%s %%r%u, %%r%u", op->name, dst, src);
        break;
    case MBPF_SHAPE_UNARY:
        snprintf(buf, len, "%s %%r%u", op->name, dst);
        break;
    case MBPF_SHAPE_LDDW: {
        int32_t hi = insns[pc + 1].imm;
        if (src != MBPF_LDDW_IMM64) {
            char o[24];
            format_imm(o, sizeof o, hi);
            snprintf(buf, len, "lddw %%r%u, %s %s%s%s", dst, mbpf_asm_lddw_source_name(src), a,
                     mbpf_asm_lddw_source_has_offset(src) ? ", " : "",
                     mbpf_asm_lddw_source_has_offset(src) ? o : "");
        } else {
            uint64_t v = (uint64_t)(uint32_t)insn->imm | (uint64_t)(uint32_t)hi << 32;
            snprintf(buf, len, "lddw %%r%u, 0x%" PRIx64, dst, v);
        }
        return 2;
    }
    case MBPF_SHAPE_LOAD:
        format_mem(a, sizeof a, src, insn->off);
        snprintf(buf, len, "%s %%r%u, %s", op->name, dst, a);
        break;
    case MBPF_SHAPE_STORE_IMM: {
        char m[32];
        format_mem(m, sizeof m, dst, insn->off);
        snprintf(buf, len, "%s %s, %s", op->name, m, a);
        break;
    }
    case MBPF_SHAPE_STORE_REG:
        format_mem(a, sizeof a, dst, insn->off);
        snprintf(buf, len, "%s %s, %%r%u", op->name, a, src);
        break;
    case MBPF_SHAPE_JA:
    case MBPF_SHAPE_JA32:
    case MBPF_SHAPE_CALL_LOCAL:
        snprintf(buf, len, "%s %s", op->name, t);
        break;
    case MBPF_SHAPE_JCOND:
        snprintf(buf, len, "%s %%r%u, %s, %s", op->name, dst, a, t);
        break;
    case MBPF_SHAPE_CALL:
        if (x)
            snprintf(buf, len, "call %%r%u", dst);
        else
            snprintf(buf, len, "call %s", a);
        break;
    case MBPF_SHAPE_EXIT:
        snprintf(buf, len, "exit");
        break;
    }
    return 1;
}

int mbpf_disasm_insn(const mbpf_insn *insns, uint32_t n, uint32_t pc, char *buf, size_t len)
{
    if (!insns || pc >= n || !buf || len == 0)
        return 0;
    return format_insn(insns, n, pc, NULL, buf, len);
}

void mbpf_disasm(FILE *out, const mbpf_insn *insns, uint32_t n, unsigned flags)
{
    uint8_t *labels = NULL;
    char line[128];

    if (!out || (!insns && n > 0))
        return;
    if (flags & MBPF_DISASM_LABELS) {
        /* Label only targets that start an instruction (or the end), so a
         * jump into the middle of an lddw stays an offset. */
        uint8_t *starts = calloc((size_t)n + 1, 1);
        labels = calloc((size_t)n + 1, 1);
        if (!starts || !labels) {
            free(starts);
            free(labels);
            labels = NULL;
        } else {
            for (uint32_t pc = 0; pc < n; pc += (uint32_t)op_slots(decode_at(insns, n, pc)))
                starts[pc] = 1;
            starts[n] = 1;
            for (uint32_t pc = 0; pc < n; pc++) {
                int64_t target;
                if (starts[pc] && op_target(decode_at(insns, n, pc), &insns[pc], pc, &target) &&
                    target >= 0 && target <= (int64_t)n && starts[target])
                    labels[target] = 1;
            }
            free(starts);
        }
    }
    for (uint32_t pc = 0; pc < n;) {
        if (labels && labels[pc])
            fprintf(out, "L%" PRIu32 ":\n", pc);
        int slots = format_insn(insns, n, pc, labels, line, sizeof line);
        if (flags & MBPF_DISASM_PC)
            fprintf(out, "%5" PRIu32 ":  %s\n", pc, line);
        else
            fprintf(out, "    %s\n", line);
        pc += (uint32_t)slots;
    }
    if (labels && labels[n])
        fprintf(out, "L%" PRIu32 ":\n", n);
    free(labels);
}
