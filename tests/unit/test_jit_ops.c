/* Every instruction form through the JIT under Unicorn, against the
 * interpreter: ALU/ALU64 (the interpreter's test vectors, with operands in
 * ARM registers, in frame slots, and the same register twice), jumps,
 * loads/stores, atomics, memory errors, budget, depth, helpers, callx. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"
#include "host_vm.h"

typedef struct alu_case {
    uint8_t op;
    uint8_t is_signed;
    uint64_t a, b, expect;
} alu_case;
#include "alu_cases.h"

#define NCASES(t) (sizeof(t) / sizeof((t)[0]))

/* Uses of r6-r9 that make them the most used registers, so r0-r3 spill. */
#define HOG()                                                                            \
    MOV64_IMM(6, 1), MOV64_REG(7, 6), MOV64_REG(8, 7), MOV64_REG(9, 8), ALU64_REG(MBPF_ADD, 6, 7), \
        ALU64_REG(MBPF_ADD, 7, 8), ALU64_REG(MBPF_ADD, 8, 9), ALU64_REG(MBPF_ADD, 9, 6),     \
        ALU64_REG(MBPF_ADD, 6, 9), ALU64_REG(MBPF_ADD, 7, 9), ALU64_REG(MBPF_ADD, 8, 6)

static void smoke(void **state)
{
    (void)state;
    JIT_SAME(MOV64_IMM(0, 42), EXIT());
    JIT_SAME(LDDW(0, 0x123456789abcdef0ull), EXIT());
    JIT_SAME(MOV64_REG(0, 1), EXIT());
    JIT_SAME(MOV64_REG(0, 10), ALU64_IMM(MBPF_SUB, 0, 8), ST(MBPF_DW, 10, -8, -5),
             LDX(MBPF_DW, 0, 10, -8), EXIT());
}

static void alu_table(const alu_case *cases, size_t count, bool is64)
{
    uint64_t junk = is64 ? 0 : 0x5a5a5a5a00000000ull;
    unsigned cls = is64 ? MBPF_ALU64 : MBPF_ALU;
    unsigned fails = 0;
    for (size_t i = 0; i < count; i++) {
        const alu_case *c = &cases[i];
        uint64_t a = c->a | junk, b = c->b | junk;
        mbpf_insn x = INSN(cls | MBPF_X | c->op, 1, 2, c->is_signed, 0);
        bool ok = jit_same(PROG(LDDW(1, a), LDDW(2, b), x, MOV64_REG(0, 1), EXIT()), 7);
        ok = ok && jit_same(PROG(HOG(), LDDW(1, a), LDDW(2, b), x, MOV64_REG(0, 1), EXIT()), 18);
        ok = ok && jit_same(PROG(LDDW(1, a), INSN(cls | MBPF_X | c->op, 1, 1, c->is_signed, 0),
                                 MOV64_REG(0, 1), EXIT()),
                            5);
        ok = ok && jit_same(PROG(HOG(), LDDW(1, a), INSN(cls | MBPF_X | c->op, 1, 1,
                                                          c->is_signed, 0),
                                 MOV64_REG(0, 1), EXIT()),
                            16);
        int64_t sb = (int64_t)c->b;
        if (is64 ? (sb >= INT32_MIN && sb <= INT32_MAX) : true) {
            mbpf_insn k = INSN(cls | MBPF_K | c->op, 1, 0, c->is_signed, (int32_t)(uint32_t)c->b);
            ok = ok && jit_same(PROG(LDDW(1, a), k, MOV64_REG(0, 1), EXIT()), 5);
            ok = ok && jit_same(PROG(HOG(), LDDW(1, a), k, MOV64_REG(0, 1), EXIT()), 16);
        }
        if (!ok) {
            print_error("%s op 0x%x signed %d a=%#llx b=%#llx\n", is64 ? "alu64" : "alu32",
                        c->op, c->is_signed, (unsigned long long)c->a,
                        (unsigned long long)c->b);
            fails++;
        }
    }
    assert_int_equal(fails, 0);
}

static void alu64_ops(void **state)
{
    (void)state;
    alu_table(alu64_cases, NCASES(alu64_cases), true);
}

static void alu32_ops(void **state)
{
    (void)state;
    alu_table(alu32_cases, NCASES(alu32_cases), false);
}

static const uint64_t vals[] = {0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffffffffull,
                                0x80000000ull, 0x7fffffffull, 0x100000000ull,
                                0xffffffff00000000ull, 0x8000000000000000ull,
                                0xffffffffffffffffull, 0x123456789abcdef0ull,
                                0xfffffffffffffffeull, 0x00000001fffffffeull};
#define NVALS (sizeof vals / sizeof vals[0])

static void unary_ops(void **state)
{
    (void)state;
    unsigned fails = 0;
    for (size_t i = 0; i < NVALS; i++) {
        const mbpf_insn ops[] = {
            NEG64(1), NEG32(1), LE(1, 16), LE(1, 32), LE(1, 64), BE(1, 16), BE(1, 32),
            BE(1, 64), BSWAP(1, 16), BSWAP(1, 32), BSWAP(1, 64), MOVSX64(1, 2, 8),
            MOVSX64(1, 2, 16), MOVSX64(1, 2, 32), MOVSX32(1, 2, 8), MOVSX32(1, 2, 16),
            MOV32_REG(1, 2), MOV64_REG(1, 2),
        };
        for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
            bool ok = jit_same(PROG(LDDW(1, vals[i]), LDDW(2, vals[(i + 3) % NVALS]), ops[k],
                                    MOV64_REG(0, 1), EXIT()),
                               7);
            ok = ok && jit_same(PROG(HOG(), LDDW(1, vals[i]), LDDW(2, vals[(i + 3) % NVALS]),
                                     ops[k], MOV64_REG(0, 1), EXIT()),
                                18);
            if (!ok) {
                print_error("unary op %#x off %d imm %d on %#llx\n", ops[k].code, ops[k].off,
                            ops[k].imm, (unsigned long long)vals[i]);
                fails++;
            }
        }
    }
    assert_int_equal(fails, 0);
}

static void shifts_by_register(void **state)
{
    (void)state;
    unsigned fails = 0;
    static const uint32_t amounts[] = {0, 1, 5, 31, 32, 33, 47, 63, 64, 65, 127, 0xffffffe1u};
    static const unsigned ops[] = {MBPF_LSH, MBPF_RSH, MBPF_ARSH};
    for (size_t i = 0; i < NVALS; i++)
        for (size_t a = 0; a < sizeof amounts / sizeof amounts[0]; a++)
            for (size_t o = 0; o < 3; o++)
                for (unsigned cls = 0; cls < 2; cls++) {
                    unsigned c = cls ? MBPF_ALU64 : MBPF_ALU;
                    bool ok = jit_same(
                        PROG(LDDW(1, vals[i]), MOV32_IMM(2, (int32_t)amounts[a]),
                             INSN(c | MBPF_X | ops[o], 1, 2, 0, 0), MOV64_REG(0, 1), EXIT()),
                        6);
                    ok = ok && jit_same(PROG(LDDW(1, vals[i]),
                                             INSN(c | MBPF_K | ops[o], 1, 0, 0,
                                                  (int32_t)(amounts[a] & (cls ? 63u : 31u))),
                                             MOV64_REG(0, 1), EXIT()),
                                        5);
                    if (!ok) {
                        print_error("shift op %#x cls %u %#llx by %u\n", ops[o], cls,
                                    (unsigned long long)vals[i], amounts[a]);
                        fails++;
                    }
                }
    assert_int_equal(fails, 0);
}

/* The mov32 peepholes (jit_alu_pair, jit_alu_pair_imm): `mov32 a, b` then
 * an op32 on a with a register or constant becomes one instruction. Values
 * with junk in the upper halves (mov32 zero-extends), a == c, b == c, a
 * used afterwards, in registers and (with HOG) in slots. */
static void mov32_pairs(void **state)
{
    (void)state;
    unsigned fails = 0;
    static const unsigned rops[] = {MBPF_ADD, MBPF_SUB, MBPF_OR, MBPF_AND, MBPF_XOR};
    static const struct { unsigned op; int32_t k; } kops[] = {
        {MBPF_LSH, 1}, {MBPF_LSH, 31}, {MBPF_RSH, 1}, {MBPF_RSH, 8}, {MBPF_RSH, 31},
        {MBPF_ARSH, 1}, {MBPF_ARSH, 31}, {MBPF_AND, 0xff}, {MBPF_AND, 0xffff},
        {MBPF_LSH, 0}, {MBPF_AND, 0xfff}, {MBPF_AND, 0x3ffff00}, {MBPF_AND, 0x7fffffff},
        {MBPF_AND, (int32_t)0xfffffffeu}, {MBPF_AND, (int32_t)0x80000000u}, {MBPF_AND, 0x0ff0f000}};
    for (size_t i = 0; i < NVALS; i++)
        for (size_t v = 0; v < NVALS; v += 3)
            for (unsigned hog = 0; hog < 2; hog++) {
                bool ok = true;
                for (size_t o = 0; o < NCASES(rops); o++) {
                    ok = ok && jit_same(PROG(LDDW(3, vals[i]), LDDW(4, vals[v]), LDDW(2, vals[v] ^ 7u),
                                             MOV32_REG(2, 3), ALU32_REG(rops[o], 2, 4),
                                             ALU64_IMM(MBPF_LSH, 2, 7), ALU64_REG(MBPF_XOR, 2, 3),
                                             MOV64_REG(0, 2), EXIT()), 12);
                    if (hog)
                        ok = ok && jit_same(PROG(HOG(), LDDW(3, vals[i]), LDDW(4, vals[v]),
                                                 MOV32_REG(2, 3), ALU32_REG(rops[o], 2, 4),
                                                 ALU64_REG(MBPF_XOR, 2, 6), MOV64_REG(0, 2), EXIT()),
                                            11 + 9);
                }
                for (size_t o = 0; o < NCASES(kops); o++) {
                    ok = ok && jit_same(PROG(LDDW(3, vals[i]), LDDW(2, vals[v]), MOV32_REG(2, 3),
                                             ALU32_IMM(kops[o].op, 2, kops[o].k),
                                             ALU64_IMM(MBPF_LSH, 3, 3), ALU64_REG(MBPF_ADD, 2, 3),
                                             MOV64_REG(0, 2), EXIT()), 10);
                    ok = ok && jit_same(PROG(LDDW(0, vals[i]), LDDW(2, vals[v]), MOV32_REG(0, 2),
                                             ALU32_IMM(kops[o].op, 0, kops[o].k), EXIT()), 7);
                }
                if (!ok) {
                    print_error("mov32 pairs %#llx %#llx hog %u\n", (unsigned long long)vals[i],
                                (unsigned long long)vals[v], hog);
                    fails++;
                }
            }
    assert_int_equal(fails, 0);
}

/* and32 a, 0xff / 0xffff then add32 a, c: one uxtab / uxtah (jit_alu.c,
 * and_add_pair). Junk in every upper half, the sum wrapping at 2^32, a
 * used afterwards, in registers and (with HOG) in slots; masks that are no
 * extension and a 64-bit add, which must not fuse. */
static void and_add_pairs(void **state)
{
    (void)state;
    unsigned fails = 0;
    static const int32_t masks[] = {0xff, 0xffff, 0x1ff, 0xfff, 0x7fff};
    for (size_t i = 0; i < NVALS; i++)
        for (size_t v = 0; v < NVALS; v += 2)
            for (size_t m = 0; m < NCASES(masks); m++) {
                bool ok = jit_same(PROG(LDDW(3, vals[i]), LDDW(4, vals[v]),
                                        ALU32_IMM(MBPF_AND, 3, masks[m]), ALU32_REG(MBPF_ADD, 3, 4),
                                        ALU64_IMM(MBPF_LSH, 4, 5), ALU64_REG(MBPF_XOR, 3, 4),
                                        MOV64_REG(0, 3), EXIT()), 10);
                ok = ok && jit_same(PROG(LDDW(3, vals[i]), LDDW(4, vals[v]),
                                         ALU32_IMM(MBPF_AND, 3, masks[m]), ALU64_REG(MBPF_ADD, 3, 4),
                                         MOV64_REG(0, 3), EXIT()), 8);
                ok = ok && jit_same(PROG(HOG(), LDDW(3, vals[i]), LDDW(4, vals[v]),
                                         ALU32_IMM(MBPF_AND, 3, masks[m]), ALU32_REG(MBPF_ADD, 3, 4),
                                         ALU64_REG(MBPF_XOR, 3, 6), MOV64_REG(0, 3), EXIT()),
                                    11 + 9);
                if (!ok) {
                    print_error("and/add %#llx %#llx mask %#x\n", (unsigned long long)vals[i],
                                (unsigned long long)vals[v], (unsigned)masks[m]);
                    fails++;
                }
            }
    assert_int_equal(fails, 0);
}

/* mov32 a, b; lsh32 a, k; and32 a, 0xff << k (or 0xffff << k): uxtb/uxth
 * + lsls (jit_alu.c, jit_alu_triple). Every shift, the masks that fuse and
 * near misses that must not, junk in the upper halves; a jump onto the
 * middle instruction keeps them apart. */
static void shift_mask_triples(void **state)
{
    (void)state;
    unsigned fails = 0;
    static const uint32_t ks[] = {1, 7, 8, 15, 16, 24, 25, 31};
    for (size_t i = 0; i < NVALS; i++)
        for (size_t t = 0; t < NCASES(ks); t++) {
            uint32_t k = ks[t];
            const uint32_t masks[] = {0xffu << k, 0xffffu << k, 0xffu << (k - 1), 0xfeu << k,
                                      0x1ffu << k};
            for (size_t m = 0; m < NCASES(masks); m++) {
                bool ok = jit_same(PROG(LDDW(3, vals[i]), LDDW(0, vals[(i + 3) % NVALS]),
                                        MOV32_REG(0, 3), ALU32_IMM(MBPF_LSH, 0, (int32_t)k),
                                        ALU32_IMM(MBPF_AND, 0, (int32_t)masks[m]),
                                        ALU64_REG(MBPF_ADD, 0, 3), EXIT()), 9);
                ok = ok && jit_same(PROG(LDDW(3, vals[i]), LDDW(0, 5), JMP_IMM(MBPF_JEQ, 3, 0, 1),
                                         MOV32_REG(0, 3), ALU32_IMM(MBPF_LSH, 0, (int32_t)k),
                                         ALU32_IMM(MBPF_AND, 0, (int32_t)masks[m]), EXIT()), 9);
                if (!ok) {
                    print_error("triple %#llx k %u mask %#x\n", (unsigned long long)vals[i], k,
                                masks[m]);
                    fails++;
                }
            }
        }
    assert_int_equal(fails, 0);
}

static void jumps(void **state)
{
    (void)state;
    static const unsigned ops[] = {MBPF_JEQ, MBPF_JGT, MBPF_JGE, MBPF_JSET, MBPF_JNE,
                                   MBPF_JSGT, MBPF_JSGE, MBPF_JLT, MBPF_JLE, MBPF_JSLT,
                                   MBPF_JSLE};
    unsigned fails = 0;
    for (size_t i = 0; i < NVALS; i++)
        for (size_t j = 0; j < NVALS; j += 2)
            for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
                for (unsigned cls = 0; cls < 2; cls++) {
                    unsigned c = cls ? MBPF_JMP : MBPF_JMP32;
                    bool ok = jit_same(PROG(LDDW(1, vals[i]), LDDW(2, vals[j]), MOV64_IMM(0, 1),
                                            INSN(c | MBPF_X | ops[o], 1, 2, 1, 0),
                                            MOV64_IMM(0, 2), EXIT()),
                                       8);
                    int32_t imm = (int32_t)(uint32_t)vals[j];
                    ok = ok && jit_same(PROG(LDDW(1, vals[i]), MOV64_IMM(0, 1),
                                             INSN(c | MBPF_K | ops[o], 1, 0, 1, imm),
                                             MOV64_IMM(0, 2), EXIT()),
                                        6);
                    ok = ok && jit_same(PROG(HOG(), LDDW(1, vals[i]), LDDW(2, vals[j]),
                                             MOV64_IMM(0, 1),
                                             INSN(c | MBPF_X | ops[o], 1, 2, 1, 0),
                                             MOV64_IMM(0, 2), EXIT()),
                                        19);
                    /* upper half known zero (32-bit value in a 64-bit compare) */
                    ok = ok && jit_same(PROG(MOV32_IMM(1, (int32_t)(uint32_t)vals[i]),
                                             MOV64_IMM(0, 1),
                                             INSN(c | MBPF_K | ops[o], 1, 0, 1, imm),
                                             MOV64_IMM(0, 2), EXIT()),
                                        5);
                    if (!ok) {
                        print_error("jump op %#x cls %u %#llx vs %#llx\n", ops[o], cls,
                                    (unsigned long long)vals[i], (unsigned long long)vals[j]);
                        fails++;
                    }
                }
    /* every value's low word as the immediate (the 64-bit compares take
     * encodable immediates directly: INT32_MIN / MAX, the +1 of jsgt/jsle) */
    for (size_t i = 0; i < NVALS; i++)
        for (size_t j = 1; j < NVALS; j += 2)
            for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
                int32_t imm = (int32_t)(uint32_t)vals[j];
                if (!jit_same(PROG(LDDW(1, vals[i]), MOV64_IMM(0, 1),
                                   INSN(MBPF_JMP | MBPF_K | ops[o], 1, 0, 1, imm),
                                   MOV64_IMM(0, 2), EXIT()),
                              6)) {
                    print_error("jump op %#x %#llx vs imm %d\n", ops[o],
                                (unsigned long long)vals[i], imm);
                    fails++;
                }
            }
    assert_int_equal(fails, 0);
}

static void loops_and_budget(void **state)
{
    (void)state;
    /* sum 1..100 with a backward jump */
    const mbpf_insn loop[] = {MOV64_IMM(0, 0), MOV64_IMM(1, 100), ALU64_REG(MBPF_ADD, 0, 1),
                              ALU64_IMM(MBPF_SUB, 1, 1), JMP_IMM(MBPF_JNE, 1, 0, -3), EXIT()};
    assert_true(jit_same(loop, 6));
    mbpf_config cfg;
    mbpf_config_default(&cfg);
    for (uint64_t b = 0; b < 102; b += 7) {
        cfg.budget = b;
        jit_opts o = {.cfg = &cfg};
        mbpf_result r;
        assert_true(jit_same_opts(loop, 6, &o, &r));
    }
    cfg.budget = 98; /* 100 iterations take 99 backward jumps */
    jit_opts o = {.cfg = &cfg};
    mbpf_result r;
    assert_true(jit_same_opts(loop, 6, &o, &r));
    assert_int_equal(r.status, MBPF_E_BUDGET);
    /* budget above 2^32 (the high word) and an endless ja -1 */
    cfg.budget = 0x100000003ull;
    const mbpf_insn ja[] = {MOV64_IMM(0, 0), JA(-1), EXIT()};
    assert_true(jit_same_opts(loop, 6, &o, &r));
    cfg.budget = 5;
    assert_true(jit_same_opts(ja, 3, &o, &r));
    assert_int_equal(r.status, MBPF_E_BUDGET);
    const mbpf_insn ja32[] = {MOV64_IMM(0, 0), JA32(-1), EXIT()};
    assert_true(jit_same_opts(ja32, 3, &o, &r));
}

static void memory(void **state)
{
    (void)state;
    uint8_t buf[64];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    static const unsigned sizes[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
    static const int16_t offs[] = {0, 1, 3, 7, 56, 57, 60, 62, 63, 64, -1, -8, 100, -200};
    unsigned fails = 0;
    for (size_t s = 0; s < 4; s++)
        for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++)
            for (unsigned ro = 0; ro < 2; ro++) {
                jit_opts o = {.ctx = buf, .ctx_len = sizeof buf,
                              .ctx_flags = ro ? MBPF_MEM_READ : MBPF_MEM_RW};
                int16_t off = offs[k];
                const mbpf_insn progs[][6] = {
                    {LDX(sizes[s], 0, 1, off), EXIT()},
                    {LDXSX(sizes[s] == MBPF_DW ? MBPF_W : sizes[s], 0, 1, off), EXIT()},
                    {ST(sizes[s], 1, off, -0x12345678), MOV64_IMM(0, 3), EXIT()},
                    {LDDW(2, 0xa1b2c3d4e5f60718ull), STX(sizes[s], 1, 2, off), MOV64_IMM(0, 4),
                     EXIT()},
                    /* same base twice: the second access is covered by the first check */
                    {LDX(sizes[s], 0, 1, off), LDX(sizes[s], 3, 1, off), ALU64_REG(MBPF_ADD, 0, 3),
                     EXIT()},
                    {MOV64_REG(3, 1), ALU64_IMM(MBPF_ADD, 3, off), LDX(sizes[s], 0, 3, 0), EXIT()},
                };
                const uint32_t lens[] = {2, 2, 3, 5, 4, 4};
                for (size_t p = 0; p < 6; p++) {
                    if (p == 1 && sizes[s] == MBPF_DW)
                        continue;
                    if (!jit_same_opts(progs[p], lens[p], &o, NULL)) {
                        print_error("memory prog %zu size %#x off %d ro %u\n", p, sizes[s], off,
                                    ro);
                        fails++;
                    }
                }
            }
    /* stack through r10 (elided), other frames, below the stack, upper bits set */
    const mbpf_insn st1[] = {ST(MBPF_DW, 10, -512, 7), LDX(MBPF_DW, 0, 10, -512), EXIT()};
    const mbpf_insn st4[] = {MOV64_REG(2, 10), ALU64_IMM(MBPF_SUB, 2, 4096), LDX(MBPF_B, 0, 2, 0),
                             EXIT()};
    const mbpf_insn st5[] = {MOV64_REG(2, 10), ALU64_IMM(MBPF_SUB, 2, 4097), LDX(MBPF_B, 0, 2, 0),
                             EXIT()};
    const mbpf_insn st6[] = {LDDW(2, 0x100000000ull), ALU64_REG(MBPF_ADD, 2, 10),
                             LDX(MBPF_B, 0, 2, -8), EXIT()};
    const mbpf_insn st7[] = {MOV64_REG(2, 10), STX(MBPF_DW, 2, 2, -1), LDX(MBPF_DW, 0, 2, -1),
                             ALU64_REG(MBPF_SUB, 0, 10), EXIT()};
    assert_true(jit_same(st1, 3));
    assert_true(jit_same(st4, 4));
    assert_true(jit_same(st5, 4));
    assert_true(jit_same(st6, 5));
    assert_true(jit_same(st7, 5));
    assert_int_equal(fails, 0);
}

static void atomics(void **state)
{
    (void)state;
    static const int32_t ops[] = {MBPF_ADD, MBPF_OR, MBPF_AND, MBPF_XOR,
                                  MBPF_ADD | MBPF_FETCH, MBPF_OR | MBPF_FETCH,
                                  MBPF_AND | MBPF_FETCH, MBPF_XOR | MBPF_FETCH, MBPF_XCHG,
                                  MBPF_CMPXCHG};
    uint8_t buf[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
                       0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};
    unsigned fails = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        for (unsigned dw = 0; dw < 2; dw++)
            for (int16_t off = -1; off <= 9; off++) {
                unsigned sz = dw ? MBPF_DW : MBPF_W;
                jit_opts o = {.ctx = buf, .ctx_len = sizeof buf};
                const mbpf_insn p1[] = {LDDW(2, 0xf0e1d2c3b4a59687ull), LDDW(0, 0x8877665544332211ull),
                                        ATOMIC(sz, ops[i], 1, 2, off), ALU64_REG(MBPF_XOR, 0, 2),
                                        EXIT()};
                const mbpf_insn p2[] = {LDX(sz, 0, 1, off < 0 ? 0 : off), LDDW(2, 0x1234),
                                        ATOMIC(sz, ops[i], 1, 2, off < 0 ? 0 : off),
                                        ALU64_REG(MBPF_XOR, 0, 2), EXIT()};
                const mbpf_insn p3[] = {HOG(), LDDW(2, 0xf0e1d2c3b4a59687ull),
                                        LDDW(0, 0x8877665544332211ull),
                                        ATOMIC(sz, ops[i], 1, 2, off), ALU64_REG(MBPF_XOR, 0, 2),
                                        EXIT()};
                /* on the stack through r10 */
                const mbpf_insn p4[] = {ST(MBPF_DW, 10, -8, 99), MOV64_IMM(0, 99), MOV64_IMM(2, 5),
                                        ATOMIC(sz, ops[i], 10, 2, -8), LDX(MBPF_DW, 3, 10, -8),
                                        ALU64_REG(MBPF_ADD, 0, 3), ALU64_REG(MBPF_ADD, 0, 2),
                                        EXIT()};
                /* base with an unknown upper half (64-bit add), valid or not */
                const mbpf_insn p5[] = {MOV64_REG(3, 1), ALU64_IMM(MBPF_ADD, 3, 0),
                                        MOV64_IMM(2, 7), MOV64_IMM(0, 0x44332211),
                                        ATOMIC(sz, ops[i], 3, 2, off), ALU64_REG(MBPF_ADD, 0, 2),
                                        EXIT()};
                const mbpf_insn p6[] = {LDDW(3, ~0xffull), MOV64_IMM(2, 7),
                                        ATOMIC(sz, ops[i], 3, 2, 0), EXIT()};
                bool ok = jit_same_opts(p1, 7, &o, NULL) && jit_same_opts(p2, 6, &o, NULL) &&
                          jit_same_opts(p3, 18, &o, NULL) && jit_same_opts(p4, 8, &o, NULL) &&
                          jit_same_opts(p5, 7, &o, NULL) && jit_same_opts(p6, 5, &o, NULL);
                if (!ok) {
                    print_error("atomic %#x dw %u off %d\n", ops[i], dw, off);
                    fails++;
                }
            }
    assert_int_equal(fails, 0);
}

static void local_calls(void **state)
{
    (void)state;
    /* r6-r9 preserved, r10 moves, callee's r0 returned, frames isolated */
    const mbpf_insn p[] = {
        MOV64_IMM(6, 6), MOV64_IMM(7, 7), MOV64_IMM(8, 8), LDDW(9, 0x900000009ull),
        ST(MBPF_DW, 10, -8, 1234), MOV64_IMM(1, 5), CALL_LOCAL(7),
        ALU64_REG(MBPF_ADD, 0, 6), ALU64_REG(MBPF_ADD, 0, 7), ALU64_REG(MBPF_ADD, 0, 8),
        ALU64_REG(MBPF_ADD, 0, 9), LDX(MBPF_DW, 1, 10, -8), ALU64_REG(MBPF_ADD, 0, 1), EXIT(),
        /* callee (pc 15): clobbers r6-r9 and its own frame, recursion-free */
        MOV64_IMM(6, 100), MOV64_IMM(7, 100), MOV64_IMM(8, 100), MOV64_IMM(9, 100),
        ST(MBPF_DW, 10, -8, 77), LDX(MBPF_DW, 0, 10, -8), ALU64_REG(MBPF_MUL, 0, 1), EXIT(),
    };
    assert_true(jit_same(p, sizeof p / sizeof p[0]));
    /* depth: a chain of calls deeper than max_depth */
    const mbpf_insn chain[] = {MOV64_IMM(0, 1), CALL_LOCAL(1), EXIT(),
                               ALU64_IMM(MBPF_ADD, 0, 1), CALL_LOCAL(1), EXIT(),
                               ALU64_IMM(MBPF_ADD, 0, 1), CALL_LOCAL(1), EXIT(),
                               ALU64_IMM(MBPF_ADD, 0, 1), EXIT()};
    for (uint8_t depth = 1; depth <= 5; depth++) {
        mbpf_config cfg;
        mbpf_config_default(&cfg);
        cfg.max_depth = depth;
        jit_opts o = {.cfg = &cfg};
        assert_true(jit_same_opts(chain, sizeof chain / sizeof chain[0], &o, NULL));
        for (uint64_t b = 0; b < 4; b++) {
            cfg.budget = b;
            assert_true(jit_same_opts(chain, sizeof chain / sizeof chain[0], &o, NULL));
        }
    }
    /* spilled r6-r9 across a call */
    const mbpf_insn q[] = {
        MOV64_IMM(0, 0), MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3), MOV64_IMM(4, 4),
        MOV64_IMM(5, 5), ALU64_REG(MBPF_ADD, 1, 2), ALU64_REG(MBPF_ADD, 2, 3),
        ALU64_REG(MBPF_ADD, 3, 4), ALU64_REG(MBPF_ADD, 4, 5), ALU64_REG(MBPF_ADD, 5, 1),
        ALU64_REG(MBPF_ADD, 1, 2), ALU64_REG(MBPF_ADD, 2, 3), ALU64_REG(MBPF_ADD, 3, 4),
        LDDW(6, 0x6666666666ull), LDDW(9, 0x9999999999ull), CALL_LOCAL(3),
        ALU64_REG(MBPF_ADD, 0, 6), ALU64_REG(MBPF_ADD, 0, 9), EXIT(),
        LDDW(6, 1), LDDW(9, 2), MOV64_REG(0, 1), ALU64_REG(MBPF_ADD, 0, 5), EXIT(),
    };
    assert_true(jit_same(q, sizeof q / sizeof q[0]));
}

static void helpers(void **state)
{
    (void)state;
    mbpf_helper storage[32];
    mbpf_helpers set;
    mbpf_helpers_init(&set, storage, 32);
    assert_int_equal(host_register_test_helpers(&set), MBPF_OK);
    uint8_t buf[32] = "hello, world";
    jit_opts o = {.helpers = &set, .ctx = buf, .ctx_len = sizeof buf};
    const mbpf_insn p1[] = {LDDW(1, 0x1122334455667788ull), MOV64_IMM(3, 3), MOV64_IMM(4, 4),
                            MOV64_IMM(5, 5), CALL_HELPER(HOST_HELPER_IDENTITY),
                            ALU64_REG(MBPF_ADD, 0, 3), ALU64_REG(MBPF_ADD, 0, 4),
                            ALU64_REG(MBPF_ADD, 0, 5), ALU64_REG(MBPF_XOR, 0, 1), EXIT()};
    assert_true(jit_same_opts(p1, 11, &o, NULL));
    const mbpf_insn p2[] = {MOV64_IMM(2, 12), CALL_HELPER(HOST_HELPER_SUM_BYTES), EXIT()};
    assert_true(jit_same_opts(p2, 3, &o, NULL));
    const mbpf_insn p3[] = {MOV64_IMM(2, 40), CALL_HELPER(HOST_HELPER_SUM_BYTES), EXIT()};
    assert_true(jit_same_opts(p3, 3, &o, NULL));
    const mbpf_insn p4[] = {MOV64_IMM(2, 8), MOV64_IMM(3, 0x41), CALL_HELPER(HOST_HELPER_FILL),
                            LDX(MBPF_DW, 0, 1, 0), EXIT()};
    assert_true(jit_same_opts(p4, 5, &o, NULL));
    const mbpf_insn p5[] = {CALL_HELPER(HOST_HELPER_STRLEN), EXIT()};
    assert_true(jit_same_opts(p5, 2, &o, NULL));
    const mbpf_insn p6[] = {MOV64_IMM(0, 5), CALL_HELPER(HOST_HELPER_FAIL), EXIT()};
    assert_true(jit_same_opts(p6, 3, &o, NULL));
    const mbpf_insn p7[] = {MOV64_REG(1, 10), ALU64_IMM(MBPF_ADD, 1, -16), ST(MBPF_DW, 10, -16, 42),
                            CALL_HELPER(HOST_HELPER_LOAD_U64), EXIT()};
    assert_true(jit_same_opts(p7, 5, &o, NULL));
    const mbpf_insn p8[] = {MOV64_IMM(1, 0), MOV64_IMM(2, 5), CALL_HELPER(HOST_HELPER_SUM_OR_NULL),
                            EXIT()};
    assert_true(jit_same_opts(p8, 4, &o, NULL));
    /* pointer arguments with the upper half set fail with the interpreter's address */
    const mbpf_insn p9[] = {LDDW(3, 0x100000000ull), ALU64_REG(MBPF_ADD, 1, 3), MOV64_IMM(2, 4),
                            CALL_HELPER(HOST_HELPER_SUM_BYTES), EXIT()};
    mbpf_result r9;
    assert_true(jit_same_opts(p9, 6, &o, &r9));
    assert_int_equal(r9.status, MBPF_E_MEM);
    const mbpf_insn p10[] = {LDDW(3, 0x100000000ull), ALU64_REG(MBPF_ADD, 1, 3),
                             CALL_HELPER(HOST_HELPER_STRLEN), EXIT()};
    assert_true(jit_same_opts(p10, 5, &o, &r9));
    assert_int_equal(r9.status, MBPF_E_MEM);
    /* callx: good id, unknown id */
    const mbpf_insn x1[] = {MOV64_IMM(6, HOST_HELPER_IDENTITY), MOV64_IMM(1, 9), CALLX(6), EXIT()};
    assert_true(jit_same_opts(x1, 4, &o, NULL));
    const mbpf_insn x2[] = {MOV64_IMM(6, 999), MOV64_IMM(1, 9), CALLX(6), EXIT()};
    mbpf_result r;
    assert_true(jit_same_opts(x2, 4, &o, &r));
    assert_int_equal(r.status, MBPF_E_BAD_HELPER);
}

/* Two extra regions reached through pointers a helper returns: the inline
 * region cache must follow the last region per need, never let a store into
 * the read-only one, and stop exactly at the region ends. */
/* not adjacent (jit_low_once: below 4 GiB) */
typedef struct two_bufs {
    uint8_t ro[64], gap[64], rw[64];
} two_bufs;
static two_bufs *low_bufs(void)
{
    static void *b;
    return jit_low_once(&b, sizeof(two_bufs));
}
#define buf_ro (low_bufs()->ro)
#define buf_rw (low_bufs()->rw)

static uint64_t get_buf(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                        mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5, (void)env;
    return (uint64_t)(uintptr_t)(a1 ? buf_rw : buf_ro);
}

/* Helper 101: withdraws buf_ro (a1 = 0) or buf_rw: the region caches the
 * code keeps must not let a later access through. */
static uint64_t withdraw(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                         mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    return (uint64_t)mbpf_vm_remove_region(env->vm, a1 ? buf_rw : buf_ro);
}

static bool run_regions(const mbpf_insn *p, uint32_t n)
{
    mbpf_helper storage[4];
    mbpf_helpers set;
    mbpf_helpers_init(&set, storage, 4);
    mbpf_helper def = {.id = 100, .fn = get_buf, .name = "get_buf"};
    assert_int_equal(mbpf_helpers_add(&set, &def), MBPF_OK);
    mbpf_helper def2 = {.id = 101, .fn = withdraw, .name = "withdraw"};
    assert_int_equal(mbpf_helpers_add(&set, &def2), MBPF_OK);
    mbpf_result ri, rj;
    uint8_t rw_i[64];
    for (unsigned pass = 0; pass < 2; pass++) {
        tvm t;
        tvm_open(&t, NULL);
        mbpf_vm_set_helpers(&t.vm, &set, NULL, 0);
        assert_int_equal(mbpf_vm_add_region(&t.vm, buf_ro, sizeof buf_ro, MBPF_MEM_READ), MBPF_OK);
        assert_int_equal(mbpf_vm_add_region(&t.vm, buf_rw, sizeof buf_rw, MBPF_MEM_RW), MBPF_OK);
        tvm_load(&t, p, n);
        for (unsigned i = 0; i < 64; i++) {
            buf_ro[i] = (uint8_t)(i * 7 + 1);
            buf_rw[i] = (uint8_t)(i ^ 0x55);
        }
        memset(t.vm.stack, 0, (size_t)t.cfg.max_depth * t.cfg.stack_size);
        if (pass == 0) {
            mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &ri);
            memcpy(rw_i, buf_rw, 64);
        } else {
            size_t len = 0;
            uint32_t offs[64];
            mbpf_jit_error jerr;
            assert_int_equal(mbpf_jit_compile(&t.vm, NULL, 0, &len, offs, &jerr), MBPF_E_NOSPACE);
            uint32_t *code = malloc(len);
            assert_int_equal(mbpf_jit_compile(&t.vm, code, len, &len, offs, &jerr), MBPF_OK);
            jit_uc *h = jit_uc_open();
            jit_uc_stats stats;
            assert_int_equal(jit_uc_run(h, &t.vm, code, len, NULL, 0, 0, NULL, &rj, &stats),
                             JIT_UC_OK);
            /* 2 helper calls, then the slow check only when the region changes
             * and for the last 7 bytes of a region (the cache keeps len - 7) */
            if (stats.tramp > 24)
                print_error("%llu trampoline calls: region cache not used\n",
                            (unsigned long long)stats.tramp);
            assert_true(stats.tramp <= 24);
            jit_uc_close(h);
            free(code);
        }
        tvm_close(&t);
    }
    bool ok = jit_results_equal(&ri, &rj) && !memcmp(rw_i, buf_rw, 64);
    if (!ok) {
        jit_print_result("interp", &ri);
        jit_print_result("jit   ", &rj);
    }
    return ok;
}

static void region_cache(void **state)
{
    (void)state;
    for (int32_t count = 56; count <= 66; count++) {
        /* copy count bytes ro -> rw with word loads every 4th step */
        const mbpf_insn copy[] = {
            MOV64_IMM(1, 0), CALL_HELPER(100), MOV64_REG(6, 0), MOV64_IMM(1, 1),
            CALL_HELPER(100), MOV64_REG(7, 0), MOV64_IMM(8, 0), MOV64_IMM(9, 0),
            /* loop (pc 8) */
            LDX(MBPF_B, 2, 6, 0), STX(MBPF_B, 7, 2, 0), ALU64_REG(MBPF_ADD, 9, 2),
            ALU64_IMM(MBPF_ADD, 6, 1), ALU64_IMM(MBPF_ADD, 7, 1), ALU64_IMM(MBPF_ADD, 8, 1),
            JMP_IMM(MBPF_JLT, 8, count, -7), MOV64_REG(0, 9), EXIT()};
        assert_true(run_regions(copy, sizeof copy / sizeof copy[0]));
        /* word loads walking off the end, then a store into the read-only one */
        const mbpf_insn walk[] = {
            MOV64_IMM(1, 0), CALL_HELPER(100), MOV64_REG(6, 0), MOV64_IMM(8, 0), MOV64_IMM(9, 0),
            LDX(MBPF_W, 2, 6, 0), ALU64_REG(MBPF_ADD, 9, 2), ALU64_IMM(MBPF_ADD, 6, 1),
            ALU64_IMM(MBPF_ADD, 8, 1), JMP_IMM(MBPF_JLT, 8, count, -5),
            ST(MBPF_B, 6, -1, 9), MOV64_REG(0, 9), EXIT()};
        assert_true(run_regions(walk, sizeof walk / sizeof walk[0]));
    }
    /* a region read (so cached), withdrawn by a helper, read again: the
     * second load fails as in the interpreter; the same for a store */
    const mbpf_insn reread[] = {
        MOV64_IMM(1, 0), CALL_HELPER(100), MOV64_REG(6, 0), LDX(MBPF_B, 2, 6, 0),
        MOV64_IMM(1, 0), CALL_HELPER(101), LDX(MBPF_B, 3, 6, 1), MOV64_REG(0, 3), EXIT()};
    assert_true(run_regions(reread, sizeof reread / sizeof reread[0]));
    const mbpf_insn rewrite[] = {
        MOV64_IMM(1, 1), CALL_HELPER(100), MOV64_REG(6, 0), ST(MBPF_B, 6, 0, 7),
        MOV64_IMM(1, 1), CALL_HELPER(101), ST(MBPF_B, 6, 1, 8), MOV64_IMM(0, 0), EXIT()};
    assert_true(run_regions(rewrite, sizeof rewrite / sizeof rewrite[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(smoke),       cmocka_unit_test(alu64_ops),
        cmocka_unit_test(alu32_ops),   cmocka_unit_test(unary_ops),
        cmocka_unit_test(shifts_by_register), cmocka_unit_test(mov32_pairs), cmocka_unit_test(and_add_pairs), cmocka_unit_test(shift_mask_triples),
        cmocka_unit_test(jumps),
        cmocka_unit_test(loops_and_budget), cmocka_unit_test(memory),
        cmocka_unit_test(atomics),     cmocka_unit_test(local_calls),
        cmocka_unit_test(helpers),     cmocka_unit_test(region_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
