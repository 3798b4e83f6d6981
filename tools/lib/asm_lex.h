/* Line lexer and operand parser for the conformance assembly syntax. */
#ifndef MBPF_TOOLS_ASM_LEX_H
#define MBPF_TOOLS_ASM_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "mbpf_asm.h"

#define ASM_MAX_TOKENS 24
#define ASM_MAX_OPERANDS 4

typedef enum asm_tok_kind {
    TK_END,   /* end of line (or start of a comment) */
    TK_IDENT, /* mnemonic word or label name: [A-Za-z_.][A-Za-z0-9_.]* */
    TK_REG,   /* %rN, N in 0..10 */
    TK_NUM,   /* unsigned decimal or 0x hex; signs are separate tokens */
    TK_PUNCT, /* one of [ ] , + - : */
} asm_tok_kind;

typedef struct asm_token {
    asm_tok_kind kind;
    const char *s; /* text of the token in the source */
    size_t len;
    uint64_t num;  /* TK_NUM value, TK_REG number */
    char ch;       /* TK_PUNCT character */
} asm_token;

typedef enum asm_opd_kind {
    OPD_REG,  /* %rN */
    OPD_NUM,  /* [+|-]number */
    OPD_MEM,  /* [%rN], [%rN+num], [%rN-num] */
    OPD_NAME, /* a label name */
    OPD_TAG,  /* name [+|-]number: `map_by_idx 3` (lddw pseudo sources) */
} asm_opd_kind;

typedef struct asm_operand {
    asm_opd_kind kind;
    unsigned reg;    /* OPD_REG, OPD_MEM base */
    int neg;         /* OPD_NUM / OPD_MEM offset: value is -mag */
    int has_sign;    /* OPD_NUM written with an explicit + or - */
    uint64_t mag;    /* OPD_NUM / OPD_MEM offset magnitude */
    const char *tag; /* OPD_TAG: the name (not NUL-terminated) */
    size_t tag_len;
    const char *s;   /* source text of the operand, for messages */
    size_t len;
} asm_operand;

/* One source line: text is its first character, end one past its last.
 * Fills toks (terminated by TK_END); returns 0 or -1 with err set. */
int asm_lex_line(const char *text, const char *end, int line, asm_token *toks,
                 mbpf_asm_error *err);

/* Parses comma separated operands from toks[*pos] up to TK_END.
 * Returns the count, or -1 with err set. */
int asm_parse_operands(const asm_token *toks, int pos, int line, asm_operand *opds,
                       mbpf_asm_error *err);

/* Sets err (if not NULL) to line and a printf-formatted message; returns -1. */
int asm_error(mbpf_asm_error *err, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* MBPF_TOOLS_ASM_LEX_H */
