/* Lexer and operand parser: turns one line of assembly into tokens, and the
 * tokens after the mnemonic into typed operands. Comments start with `#`,
 * `;` or `//` and run to the end of the line. */
#include "asm_lex.h"

#include <stdarg.h>
#include <stdio.h>

int asm_error(mbpf_asm_error *err, int line, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->line = line;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_ident_char(char c)
{
    return is_ident_start(c) || is_digit(c);
}

static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads a number at p (up to end); sets *next past it. Rejects overflow and
 * trailing letters so that `12ab` or `0x` are errors, not two tokens. */
static int lex_number(const char *p, const char *end, int line, uint64_t *out,
                      const char **next, mbpf_asm_error *err)
{
    const char *start = p;
    uint64_t v = 0;
    int base = 10, digits = 0;

    if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    for (; p < end; p++) {
        int d = base == 16 ? hex_value(*p) : (is_digit(*p) ? *p - '0' : -1);
        if (d < 0)
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
            while (p < end && is_ident_char(*p))
                p++;
            return asm_error(err, line, "number '%.*s' does not fit in 64 bits",
                             (int)(p - start), start);
        }
        v = v * (uint64_t)base + (uint64_t)d;
        digits++;
    }
    if (digits == 0 || (p < end && is_ident_char(*p))) {
        while (p < end && is_ident_char(*p))
            p++;
        return asm_error(err, line, "bad number '%.*s'", (int)(p - start), start);
    }
    *out = v;
    *next = p;
    return 0;
}

static const char *comment_start(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p == '#' || *p == ';' || (*p == '/' && p + 1 < end && p[1] == '/'))
            return p;
    return end;
}

int asm_lex_line(const char *text, const char *end, int line, asm_token *toks,
                 mbpf_asm_error *err)
{
    const char *p = text;
    int n = 0;

    end = comment_start(text, end);
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v'))
            p++;
        if (n == ASM_MAX_TOKENS - 1)
            return asm_error(err, line, "too many tokens on the line");
        asm_token *t = &toks[n];
        t->s = p;
        t->num = 0;
        t->ch = 0;
        if (p == end) {
            t->kind = TK_END;
            t->len = 0;
            return 0;
        }
        if (is_ident_start(*p)) {
            t->kind = TK_IDENT;
            while (p < end && is_ident_char(*p))
                p++;
        } else if (is_digit(*p)) {
            t->kind = TK_NUM;
            if (lex_number(p, end, line, &t->num, &p, err) < 0)
                return -1;
        } else if (*p == '%') {
            const char *q = p + 1;
            while (q < end && is_ident_char(*q))
                q++;
            int len = (int)(q - p);
            unsigned r = 0;
            int ok = len >= 3 && len <= 4 && p[1] == 'r';
            for (const char *d = p + 2; ok && d < q; d++) {
                ok = is_digit(*d);
                r = r * 10u + (unsigned)(*d - '0');
            }
            if (!ok || r >= MBPF_NREGS || (len == 4 && p[2] == '0'))
                return asm_error(err, line, "bad register '%.*s' (expected %%r0..%%r10)", len,
                                 p);
            t->kind = TK_REG;
            t->num = r;
            p = q;
        } else if (*p == '[' || *p == ']' || *p == ',' || *p == '+' || *p == '-' ||
                   *p == ':') {
            t->kind = TK_PUNCT;
            t->ch = *p++;
        } else {
            return asm_error(err, line, "unexpected character '%c'", *p);
        }
        t->len = (size_t)(p - t->s);
        n++;
    }
}

static int is_punct(const asm_token *t, char c)
{
    return t->kind == TK_PUNCT && t->ch == c;
}

/* One operand starting at toks[*pos]; advances *pos past it. */
static int parse_operand(const asm_token *toks, int *pos, int line, int index, asm_operand *o,
                         mbpf_asm_error *err)
{
    const asm_token *t = &toks[*pos];
    const asm_token *first = t;

    o->reg = 0;
    o->neg = 0;
    o->has_sign = 0;
    o->mag = 0;
    o->tag = NULL;
    o->tag_len = 0;
    if (t->kind == TK_REG) {
        o->kind = OPD_REG;
        o->reg = (unsigned)t->num;
        t++;
    } else if (t->kind == TK_IDENT && t[1].kind != TK_NUM && !is_punct(&t[1], '+') &&
               !is_punct(&t[1], '-')) {
        o->kind = OPD_NAME;
        t++;
    } else if (t->kind == TK_IDENT || t->kind == TK_NUM || is_punct(t, '+') ||
               is_punct(t, '-')) {
        o->kind = OPD_NUM;
        if (t->kind == TK_IDENT) {
            o->kind = OPD_TAG;
            o->tag = t->s;
            o->tag_len = t->len;
            t++;
        }
        if (t->kind == TK_PUNCT) {
            o->has_sign = 1;
            o->neg = t->ch == '-';
            t++;
        }
        if (t->kind != TK_NUM)
            return asm_error(err, line, "operand %d: expected a number after the sign", index);
        o->mag = t->num;
        t++;
    } else if (is_punct(t, '[')) {
        o->kind = OPD_MEM;
        t++;
        if (t->kind != TK_REG)
            return asm_error(err, line, "operand %d: expected a register after '['", index);
        o->reg = (unsigned)t->num;
        t++;
        if (is_punct(t, '+') || is_punct(t, '-')) {
            o->neg = t->ch == '-';
            t++;
            if (t->kind != TK_NUM)
                return asm_error(err, line, "operand %d: expected an offset after the sign",
                                 index);
            o->mag = t->num;
            t++;
        }
        if (!is_punct(t, ']'))
            return asm_error(err, line, "operand %d: expected ']'", index);
        t++;
    } else if (t->kind == TK_END) {
        return asm_error(err, line, "operand %d is missing", index);
    } else {
        return asm_error(err, line, "operand %d: unexpected '%.*s'", index, (int)t->len, t->s);
    }
    o->s = first->s;
    o->len = (size_t)(t[-1].s + t[-1].len - first->s);
    *pos = (int)(t - toks);
    return 0;
}

int asm_parse_operands(const asm_token *toks, int pos, int line, asm_operand *opds,
                       mbpf_asm_error *err)
{
    int n = 0;

    if (toks[pos].kind == TK_END)
        return 0;
    for (;;) {
        if (n == ASM_MAX_OPERANDS)
            return asm_error(err, line, "too many operands");
        if (parse_operand(toks, &pos, line, n + 1, &opds[n], err) < 0)
            return -1;
        n++;
        if (toks[pos].kind == TK_END)
            return n;
        if (!is_punct(&toks[pos], ','))
            return asm_error(err, line, "expected ',' after operand %d, found '%.*s'", n,
                             (int)toks[pos].len, toks[pos].s);
        pos++;
    }
}
