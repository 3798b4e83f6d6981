/* .data test-file parser and small text-input helpers (see datafile.h). */
#include "datafile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLANKS " \t\r\n"

enum section { SEC_NONE, SEC_ASM, SEC_RAW, SEC_MEM, SEC_RESULT, SEC_ERROR, SEC_OPTIONS, SEC_IGNORED };

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

char *mbpf_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (!buf) {
        fclose(f);
        fail(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    if (ferror(f)) {
        fail(err, errlen, "cannot read %s: %s", path, strerror(errno));
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int mbpf_parse_u64(const char *s, uint64_t max, const char *name, uint64_t *out, char *err,
                   size_t errlen)
{
    const char *p = s;
    unsigned base = 10;
    uint64_t v = 0;
    if (!s || !*s) {
        fail(err, errlen, "%s: missing number", name);
        return -1;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (!*p) {
        fail(err, errlen, "%s: '%s' is not a number", name, s);
        return -1;
    }
    for (; *p; p++) {
        unsigned d;
        if (isdigit((unsigned char)*p))
            d = (unsigned)(*p - '0');
        else if (base == 16 && isxdigit((unsigned char)*p))
            d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
        else {
            fail(err, errlen, "%s: '%s' is not a number", name, s);
            return -1;
        }
        if (v > (UINT64_MAX - d) / base) {
            fail(err, errlen, "%s: '%s' is too large", name, s);
            return -1;
        }
        v = v * base + d;
    }
    if (v > max) {
        fail(err, errlen, "%s: %s is out of range (max %llu)", name, s, (unsigned long long)max);
        return -1;
    }
    *out = v;
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int mbpf_parse_hex_bytes(const char *text, uint8_t **out, uint32_t *len, char *err,
                         size_t errlen)
{
    size_t cap = strlen(text) / 2 + 1, n = 0;
    uint8_t *buf = malloc(cap);
    const char *p = text;
    if (!buf) {
        fail(err, errlen, "out of memory");
        return -1;
    }
    while (*p) {
        if (isspace((unsigned char)*p) || *p == ',') {
            p++;
            continue;
        }
        if (*p == '#') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && hexval((unsigned char)p[2]) >= 0)
            p += 2;
        /* a token: an even number of hex digits */
        const char *start = p;
        while (*p && hexval((unsigned char)*p) >= 0)
            p++;
        size_t digits = (size_t)(p - start);
        if (digits == 0) {
            fail(err, errlen, "bad hex byte at '%.10s'", start);
            free(buf);
            return -1;
        }
        if (digits % 2) {
            fail(err, errlen, "odd number of hex digits in '%.*s'", (int)digits, start);
            free(buf);
            return -1;
        }
        if (*p && !isspace((unsigned char)*p) && *p != ',' && *p != '#') {
            fail(err, errlen, "bad hex byte at '%.10s'", start);
            free(buf);
            return -1;
        }
        for (size_t i = 0; i < digits; i += 2)
            buf[n++] = (uint8_t)(hexval((unsigned char)start[i]) << 4 |
                                 hexval((unsigned char)start[i + 1]));
        if (n > UINT32_MAX / 2) {
            fail(err, errlen, "too many bytes");
            free(buf);
            return -1;
        }
    }
    if (n == 0) {
        free(buf);
        buf = NULL;
    }
    *out = buf;
    *len = (uint32_t)n;
    return 0;
}

int mbpf_decode_bytecode(const uint8_t *bytes, size_t len, mbpf_insn **out, uint32_t *n,
                         char *err, size_t errlen)
{
    if (len % 8) {
        fail(err, errlen, "bytecode length %zu is not a multiple of 8", len);
        return -1;
    }
    if (len / 8 > UINT32_MAX) {
        fail(err, errlen, "bytecode too large");
        return -1;
    }
    size_t count = len / 8;
    mbpf_insn *insns = malloc(count ? count * sizeof *insns : 1);
    if (!insns) {
        fail(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        const uint8_t *b = bytes + i * 8;
        insns[i].code = b[0];
        insns[i].regs = b[1];
        insns[i].off = (int16_t)(uint16_t)(b[2] | b[3] << 8);
        insns[i].imm = (int32_t)((uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 |
                                 (uint32_t)b[7] << 24);
    }
    *out = insns;
    *n = (uint32_t)count;
    return 0;
}

void mbpf_encode_bytecode(const mbpf_insn *insns, uint32_t n, uint8_t *bytes)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *b = bytes + (size_t)i * 8;
        uint16_t off = (uint16_t)insns[i].off;
        uint32_t imm = (uint32_t)insns[i].imm;
        b[0] = insns[i].code;
        b[1] = insns[i].regs;
        b[2] = (uint8_t)off;
        b[3] = (uint8_t)(off >> 8);
        for (int k = 0; k < 4; k++)
            b[4 + k] = (uint8_t)(imm >> (8 * k));
    }
}

/* ---- .data parsing ------------------------------------------------------ */

typedef struct parser {
    const char *name;
    int line;
    char *err;
    size_t errlen;
    char *buf; /* body of the current section */
    size_t len, cap;
    int body_line;
} parser;

static int append(parser *p, const char *s, size_t n)
{
    if (p->len + n + 2 > p->cap) {
        size_t cap = (p->cap ? p->cap * 2 : 256) + n;
        char *b = realloc(p->buf, cap);
        if (!b)
            return -1;
        p->buf = b;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, s, n);
    p->len += n;
    p->buf[p->len++] = '\n';
    p->buf[p->len] = '\0';
    return 0;
}

static enum section section_kind(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    static const struct {
        const char *name;
        enum section sec;
    } names[] = {{"asm", SEC_ASM},     {"raw", SEC_RAW},     {"mem", SEC_MEM},
                 {"result", SEC_RESULT}, {"error", SEC_ERROR}, {"options", SEC_OPTIONS}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && strncmp(names[i].name, s, n) == 0)
            return names[i].sec;
    return SEC_IGNORED;
}

/* Body text without `#` comments, lines kept. */
static void strip_comments(char *s)
{
    for (char *c = s; *c; c++) {
        if (*c == '#')
            while (*c && *c != '\n')
                *c++ = ' ';
        if (!*c)
            break;
    }
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int parse_result(parser *p, char *body, mbpf_datafile *df)
{
    char *save;
    char *tok = strtok_r(body, BLANKS, &save);
    char tmp[160];
    if (!tok) {
        fail(p->err, p->errlen, "%s:%d: empty -- result section", p->name, p->body_line);
        return -1;
    }
    bool neg = tok[0] == '-';
    uint64_t v;
    if (mbpf_parse_u64(tok + neg, UINT64_MAX, "result", &v, tmp, sizeof tmp)) {
        fail(p->err, p->errlen, "%s:%d: %s", p->name, p->body_line, tmp);
        return -1;
    }
    if (strtok_r(NULL, BLANKS, &save)) {
        fail(p->err, p->errlen, "%s:%d: -- result must hold one number", p->name, p->body_line);
        return -1;
    }
    df->has_result = true;
    df->result = neg ? 0 - v : v;
    return 0;
}

static int parse_raw(parser *p, char *body, mbpf_datafile *df)
{
    size_t count = 0, cap = 16;
    mbpf_insn *insns = malloc(cap * sizeof *insns);
    char tmp[160];
    if (!insns)
        return -1;
    char *save;
    for (char *tok = strtok_r(body, BLANKS, &save); tok; tok = strtok_r(NULL, BLANKS, &save)) {
        uint64_t w;
        if (mbpf_parse_u64(tok, UINT64_MAX, "raw", &w, tmp, sizeof tmp)) {
            fail(p->err, p->errlen, "%s:%d: -- raw: %s", p->name, p->body_line, tmp);
            free(insns);
            return -1;
        }
        if (count == cap) {
            mbpf_insn *bigger = realloc(insns, cap * 2 * sizeof *insns);
            if (!bigger) {
                free(insns);
                return -1;
            }
            insns = bigger;
            cap *= 2;
        }
        insns[count].code = (uint8_t)w;
        insns[count].regs = (uint8_t)(w >> 8);
        insns[count].off = (int16_t)(uint16_t)(w >> 16);
        insns[count].imm = (int32_t)(uint32_t)(w >> 32);
        count++;
    }
    if (count > UINT32_MAX) {
        free(insns);
        return -1;
    }
    df->raw = insns;
    df->raw_n = (uint32_t)count;
    df->has_raw = true;
    return 0;
}

static int parse_option(parser *p, char *tok, mbpf_datafile *df)
{
    static const struct {
        const char *key;
        uint64_t max;
    } keys[] = {{"budget", UINT64_MAX}, {"depth", 255}, {"stack", 1u << 20}, {"isa", 4}};
    char tmp[160];
    char *eq = strchr(tok, '=');
    if (!eq) {
        if (strcmp(tok, "no-callx") == 0)
            df->no_callx = true;
        else if (strcmp(tok, "mem-ro") == 0)
            df->mem_ro = true;
        else
            goto unknown;
        return 0;
    }
    *eq = '\0';
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        uint64_t v;
        if (strcmp(tok, keys[i].key) != 0)
            continue;
        if (mbpf_parse_u64(eq + 1, keys[i].max, tok, &v, tmp, sizeof tmp)) {
            fail(p->err, p->errlen, "%s:%d: -- options: %s", p->name, p->body_line, tmp);
            return -1;
        }
        switch (i) {
        case 0: df->has_budget = true; df->budget = v; break;
        case 1: df->has_depth = true; df->depth = (uint32_t)v; break;
        case 2: df->has_stack = true; df->stack = (uint32_t)v; break;
        default: df->has_isa = true; df->isa = (uint32_t)v; break;
        }
        return 0;
    }
    *eq = '=';
unknown:
    fail(p->err, p->errlen, "%s:%d: -- options: unknown option '%s'", p->name, p->body_line,
         tok);
    return -1;
}

/* Ends the current section: interprets the collected body. */
static int finish_section(parser *p, enum section sec, mbpf_datafile *df)
{
    char empty[1] = "";
    char *body = p->buf ? p->buf : empty;
    char tmp[160];
    int rc = 0;

    if (sec == SEC_NONE || sec == SEC_IGNORED)
        goto done;
    if (sec == SEC_ASM) {
        if (df->asm_text) {
            fail(p->err, p->errlen, "%s:%d: second -- asm section", p->name, p->body_line - 1);
            return -1;
        }
        df->asm_text = strdup(body);
        df->asm_line = p->body_line;
        rc = df->asm_text ? 0 : -1;
        goto done;
    }
    if (sec == SEC_ERROR) {
        /* The expected text is kept verbatim apart from surrounding blanks. */
        char *t = trim(body);
        if (df->error) {
            fail(p->err, p->errlen, "%s:%d: second -- error section", p->name, p->body_line - 1);
            return -1;
        }
        if (!*t) {
            fail(p->err, p->errlen, "%s:%d: empty -- error section", p->name, p->body_line);
            return -1;
        }
        df->error = strdup(t);
        rc = df->error ? 0 : -1;
        goto done;
    }
    strip_comments(body);
    if ((sec == SEC_RAW && df->has_raw) || (sec == SEC_MEM && df->has_mem) ||
        (sec == SEC_RESULT && df->has_result)) {
        fail(p->err, p->errlen, "%s:%d: section repeated", p->name, p->body_line - 1);
        return -1;
    }
    switch (sec) {
    case SEC_RAW:
        rc = parse_raw(p, body, df);
        break;
    case SEC_MEM:
        if (mbpf_parse_hex_bytes(body, &df->mem, &df->mem_len, tmp, sizeof tmp)) {
            fail(p->err, p->errlen, "%s:%d: -- mem: %s", p->name, p->body_line, tmp);
            return -1;
        }
        df->has_mem = true;
        break;
    case SEC_RESULT:
        rc = parse_result(p, body, df);
        break;
    case SEC_OPTIONS: {
        char *save;
        for (char *tok = strtok_r(body, BLANKS, &save); tok && rc == 0;
             tok = strtok_r(NULL, BLANKS, &save))
            rc = parse_option(p, tok, df);
        break;
    }
    default:
        break;
    }
done:
    if (rc && p->err && !p->err[0])
        fail(p->err, p->errlen, "%s: out of memory", p->name);
    p->len = 0;
    if (p->buf)
        p->buf[0] = '\0';
    return rc;
}

int mbpf_datafile_parse(const char *text, const char *name, mbpf_datafile *df, char *err,
                        size_t errlen)
{
    parser p = {.name = name ? name : "<input>", .err = err, .errlen = errlen};
    enum section sec = SEC_NONE;
    const char *s = text;
    int rc = 0;

    memset(df, 0, sizeof *df);
    if (err && errlen)
        err[0] = '\0';
    while (*s && rc == 0) {
        const char *eol = strchr(s, '\n');
        size_t n = eol ? (size_t)(eol - s) : strlen(s);
        const char *t = s;
        p.line++;
        while (t < s + n && (*t == ' ' || *t == '\t'))
            t++;
        if (memchr(s, '\0', n)) {
            fail(err, errlen, "%s:%d: NUL byte in text", p.name, p.line);
            rc = -1;
            break;
        }
        if (s + n - t >= 2 && t[0] == '-' && t[1] == '-') {
            rc = finish_section(&p, sec, df);
            sec = section_kind(t + 2, (size_t)(s + n - t - 2));
            p.body_line = p.line + 1;
        } else if (sec == SEC_NONE) {
            /* Text before the first section may only be comments and blanks. */
            const char *c = t;
            while (c < s + n && isspace((unsigned char)*c))
                c++;
            if (c < s + n && *c != '#') {
                fail(err, errlen, "%s:%d: text outside a section", p.name, p.line);
                rc = -1;
            }
        } else if (sec != SEC_IGNORED) {
            size_t m = n;
            if (m && s[m - 1] == '\r')
                m--;
            if (append(&p, s, m)) {
                fail(err, errlen, "%s: out of memory", p.name);
                rc = -1;
            }
        }
        s += n + (eol ? 1 : 0);
    }
    if (rc == 0)
        rc = finish_section(&p, sec, df);
    free(p.buf);
    if (rc == 0 && !df->asm_text && !df->has_raw) {
        fail(err, errlen, "%s: no -- asm or -- raw section", p.name);
        rc = -1;
    }
    if (rc == 0 && !df->has_result && !df->error) {
        fail(err, errlen, "%s: no -- result or -- error section", p.name);
        rc = -1;
    }
    if (rc == 0 && df->has_result && df->error) {
        fail(err, errlen, "%s: both -- result and -- error", p.name);
        rc = -1;
    }
    if (rc)
        mbpf_datafile_free(df);
    return rc;
}

int mbpf_datafile_load(const char *path, mbpf_datafile *df, char *err, size_t errlen)
{
    size_t len;
    char *text = mbpf_read_file(path, &len, err, errlen);
    if (!text) {
        memset(df, 0, sizeof *df);
        return -1;
    }
    int rc = mbpf_datafile_parse(text, path, df, err, errlen);
    free(text);
    return rc;
}

void mbpf_datafile_free(mbpf_datafile *df)
{
    free(df->asm_text);
    free(df->raw);
    free(df->mem);
    free(df->error);
    memset(df, 0, sizeof *df);
}
