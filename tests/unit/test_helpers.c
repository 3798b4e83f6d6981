/* Helper table, helper calls from programs, pointer-argument checks, callx. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static int calls; /* how many times a test helper really ran */

static uint64_t h_sum(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                      mbpf_env *env)
{
    (void)env;
    calls++;
    return a1 + 10 * a2 + 100 * a3 + 1000 * a4 + 10000 * a5;
}

/* Reads a1[0..a2) (checked as MEM_R with length in a2) and sums the bytes. */
static uint64_t h_bytesum(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                          mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5, (void)env;
    calls++;
    const uint8_t *p = (const uint8_t *)(uintptr_t)a1;
    uint64_t s = 0;
    for (uint64_t i = 0; i < a2; i++)
        s += p[i];
    return s;
}

/* Writes 8 bytes (MEM_W, constant length 8). */
static uint64_t h_fill8(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                        mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5, (void)env;
    calls++;
    memset((void *)(uintptr_t)a1, (int)a2, 8);
    return 0;
}

static uint64_t h_strlen(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                         mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5, (void)env;
    calls++;
    return strlen((const char *)(uintptr_t)a1);
}

static uint64_t h_fail(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                       mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    calls++;
    return mbpf_helper_fail(env, a1 ? "sensor offline" : NULL);
}

static uint64_t h_user(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                       mbpf_env *env)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    calls++;
    return *(const uint64_t *)env->user;
}

enum { ID_SUM = 5, ID_BYTESUM = 0x20, ID_FILL = 0x21, ID_STR = 0x52, ID_FAIL = 0x1000,
       ID_MAPKEY = 0x100 };
#define ID_USER 0xfffffff0u /* sparse ids use all 32 bits */

static const mbpf_arg SCALAR = {MBPF_ARG_SCALAR, 0, 0};

static void make_set(mbpf_helpers *set, mbpf_helper *storage, uint16_t cap)
{
    mbpf_helpers_init(set, storage, cap);
    const mbpf_helper defs[] = {
        {ID_USER, h_user, "user", {SCALAR, SCALAR, SCALAR, SCALAR, SCALAR}},
        {ID_SUM, h_sum, "sum", {SCALAR, SCALAR, SCALAR, SCALAR, SCALAR}},
        {ID_BYTESUM, h_bytesum, "bytesum", {{MBPF_ARG_MEM_R, 2, 0}, SCALAR, SCALAR, SCALAR, SCALAR}},
        {ID_FILL, h_fill8, "fill8", {{MBPF_ARG_MEM_W, 0, 8}, SCALAR, SCALAR, SCALAR, SCALAR}},
        {ID_STR, h_strlen, "strlen", {{MBPF_ARG_STR, 0, 0}, SCALAR, SCALAR, SCALAR, SCALAR}},
        {ID_FAIL, h_fail, "fail", {SCALAR, SCALAR, SCALAR, SCALAR, SCALAR}},
    };
    for (unsigned i = 0; i < N(defs); i++)
        assert_int_equal(mbpf_helpers_add(set, &defs[i]), MBPF_OK);
}

static void test_table(void **state)
{
    (void)state;
    mbpf_helper storage[6];
    mbpf_helpers set;
    make_set(&set, storage, 6);
    for (unsigned i = 1; i < set.count; i++)
        assert_true(set.entries[i - 1].id < set.entries[i].id);
    assert_ptr_equal(mbpf_helpers_find(&set, ID_USER)->fn, h_user);
    assert_ptr_equal(mbpf_helpers_find(&set, ID_SUM)->fn, h_sum);
    assert_null(mbpf_helpers_find(&set, 6));
    assert_null(mbpf_helpers_find(&set, 0));
    assert_null(mbpf_helpers_find(NULL, 5));
    mbpf_helper dup = {ID_SUM, h_fail, "dup", {{0, 0, 0}}};
    mbpf_helper extra = {7, h_fail, "extra", {{0, 0, 0}}};
    assert_int_equal(mbpf_helpers_add(&set, &dup), MBPF_E_ARG);
    assert_int_equal(mbpf_helpers_add(&set, &extra), MBPF_E_NOSPACE);

    mbpf_helper more[8];
    mbpf_helpers s2;
    mbpf_helpers_init(&s2, more, 8);
    mbpf_helper bad = {1, NULL, "nofn", {{0, 0, 0}}};
    assert_int_equal(mbpf_helpers_add(&s2, &bad), MBPF_E_ARG);
    bad.fn = h_sum;
    bad.args[0] = (mbpf_arg){MBPF_ARG_MAP_VALUE + 1, 0, 0}; /* unknown kind */
    assert_int_equal(mbpf_helpers_add(&s2, &bad), MBPF_E_ARG);
    bad.args[0] = (mbpf_arg){MBPF_ARG_MEM_R, 6, 0}; /* no argument 6 */
    assert_int_equal(mbpf_helpers_add(&s2, &bad), MBPF_E_ARG);
    bad.args[0] = (mbpf_arg){MBPF_ARG_MEM_R, 1, 0}; /* its own length */
    assert_int_equal(mbpf_helpers_add(&s2, &bad), MBPF_E_ARG);
    bad.args[0] = (mbpf_arg){MBPF_ARG_MAP_KEY, 2, 0}; /* argument 2 is no map */
    assert_int_equal(mbpf_helpers_add(&s2, &bad), MBPF_E_ARG);
    bad.args[1] = (mbpf_arg){MBPF_ARG_MAP, 0, 0};
    assert_int_equal(mbpf_helpers_add(&s2, &bad), MBPF_OK);
    assert_int_equal(s2.count, 1);
}

typedef struct fixture {
    mbpf_helper storage[6];
    mbpf_helpers set;
    tvm t;
} fixture;

static void fx_open(fixture *f, const uint32_t *allowed, uint16_t nallowed)
{
    make_set(&f->set, f->storage, 6);
    tvm_open(&f->t, NULL);
    mbpf_vm_set_helpers(&f->t.vm, &f->set, allowed, nallowed);
    calls = 0;
}

static mbpf_result fx_run(fixture *f, const mbpf_insn *p, uint32_t n, void *ctx, uint32_t len,
                          uint32_t flags, void *user)
{
    mbpf_result r;
    tvm_load(&f->t, p, n);
    mbpf_vm_run(&f->t.vm, ctx, len, flags, user, &r);
    return r;
}

static void test_scalar_and_regs_kept(void **state)
{
    (void)state;
    fixture f;
    fx_open(&f, NULL, 0);
    /* r1-r5 keep their values: the sum of them after the call is added to r0 */
    const mbpf_insn p[] = {
        MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3), MOV64_IMM(4, 4), MOV64_IMM(5, 5),
        CALL_HELPER(ID_SUM), ALU64_REG(MBPF_ADD, 0, 1), ALU64_REG(MBPF_ADD, 0, 5), EXIT(),
    };
    mbpf_result r = fx_run(&f, p, N(p), NULL, 0, 0, NULL);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 54321 + 1 + 5);
    /* env.user is the pointer given to run */
    uint64_t secret = 0xfeedull;
    const mbpf_insn q[] = {LDDW(2, ID_USER), CALLX(2), EXIT()};
    r = fx_run(&f, q, N(q), NULL, 0, 0, &secret);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 0xfeed);
    tvm_close(&f.t);
}

static void test_pointer_args(void **state)
{
    (void)state;
    fixture f;
    fx_open(&f, NULL, 0);
    uint8_t ctx[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    /* length from another argument: whole ctx OK */
    const mbpf_insn sum_ctx[] = {MOV64_IMM(2, 8), CALL_HELPER(ID_BYTESUM), EXIT()};
    mbpf_result r = fx_run(&f, sum_ctx, N(sum_ctx), ctx, 8, MBPF_MEM_READ, NULL);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 36);
    /* one byte too many: the program's memory error, the helper does not run */
    calls = 0;
    const mbpf_insn over[] = {MOV64_IMM(2, 9), CALL_HELPER(ID_BYTESUM), EXIT()};
    r = fx_run(&f, over, N(over), ctx, 8, MBPF_MEM_READ, NULL);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_string_equal(r.msg, "bad helper pointer argument");
    assert_int_equal(r.helper_id, ID_BYTESUM);
    assert_int_equal(r.pc, 1);
    assert_int_equal(r.fault_addr, (uintptr_t)ctx);
    assert_int_equal(r.fault_size, 9);
    assert_int_equal(calls, 0);
    /* length 0: nothing to check, even for a null pointer */
    const mbpf_insn zero[] = {MOV64_IMM(1, 0), MOV64_IMM(2, 0), CALL_HELPER(ID_BYTESUM), EXIT()};
    r = fx_run(&f, zero, N(zero), NULL, 0, 0, NULL);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(calls, 1);
    /* stack pointers are fine */
    const mbpf_insn stk[] = {ST(MBPF_DW, 10, -8, 0x0101), MOV64_REG(1, 10),
                             ALU64_IMM(MBPF_ADD, 1, -8), MOV64_IMM(2, 8),
                             CALL_HELPER(ID_BYTESUM), EXIT()};
    r = fx_run(&f, stk, N(stk), NULL, 0, 0, NULL);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 2);
    /* constant length, write needed: read-only ctx refused, writable accepted */
    const mbpf_insn fill[] = {MOV64_IMM(2, 0x77), CALL_HELPER(ID_FILL), EXIT()};
    r = fx_run(&f, fill, N(fill), ctx, 8, MBPF_MEM_READ, NULL);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.fault_size, 8);
    assert_int_equal(ctx[0], 1);
    r = fx_run(&f, fill, N(fill), ctx, 8, MBPF_MEM_RW, NULL);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(ctx[7], 0x77);
    r = fx_run(&f, fill, N(fill), ctx, 7, MBPF_MEM_RW, NULL); /* 7 < 8 bytes */
    assert_int_equal(r.status, MBPF_E_MEM);
    tvm_close(&f.t);
}

static void test_string_args(void **state)
{
    (void)state;
    fixture f;
    fx_open(&f, NULL, 0);
    char ctx[8] = "abcdefgh"; /* no NUL inside */
    const mbpf_insn on_stack[] = {LDDW(1, 0x0000006f6c6c6568ull), STX(MBPF_DW, 10, 1, -8),
                                  MOV64_REG(1, 10), ALU64_IMM(MBPF_ADD, 1, -8),
                                  CALL_HELPER(ID_STR), EXIT()};
    mbpf_result r = fx_run(&f, on_stack, N(on_stack), NULL, 0, 0, NULL);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 5); /* "hello" */
    const mbpf_insn in_ctx[] = {CALL_HELPER(ID_STR), EXIT()};
    r = fx_run(&f, in_ctx, N(in_ctx), ctx, 8, MBPF_MEM_READ, NULL);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.helper_id, ID_STR);
    assert_int_equal(r.fault_addr, (uintptr_t)ctx);
    ctx[5] = 0;
    r = fx_run(&f, in_ctx, N(in_ctx), ctx, 8, MBPF_MEM_READ, NULL);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 5);
    const mbpf_insn wild[] = {MOV64_IMM(1, 16), CALL_HELPER(ID_STR), EXIT()};
    r = fx_run(&f, wild, N(wild), NULL, 0, 0, NULL);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.fault_addr, 16);
    tvm_close(&f.t);
}

static void test_helper_errors(void **state)
{
    (void)state;
    fixture f;
    fx_open(&f, NULL, 0);
    const mbpf_insn p[] = {MOV64_IMM(0, 3), MOV64_IMM(1, 1), CALL_HELPER(ID_FAIL), EXIT()};
    mbpf_result r = fx_run(&f, p, N(p), NULL, 0, 0, NULL);
    assert_int_equal(r.status, MBPF_E_HELPER);
    assert_string_equal(r.msg, "sensor offline");
    assert_int_equal(r.helper_id, ID_FAIL);
    assert_int_equal(r.pc, 2);
    assert_int_equal(r.r0, 0);
    const mbpf_insn q[] = {MOV64_IMM(1, 0), CALL_HELPER(ID_FAIL), EXIT()};
    r = fx_run(&f, q, N(q), NULL, 0, 0, NULL);
    assert_int_equal(r.status, MBPF_E_HELPER);
    assert_string_equal(r.msg, "helper failed");
    tvm_close(&f.t);
}

static void test_callx(void **state)
{
    (void)state;
    const uint32_t allowed[] = {ID_SUM, ID_USER};
    fixture f;
    fx_open(&f, allowed, 2);
    /* the id comes from the low 32 bits of the register */
    const mbpf_insn ok[] = {LDDW(3, 0x1234567800000005ull), MOV64_IMM(1, 7), CALLX(3), EXIT()};
    mbpf_result r = fx_run(&f, ok, N(ok), NULL, 0, 0, NULL);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 7 + 10 * 0 + 100 * 0x1234567800000005ull);
    const mbpf_insn unknown[] = {MOV64_IMM(0, 1), MOV64_IMM(3, 6), CALLX(3), EXIT()};
    r = fx_run(&f, unknown, N(unknown), NULL, 0, 0, NULL);
    assert_int_equal(r.status, MBPF_E_BAD_HELPER);
    assert_string_equal(r.msg, "unknown helper");
    assert_int_equal(r.helper_id, 6);
    assert_int_equal(r.pc, 2);
    const mbpf_insn forbidden[] = {MOV64_IMM(3, ID_FAIL), CALLX(3), EXIT()};
    r = fx_run(&f, forbidden, N(forbidden), NULL, 0, 0, NULL);
    assert_int_equal(r.status, MBPF_E_BAD_HELPER);
    assert_string_equal(r.msg, "helper not allowed");
    assert_int_equal(r.helper_id, ID_FAIL);
    assert_int_equal(r.pc, 1);
    assert_int_equal(calls, 1);
    tvm_close(&f.t);
}

/* Map arguments go through vm->map_check. A "map" here is any of two
 * addresses; key size 4, value size 12. */
static uint64_t maps[2];
static bool map_check(const mbpf_vm *vm, uint64_t handle, uint32_t *ks, uint32_t *vs)
{
    (void)vm;
    *ks = 4;
    *vs = 12;
    return handle == (uintptr_t)&maps[0] || handle == (uintptr_t)&maps[1];
}

static uint64_t h_lookup(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                         mbpf_env *env)
{
    (void)a1, (void)a3, (void)a4, (void)a5, (void)env;
    uint32_t k;
    memcpy(&k, (const void *)(uintptr_t)a2, 4);
    return k;
}

static void test_map_args(void **state)
{
    (void)state;
    mbpf_helper storage[1];
    mbpf_helpers set;
    mbpf_helpers_init(&set, storage, 1);
    mbpf_helper h = {ID_MAPKEY, h_lookup, "lookup",
                     {{MBPF_ARG_MAP, 0, 0}, {MBPF_ARG_MAP_KEY, 1, 0}, SCALAR, SCALAR, SCALAR}};
    assert_int_equal(mbpf_helpers_add(&set, &h), MBPF_OK);
    tvm t;
    tvm_open(&t, NULL);
    mbpf_vm_set_helpers(&t.vm, &set, NULL, 0);
    uint64_t args[5] = {(uintptr_t)&maps[1], (uintptr_t)t.vm.stack, 0, 0, 0}, ret = 0;
    memcpy(t.vm.stack, "\x2a\0\0\0", 4);
    mbpf_result r = {0};
    /* no map_check: every map argument is refused */
    assert_int_equal(mbpf_vm_call_helper(&t.vm, ID_MAPKEY, args, NULL, &ret, &r), MBPF_E_MEM);
    t.vm.map_check = map_check;
    assert_int_equal(mbpf_vm_call_helper(&t.vm, ID_MAPKEY, args, NULL, &ret, &r), MBPF_OK);
    assert_int_equal(ret, 42);
    args[0] = 8; /* not a map */
    assert_int_equal(mbpf_vm_call_helper(&t.vm, ID_MAPKEY, args, NULL, &ret, &r), MBPF_E_MEM);
    args[0] = (uintptr_t)&maps[0];
    args[1] = (uintptr_t)t.vm.stack + 8u * 512u - 3u; /* key needs 4 bytes, 3 left */
    assert_int_equal(mbpf_vm_call_helper(&t.vm, ID_MAPKEY, args, NULL, &ret, &r), MBPF_E_MEM);
    assert_int_equal(r.fault_size, 4);
    assert_int_equal(r.fault_addr, args[1]);
    tvm_close(&t);
}

/* A helper that withdraws a region: the program's cached view of it must go. */
static uint64_t h_unmap(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                        mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    return (uint64_t)mbpf_vm_remove_region(env->vm, (const void *)(uintptr_t)a1);
}

static void test_helper_changes_regions(void **state)
{
    (void)state;
    mbpf_helper storage[1];
    mbpf_helpers set;
    mbpf_helpers_init(&set, storage, 1);
    mbpf_helper h = {9, h_unmap, "unmap", {SCALAR, SCALAR, SCALAR, SCALAR, SCALAR}};
    assert_int_equal(mbpf_helpers_add(&set, &h), MBPF_OK);
    static uint64_t area[2] = {11, 22};
    tvm t;
    tvm_open(&t, NULL);
    mbpf_vm_set_helpers(&t.vm, &set, NULL, 0);
    assert_int_equal(mbpf_vm_add_region(&t.vm, area, sizeof area, MBPF_MEM_READ), MBPF_OK);
    const mbpf_insn p[] = {
        LDDW(6, (uintptr_t)area), LDX(MBPF_DW, 7, 6, 0), /* cached now */
        MOV64_REG(1, 6), CALL_HELPER(9), LDX(MBPF_DW, 0, 6, 8), EXIT(),
    };
    tvm_load(&t, p, N(p));
    mbpf_result r;
    assert_int_equal(mbpf_vm_run(&t.vm, NULL, 0, 0, NULL, &r), MBPF_E_MEM);
    assert_int_equal(r.pc, 5);
    assert_int_equal(r.fault_addr, (uintptr_t)&area[1]);
    tvm_close(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_scalar_and_regs_kept),
        cmocka_unit_test(test_pointer_args),
        cmocka_unit_test(test_string_args),
        cmocka_unit_test(test_helper_errors),
        cmocka_unit_test(test_callx),
        cmocka_unit_test(test_map_args),
        cmocka_unit_test(test_helper_changes_regions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
