/* VM object: configuration, layout, load/run states, local calls and frames,
 * budget, side-by-side VMs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static void test_config_and_mem_size(void **state)
{
    (void)state;
    mbpf_config c;
    mbpf_config_default(&c);
    assert_int_equal(c.stack_size, 512);
    assert_int_equal(c.max_depth, 8);
    assert_int_equal(c.isa, 4);
    assert_true(c.budget > 0);
    size_t n = mbpf_vm_mem_size(&c);
    /* at least the stack, the call records and the region table */
    assert_true(n >= 512u * 8u + 8u * sizeof(mbpf_frame) + c.max_regions * sizeof(mbpf_region));

    mbpf_config bad[6];
    for (int i = 0; i < 6; i++)
        bad[i] = c;
    bad[0].stack_size = 0;
    bad[1].stack_size = 12; /* not a multiple of 8 */
    bad[2].max_depth = 0;
    bad[3].max_depth = MBPF_MAX_CALL_DEPTH + 1;
    bad[4].isa = 0;
    bad[5].isa = 5;
    uint8_t mem[64];
    mbpf_vm vm;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(mbpf_vm_mem_size(&bad[i]), 0);
        assert_int_equal(mbpf_vm_init(&vm, &bad[i], mem, sizeof mem), MBPF_E_ARG);
    }
    assert_int_equal(mbpf_vm_mem_size(NULL), 0);
}

static void test_init_layout(void **state)
{
    (void)state;
    mbpf_config c;
    mbpf_config_default(&c);
    size_t n = mbpf_vm_mem_size(&c);
    uint8_t *mem = malloc(n + 1);
    mbpf_vm vm;
    assert_int_equal(mbpf_vm_init(&vm, &c, mem + 1, n - 1), MBPF_E_NOSPACE);
    /* any alignment of the block works; the stack comes out 8-aligned and
     * the three parts stay inside the block */
    assert_int_equal(mbpf_vm_init(&vm, &c, mem + 1, n), MBPF_OK);
    assert_int_equal((uintptr_t)vm.stack % 8u, 0);
    assert_true(vm.stack >= mem + 1);
    assert_true((uint8_t *)(vm.regions + c.max_regions) <= mem + 1 + n);
    assert_true((uint8_t *)vm.frames >= vm.stack + 512u * 8u);
    assert_int_equal(mbpf_vm_init(NULL, &c, mem, n), MBPF_E_ARG);
    assert_int_equal(mbpf_vm_init(&vm, &c, NULL, n), MBPF_E_ARG);
    free(mem);
}

static void test_strerror(void **state)
{
    (void)state;
    for (int s = MBPF_E_JIT; s <= MBPF_OK; s++) {
        assert_non_null(mbpf_strerror(s));
        for (int t = MBPF_E_JIT; t < s; t++)
            assert_string_not_equal(mbpf_strerror(s), mbpf_strerror(t));
    }
    assert_string_equal(mbpf_strerror(MBPF_E_MEM), "memory access out of bounds");
    assert_string_equal(mbpf_strerror(12345), "unknown status");
}

static void test_run_states(void **state)
{
    (void)state;
    tvm t;
    mbpf_result r;
    tvm_open(&t, NULL);
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &r), MBPF_E_STATE);
    assert_int_equal(r.status, MBPF_E_STATE);
    assert_non_null(r.msg);
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, NULL), MBPF_E_ARG);
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 4, MBPF_MEM_RW, NULL, &r), MBPF_E_ARG);

    const mbpf_insn p[] = {MOV64_IMM(0, 42), EXIT()};
    tvm_load(&t, p, N(p));
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &r), MBPF_OK);
    assert_int_equal(r.r0, 42);
    assert_null(r.msg);
    assert_int_equal(r.budget_used, 0);

    /* a rejected load unbinds the previous program */
    mbpf_verify_error err;
    assert_int_not_equal(mbpf_vm_load(&t.vm, p, 0, NULL, 0, &err), MBPF_OK);
    assert_int_not_equal(err.status, MBPF_OK);
    assert_non_null(err.msg);
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &r), MBPF_E_STATE);
    tvm_close(&t);
}

static void test_load_scratch(void **state)
{
    (void)state;
    mbpf_config c;
    mbpf_config_default(&c);
    c.stack_size = 8; /* too small to lend the stack to the verifier */
    c.max_depth = 1;
    tvm t;
    tvm_open(&t, &c);
    mbpf_insn p[64];
    for (unsigned i = 0; i < 63; i++)
        p[i] = MOV64_IMM(0, (int32_t)i);
    p[63] = EXIT();
    size_t need = mbpf_verify_scratch_size(p, 64);
    mbpf_verify_error err;
    if (need > 8) {
        assert_int_equal(mbpf_vm_load(&t.vm, p, 64, NULL, 0, &err), MBPF_E_NOSPACE);
        assert_int_equal(err.status, MBPF_E_NOSPACE);
        assert_int_equal(err.needed, need);
    }
    void *scratch = malloc(need + 1);
    assert_int_equal(mbpf_vm_load(&t.vm, p, 64, scratch, need, &err), MBPF_OK);
    assert_int_equal(err.status, MBPF_OK);
    mbpf_result r;
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &r), MBPF_OK);
    assert_int_equal(r.r0, 62);
    free(scratch);
    tvm_close(&t);
}

static void test_ctx_region_lifetime(void **state)
{
    (void)state;
    tvm t;
    mbpf_result r;
    uint8_t ctx[8] = {1, 2, 3, 4, 5, 6, 7, 8}, other[4];
    tvm_open(&t, NULL);
    const mbpf_insn p[] = {LDX(MBPF_B, 0, 1, 7), EXIT()};
    tvm_load(&t, p, N(p));
    assert_int_equal(mbpf_vm_run(&t.vm, ctx, 8, MBPF_MEM_READ, NULL, &r), MBPF_OK);
    assert_int_equal(r.r0, 8);
    assert_false(mbpf_vm_check_mem(&t.vm, (uintptr_t)ctx, 1, MBPF_MEM_READ));
    /* removed after an error too */
    assert_int_equal(mbpf_vm_run(&t.vm, ctx, 7, MBPF_MEM_READ, NULL, &r), MBPF_E_MEM);
    assert_false(mbpf_vm_check_mem(&t.vm, (uintptr_t)ctx, 1, MBPF_MEM_READ));
    /* a ctx overlapping an embedder region is refused */
    assert_int_equal(mbpf_vm_add_region(&t.vm, ctx + 4, 4, MBPF_MEM_READ), MBPF_OK);
    assert_int_equal(mbpf_vm_run(&t.vm, ctx, 8, MBPF_MEM_READ, NULL, &r), MBPF_E_ARG);
    assert_int_equal(r.status, MBPF_E_ARG);
    assert_int_equal(mbpf_vm_run(&t.vm, other, 4, MBPF_MEM_READ, NULL, &r), MBPF_E_MEM);
    assert_int_equal(mbpf_vm_remove_region(&t.vm, ctx + 4), MBPF_OK);
    tvm_close(&t);
}

/* r6-r9 survive a local call, r0 and r1-r5 are the callee's. */
static void test_local_call_registers(void **state)
{
    (void)state;
    const mbpf_insn p[] = {
        MOV64_IMM(6, 6), MOV64_IMM(7, 7), MOV64_IMM(8, 8), MOV64_IMM(9, 9), MOV64_IMM(1, 1),
        CALL_LOCAL(6),                                  /* 5 -> 12 */
        ALU64_REG(MBPF_ADD, 0, 6), ALU64_REG(MBPF_ADD, 0, 7), ALU64_REG(MBPF_ADD, 0, 8),
        ALU64_REG(MBPF_ADD, 0, 9), ALU64_REG(MBPF_ADD, 0, 1), EXIT(),
        /* 12: callee clobbers everything it may */
        MOV64_IMM(6, 600), MOV64_IMM(7, 700), MOV64_IMM(8, 800), MOV64_IMM(9, 900),
        MOV64_IMM(1, 5000), MOV64_IMM(0, 10000), EXIT(),
    };
    mbpf_result r = run_cfg(NULL, NULL, p, N(p), NULL, 0);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 10000 + 6 + 7 + 8 + 9 + 5000);
    assert_int_equal(r.budget_used, 1); /* one call */
}

/* The callee's r10 is one frame lower; its writes stay in its frame. */
static void test_frames_isolated(void **state)
{
    (void)state;
    const mbpf_insn p[] = {
        MOV64_REG(6, 10), ST(MBPF_DW, 10, -8, 0x1111), ST(MBPF_DW, 10, -512, 0x3333),
        CALL_LOCAL(6),                                        /* 3 -> 10 */
        ALU64_REG(MBPF_SUB, 6, 0),                            /* frame distance */
        LDX(MBPF_DW, 0, 10, -8), ALU64_REG(MBPF_ADD, 0, 6),  /* 0x1111 + 512 */
        LDX(MBPF_DW, 1, 10, -512), ALU64_REG(MBPF_ADD, 0, 1), EXIT(),
        /* 10: callee */
        ST(MBPF_DW, 10, -8, 0x2222), ST(MBPF_DW, 10, -512, 0x4444), MOV64_REG(0, 10), EXIT(),
    };
    mbpf_result r = run_cfg(NULL, NULL, p, N(p), NULL, 0);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 0x1111 + 512 + 0x3333);
}

/* main -> f1 -> ... -> f(k-1): k frames; r0 = 100 + k - 1. Each function is
 * three slots: call next, add r0 1, exit; the last is mov r0 100, exit. */
static mbpf_result call_chain(unsigned frames, unsigned max_depth, uint64_t budget)
{
    mbpf_insn p[3 * 64 + 2];
    unsigned n = 0;
    for (unsigned i = 0; i + 1 < frames; i++) {
        p[n++] = CALL_LOCAL(2);
        p[n++] = ALU64_IMM(MBPF_ADD, 0, 1);
        p[n++] = EXIT();
    }
    p[n++] = MOV64_IMM(0, 100);
    p[n++] = EXIT();
    mbpf_config c;
    mbpf_config_default(&c);
    c.max_depth = (uint8_t)max_depth;
    c.budget = budget;
    return run_cfg(&c, NULL, p, n, NULL, 0);
}

static void test_call_depth(void **state)
{
    (void)state;
    for (unsigned depth = 1; depth <= 8; depth++) {
        mbpf_result r = call_chain(depth, depth, 1000);
        assert_int_equal(r.status, MBPF_OK);
        assert_int_equal(r.r0, 100 + depth - 1);
        assert_int_equal(r.budget_used, depth - 1);
        r = call_chain(depth + 1, depth, 1000);
        assert_int_equal(r.status, MBPF_E_DEPTH);
        assert_string_equal(r.msg, "call depth exceeded");
        assert_int_equal(r.pc, 3 * (depth - 1)); /* the call in the deepest frame */
        assert_int_equal(r.r0, 0);
    }
    /* the depth is configurable up to the compile-time bound */
    mbpf_result r = call_chain(MBPF_MAX_CALL_DEPTH, MBPF_MAX_CALL_DEPTH, 1000);
    assert_int_equal(r.status, MBPF_OK);
    /* calls consume budget: 3 calls need 3 units */
    r = call_chain(4, 8, 2);
    assert_int_equal(r.status, MBPF_E_BUDGET);
    assert_int_equal(r.pc, 6);
    assert_int_equal(r.budget_used, 2);
    r = call_chain(4, 8, 3);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.budget_used, 3);
}

/* A loop of k iterations: each takes one backward jump. */
static mbpf_result loop(int32_t k, uint64_t budget)
{
    const mbpf_insn p[] = {
        MOV64_IMM(0, 0), JMP_IMM(MBPF_JEQ, 0, k, 2), ALU64_IMM(MBPF_ADD, 0, 1), JA(-3), EXIT(),
    };
    mbpf_config c;
    mbpf_config_default(&c);
    c.budget = budget;
    return run_cfg(&c, NULL, p, N(p), NULL, 0);
}

static void test_budget_exact(void **state)
{
    (void)state;
    for (int32_t k = 0; k < 5; k++) {
        mbpf_result r = loop(k, (uint64_t)k);
        assert_int_equal(r.status, MBPF_OK);
        assert_int_equal(r.r0, k);
        assert_int_equal(r.budget_used, k);
    }
    mbpf_result r = loop(1000, 999);
    assert_int_equal(r.status, MBPF_E_BUDGET);
    assert_string_equal(r.msg, "execution budget exhausted");
    assert_int_equal(r.pc, 3);
    assert_int_equal(r.budget_used, 999);
    r = loop(1000, 1000);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.budget_used, 1000);
    /* forward jumps are free, including offset 0 (target = pc + 1) */
    const mbpf_insn fwd[] = {MOV64_IMM(0, 1), JA(0), JMP_IMM(MBPF_JEQ, 0, 1, 0), JA32(0),
                             JMP_IMM(MBPF_JEQ, 0, 1, 1), EXIT(), EXIT()};
    r = run_cfg(NULL, NULL, fwd, N(fwd), NULL, 0);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.budget_used, 0);
    /* an endless loop stops */
    const mbpf_insn q[] = {JA(-1), EXIT()};
    r = run_cfg(NULL, NULL, q, 2, NULL, 0);
    assert_int_equal(r.status, MBPF_E_BUDGET);
    assert_int_equal(r.pc, 0);
    assert_int_equal(r.budget_used, MBPF_DEFAULT_BUDGET);
}

/* Helper id 1 runs a second VM from inside the first one's run. */
static uint64_t run_other(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                          mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    mbpf_vm *other = env->user;
    mbpf_result r;
    if (mbpf_vm_run(other, NULL, 0, 0, NULL, &r) != MBPF_OK)
        return mbpf_helper_fail(env, "inner run failed");
    return r.r0 + a1;
}

static void test_two_vms(void **state)
{
    (void)state;
    tvm a, b;
    mbpf_result r;
    mbpf_helper storage[1];
    mbpf_helpers set;
    mbpf_helpers_init(&set, storage, 1);
    mbpf_helper h = {1, run_other, "run_other", {{0, 0, 0}}};
    assert_int_equal(mbpf_helpers_add(&set, &h), MBPF_OK);
    tvm_open(&a, NULL);
    tvm_open(&b, NULL);
    mbpf_vm_set_helpers(&a.vm, &set, NULL, 0);
    /* both programs keep state on their own stacks across a call */
    const mbpf_insn pa[] = {ST(MBPF_DW, 10, -8, 1000), MOV64_IMM(1, 5), CALL_HELPER(1),
                            LDX(MBPF_DW, 1, 10, -8), ALU64_REG(MBPF_ADD, 0, 1), EXIT()};
    const mbpf_insn pb[] = {ST(MBPF_DW, 10, -8, 20), LDX(MBPF_DW, 0, 10, -8), EXIT()};
    tvm_load(&a, pa, N(pa));
    tvm_load(&b, pb, N(pb));
    assert_int_equal(mbpf_vm_run(&b.vm, NULL, 0, 0, NULL, &r), MBPF_OK);
    assert_int_equal(r.r0, 20);
    assert_int_equal(mbpf_vm_run(&a.vm, NULL, 0, 0, &b.vm, &r), MBPF_OK);
    assert_int_equal(r.r0, 20 + 5 + 1000);
    /* a VM cannot run inside its own run */
    assert_int_equal(mbpf_vm_run(&a.vm, NULL, 0, 0, &a.vm, &r), MBPF_E_HELPER);
    assert_string_equal(r.msg, "inner run failed");
    assert_int_equal(mbpf_vm_run(&b.vm, NULL, 0, 0, NULL, &r), MBPF_OK);
    assert_int_equal(r.r0, 20);
    tvm_close(&a);
    tvm_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_and_mem_size),
        cmocka_unit_test(test_init_layout),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_run_states),
        cmocka_unit_test(test_load_scratch),
        cmocka_unit_test(test_ctx_region_lifetime),
        cmocka_unit_test(test_local_call_registers),
        cmocka_unit_test(test_frames_isolated),
        cmocka_unit_test(test_call_depth),
        cmocka_unit_test(test_budget_exact),
        cmocka_unit_test(test_two_vms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
