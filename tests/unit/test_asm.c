/* Assembler and disassembler: encodings checked against RFC 9669 by hand,
 * every conformance file assembled (and compared with its `-- raw` section),
 * listings that assemble back to the same bytes, and error reporting. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "asm_cases.h"
#include "mbpf_asm.h"

/* ---- helpers ------------------------------------------------------------ */

static uint64_t word_of(const mbpf_insn *insn)
{
    return (uint64_t)insn->code | (uint64_t)insn->regs << 8 |
           (uint64_t)(uint16_t)insn->off << 16 | (uint64_t)(uint32_t)insn->imm << 32;
}

static mbpf_insn insn_of(uint64_t w)
{
    uint16_t off = (uint16_t)(w >> 16);
    uint32_t imm = (uint32_t)(w >> 32);
    mbpf_insn insn = {(uint8_t)w, (uint8_t)(w >> 8), 0, 0};
    memcpy(&insn.off, &off, sizeof off);
    memcpy(&insn.imm, &imm, sizeof imm);
    return insn;
}

/* Assembles text that must be valid; fails the test with the message if not. */
static mbpf_insn *must_assemble(const char *what, const char *text, uint32_t *n)
{
    mbpf_insn *insns = NULL;
    mbpf_asm_error err;
    if (mbpf_assemble(text, &insns, n, &err) != 0)
        fail_msg("%s: line %d: %s", what, err.line, err.msg);
    assert_non_null(insns);
    return insns;
}

/* Listing of insns with the given flags, as a malloc'd string. */
static char *listing(const mbpf_insn *insns, uint32_t n, unsigned flags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    mbpf_disasm(f, insns, n, flags);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void assert_same_insns(const char *what, const mbpf_insn *a, uint32_t na,
                              const mbpf_insn *b, uint32_t nb)
{
    if (na != nb)
        fail_msg("%s: %u instructions, expected %u", what, nb, na);
    for (uint32_t i = 0; i < na; i++)
        if (word_of(&a[i]) != word_of(&b[i]))
            fail_msg("%s: slot %u is 0x%016llx, expected 0x%016llx", what, i,
                     (unsigned long long)word_of(&b[i]), (unsigned long long)word_of(&a[i]));
}

/* Every listing form assembles back to exactly insns. */
static void assert_round_trip(const char *what, const mbpf_insn *insns, uint32_t n)
{
    static const unsigned forms[] = {MBPF_DISASM_LABELS, 0, MBPF_DISASM_LABELS | MBPF_DISASM_PC,
                                     MBPF_DISASM_PC};
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        char *text = listing(insns, n, forms[f]);
        uint32_t n2 = 0;
        mbpf_insn *again = NULL;
        mbpf_asm_error err;
        if (mbpf_assemble(text, &again, &n2, &err) != 0)
            fail_msg("%s (flags %u): listing does not assemble: line %d: %s\n%s", what,
                     forms[f], err.line, err.msg, text);
        assert_same_insns(what, insns, n, again, n2);
        free(again);
        free(text);
    }
}

/* ---- encodings ------------------------------------------------------------ */

static void test_encodings(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++) {
        const struct encoding *e = &encodings[i];
        uint32_t n = 0;
        mbpf_insn *insns = must_assemble(e->text, e->text, &n);
        mbpf_insn want[2] = {insn_of(e->words[0]), insn_of(e->words[1])};
        assert_same_insns(e->text, want, e->n, insns, n);
        free(insns);
    }
}

static void test_labels(void **state)
{
    (void)state;
    /* Forward and backward labels, `exit` = the first exit, labels on the
     * same line as an instruction, a label at the very end, local calls. */
    const char *text = "jeq %r0, 1, exit\n"    /* 0 */
                       "back: mov %r0, 2\n"    /* 1 */
                       "ja fwd\n"              /* 2 */
                       "exit\n"                /* 3 */
                       "fwd:\n"
                       "call local func\n"     /* 4 */
                       "ja32 back\n"           /* 5 */
                       "jne %r0, 0, end\n"     /* 6 */
                       "exit\n"                /* 7 */
                       "func: lddw %r0, 1\n"   /* 8, 9 */
                       "ja back\n"             /* 10 */
                       "end:\n";
    uint32_t n = 0;
    mbpf_insn *p = must_assemble("labels", text, &n);
    assert_int_equal(n, 11);
    assert_int_equal(p[0].off, 2);   /* to 3 */
    assert_int_equal(p[2].off, 1);   /* to 4 */
    assert_int_equal(p[4].imm, 3);   /* to 8 */
    assert_int_equal(MBPF_INSN_SRC(&p[4]), MBPF_CALL_LOCAL);
    assert_int_equal(p[5].imm, -5);  /* to 1 */
    assert_int_equal(p[6].off, 4);   /* to 11, the end */
    assert_int_equal(p[10].off, -10); /* to 1 */
    assert_round_trip("labels", p, n);

    char *text2 = listing(p, n, MBPF_DISASM_LABELS);
    assert_non_null(strstr(text2, "L1:\n"));
    assert_non_null(strstr(text2, "L11:\n"));
    assert_non_null(strstr(text2, "call local L8\n"));
    free(text2);
    free(p);

    /* An explicit label named exit wins over the implicit one. */
    p = must_assemble("exit label", "ja exit\nexit\nexit:\nexit\n", &n);
    assert_int_equal(p[0].off, 1);
    free(p);

    /* Empty input is an empty program. */
    p = must_assemble("empty", "# nothing\n\n", &n);
    assert_int_equal(n, 0);
    free(p);
}

/* ---- disassembler ------------------------------------------------------- */

static void test_disasm_insn(void **state)
{
    (void)state;
    static const struct {
        uint64_t word;
        const char *text;
    } cases[] = {
        {0x00000000000020bf, "mov %r0, %r2"},
        {0xffffffff000000b7, "mov %r0, -1"},
        {0x80000000000000b4, "mov32 %r0, -0x80000000"},
        {0x0000ff00000000b7, "mov %r0, 0xff00"},
        {0x0000000b00030115, "jeq %r1, 11, +3"},
        {0x00000000fffe21de, "jsle32 %r1, %r2, -2"},
        {0x00000000fff80a7b, "stxdw [%r10-8], %r0"},
        {0x000012340000016a, "sth [%r1], 0x1234"},
        {0x0000000000001069, "ldxh %r0, [%r1]"},
        {0x000000f1fff81adb, "lock cmpxchg [%r10-8], %r1"},
        {0x00000041000021db, "lock fetch or [%r1], %r2"},
        {0x00000020000001d7, "bswap32 %r1"},
        {0x00000000001010bc, "movsx1632 %r0, %r1"},
        {0x0000000200001085, "call local +2"},
        {0x000000000000028d, "call %r2"},
        {0x0000000500000085, "call 5"},
        {0xffffffff00000006, "ja32 -1"},
        {0x0000000000000095, "exit"},
        /* Not expressible: stray fields or unknown opcodes. */
        {0x00000001000000bf, ".raw 0x00000001000000bf"}, /* mov X with imm */
        {0x00000000000100bf, ".raw 0x00000000000100bf"}, /* mov with off 1 */
        {0x0000000000000195, ".raw 0x0000000000000195"}, /* exit with dst */
        {0x0000000000002085, ".raw 0x0000000000002085"}, /* call src 2 */
        {0x0000000000000000, ".raw 0x0000000000000000"},
        {0x00000000000000ff, ".raw 0x00000000000000ff"},
        {0x00000000000000fb, ".raw 0x00000000000000fb"}, /* STX with undefined mode 0xe0 */
        {0x0000001100000020, ".raw 0x0000001100000020"}, /* legacy ld abs */
    };
    char buf[96];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mbpf_insn insn = insn_of(cases[i].word);
        assert_int_equal(mbpf_disasm_insn(&insn, 1, 0, buf, sizeof buf), 1);
        assert_string_equal(buf, cases[i].text);
    }

    mbpf_insn lddw[3] = {insn_of(0x5566778800000018), insn_of(0x1122334400000000),
                         insn_of(0x95)};
    assert_int_equal(mbpf_disasm_insn(lddw, 3, 0, buf, sizeof buf), 2);
    assert_string_equal(buf, "lddw %r0, 0x1122334455667788");
    /* Truncated lddw, or a second slot with an opcode, is raw. */
    assert_int_equal(mbpf_disasm_insn(lddw, 1, 0, buf, sizeof buf), 1);
    assert_string_equal(buf, ".raw 0x5566778800000018");
    assert_int_equal(mbpf_disasm_insn(&lddw[1], 2, 0, buf, sizeof buf), 1); /* hi = exit */
    lddw[1] = insn_of(0x95);
    assert_int_equal(mbpf_disasm_insn(lddw, 3, 0, buf, sizeof buf), 1);
    assert_int_equal(mbpf_disasm_insn(lddw, 3, 3, buf, sizeof buf), 0); /* out of range */

    /* Pseudo sources; a stray high imm where the source has no offset is raw. */
    mbpf_insn map[2] = {insn_of(0x0000000300005118), insn_of(0)};
    assert_int_equal(mbpf_disasm_insn(map, 2, 0, buf, sizeof buf), 2);
    assert_string_equal(buf, "lddw %r1, map_by_idx 3");
    map[1] = insn_of(0x0000000700000000);
    assert_int_equal(mbpf_disasm_insn(map, 2, 0, buf, sizeof buf), 1);
    assert_string_equal(buf, ".raw 0x0000000300005118");
    map[0] = insn_of(0x0000000300006218);
    assert_int_equal(mbpf_disasm_insn(map, 2, 0, buf, sizeof buf), 2);
    assert_string_equal(buf, "lddw %r2, map_val_by_idx 3, 7");
    map[0] = insn_of(0x0000000300007218); /* src 7: no such source */
    assert_int_equal(mbpf_disasm_insn(map, 2, 0, buf, sizeof buf), 1);
}

/* Deterministic pseudo-random words, biased towards real opcodes and zero
 * fields so both decoded and raw instructions (and lddw pairs, jumps into
 * their middle, jumps out of the program) appear. */
static uint64_t next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 11;
}

static void test_random_round_trip(void **state)
{
    (void)state;
    static const uint8_t codes[] = {0x07, 0x0f, 0x04, 0x0c, 0xb7, 0xbf, 0xbc, 0x37, 0x9c, 0x87,
                                    0xd4, 0xdc, 0xd7, 0x18, 0x61, 0x79, 0x91, 0x62, 0x7a, 0x63,
                                    0x7b, 0xc3, 0xdb, 0x05, 0x06, 0x15, 0x1d, 0x16, 0xde, 0x85,
                                    0x8d, 0x95, 0x00, 0x20};
    uint64_t seed = 12345;
    for (int round = 0; round < 200; round++) {
        mbpf_insn prog[64];
        uint32_t n = 1 + (uint32_t)(next_rand(&seed) % 64);
        for (uint32_t i = 0; i < n; i++) {
            uint64_t r = next_rand(&seed);
            uint64_t w = codes[r % sizeof codes];
            r /= sizeof codes;
            w |= (r & 1 ? (r >> 1) & 0xff : (r >> 1) & 0x0a) << 8;
            r = next_rand(&seed);
            if (r & 1)
                w |= ((r >> 1) % 9 == 0 ? (r >> 8) & 0xffff : (r >> 8) % 16) << 16;
            r = next_rand(&seed);
            if (r % 3 == 0)
                w |= ((r >> 4) % 5 == 0 ? (r >> 8) & 0xffffffff : (r >> 8) % 70) << 32;
            else if (r % 7 == 1)
                w |= (uint64_t)0xf1 << 32;
            prog[i] = insn_of(w);
        }
        char what[32];
        snprintf(what, sizeof what, "random round %d", round);
        assert_round_trip(what, prog, n);
    }
}

/* ---- errors ----------------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
        const char *msg;
    } cases[] = {
        {"mov %r0, 1\nfoo %r0, 1\n", 2, "unknown mnemonic 'foo'"},
        {"lock foo [%r1], %r2", 1, "unknown mnemonic 'lock foo'"},
        {"exit\nmov %r11, 1", 2, "bad register '%r11'"},
        {"mov %r0, %rx", 1, "bad register '%rx'"},
        {"mov %r0", 1, "'mov' takes 2 operands, got 1"},
        {"mov %r0, 1, 2", 1, "'mov' takes 2 operands, got 3"},
        {"\n\njeq %r0, %r1", 3, "'jeq' takes 3 operands, got 2"},
        {"exit %r0", 1, "'exit' takes 0 operands, got 1"},
        {"mov %r0, 0x100000000", 1, "immediate '0x100000000' does not fit in 32 bits"},
        {"mov32 %r0, -2147483649", 1, "immediate '-2147483649' does not fit in 32 bits"},
        {"lddw %r0, 0x10000000000000000", 1, "does not fit in 64 bits"},
        {"lddw %r0, -0x8000000000000001", 1, "does not fit in 64 bits"},
        {"ldxw %r0, [%r1+32768]", 1, "offset '[%r1+32768]' out of range"},
        {"stw [%r1-32769], 1", 1, "out of range"},
        {"ja +32768", 1, "offset '+32768' out of range"},
        {"ja32 +0xffffffff", 1, "offset '+0xffffffff' out of range"},
        {"call local -0x80000001", 1, "does not fit in 32 bits"},
        {"mov %r0, 1\nja nowhere\nexit", 2, "undefined label 'nowhere'"},
        {"ja exit", 1, "undefined label 'exit'"},
        {"a:\nexit\nb:\na:\nexit", 4, "duplicate label 'a' (first defined on line 1)"},
        {"ldxw %r0, %r1", 1, "'ldxw' operand 2 must be a memory operand"},
        {"stxw [%r1], 5", 1, "'stxw' operand 2 must be a register"},
        {"add 1, %r0", 1, "'add' operand 1 must be a register"},
        {"mov %r0, 12ab", 1, "bad number '12ab'"},
        {"mov %r0, $1", 1, "unexpected character '$'"},
        {"ldxw %r0, [%r1+2", 1, "expected ']'"},
        {".raw", 1, "'.raw' takes one 64-bit number"},
        {"lddw %r1, map_by_idx 3, 4", 1, "'lddw' with map_by_idx takes 2 operands, got 3"},
        {"lddw %r1, map_val_by_idx 3", 1, "'lddw' with map_val_by_idx takes 3 operands, got 2"},
        {"lddw %r1, foo 3", 1, "unknown lddw source 'foo'"},
        {"lddw %r1, map_by_idx 0x100000000", 1, "does not fit in 32 bits"},
        {"lddw %r0, 1, 2", 1, "'lddw' with an immediate takes 2 operands, got 3"},
        {"lddw %r0, 1, 2, 3", 1, "'lddw' takes 2 operands, got 4"},
        {"mov %r0, foo 3", 1, "'mov' operand 2 must be a register or an immediate, not 'foo 3'"},
        {"3: exit", 1, "instruction index 3: does not match"},
        {"call local", 1, "'call local' takes 1 operand, got 0"},
        {"jeq %r0, 1, %r2", 1, "must be a label or an offset"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mbpf_insn *insns = NULL;
        uint32_t n = 0;
        mbpf_asm_error err;
        int rc = mbpf_assemble(cases[i].text, &insns, &n, &err);
        if (rc == 0)
            fail_msg("'%s' assembled, expected error '%s'", cases[i].text, cases[i].msg);
        assert_null(insns);
        if (err.line != cases[i].line || !strstr(err.msg, cases[i].msg))
            fail_msg("'%s': got line %d '%s', expected line %d '%s'", cases[i].text, err.line,
                     err.msg, cases[i].line, cases[i].msg);
    }
}

static void test_far_jumps(void **state)
{
    (void)state;
    /* 40000 instructions between a jump and its label: ja fails, ja32 works. */
    const char *body = "mov %r0, 0\n";
    size_t count = 40000, blen = strlen(body);
    char *text = malloc(count * blen + 64);
    assert_non_null(text);
    char *p = text;
    p += sprintf(p, "ja32 far\n");
    for (size_t i = 0; i < count; i++, p += blen)
        memcpy(p, body, blen);
    sprintf(p, "far: exit\n");

    uint32_t n = 0;
    mbpf_insn *insns = must_assemble("far ja32", text, &n);
    assert_int_equal(n, count + 2);
    assert_int_equal(insns[0].imm, (int32_t)count);
    free(insns);

    memcpy(text, "ja   ", 5); /* same line count, 16-bit offset now */
    mbpf_asm_error err;
    assert_int_not_equal(mbpf_assemble(text, &insns, &n, &err), 0);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.msg, "jump to 'far' is too far"));
    free(text);
}

/* ---- cross-check with LLVM --------------------------------------------- */

/* Path of the first llvm-mc found, or NULL. */
static char *find_llvm_mc(void)
{
    static const char *const names[] = {"llvm-mc-19", "llvm-mc-18", "llvm-mc"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char cmd[64], path[512];
        snprintf(cmd, sizeof cmd, "command -v %s 2>/dev/null", names[i]);
        FILE *p = popen(cmd, "r");
        if (!p)
            continue;
        char *got = fgets(path, sizeof path, p);
        pclose(p);
        if (got && path[0] == '/') {
            path[strcspn(path, "\n")] = '\0';
            return strdup(path);
        }
    }
    return NULL;
}

/* Encodings are checked against an independent assembler: llvm-mc (BPF,
 * cpu v4) must produce the same bytes for each pair. Skipped without it. */
static void test_llvm_cross_check(void **state)
{
    (void)state;
    char *mc = find_llvm_mc();
    if (!mc) {
        print_message("llvm-mc not found: skipped\n");
        skip();
    }
    char src[] = "/tmp/mbpf-test-asm-XXXXXX";
    int fd = mkstemp(src);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    size_t npairs = sizeof llvm_pairs / sizeof llvm_pairs[0];
    for (size_t i = 0; i < npairs; i++)
        fprintf(f, "%s\n", llvm_pairs[i].llvm);
    fclose(f);

    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s -triple bpfel -mcpu=v4 --show-encoding %s 2>&1", mc, src);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    uint8_t bytes[64][16];
    size_t lens[64] = {0}, count = 0;
    char line[512];
    while (fgets(line, sizeof line, p)) {
        const char *enc = strstr(line, "encoding: [");
        if (!enc || count == 64)
            continue;
        for (const char *q = enc + 11; *q && *q != ']' && lens[count] < 16;) {
            char *end;
            unsigned long v = strtoul(q, &end, 16);
            if (end == q)
                break;
            bytes[count][lens[count]++] = (uint8_t)v;
            q = *end == ',' ? end + 1 : end;
        }
        count++;
    }
    int status = pclose(p);
    remove(src);
    free(mc);
    if (status != 0 || count != npairs) {
        print_message("llvm-mc failed or is too old (status %d, %zu encodings): skipped\n",
                      status, count);
        skip();
    }
    for (size_t i = 0; i < npairs; i++) {
        uint32_t n = 0;
        mbpf_insn *insns = must_assemble(llvm_pairs[i].ours, llvm_pairs[i].ours, &n);
        uint8_t ours[16];
        assert_true(n * 8 <= sizeof ours);
        for (uint32_t k = 0; k < n; k++) {
            uint64_t w = word_of(&insns[k]);
            for (int b = 0; b < 8; b++)
                ours[k * 8 + (uint32_t)b] = (uint8_t)(w >> (8 * b));
        }
        if (lens[i] != n * 8 || memcmp(ours, bytes[i], lens[i]) != 0)
            fail_msg("'%s' differs from llvm-mc's '%s'", llvm_pairs[i].ours, llvm_pairs[i].llvm);
        free(insns);
    }
}

/* ---- the conformance suite ------------------------------------------------ */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len + 4096 + 1 > cap) {
            cap = (len + 4096 + 1) * 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
    } while (got > 0);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

/* The lines of section `-- name` (up to the next `--` line), or NULL. */
static char *section(const char *data, const char *name)
{
    size_t nlen = strlen(name);
    for (const char *p = data; *p;) {
        const char *eol = strchr(p, '\n');
        if (!eol)
            eol = p + strlen(p);
        const char *q = p;
        while (q < eol && (*q == ' ' || *q == '\t'))
            q++;
        if (eol - q >= 2 && q[0] == '-' && q[1] == '-') {
            q += 2;
            while (q < eol && (*q == ' ' || *q == '\t'))
                q++;
            if ((size_t)(eol - q) >= nlen && memcmp(q, name, nlen) == 0) {
                const char *start = *eol ? eol + 1 : eol, *end = start;
                while (*end) { /* to the next section line */
                    const char *s = end;
                    while (*s == ' ' || *s == '\t')
                        s++;
                    if (s[0] == '-' && s[1] == '-')
                        break;
                    const char *e = strchr(end, '\n');
                    end = e ? e + 1 : end + strlen(end);
                }
                char *out = malloc((size_t)(end - start) + 1);
                assert_non_null(out);
                memcpy(out, start, (size_t)(end - start));
                out[end - start] = '\0';
                return out;
            }
        }
        p = *eol ? eol + 1 : eol;
    }
    return NULL;
}

/* `-- raw`: one 64-bit word per token; # comments allowed. */
static uint32_t parse_raw(char *text, mbpf_insn *out, uint32_t cap)
{
    uint32_t n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        for (char *p = line;;) {
            while (*p == ' ' || *p == '\t' || *p == '\r')
                p++;
            if (!*p)
                break;
            char *end;
            unsigned long long w = strtoull(p, &end, 0);
            assert_true(end != p);
            assert_true(n < cap);
            out[n++] = insn_of(w);
            p = end;
        }
    }
    return n;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .data file of dir: `-- asm` assembles (unless the file expects an
 * error: the assembler may be what reports it), and `-- asm` and `-- raw`
 * round-trip through the disassembler. With compared (not NULL), files with
 * both sections must encode the same bytes; *compared counts them.
 * Returns the number of files assembled, or -1 if dir is missing. */
static long check_data_folder(const char *dir, size_t *compared)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char *names[1024];
    size_t count = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".data") == 0 && count < 1024)
            names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof names[0], by_name);

    long assembled = 0;
    for (size_t i = 0; i < count; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *data = read_text(path);
        assert_non_null(data);
        char *asm_text = section(data, "asm"), *raw_text = section(data, "raw");
        mbpf_insn raw[512];
        uint32_t nraw = raw_text ? parse_raw(raw_text, raw, 512) : 0;
        char *error_text = section(data, "error");
        mbpf_insn *insns = NULL;
        uint32_t n = 0;
        mbpf_asm_error err;
        /* A file expecting an error may get it from the assembler itself. */
        if (asm_text && error_text && mbpf_assemble(asm_text, &insns, &n, &err) != 0) {
            print_message("%s: assembler error (line %d: %s), as the file expects an error\n",
                          path, err.line, err.msg);
        } else if (asm_text) {
            if (!insns)
                insns = must_assemble(path, asm_text, &n);
            assembled++;
            if (raw_text && compared) {
                assert_same_insns(path, raw, nraw, insns, n);
                (*compared)++;
            }
            assert_round_trip(path, insns, n);
            free(insns);
        } else if (raw_text) {
            assert_round_trip(path, raw, nraw);
        }
        free(error_text);
        free(asm_text);
        free(raw_text);
        free(data);
        free(names[i]);
    }
    return assembled;
}

static void test_conformance_files(void **state)
{
    (void)state;
    const char *dir = MBPF_SHARED_DIR "/bpf-conformance/tests";
    size_t compared = 0;
    long assembled = check_data_folder(dir, &compared);
    if (assembled < 0) {
        print_message("no conformance tests at %s: skipped\n", dir);
        skip();
    }
    print_message("%ld conformance files assembled, %zu compared with -- raw\n", assembled,
                  compared);
    assert_true(assembled >= 300); /* the public suite has 313, all with -- asm */
}

/* Our own .data tests (tests/data) go through the same checks. */
static void test_project_data_files(void **state)
{
    (void)state;
    /* Their -- raw may deliberately differ from -- asm (which is then only
     * a readable note), so no comparison here. */
    long assembled = check_data_folder(MBPF_SOURCE_DIR "/tests/data", NULL);
    if (assembled < 0)
        skip();
    print_message("%ld project .data files assembled\n", assembled);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_disasm_insn),
        cmocka_unit_test(test_random_round_trip),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_far_jumps),
        cmocka_unit_test(test_llvm_cross_check),
        cmocka_unit_test(test_conformance_files),
        cmocka_unit_test(test_project_data_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
