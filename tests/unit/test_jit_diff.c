/* Differential test: random valid programs (tools/lib/progen.h) run on the
 * interpreter and through the JIT under Unicorn must agree on r0, status, pc,
 * fault address and size, helper id, budget used, and the final ctx and stack
 * bytes (tools/lib/jit_diff.h).
 *
 * MBPF_DIFF_SEED (a number, or "random") and MBPF_DIFF_COUNT override the
 * fixed default seed and count. Replay one program with
 * `mbpf fuzz --seed S --index I --print`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "jit_diff.h"
#include "mbpf_asm.h"
#include "progen.h"

#define DEFAULT_SEED 0x6d627066u /* "mbpf" */
#define DEFAULT_COUNT 3000u
#define MAX_REPORTED 5

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return dflt;
    if (strcmp(s, "random") == 0)
        return (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (*end) {
        fprintf(stderr, "%s: not a number: '%s' (using %llu)\n", name, s,
                (unsigned long long)dflt);
        return dflt;
    }
    return v;
}

static void report_mismatch(const progen_program *p, const jit_diff_report *r)
{
    fprintf(stderr, "\n*** jit_diff: seed %llu program %u: %s\n", (unsigned long long)p->seed,
            p->index, r->why);
    fprintf(stderr, "    replay: mbpf fuzz --seed %llu --index %u --print\n",
            (unsigned long long)p->seed, p->index);
    jit_diff_print_result(stderr, "    interp", &r->interp);
    jit_diff_print_result(stderr, "    jit   ", &r->jit);
    jit_diff_print_program(stderr, p);
}

static void random_programs(void **state)
{
    (void)state;
    uint64_t seed = env_u64("MBPF_DIFF_SEED", DEFAULT_SEED);
    uint32_t count = (uint32_t)env_u64("MBPF_DIFF_COUNT", DEFAULT_COUNT);
    printf("jit_diff: seed %llu, %u programs (MBPF_DIFF_SEED / MBPF_DIFF_COUNT override)\n",
           (unsigned long long)seed, count);
    fflush(stdout);

    jit_diff *d = jit_diff_open();
    assert_non_null(d);
    static progen_program p;
    jit_diff_report r;
    uint32_t bad = 0, by_status[16] = {0};
    uint64_t arm = 0, slots = 0, code = 0;
    for (uint32_t i = 0; i < count; i++) {
        progen_generate(seed, i, &p);
        int v = jit_diff_program(d, &p, &r);
        if (v != JIT_DIFF_SAME) {
            if (bad < MAX_REPORTED)
                report_mismatch(&p, &r);
            bad++;
            continue;
        }
        int32_t st = -r.interp.status;
        by_status[st >= 0 && st < 16 ? st : 15]++;
        arm += r.arm_insns;
        slots += p.n;
        code += r.code_len;
    }
    jit_diff_close(d);
    printf("jit_diff: %u of %u differ; %llu eBPF slots -> %llu code bytes (%.2f B/insn), "
           "%llu ARM insns executed\n",
           bad, count, (unsigned long long)slots, (unsigned long long)code,
           slots ? (double)code / (double)slots : 0.0, (unsigned long long)arm);
    printf("jit_diff: outcomes (agreeing runs): ok %u, mem %u, budget %u, helper %u, "
           "bad helper %u, depth %u\n",
           by_status[0], by_status[-MBPF_E_MEM], by_status[-MBPF_E_BUDGET],
           by_status[-MBPF_E_HELPER], by_status[-MBPF_E_BAD_HELPER], by_status[-MBPF_E_DEPTH]);
    if (bad)
        fail_msg("%u of %u programs differ between interpreter and JIT (seed %llu)", bad,
                 count, (unsigned long long)seed);
}

/* ---- Hand-written programs: edge cases and minimal reproducers ---------- */

typedef struct regression {
    const char *name;
    const char *text;   /* conformance-syntax assembly */
    uint32_t ctx_len;   /* ctx = bytes 0, 1, 2, ... */
    uint64_t budget;
    uint8_t depth;
} regression;

static const regression regressions[] = {
    {"div and mod edge cases, 32 and 64 bit",
     "lddw %r1, 0x8000000000000000\n mov %r2, -1\n mov %r3, %r1\n sdiv %r3, %r2\n"
     "mov %r4, %r1\n smod %r4, %r2\n mov32 %r5, 0x80000000\n sdiv32 %r5, -1\n"
     "mov %r6, 7\n div %r6, 0\n mov %r7, 7\n mod32 %r7, 0\n mov %r0, %r3\n xor %r0, %r4\n"
     "xor %r0, %r5\n xor %r0, %r6\n xor %r0, %r7\n exit\n",
     16, 100, 8},
    {"unaligned 64-bit loads and stores in ctx",
     "ldxdw %r0, [%r1+3]\n stxdw [%r1+9], %r0\n ldxdw %r2, [%r1+9]\n xor %r0, %r2\n exit\n",
     32, 100, 8},
    {"atomics 64-bit with fetch on the stack",
     "stdw [%r10-8], 5\n mov %r2, 3\n lock fetch add [%r10-8], %r2\n mov %r0, 9\n"
     "lock cmpxchg [%r10-8], %r2\n ldxdw %r3, [%r10-8]\n add %r0, %r3\n exit\n",
     8, 100, 8},
    {"store just past the ctx end faults, nothing written",
     "stw [%r1+6], 0x11223344\n mov %r0, 1\n exit\n", 8, 100, 8},
    {"budget exhausted in a loop",
     "mov %r0, 0\nl: add %r0, 1\n jlt %r0, 100, l\n exit\n", 8, 10, 8},
    {"local call depth exceeded",
     "call local f\n exit\nf: call local g\n exit\ng: mov %r0, 3\n exit\n", 8, 100, 2},
    {"callx to an unknown helper",
     "mov %r1, 3\n mov32 %r2, 0x4242\n call %r2\n exit\n", 8, 100, 8},
};

static void hand_written(void **state)
{
    (void)state;
    jit_diff *d = jit_diff_open();
    assert_non_null(d);
    int bad = 0;
    for (size_t k = 0; k < sizeof regressions / sizeof regressions[0]; k++) {
        const regression *t = &regressions[k];
        mbpf_insn *insns = NULL;
        uint32_t n = 0;
        mbpf_asm_error aerr;
        if (mbpf_assemble(t->text, &insns, &n, &aerr) != 0)
            fail_msg("%s: line %d: %s", t->name, aerr.line, aerr.msg);
        mbpf_config cfg;
        mbpf_config_default(&cfg);
        cfg.isa = 4;
        cfg.allow_callx = true;
        cfg.budget = t->budget;
        cfg.max_depth = t->depth;
        uint8_t ctx[256];
        for (unsigned i = 0; i < sizeof ctx; i++)
            ctx[i] = (uint8_t)i;
        jit_diff_report r;
        if (jit_diff_run(d, insns, n, &cfg, ctx, t->ctx_len, MBPF_MEM_RW, 0xa5, &r) !=
            JIT_DIFF_SAME) {
            fprintf(stderr, "*** %s: %s\n", t->name, r.why);
            jit_diff_print_result(stderr, "    interp", &r.interp);
            jit_diff_print_result(stderr, "    jit   ", &r.jit);
            mbpf_disasm(stderr, insns, n, MBPF_DISASM_PC);
            bad++;
        }
        free(insns);
    }
    jit_diff_close(d);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_written),
        cmocka_unit_test(random_programs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
