/* Region table and memory checks: the table API, the lookup paths, and every
 * kind of out-of-bounds access a program can make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static void test_add_remove_sorted(void **state)
{
    (void)state;
    mbpf_config c;
    mbpf_config_default(&c);
    c.max_regions = 4;
    tvm t;
    tvm_open(&t, &c);
    static uint8_t buf[256];
    mbpf_vm *vm = &t.vm;
    /* out of order inserts end up sorted */
    assert_int_equal(mbpf_vm_add_region(vm, buf + 128, 16, MBPF_MEM_READ), MBPF_OK);
    assert_int_equal(mbpf_vm_add_region(vm, buf + 0, 16, MBPF_MEM_RW), MBPF_OK);
    assert_int_equal(mbpf_vm_add_region(vm, buf + 64, 16, MBPF_MEM_WRITE), MBPF_OK);
    assert_int_equal(vm->num_regions, 3);
    for (unsigned i = 1; i < vm->num_regions; i++)
        assert_true(vm->regions[i - 1].start < vm->regions[i].start);
    /* overlaps with either neighbour, same start, containing: refused */
    assert_int_equal(mbpf_vm_add_region(vm, buf + 15, 4, MBPF_MEM_READ), MBPF_E_ARG);
    assert_int_equal(mbpf_vm_add_region(vm, buf + 60, 5, MBPF_MEM_READ), MBPF_E_ARG);
    assert_int_equal(mbpf_vm_add_region(vm, buf + 64, 1, MBPF_MEM_READ), MBPF_E_ARG);
    assert_int_equal(mbpf_vm_add_region(vm, buf + 32, 200, MBPF_MEM_READ), MBPF_E_ARG);
    /* bad arguments */
    assert_int_equal(mbpf_vm_add_region(vm, buf + 200, 0, MBPF_MEM_READ), MBPF_E_ARG);
    assert_int_equal(mbpf_vm_add_region(vm, NULL, 4, MBPF_MEM_READ), MBPF_E_ARG);
    assert_int_equal(mbpf_vm_add_region(vm, buf + 200, 4, 8u), MBPF_E_ARG);
    assert_int_equal(mbpf_vm_add_region(vm, (void *)(UINTPTR_MAX - 3u), 8, MBPF_MEM_READ),
                     MBPF_E_ARG);
    /* adjacent is fine; then the table is full */
    assert_int_equal(mbpf_vm_add_region(vm, buf + 16, 16, MBPF_MEM_READ), MBPF_OK);
    assert_int_equal(mbpf_vm_add_region(vm, buf + 200, 4, MBPF_MEM_READ), MBPF_E_NOSPACE);
    /* remove from the middle keeps order; unknown start refused */
    assert_int_equal(mbpf_vm_remove_region(vm, buf + 16), MBPF_OK);
    assert_int_equal(mbpf_vm_remove_region(vm, buf + 16), MBPF_E_ARG);
    assert_int_equal(mbpf_vm_remove_region(vm, buf + 65), MBPF_E_ARG);
    assert_int_equal(vm->num_regions, 3);
    assert_ptr_equal((void *)vm->regions[1].start, buf + 64);
    assert_int_equal(vm->regions[1].flags, MBPF_MEM_WRITE);
    tvm_close(&t);
}

static void test_find_region(void **state)
{
    (void)state;
    tvm t;
    tvm_open(&t, NULL);
    static uint8_t buf[256];
    mbpf_vm *vm = &t.vm;
    for (unsigned i = 0; i < 8; i++) /* 8 regions of 16 bytes with 16-byte gaps */
        assert_int_equal(mbpf_vm_add_region(vm, buf + 32 * i, 16,
                                            i % 2 ? MBPF_MEM_READ : MBPF_MEM_RW),
                         MBPF_OK);
    uint64_t b = (uintptr_t)buf;
    for (unsigned i = 0; i < 8; i++) {
        const mbpf_region *r = mbpf_vm_find_region(vm, b + 32 * i + 8, 8, MBPF_MEM_READ);
        assert_non_null(r);
        assert_ptr_equal((void *)r->start, buf + 32 * i);
        assert_int_equal(vm->last_region, i); /* the hit is cached */
        /* gap, straddling the end, one past the end */
        assert_null(mbpf_vm_find_region(vm, b + 32 * i + 16, 1, MBPF_MEM_READ));
        assert_null(mbpf_vm_find_region(vm, b + 32 * i + 12, 8, MBPF_MEM_READ));
        assert_null(mbpf_vm_find_region(vm, b + 32 * i + 15, 2, MBPF_MEM_READ));
        assert_non_null(mbpf_vm_find_region(vm, b + 32 * i + 15, 1, MBPF_MEM_READ));
        /* write needs the flag */
        if (i % 2)
            assert_null(mbpf_vm_find_region(vm, b + 32 * i, 4, MBPF_MEM_WRITE));
        else
            assert_non_null(mbpf_vm_find_region(vm, b + 32 * i, 4, MBPF_MEM_RW));
    }
    assert_null(mbpf_vm_find_region(vm, b - 1, 1, MBPF_MEM_READ));
    assert_null(mbpf_vm_find_region(vm, b - 1, 2, MBPF_MEM_READ)); /* straddles the start */
    assert_null(mbpf_vm_find_region(vm, b + 8, UINT64_MAX, MBPF_MEM_READ));
    assert_null(mbpf_vm_find_region(vm, UINT64_MAX, 2, MBPF_MEM_READ)); /* would wrap */
    assert_null(mbpf_vm_find_region(vm, b ^ (1ull << 40), 1, MBPF_MEM_READ));
    /* the whole stack area is accessible, not a byte beyond */
    uint64_t s = (uintptr_t)vm->stack, len = 512u * 8u;
    assert_true(mbpf_vm_check_mem(vm, s, len, MBPF_MEM_RW));
    assert_false(mbpf_vm_check_mem(vm, s - 1, 1, MBPF_MEM_READ));
    assert_false(mbpf_vm_check_mem(vm, s + len - 4, 8, MBPF_MEM_READ));
    assert_true(mbpf_vm_check_mem(vm, b + 32, 16, MBPF_MEM_READ));
    assert_false(mbpf_vm_check_mem(vm, b + 32, 16, MBPF_MEM_WRITE));
    tvm_close(&t);
}

/* Runs p on a 16-byte ctx with the given flags and expects a memory fault. */
static void expect_fault(const mbpf_insn *p, uint32_t n, uint32_t flags, uint32_t pc,
                         const char *msg, int64_t addr_from_ctx, uint32_t size)
{
    uint8_t ctx[16];
    memset(ctx, 0x5a, sizeof ctx);
    tvm t;
    mbpf_result r;
    tvm_open(&t, NULL);
    tvm_load(&t, p, n);
    assert_int_equal(mbpf_vm_run(&t.vm, ctx, sizeof ctx, flags, NULL, &r), MBPF_E_MEM);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.pc, pc);
    assert_string_equal(r.msg, msg);
    assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)ctx + (uint64_t)addr_from_ctx);
    assert_int_equal(r.fault_size, size);
    assert_int_equal(r.r0, 0);
    for (unsigned i = 0; i < sizeof ctx; i++) /* nothing was written */
        assert_int_equal(ctx[i], 0x5a);
    tvm_close(&t);
}

static void test_program_faults(void **state)
{
    (void)state;
    const mbpf_insn below[] = {MOV64_IMM(0, 1), LDX(MBPF_B, 0, 1, -1), EXIT()};
    expect_fault(below, N(below), MBPF_MEM_RW, 1, "out-of-bounds load", -1, 1);
    const mbpf_insn above[] = {LDX(MBPF_W, 0, 1, 16), EXIT()};
    expect_fault(above, N(above), MBPF_MEM_RW, 0, "out-of-bounds load", 16, 4);
    const mbpf_insn straddle[] = {LDX(MBPF_DW, 0, 1, 12), EXIT()};
    expect_fault(straddle, N(straddle), MBPF_MEM_RW, 0, "out-of-bounds load", 12, 8);
    const mbpf_insn ldsx[] = {LDXSX(MBPF_H, 0, 1, 15), EXIT()};
    expect_fault(ldsx, N(ldsx), MBPF_MEM_RW, 0, "out-of-bounds load", 15, 2);
    /* stores to a read-only ctx: nothing written */
    const mbpf_insn ro[] = {ST(MBPF_W, 1, 0, 7), EXIT()};
    expect_fault(ro, N(ro), MBPF_MEM_READ, 0, "out-of-bounds store", 0, 4);
    const mbpf_insn rox[] = {MOV64_IMM(2, 7), STX(MBPF_B, 1, 2, 3), EXIT()};
    expect_fault(rox, N(rox), MBPF_MEM_READ, 1, "out-of-bounds store", 3, 1);
    const mbpf_insn st_end[] = {ST(MBPF_DW, 1, 9, 7), EXIT()};
    expect_fault(st_end, N(st_end), MBPF_MEM_RW, 0, "out-of-bounds store", 9, 8);
    /* loads from a write-only ctx */
    const mbpf_insn wo[] = {LDX(MBPF_B, 0, 1, 0), EXIT()};
    expect_fault(wo, N(wo), MBPF_MEM_WRITE, 0, "out-of-bounds load", 0, 1);
    /* atomics need read and write */
    const mbpf_insn at[] = {MOV64_IMM(2, 1), ATOMIC(MBPF_W, MBPF_ADD, 1, 2, 0), EXIT()};
    expect_fault(at, N(at), MBPF_MEM_READ, 1, "out-of-bounds atomic", 0, 4);
    const mbpf_insn at2[] = {MOV64_IMM(2, 1), ATOMIC(MBPF_DW, MBPF_XCHG, 1, 2, 12), EXIT()};
    expect_fault(at2, N(at2), MBPF_MEM_RW, 1, "out-of-bounds atomic", 12, 8);
    /* upper 32 bits set: never the ctx, even if the low half matches */
    const mbpf_insn hi[] = {LDDW(2, 1ull << 32), ALU64_REG(MBPF_ADD, 1, 2),
                            LDX(MBPF_B, 0, 1, 0), EXIT()};
    expect_fault(hi, N(hi), MBPF_MEM_RW, 3, "out-of-bounds load", (int64_t)(1ll << 32), 1);
}

static void test_stack_edges(void **state)
{
    (void)state;
    tvm t;
    mbpf_result r;
    tvm_open(&t, NULL);
    const uint64_t top = (uintptr_t)t.vm.stack + 8u * 512u;
    /* through a computed pointer the whole stack area is reachable... */
    const mbpf_insn ok[] = {MOV64_REG(1, 10), ALU64_IMM(MBPF_ADD, 1, -4096),
                            ST(MBPF_DW, 1, 0, 3), LDX(MBPF_DW, 0, 1, 0), EXIT()};
    tvm_load(&t, ok, N(ok));
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &r), MBPF_OK);
    assert_int_equal(r.r0, 3);
    /* ...but not a byte below or at the top */
    const mbpf_insn low[] = {MOV64_REG(1, 10), ALU64_IMM(MBPF_ADD, 1, -4097),
                             LDX(MBPF_B, 0, 1, 0), EXIT()};
    tvm_load(&t, low, N(low));
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &r), MBPF_E_MEM);
    assert_int_equal(r.fault_addr, top - 4097);
    assert_int_equal(r.pc, 2);
    const mbpf_insn high[] = {MOV64_REG(1, 10), ALU64_IMM(MBPF_ADD, 1, -4), ST(MBPF_DW, 1, 0, 1),
                              EXIT()};
    tvm_load(&t, high, N(high));
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &r), MBPF_E_MEM);
    assert_string_equal(r.msg, "out-of-bounds store");
    assert_int_equal(r.fault_addr, top - 4);
    assert_int_equal(r.fault_size, 8);
    tvm_close(&t);
}

/* Regions of the embedder are used alongside the ctx; alternating between
 * them exercises the cache refill after a miss. */
static void test_embedder_regions(void **state)
{
    (void)state;
    tvm t;
    mbpf_result r;
    static uint64_t a[2] = {1, 2}, b[2] = {30, 40};
    uint64_t ctx[2] = {(uintptr_t)a, (uintptr_t)b};
    tvm_open(&t, NULL);
    assert_int_equal(mbpf_vm_add_region(&t.vm, a, sizeof a, MBPF_MEM_READ), MBPF_OK);
    assert_int_equal(mbpf_vm_add_region(&t.vm, b, sizeof b, MBPF_MEM_RW), MBPF_OK);
    const mbpf_insn p[] = {
        LDX(MBPF_DW, 2, 1, 0), LDX(MBPF_DW, 3, 1, 8),                  /* pointers */
        LDX(MBPF_DW, 0, 2, 0), LDX(MBPF_DW, 4, 3, 8), ALU64_REG(MBPF_ADD, 0, 4),
        LDX(MBPF_DW, 4, 2, 8), ALU64_REG(MBPF_ADD, 0, 4), STX(MBPF_DW, 3, 0, 0),
        ST(MBPF_DW, 2, 0, 9), /* a is read-only: faults here */
        EXIT(),
    };
    tvm_load(&t, p, N(p));
    assert_int_equal(mbpf_vm_run(&t.vm, ctx, sizeof ctx, MBPF_MEM_READ, NULL, &r), MBPF_E_MEM);
    assert_int_equal(r.pc, 8);
    assert_int_equal(r.fault_addr, (uintptr_t)a);
    assert_int_equal(b[0], 1 + 40 + 2);
    assert_int_equal(a[0], 1);
    tvm_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_remove_sorted),
        cmocka_unit_test(test_find_region),
        cmocka_unit_test(test_program_faults),
        cmocka_unit_test(test_stack_edges),
        cmocka_unit_test(test_embedder_regions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
