/* Split halves: the low half of a 64-bit eBPF register in an ARM register
 * and its high half in a frame slot (jit_regs.c chooses each half alone).
 * Every program here first checks, with the compiler's own choice
 * (jit_alloc_regs), that the registers under test really are split, then
 * runs it on the interpreter and through the JIT under Unicorn. (The other
 * split, high half in a register and low half in a slot, is never chosen: a
 * low half weighs at least as much as its high half.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"
#include "host_vm.h"
#include "jit/armv7m/jit_internal.h"
#include "jit_choice.h"

typedef struct alu_case {
    uint8_t op;
    uint8_t is_signed;
    uint64_t a, b, expect;
} alu_case;
#include "alu_cases.h"

/* 64-bit uses of r6-r9 (both halves) ... */
#define HOG()                                                                            \
    MOV64_IMM(6, 1), MOV64_REG(7, 6), MOV64_REG(8, 7), MOV64_REG(9, 8), ALU64_REG(MBPF_ADD, 6, 7), \
        ALU64_REG(MBPF_ADD, 7, 8), ALU64_REG(MBPF_ADD, 8, 9), ALU64_REG(MBPF_ADD, 9, 6),     \
        ALU64_REG(MBPF_ADD, 6, 9), ALU64_REG(MBPF_ADD, 7, 9), ALU64_REG(MBPF_ADD, 8, 6)
/* ... and low-half-only uses of r (32-bit jumps to the next instruction):
 * the low halves of r0-r2 take registers, their high halves and some of
 * r6-r9's go to slots. */
#define LO(r)                                                                            \
    JMP32_IMM(MBPF_JEQ, r, 7, 0), JMP32_IMM(MBPF_JNE, r, 7, 0), JMP32_IMM(MBPF_JGT, r, 7, 0), \
        JMP32_IMM(MBPF_JLT, r, 7, 0), JMP32_IMM(MBPF_JEQ, r, 9, 0), JMP32_IMM(MBPF_JNE, r, 9, 0), \
        JMP32_IMM(MBPF_JGT, r, 9, 0), JMP32_IMM(MBPF_JLT, r, 9, 0), JMP32_IMM(MBPF_JSGT, r, 9, 0), \
        JMP32_IMM(MBPF_JSLT, r, 9, 0)
#define SPLIT() HOG(), LO(0), LO(1), LO(2)
#define NSPLIT 41u

static void choice(const mbpf_insn *p, uint32_t n, jit *j) { jit_test_choice(p, n, j); }

/* Register r's halves are split (low in a register, high in a slot). */
static bool split(const jit *j, unsigned r)
{
    return j->lo[r] != JIT_NOREG && j->hi[r] == JIT_NOREG && !((j->zhi >> r) & 1u);
}

/* p (n slots) with r0..r2 split, then the same result as the interpreter. */
static bool check(const mbpf_insn *p, uint32_t n, const jit_opts *o, uint16_t must_split)
{
    jit j;
    choice(p, n, &j);
    for (unsigned r = 0; r <= 9; r++)
        if (((must_split >> r) & 1u) && !split(&j, r)) {
            print_error("r%u not split (lo %u hi %u)\n", r, j.lo[r], j.hi[r]);
            return false;
        }
    jit_opts none = {0};
    return jit_same_opts(p, n, o ? o : &none, NULL);
}

#define CHECK(mask, ...) check(PROG(__VA_ARGS__), PROG_LEN(__VA_ARGS__), NULL, mask)

static void alu_table(const alu_case *cases, size_t count, bool is64)
{
    unsigned cls = is64 ? MBPF_ALU64 : MBPF_ALU, fails = 0;
    for (size_t i = 0; i < count; i++) {
        const alu_case *c = &cases[i];
        uint64_t a = c->a | 0x5a5a5a5a00000000ull, b = c->b | 0xa5a5a5a500000000ull;
        mbpf_insn x = INSN(cls | MBPF_X | c->op, 1, 2, c->is_signed, 0);
        mbpf_insn xx = INSN(cls | MBPF_X | c->op, 1, 1, c->is_signed, 0);
        mbpf_insn k = INSN(cls | MBPF_K | c->op, 1, 0, c->is_signed, (int32_t)(uint32_t)c->b);
        bool ok = CHECK(0x7u, SPLIT(), LDDW(1, a), LDDW(2, b), x, MOV64_REG(0, 1), EXIT()) &&
                  CHECK(0x7u, SPLIT(), LDDW(1, a), LDDW(2, b), xx, MOV64_REG(0, 1), EXIT()) &&
                  CHECK(0x7u, SPLIT(), LDDW(1, a), LDDW(2, b), k, MOV64_REG(0, 1), EXIT()) &&
                  CHECK(0x7u, SPLIT(), LDDW(1, a), LDDW(2, b), x, MOV64_REG(0, 2),
                        ALU64_REG(MBPF_XOR, 0, 1), EXIT());
        if (!ok) {
            print_error("%s op 0x%x a=%#llx b=%#llx\n", is64 ? "alu64" : "alu32", c->op,
                        (unsigned long long)a, (unsigned long long)b);
            fails++;
        }
    }
    assert_int_equal(fails, 0);
}

static void alu64_split(void **state)
{
    (void)state;
    alu_table(alu64_cases, sizeof alu64_cases / sizeof alu64_cases[0], true);
}

static void alu32_split(void **state)
{
    (void)state;
    alu_table(alu32_cases, sizeof alu32_cases / sizeof alu32_cases[0], false);
}

static const uint64_t vals[] = {0, 1, 0x7f, 0x80, 0xffffffffull, 0x80000000ull,
                                0x100000000ull, 0xffffffff00000000ull, 0x8000000000000000ull,
                                0xffffffffffffffffull, 0x123456789abcdef0ull};
#define NVALS (sizeof vals / sizeof vals[0])

static void unary_and_shifts(void **state)
{
    (void)state;
    unsigned fails = 0;
    const mbpf_insn ops[] = {
        NEG64(1), NEG32(1), LE(1, 16), LE(1, 32), LE(1, 64), BE(1, 16), BE(1, 32), BE(1, 64),
        BSWAP(1, 64), MOVSX64(1, 2, 8), MOVSX64(1, 2, 32), MOVSX32(1, 2, 16), MOV32_REG(1, 2),
        MOV64_REG(1, 2), ALU64_REG(MBPF_LSH, 1, 2), ALU64_REG(MBPF_RSH, 1, 2),
        ALU64_REG(MBPF_ARSH, 1, 2), ALU64_IMM(MBPF_LSH, 1, 33), ALU64_IMM(MBPF_ARSH, 1, 5),
        ALU64_IMM(MBPF_RSH, 1, 32), ALU64_IMM(MBPF_ADD, 1, -3), ALU64_IMM(MBPF_XOR, 1, -1),
        INSN(MBPF_ALU64 | MBPF_X | MBPF_DIV, 1, 2, 0, 0), INSN(MBPF_ALU64 | MBPF_X | MBPF_MOD, 1, 2, 1, 0),
    };
    for (size_t i = 0; i < NVALS; i++)
        for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
            uint64_t b = vals[(i + 3) % NVALS] | 0x300000000ull;
            if (!CHECK(0x7u, SPLIT(), LDDW(1, vals[i] | 0x100000000ull), LDDW(2, b), ops[k],
                       MOV64_REG(0, 1), EXIT())) {
                print_error("op %#x imm %d on %#llx\n", ops[k].code, ops[k].imm,
                            (unsigned long long)vals[i]);
                fails++;
            }
        }
    assert_int_equal(fails, 0);
}

static void jumps_split(void **state)
{
    (void)state;
    static const unsigned ops[] = {MBPF_JEQ, MBPF_JNE, MBPF_JGT, MBPF_JGE, MBPF_JLT, MBPF_JLE,
                                   MBPF_JSGT, MBPF_JSGE, MBPF_JSLT, MBPF_JSLE, MBPF_JSET};
    unsigned fails = 0;
    for (size_t i = 0; i < NVALS; i++)
        for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
            uint64_t a = vals[i] ^ 0x500000000ull, b = vals[(i + 5) % NVALS] ^ 0x500000000ull;
            bool ok = CHECK(0x6u, SPLIT(), LDDW(1, a), LDDW(2, b), MOV64_IMM(0, 1),
                            JMP_REG(ops[o], 1, 2, 1), MOV64_IMM(0, 2), EXIT()) &&
                      CHECK(0x6u, SPLIT(), LDDW(1, a), LDDW(2, b), MOV64_IMM(0, 1),
                            JMP_IMM(ops[o], 1, -2, 1), MOV64_IMM(0, 2), EXIT());
            if (!ok) {
                print_error("jump op %#x a %#llx b %#llx\n", ops[o], (unsigned long long)a,
                            (unsigned long long)b);
                fails++;
            }
        }
    assert_int_equal(fails, 0);
}

static void memory_split(void **state)
{
    (void)state;
    uint8_t buf[32];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(0x91 + 37 * i);
    jit_opts o = {.ctx = buf, .ctx_len = sizeof buf};
    /* r1 (ctx, the base: its high word read by the checks) and r2 split */
    const mbpf_insn p1[] = {SPLIT(), LDDW(3, 0), ALU64_REG(MBPF_ADD, 1, 3),
                            LDX(MBPF_DW, 2, 1, 8), LDXSX(MBPF_W, 0, 1, 4),
                            ALU64_REG(MBPF_ADD, 0, 2), STX(MBPF_DW, 1, 2, 16),
                            LDX(MBPF_B, 2, 1, 3), ALU64_REG(MBPF_XOR, 0, 2), EXIT()};
    assert_true(check(p1, NSPLIT + 10, &o, 0x7u));
    /* a base whose high word is not 0: the interpreter's fault */
    const mbpf_insn p2[] = {SPLIT(), LDDW(2, 0x100000000ull), ALU64_REG(MBPF_ADD, 1, 2),
                            LDX(MBPF_W, 0, 1, 0), EXIT()};
    assert_true(check(p2, NSPLIT + 5, &o, 0x6u));
    /* atomics: 64-bit fetch into split r2, cmpxchg with split r0 */
    static const int32_t ops[] = {MBPF_ADD | MBPF_FETCH, MBPF_XCHG, MBPF_CMPXCHG, MBPF_AND};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        for (unsigned dw = 0; dw < 2; dw++) {
            unsigned sz = dw ? MBPF_DW : MBPF_W;
            const mbpf_insn p3[] = {SPLIT(), LDDW(2, 0xf0e1d2c3b4a59687ull), LDDW(3, 0),
                                    ALU64_REG(MBPF_ADD, 1, 3), LDX(MBPF_DW, 0, 1, 8),
                                    ATOMIC(sz, ops[i], 1, 2, 8), ALU64_REG(MBPF_XOR, 0, 2),
                                    EXIT()};
            assert_true(check(p3, NSPLIT + 9, &o, 0x7u));
        }
}

static void calls_split(void **state)
{
    (void)state;
    mbpf_helper storage[32];
    mbpf_helpers set;
    mbpf_helpers_init(&set, storage, 32);
    assert_int_equal(host_register_test_helpers(&set), MBPF_OK);
    jit_opts o = {.helpers = &set};
    /* helper arguments and result with split halves */
    const mbpf_insn p1[] = {SPLIT(), LDDW(1, 0x1122334455667788ull), LDDW(2, 0x99aabbcc00000001ull),
                            CALL_HELPER(HOST_HELPER_IDENTITY), ALU64_REG(MBPF_ADD, 0, 2),
                            ALU64_REG(MBPF_XOR, 0, 1), EXIT()};
    assert_true(check(p1, NSPLIT + 8, &o, 0x7u));
    /* local call: r6-r9 (some of their high halves in slots) saved and restored */
    const mbpf_insn p2[] = {SPLIT(), LDDW(6, 0x600000006ull), LDDW(9, 0x900000009ull),
                            CALL_LOCAL(5), ALU64_REG(MBPF_ADD, 0, 6), ALU64_REG(MBPF_ADD, 0, 7),
                            ALU64_REG(MBPF_ADD, 0, 8), ALU64_REG(MBPF_ADD, 0, 9), EXIT(),
                            LDDW(6, 0x1234567800000000ull), MOV64_REG(7, 6), MOV64_REG(8, 6),
                            MOV64_REG(9, 6), LDDW(0, 0x100000001ull), EXIT()};
    jit j;
    choice(p2, sizeof p2 / sizeof p2[0], &j);
    unsigned split69 = 0;
    for (unsigned r = 6; r <= 9; r++)
        split69 += split(&j, r);
    assert_true(split69 > 0);
    assert_true(check(p2, sizeof p2 / sizeof p2[0], NULL, 0x1u));
}

/* A byte sum over ctx whose pointer r1 (stepped by a 64-bit add) keeps its
 * low half in a register and its high half in a slot: only the guard and
 * the checked copy read it. Counts that the guard proves (fast copy), that
 * run past ctx (checked copy, fault), 0 (2^32 iterations: budget). */
static void loop_split(void **state)
{
    (void)state;
    uint8_t buf[32];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(7 + 13 * i);
    jit_opts o = {.ctx = buf, .ctx_len = sizeof buf};
    static const int32_t counts[] = {1, 2, 31, 32, 33, 0};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        const mbpf_insn p[] = {
            HOG(), MOV64_REG(2, 1), MOV32_IMM(3, 0), MOV32_IMM(6, counts[c]), MOV64_REG(0, 6),
            ALU64_REG(MBPF_ADD, 0, 7), ALU64_REG(MBPF_ADD, 0, 8),
            LDX(MBPF_B, 4, 1, 0), ALU32_REG(MBPF_ADD, 3, 4), ALU64_IMM(MBPF_ADD, 1, 1),
            ALU32_IMM(MBPF_ADD, 6, -1), JMP32_IMM(MBPF_JNE, 6, 0, -5),
            ALU64_REG(MBPF_ADD, 0, 3), ALU64_REG(MBPF_SUB, 1, 2), ALU64_REG(MBPF_ADD, 0, 1),
            EXIT()};
        uint32_t n = sizeof p / sizeof p[0];
        jit j;
        choice(p, n, &j);
        assert_int_equal(j.nloops, 1);
        assert_true(split(&j, 1));
        assert_true(check(p, n, &o, 0x2u));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alu64_split),      cmocka_unit_test(alu32_split),
        cmocka_unit_test(unary_and_shifts), cmocka_unit_test(jumps_split),
        cmocka_unit_test(memory_split),     cmocka_unit_test(calls_split),
        cmocka_unit_test(loop_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
