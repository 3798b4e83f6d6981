/* Interpreter-vs-JIT comparison for the JIT unit tests.
 *
 * jit_same() loads a program once, runs it on the interpreter and then, on
 * the same VM with the same ctx buffer (contents restored) and a zeroed
 * stack, through the JIT under Unicorn; every result field, the ctx bytes
 * and the stack bytes must be equal. Include after prog.h.
 */
#ifndef MBPF_TEST_JIT_CHECK_H
#define MBPF_TEST_JIT_CHECK_H

#include <stdio.h>
#include <string.h>

#include "jit_uc.h"
#include "mbpf/jit.h"

typedef struct jit_opts {
    const mbpf_config *cfg;      /* NULL: defaults */
    const mbpf_helpers *helpers; /* NULL: none */
    const void *ctx;             /* initial ctx bytes (copied) */
    uint32_t ctx_len;
    uint32_t ctx_flags;          /* 0: MBPF_MEM_RW */
    void *user;
    bool quiet;
} jit_opts;

/* Test state that programs point at, allocated once below 4 GiB
 * (host_lowmem.c): mapped at its own address under Unicorn, where a
 * deopt's interpreter continues on it. Needs cmocka. */
static inline void *jit_low_once(void **slot, size_t len)
{
    if (!*slot)
        *slot = host_low_alloc(len);
    assert_non_null(*slot);
    return *slot;
}

static inline bool jit_results_equal(const mbpf_result *a, const mbpf_result *b)
{
    bool msg_eq = (a->msg == NULL) == (b->msg == NULL) && (!a->msg || !strcmp(a->msg, b->msg));
    return a->status == b->status && a->r0 == b->r0 && a->pc == b->pc && msg_eq &&
           a->fault_addr == b->fault_addr && a->fault_size == b->fault_size &&
           a->helper_id == b->helper_id && a->budget_used == b->budget_used;
}

static inline void jit_print_result(const char *who, const mbpf_result *r)
{
    print_message("  %s: status %d r0 %#llx pc %u msg '%s' fault %#llx/%u helper %u budget %llu\n",
                  who, (int)r->status, (unsigned long long)r->r0, (unsigned)r->pc,
                  r->msg ? r->msg : "(null)", (unsigned long long)r->fault_addr,
                  (unsigned)r->fault_size, (unsigned)r->helper_id,
                  (unsigned long long)r->budget_used);
}

/* Runs both; returns true when equal (prints the difference otherwise).
 * *out (optional) gets the interpreter's result. */
static inline bool jit_same_opts(const mbpf_insn *p, uint32_t n, const jit_opts *o,
                                 mbpf_result *out)
{
    tvm t;
    tvm_open(&t, o->cfg);
    mbpf_vm_set_helpers(&t.vm, o->helpers, NULL, 0);
    tvm_load(&t, p, n);
    uint32_t stack_bytes = (uint32_t)t.cfg.max_depth * t.cfg.stack_size;
    uint32_t len = o->ctx_len;
    /* ctx below 4 GiB like the VM's memory (prog.h): mapped at its own
     * address under Unicorn, where a deopt's interpreter finds it */
    uint8_t *ctx = len ? host_low_alloc(len) : NULL, *ctx_i = len ? malloc(len) : NULL;
    uint8_t *stack_i = malloc(stack_bytes);
    uint32_t flags = o->ctx_flags ? o->ctx_flags : MBPF_MEM_RW;
    if (len)
        memcpy(ctx, o->ctx, len);
    memset(t.vm.stack, 0, stack_bytes);
    mbpf_result ri, rj;
    mbpf_vm_run(&t.vm, ctx, len, flags, o->user, &ri);
    if (len)
        memcpy(ctx_i, ctx, len);
    memcpy(stack_i, t.vm.stack, stack_bytes);
    if (len)
        memcpy(ctx, o->ctx, len);
    memset(t.vm.stack, 0, stack_bytes);
    uint64_t insns = 0;
    int rc = jit_uc_run_program_flags(&t.vm, ctx, len, flags, o->user, &rj, &insns);
    bool ok = rc == JIT_UC_OK && jit_results_equal(&ri, &rj);
    if (ok && len && memcmp(ctx, ctx_i, len) != 0) {
        ok = false;
        print_message("  ctx contents differ\n");
    }
    if (ok && memcmp(stack_i, t.vm.stack, stack_bytes) != 0) {
        ok = false;
        print_message("  stack contents differ\n");
    }
    if (!ok && !o->quiet) {
        if (rc != JIT_UC_OK)
            print_message("  harness error %d\n", rc);
        jit_print_result("interp", &ri);
        jit_print_result("jit   ", &rj);
    }
    if (out)
        *out = ri;
    host_low_free(ctx, len);
    free(ctx_i);
    free(stack_i);
    tvm_close(&t);
    return ok;
}

/* jit_same_opts with ctx as the region (flags; 0: read-write), a budget (0:
 * the default), helpers (NULL: none); returns whether they agree and, in
 * *deopts (if given), how often the JIT run left for the interpreter. */
static inline bool jit_same_ctx(const mbpf_insn *p, uint32_t n, uint8_t *ctx, uint32_t ctx_len,
                                uint64_t budget, uint32_t flags, const mbpf_helpers *helpers,
                                mbpf_result *out, uint64_t *deopts)
{
    mbpf_config cfg;
    mbpf_config_default(&cfg);
    if (budget)
        cfg.budget = budget;
    jit_opts o = {.cfg = &cfg, .helpers = helpers, .ctx = ctx, .ctx_len = ctx_len,
                  .ctx_flags = flags};
    uint64_t before = jit_uc_program_deopts();
    bool same = jit_same_opts(p, n, &o, out);
    if (deopts)
        *deopts = jit_uc_program_deopts() - before;
    return same;
}

/* In a cmocka test: fails (both results printed) when they differ. */
#define JIT_ASSERT_SAME_RESULT(ri, rj)                                                   \
    do {                                                                                 \
        if (!jit_results_equal((ri), (rj))) {                                            \
            jit_print_result("interp", (ri));                                            \
            jit_print_result("jit   ", (rj));                                            \
            fail();                                                                      \
        }                                                                                \
    } while (0)

/* Compiles p into code (cap bytes) with its offset table offs (n + 1
 * words); returns the code's size, 0 when the compiler refused it. */
static inline size_t jit_compile_prog(const mbpf_insn *p, uint32_t n, void *code, size_t cap,
                                      uint32_t *offs)
{
    tvm t;
    tvm_open(&t, NULL);
    tvm_load(&t, p, n);
    size_t len = 0;
    mbpf_jit_error err;
    int st = mbpf_jit_compile(&t.vm, code, cap, &len, offs, &err);
    tvm_close(&t);
    return st == MBPF_OK ? len : 0;
}

static inline bool jit_same(const mbpf_insn *p, uint32_t n)
{
    jit_opts o = {0};
    return jit_same_opts(p, n, &o, NULL);
}

#define JIT_SAME(...) assert_true(jit_same(PROG(__VA_ARGS__), PROG_LEN(__VA_ARGS__)))

#endif /* MBPF_TEST_JIT_CHECK_H */
