/* The JIT's slow memory check (mem_slow) decides accesses to the last bytes
 * of a cached region itself: the inline check covers addr - start < len - 7
 * only, so every access ending in the last 7 bytes lands in mem_slow, which
 * must allow it without calling out to C (counted by the Unicorn harness as
 * trampoline calls) and must refuse one byte past exactly as the
 * interpreter does (there the call out to C reports the fault). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "jit_check.h"

/* Runs p through the JIT under Unicorn on a copy of ctx0 and returns the
 * number of trampoline calls (every call out of the code: slow checks that
 * reach C, helpers). The result must equal the interpreter's (jit_same_opts
 * compares results, ctx and stack bytes first). */
static uint64_t callouts(const mbpf_insn *p, uint32_t n, const uint8_t *ctx0, uint32_t len,
                         uint32_t flags, mbpf_result *res)
{
    jit_opts o = {.ctx = ctx0, .ctx_len = len, .ctx_flags = flags};
    assert_true(jit_same_opts(p, n, &o, NULL));
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, p, n);
    size_t code_len = 0;
    uint32_t *offs = calloc(n + 1u, sizeof *offs);
    assert_non_null(offs);
    assert_int_equal(mbpf_jit_compile(&t.vm, NULL, 0, &code_len, offs, NULL), MBPF_E_NOSPACE);
    void *code = aligned_alloc(8, (code_len + 7) & ~(size_t)7);
    assert_non_null(code);
    assert_int_equal(mbpf_jit_compile(&t.vm, code, code_len, &code_len, offs, NULL), MBPF_OK);
    uint8_t *ctx = malloc(len);
    assert_non_null(ctx);
    memcpy(ctx, ctx0, len);
    static jit_uc *h;
    if (!h)
        h = jit_uc_open();
    assert_non_null(h);
    jit_uc_stats st = {0};
    assert_int_equal(jit_uc_run(h, &t.vm, code, code_len, ctx, len, flags, NULL, res, &st),
                     JIT_UC_OK);
    free(ctx);
    free(code);
    free(offs);
    tvm_close(&t);
    return st.tramp;
}

static const unsigned sizes[4] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
static const uint32_t bytes[4] = {1, 2, 4, 8};

/* Loads and stores of every size at every offset from len - 8 - size to one
 * past the end of ctx, which the runner put into the region caches (a first
 * access at offset 0 hits them): inside, the inline check or mem_slow's
 * own tail test decides without calling out; outside, one call (the fault). */
static void region_tail(void **state)
{
    (void)state;
    static const uint32_t lens[] = {8, 9, 15, 16, 23, 64};
    uint8_t ctx0[64];
    for (unsigned i = 0; i < sizeof ctx0; i++)
        ctx0[i] = (uint8_t)(0x11u * i + 3u);
    for (unsigned li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        uint32_t len = lens[li];
        for (unsigned k = 0; k < 4; k++) {
            if (bytes[k] > len)
                continue;
            for (int32_t off = (int32_t)(len - bytes[k]) - 8; off <= (int32_t)(len - bytes[k]) + 1;
                 off++) {
                if (off < 0)
                    continue;
                bool inside = off + bytes[k] <= len;
                const mbpf_insn ld[] = {LDX(MBPF_B, 0, 1, 0), LDX(sizes[k], 2, 1, (int16_t)off),
                                        ALU64_REG(MBPF_ADD, 0, 2), EXIT()};
                const mbpf_insn st[] = {LDX(MBPF_B, 0, 1, 0), ST(sizes[k], 1, (int16_t)off, -7),
                                        LDDW(2, 0x0102030405060708ull),
                                        STX(sizes[k], 1, 2, (int16_t)off), EXIT()};
                mbpf_result r;
                uint64_t c = callouts(ld, 4, ctx0, len, MBPF_MEM_RW, &r);
                assert_int_equal(r.status, inside ? MBPF_OK : MBPF_E_MEM);
                assert_int_equal(c, inside ? 0 : 1);
                c = callouts(st, 6, ctx0, len, MBPF_MEM_RW, &r);
                assert_int_equal(r.status, inside ? MBPF_OK : MBPF_E_MEM);
                /* the first store fails already when outside */
                assert_int_equal(c, inside ? 0 : 1);
                /* read-only region: the store always calls out and fails */
                c = callouts(st, 6, ctx0, len, MBPF_MEM_READ, &r);
                assert_int_equal(r.status, MBPF_E_MEM);
                assert_int_equal(c, 1);
            }
        }
    }
}

/* Atomics need both caches (one region with both flags): inside, no call
 * out; one past, the fault; read-only ctx, the fault. */
static void region_tail_atomics(void **state)
{
    (void)state;
    uint8_t ctx0[32] = {0};
    for (unsigned i = 0; i < sizeof ctx0; i++)
        ctx0[i] = (uint8_t)(7u * i);
    for (unsigned w = 0; w < 2; w++) {
        unsigned size = w ? MBPF_DW : MBPF_W;
        int32_t sz = w ? 8 : 4;
        for (int32_t off = 32 - sz - 9; off <= 32 - sz + 1; off++) {
            bool inside = off + sz <= 32;
            const mbpf_insn p[] = {LDX(MBPF_B, 0, 1, 0), MOV64_IMM(2, 0x55),
                                   ATOMIC(size, MBPF_ADD | MBPF_FETCH, 1, 2, (int16_t)off),
                                   MOV64_REG(0, 2), EXIT()};
            mbpf_result r;
            uint64_t c = callouts(p, 5, ctx0, 32, MBPF_MEM_RW, &r);
            assert_int_equal(r.status, inside ? MBPF_OK : MBPF_E_MEM);
            assert_int_equal(c, inside ? 0 : 1);
            c = callouts(p, 5, ctx0, 32, MBPF_MEM_READ, &r);
            assert_int_equal(r.status, MBPF_E_MEM);
            assert_int_equal(c, 1);
        }
    }
}

/* A region shorter than 8 bytes is never cached for the inline check
 * (lim 0): the answer comes from C, still the interpreter's. */
static void short_region(void **state)
{
    (void)state;
    uint8_t ctx0[7] = {1, 2, 3, 4, 5, 6, 7};
    for (uint32_t len = 1; len <= 7; len++)
        for (unsigned k = 0; k < 3; k++)
            for (int32_t off = 0; off <= (int32_t)len; off++) {
                const mbpf_insn p[] = {LDX(MBPF_B, 0, 1, 0), LDX(sizes[k], 2, 1, (int16_t)off),
                                       ALU64_REG(MBPF_ADD, 0, 2), EXIT()};
                mbpf_result r;
                callouts(p, 4, ctx0, len, MBPF_MEM_RW, &r);
                assert_int_equal(r.status, off + bytes[k] <= len ? MBPF_OK : MBPF_E_MEM);
            }
}

/* A stack array indexed by a register (r3 = r10 - 64 + index, a stack
 * pointer moved by a register): the inline test is the stack's (`ldr.w lr,
 * [sp, #F_SB]` in the code: the heuristic that keeps it for pointers moved
 * by registers), exact for every index: inside, at the last byte, one past
 * the stack's end, below its start (index - 600, through sub), and with a
 * non-zero high word (index + 2^32). Loads and stores, 1 and 4 bytes. */
static void stack_index(void **state)
{
    (void)state;
    static const int64_t idx[] = {0, 7, 60, 63, 64, 65, -600, 0x100000000ll + 8};
    uint8_t ctx0[8] = {0};
    for (unsigned k = 0; k < sizeof idx / sizeof idx[0]; k++)
        for (unsigned w = 0; w < 2; w++)
            for (unsigned st = 0; st < 2; st++) {
                unsigned size = w ? MBPF_W : MBPF_B;
                const mbpf_insn p[] = {
                    LDDW(2, (uint64_t)idx[k]),
                    MOV64_REG(3, 10),
                    ALU64_IMM(MBPF_ADD, 3, -64),
                    ALU64_REG(MBPF_ADD, 3, 2),
                    st ? STX(size, 3, 1, 0) : LDX(size, 0, 3, 0),
                    st ? LDX(MBPF_B, 0, 3, 0) : MOV64_IMM(4, 0),
                    EXIT(),
                };
                jit_opts o = {.ctx = ctx0, .ctx_len = sizeof ctx0};
                if (!jit_same_opts(p, 8, &o, NULL))
                    fail_msg("index %lld size %u store %u", (long long)idx[k], size, st);
                static uint8_t code[4096];
                uint32_t offs[9];
                size_t len = jit_compile_prog(p, 8, code, sizeof code, offs);
                assert_true(len > 0);
                bool stack_test = false;
                for (uint32_t at = offs[5]; at + 4 <= offs[6]; at += 2)
                    stack_test |= code[at] == 0xDD && code[at + 1] == 0xF8 &&
                                  code[at + 2] == 36 && code[at + 3] == 0xE0;
                assert_true(stack_test);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(region_tail),
        cmocka_unit_test(region_tail_atomics),
        cmocka_unit_test(short_region),
        cmocka_unit_test(stack_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
