/* Assembler for the bpf_conformance syntax. One pass over the lines emits
 * instructions and records label definitions and label uses; a second step
 * resolves the uses (forward references are normal), including the implicit
 * label `exit` on the first exit instruction. */
#include <stdlib.h>
#include <string.h>

#include "asm_lex.h"
#include "asm_table.h"
#include "mbpf_asm.h"

#define ASM_MAX_SLOTS 0x1000000u /* 16M instructions: far beyond any real program */

typedef struct asm_label {
    const char *name; /* points into the source text */
    size_t len;
    uint32_t pc;
    int line;
} asm_label;

typedef struct asm_fixup {
    const char *name;
    size_t len;
    uint32_t pc; /* the jump or call using the label */
    int line;
    int in_imm;  /* target goes in imm (ja32, call local), else in off */
} asm_fixup;

typedef struct asm_ctx {
    mbpf_insn *insns;
    size_t n, cap;
    asm_label *labels;
    size_t nlabels, labels_cap;
    asm_fixup *fixups;
    size_t nfixups, fixups_cap;
    int64_t first_exit; /* pc of the first exit, -1 if none yet */
    int line;
    mbpf_asm_error *err;
} asm_ctx;

/* Makes room for one more element in a growable array. */
static int grow(asm_ctx *c, void **buf, size_t *cap, size_t used, size_t elem)
{
    if (used < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *nbuf = realloc(*buf, ncap * elem);
    if (!nbuf)
        return asm_error(c->err, c->line, "out of memory");
    *buf = nbuf;
    *cap = ncap;
    return 0;
}

static int emit(asm_ctx *c, const mbpf_insn *insn)
{
    if (c->n >= ASM_MAX_SLOTS)
        return asm_error(c->err, c->line, "program too large (over %u instructions)",
                         ASM_MAX_SLOTS);
    if (grow(c, (void **)&c->insns, &c->cap, c->n, sizeof *c->insns) < 0)
        return -1;
    c->insns[c->n++] = *insn;
    return 0;
}

/* Two's complement reinterpretation without implementation-defined casts. */
static int32_t as_s32(uint32_t u)
{
    int32_t r;
    memcpy(&r, &u, sizeof r);
    return r;
}

static int16_t as_s16(uint16_t u)
{
    int16_t r;
    memcpy(&r, &u, sizeof r);
    return r;
}

/* 32-bit immediates take signed or unsigned values: -1 and 0xffffffff both
 * encode as 0xffffffff. */
static int imm32_of(asm_ctx *c, const asm_operand *o, int32_t *out)
{
    if (o->neg ? o->mag > 0x80000000u : o->mag > 0xffffffffu)
        return asm_error(c->err, c->line, "immediate '%.*s' does not fit in 32 bits",
                         (int)o->len, o->s);
    uint32_t u = (uint32_t)o->mag;
    *out = as_s32(o->neg ? 0u - u : u);
    return 0;
}

static int off16_of(asm_ctx *c, const asm_operand *o, int16_t *out)
{
    if (o->neg ? o->mag > 0x8000u : o->mag > 0x7fffu)
        return asm_error(c->err, c->line, "offset '%.*s' out of range (-32768..32767)",
                         (int)o->len, o->s);
    uint16_t u = (uint16_t)o->mag;
    *out = as_s16(o->neg ? (uint16_t)(0u - u) : u);
    return 0;
}

enum {
    K_REG = 1u << OPD_REG,
    K_NUM = 1u << OPD_NUM,
    K_MEM = 1u << OPD_MEM,
    K_NAME = 1u << OPD_NAME,
    K_TAG = 1u << OPD_TAG,
};

/* Checks that operand index (1-based) is one of the kinds in mask. */
static int expect(asm_ctx *c, const mbpf_asm_op *op, const asm_operand *opds, int index,
                  unsigned mask, const char *what)
{
    const asm_operand *o = &opds[index - 1];
    if ((1u << o->kind) & mask)
        return 0;
    return asm_error(c->err, c->line, "'%s' operand %d must be %s, not '%.*s'", op->name, index,
                     what, (int)o->len, o->s);
}

/* A jump or local call target: a label (resolved later) or a signed offset. */
static int target_of(asm_ctx *c, const mbpf_asm_op *op, const asm_operand *opds, int index,
                     int in_imm, mbpf_insn *insn)
{
    const asm_operand *o = &opds[index - 1];
    if (expect(c, op, opds, index, K_NAME | K_NUM, "a label or an offset like +3") < 0)
        return -1;
    if (o->kind == OPD_NUM && in_imm && !o->neg && o->mag > 0x7fffffffu)
        return asm_error(c->err, c->line, "offset '%.*s' out of range (32-bit signed)",
                         (int)o->len, o->s); /* no unsigned spelling of a backward jump */
    if (o->kind == OPD_NUM)
        return in_imm ? imm32_of(c, o, &insn->imm) : off16_of(c, o, &insn->off);
    if (grow(c, (void **)&c->fixups, &c->fixups_cap, c->nfixups, sizeof *c->fixups) < 0)
        return -1;
    c->fixups[c->nfixups++] = (asm_fixup){o->s, o->len, (uint32_t)c->n, c->line, in_imm};
    return 0;
}

/* `lddw %rN, imm64`: the value split over the two slots. */
static int lddw_imm64(asm_ctx *c, const asm_operand *o, int nopds, mbpf_insn *insn)
{
    if (nopds != 2)
        return asm_error(c->err, c->line, "'lddw' with an immediate takes 2 operands, got %d",
                         nopds);
    if (o[1].neg && o[1].mag > 0x8000000000000000u)
        return asm_error(c->err, c->line, "immediate '%.*s' does not fit in 64 bits",
                         (int)o[1].len, o[1].s);
    uint64_t v = o[1].neg ? 0u - o[1].mag : o[1].mag;
    insn[0].imm = as_s32((uint32_t)v);
    insn[1].imm = as_s32((uint32_t)(v >> 32));
    return 0;
}

/* `lddw %rN, map_by_idx 3` and `lddw %rN, map_val_by_idx 3, 16`. */
static int lddw_source(asm_ctx *c, const mbpf_asm_op *op, const asm_operand *o, int nopds,
                       mbpf_insn *insn)
{
    int src = mbpf_asm_lddw_source_by_name(o[1].tag, o[1].tag_len);
    if (src < 0)
        return asm_error(c->err, c->line,
                         "unknown lddw source '%.*s' (map_by_fd, map_val_by_fd, var_addr, "
                         "code_addr, map_by_idx, map_val_by_idx)",
                         (int)o[1].tag_len, o[1].tag);
    int want = mbpf_asm_lddw_source_has_offset((unsigned)src) ? 3 : 2;
    if (nopds != want)
        return asm_error(c->err, c->line, "'lddw' with %.*s takes %d operands, got %d",
                         (int)o[1].tag_len, o[1].tag, want, nopds);
    insn[0].regs = MBPF_REGS(MBPF_INSN_DST(&insn[0]), (unsigned)src);
    if (imm32_of(c, &o[1], &insn[0].imm) < 0)
        return -1;
    if (want == 3 && (expect(c, op, o, 3, K_NUM, "an offset") < 0 ||
                      imm32_of(c, &o[2], &insn[1].imm) < 0))
        return -1;
    return 0;
}

/* Encodes one instruction of a known mnemonic from its parsed operands. */
static int encode(asm_ctx *c, const mbpf_asm_op *op, const asm_operand *o, int nopds)
{
    mbpf_insn insn[2] = {{op->code, 0, op->off, op->imm}, {0, 0, 0, 0}};
    int want = mbpf_asm_shape_operands(op->shape);

    if (nopds != want && !(op->shape == MBPF_SHAPE_LDDW && nopds == 3))
        return asm_error(c->err, c->line, "'%s' takes %d operand%s, got %d", op->name, want,
                         want == 1 ? "" : "s", nopds);
    switch ((mbpf_asm_shape)op->shape) {
    case MBPF_SHAPE_ALU:
    case MBPF_SHAPE_JCOND:
        if (expect(c, op, o, 1, K_REG, "a register") < 0 ||
            expect(c, op, o, 2, K_REG | K_NUM, "a register or an immediate") < 0)
            return -1;
        if (o[1].kind == OPD_REG) {
            insn[0].code |= MBPF_X;
            insn[0].regs = MBPF_REGS(o[0].reg, o[1].reg);
        } else {
            insn[0].regs = MBPF_REGS(o[0].reg, 0);
            if (imm32_of(c, &o[1], &insn[0].imm) < 0)
                return -1;
        }
        if (op->shape == MBPF_SHAPE_JCOND && target_of(c, op, o, 3, 0, insn) < 0)
            return -1;
        break;
    case MBPF_SHAPE_ALU_REG:
        if (expect(c, op, o, 1, K_REG, "a register") < 0 ||
            expect(c, op, o, 2, K_REG, "a register") < 0)
            return -1;
        insn[0].regs = MBPF_REGS(o[0].reg, o[1].reg);
        break;
    case MBPF_SHAPE_UNARY:
        if (expect(c, op, o, 1, K_REG, "a register") < 0)
            return -1;
        insn[0].regs = MBPF_REGS(o[0].reg, 0);
        break;
    case MBPF_SHAPE_LDDW:
        if (expect(c, op, o, 1, K_REG, "a register") < 0 ||
            expect(c, op, o, 2, K_NUM | K_TAG,
                   "a 64-bit immediate or a source like map_by_idx 3") < 0)
            return -1;
        insn[0].regs = MBPF_REGS(o[0].reg, 0);
        if (o[1].kind == OPD_TAG ? lddw_source(c, op, o, nopds, insn) < 0
                                 : lddw_imm64(c, o, nopds, insn) < 0)
            return -1;
        return emit(c, &insn[0]) < 0 ? -1 : emit(c, &insn[1]);
    case MBPF_SHAPE_LOAD:
        if (expect(c, op, o, 1, K_REG, "a register") < 0 ||
            expect(c, op, o, 2, K_MEM, "a memory operand like [%r1+8]") < 0)
            return -1;
        insn[0].regs = MBPF_REGS(o[0].reg, o[1].reg);
        if (off16_of(c, &o[1], &insn[0].off) < 0)
            return -1;
        break;
    case MBPF_SHAPE_STORE_IMM:
    case MBPF_SHAPE_STORE_REG:
        if (expect(c, op, o, 1, K_MEM, "a memory operand like [%r10-8]") < 0)
            return -1;
        if (op->shape == MBPF_SHAPE_STORE_REG) {
            if (expect(c, op, o, 2, K_REG, "a register") < 0)
                return -1;
            insn[0].regs = MBPF_REGS(o[0].reg, o[1].reg);
        } else {
            if (expect(c, op, o, 2, K_NUM, "an immediate") < 0 ||
                imm32_of(c, &o[1], &insn[0].imm) < 0)
                return -1;
            insn[0].regs = MBPF_REGS(o[0].reg, 0);
        }
        if (off16_of(c, &o[0], &insn[0].off) < 0)
            return -1;
        break;
    case MBPF_SHAPE_JA:
    case MBPF_SHAPE_JA32:
        if (target_of(c, op, o, 1, op->shape == MBPF_SHAPE_JA32, insn) < 0)
            return -1;
        break;
    case MBPF_SHAPE_CALL:
        if (expect(c, op, o, 1, K_NUM | K_REG, "a helper id or a register") < 0)
            return -1;
        if (o[0].kind == OPD_REG) { /* callx: the register goes in dst */
            insn[0].code |= MBPF_X;
            insn[0].regs = MBPF_REGS(o[0].reg, 0);
        } else if (imm32_of(c, &o[0], &insn[0].imm) < 0) {
            return -1;
        }
        break;
    case MBPF_SHAPE_CALL_LOCAL:
        insn[0].regs = MBPF_REGS(0, MBPF_CALL_LOCAL);
        if (target_of(c, op, o, 1, 1, insn) < 0)
            return -1;
        break;
    case MBPF_SHAPE_EXIT:
        if (c->first_exit < 0)
            c->first_exit = (int64_t)c->n;
        break;
    }
    return emit(c, &insn[0]);
}

static int is_punct(const asm_token *t, char ch)
{
    return t->kind == TK_PUNCT && t->ch == ch;
}

static int token_is(const asm_token *t, const char *word)
{
    return t->kind == TK_IDENT && t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

static int define_label(asm_ctx *c, const asm_token *t)
{
    if (grow(c, (void **)&c->labels, &c->labels_cap, c->nlabels, sizeof *c->labels) < 0)
        return -1;
    c->labels[c->nlabels++] = (asm_label){t->s, t->len, (uint32_t)c->n, c->line};
    return 0;
}

/* `.raw 0x<64-bit word>`: one slot given as the little-endian 64-bit word
 * (low byte = opcode), the form the conformance `-- raw` sections use. */
static int raw_slot(asm_ctx *c, const asm_token *toks, int pos)
{
    if (toks[pos].kind != TK_NUM || toks[pos + 1].kind != TK_END)
        return asm_error(c->err, c->line, "'.raw' takes one 64-bit number");
    uint64_t v = toks[pos].num;
    mbpf_insn insn = {(uint8_t)v, (uint8_t)(v >> 8), as_s16((uint16_t)(v >> 16)),
                      as_s32((uint32_t)(v >> 32))};
    return emit(c, &insn);
}

static int assemble_line(asm_ctx *c, const char *text, const char *end)
{
    asm_token toks[ASM_MAX_TOKENS];
    asm_operand opds[ASM_MAX_OPERANDS];
    char name[32];
    int pos = 0;

    if (asm_lex_line(text, end, c->line, toks, c->err) < 0)
        return -1;
    /* Labels `name:` and listing prefixes `12:` (checked against the pc). */
    while (toks[pos].kind != TK_END && is_punct(&toks[pos + 1], ':')) {
        if (toks[pos].kind == TK_IDENT) {
            if (define_label(c, &toks[pos]) < 0)
                return -1;
        } else if (toks[pos].kind != TK_NUM) {
            return asm_error(c->err, c->line, "bad label '%.*s'", (int)toks[pos].len,
                             toks[pos].s);
        } else if (toks[pos].num != c->n) {
            return asm_error(c->err, c->line,
                             "instruction index %.*s: does not match the actual index %zu",
                             (int)toks[pos].len, toks[pos].s, c->n);
        }
        pos += 2;
    }
    if (toks[pos].kind == TK_END)
        return 0;
    if (toks[pos].kind != TK_IDENT)
        return asm_error(c->err, c->line, "expected a mnemonic, found '%.*s'",
                         (int)toks[pos].len, toks[pos].s);
    if (token_is(&toks[pos], ".raw"))
        return raw_slot(c, toks, pos + 1);

    /* Multi-word mnemonics: `lock [fetch] op`, `call local`. */
    const asm_token *first = &toks[pos];
    int words = 1;
    if (token_is(first, "lock"))
        words += token_is(&toks[pos + 1], "fetch") ? 2 : 1;
    else if (token_is(first, "call") && token_is(&toks[pos + 1], "local"))
        words = 2;
    size_t len = 0;
    for (int i = 0; i < words; i++) {
        const asm_token *t = &toks[pos + i];
        if (t->kind != TK_IDENT || len + t->len + 2 > sizeof name)
            break;
        if (i > 0)
            name[len++] = ' ';
        memcpy(name + len, t->s, t->len);
        len += t->len;
    }
    name[len] = '\0';
    const asm_token *last = &toks[pos + words - 1];
    const mbpf_asm_op *op = mbpf_asm_op_by_name(name);
    if (!op || last->kind != TK_IDENT)
        return asm_error(c->err, c->line, "unknown mnemonic '%.*s'",
                         (int)(last->s + last->len - first->s), first->s);

    int nopds = asm_parse_operands(toks, pos + words, c->line, opds, c->err);
    if (nopds < 0)
        return -1;
    return encode(c, op, opds, nopds);
}

static int label_cmp(const void *a, const void *b)
{
    const asm_label *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int r = memcmp(x->name, y->name, n);
    if (r != 0)
        return r;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static const asm_label *find_label(const asm_ctx *c, const char *name, size_t len)
{
    size_t lo = 0, hi = c->nlabels;
    asm_label key = {name, len, 0, 0};
    while (lo < hi) { /* lower bound: the first definition (labels are unique by now) */
        size_t mid = lo + (hi - lo) / 2;
        if (label_cmp(&c->labels[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->nlabels && c->labels[lo].len == len && memcmp(c->labels[lo].name, name, len) == 0)
        return &c->labels[lo];
    return NULL;
}

/* Rejects duplicate labels (reporting the earliest redefinition), then
 * patches every label use. */
static int resolve(asm_ctx *c)
{
    const asm_label *dup = NULL;

    if (c->nlabels > 1)
        qsort(c->labels, c->nlabels, sizeof *c->labels, label_cmp);
    for (size_t i = 1; i < c->nlabels; i++) {
        const asm_label *a = &c->labels[i - 1], *b = &c->labels[i];
        if (a->len == b->len && memcmp(a->name, b->name, a->len) == 0 &&
            (!dup || b->line < dup->line))
            dup = b;
    }
    if (dup) {
        const asm_label *orig = find_label(c, dup->name, dup->len);
        return asm_error(c->err, dup->line, "duplicate label '%.*s' (first defined on line %d)",
                         (int)dup->len, dup->name, orig->line);
    }
    for (size_t i = 0; i < c->nfixups; i++) {
        const asm_fixup *f = &c->fixups[i];
        const asm_label *l = find_label(c, f->name, f->len);
        int64_t target;
        if (l)
            target = l->pc;
        else if (f->len == 4 && memcmp(f->name, "exit", 4) == 0 && c->first_exit >= 0)
            target = c->first_exit;
        else
            return asm_error(c->err, f->line, "undefined label '%.*s'", (int)f->len, f->name);
        int64_t delta = target - ((int64_t)f->pc + 1);
        mbpf_insn *insn = &c->insns[f->pc];
        if (f->in_imm) {
            insn->imm = (int32_t)delta; /* |delta| < ASM_MAX_SLOTS */
        } else if (delta < INT16_MIN || delta > INT16_MAX) {
            return asm_error(c->err, f->line, "jump to '%.*s' is too far (offset %lld)",
                             (int)f->len, f->name, (long long)delta);
        } else {
            insn->off = (int16_t)delta;
        }
    }
    return 0;
}

int mbpf_assemble(const char *text, mbpf_insn **out, uint32_t *n, mbpf_asm_error *err)
{
    mbpf_asm_error scratch;
    asm_ctx c = {0};
    int rc = -1;

    c.err = err ? err : &scratch;
    c.err->line = 0;
    c.err->msg[0] = '\0';
    c.first_exit = -1;
    if (!text || !out || !n)
        return asm_error(c.err, 0, "bad argument");
    *out = NULL;
    *n = 0;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        if (!eol)
            eol = p + strlen(p);
        c.line++;
        if (assemble_line(&c, p, eol) < 0)
            goto done;
        p = *eol ? eol + 1 : eol;
    }
    if (resolve(&c) < 0)
        goto done;
    if (c.n == 0 && grow(&c, (void **)&c.insns, &c.cap, 0, sizeof *c.insns) < 0)
        goto done; /* an empty program is still a valid, freeable array */
    *out = c.insns;
    *n = (uint32_t)c.n;
    c.insns = NULL;
    rc = 0;
done:
    free(c.insns);
    free(c.labels);
    free(c.fixups);
    return rc;
}
