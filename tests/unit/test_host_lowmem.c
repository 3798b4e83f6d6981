/* host_lowmem: host buffers below 4 GiB, like a device's RAM, and the
 * Unicorn harness mapping them at their own address, so that an address a
 * program holds (as the loader writes map values into lddw) is a 32-bit
 * pointer for the JIT'd code and the counted-loop fast path's guard passes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "host_lowmem.h"
#include "host_vm.h"
#include "jit_uc.h"
#include "mbpf/jit.h"
#include "prog.h"

static void allocations_are_low_zeroed_apart_and_reused(void **state)
{
    (void)state;
    uint8_t *a = host_low_alloc(100);
    uint8_t *b = host_low_alloc(5000);
    assert_non_null(a);
    assert_non_null(b);
    /* Linux honours a free hint: both in the window, a page each at least */
    assert_true(host_low_contains(a, 100));
    assert_true(host_low_contains(b, 5000));
    for (size_t i = 0; i < 5000; i++)
        assert_int_equal(b[i], 0);
    /* unmapped space between them: a pointer a little out of a stays out of b */
    assert_true(b >= a + 4096 + 0x10000);
    b[4999] = 1;
    host_low_free(b, 5000);
    uint8_t *c = host_low_alloc(5000); /* the last one's place again */
    assert_ptr_equal(c, b);
    assert_int_equal(c[4999], 0);
    host_low_free(c, 5000);
    host_low_free(a, 100);
    assert_false(host_low_contains((void *)(uintptr_t)0x1000, 16));
}

/* Sums the 64 bytes at addr (held as a 64-bit immediate) in a counted loop;
 * returns the calls out of the JIT'd code, checks r0 against the interpreter. */
static uint64_t sum_callouts(uint8_t *buf, uint32_t *emu_of_buf)
{
    mbpf_insn p[] = {
        LDDW(1, (uint64_t)(uintptr_t)buf),
        MOV64_IMM(0, 0),
        MOV64_IMM(2, 64),
        LDX(MBPF_B, 3, 1, 0),
        ALU64_REG(MBPF_ADD, 0, 3),
        ALU64_IMM(MBPF_ADD, 1, 1),
        ALU64_IMM(MBPF_SUB, 2, 1),
        JMP_IMM(MBPF_JNE, 2, 0, -5),
        EXIT(),
    };
    uint32_t n = sizeof p / sizeof p[0];
    for (uint32_t i = 0; i < 64; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    host_vm_opts o;
    host_vm_opts_default(&o);
    host_vm hv;
    char err[200];
    host_outcome out;
    assert_int_equal(host_vm_create(&hv, &o, err, sizeof err), 0);
    assert_int_equal(mbpf_vm_add_region(&hv.vm, buf, 64, MBPF_MEM_READ), MBPF_OK);
    assert_int_equal(host_vm_load(&hv, p, n, &out), MBPF_OK);
    assert_int_equal(host_vm_run(&hv, NULL, 0, MBPF_MEM_RW, &out), MBPF_OK);
    uint64_t want = out.res.r0;

    size_t len = 0;
    uint32_t *offs = calloc(n + 1u, sizeof *offs);
    assert_non_null(offs);
    assert_int_equal(mbpf_jit_compile(&hv.vm, NULL, 0, &len, offs, NULL), MBPF_E_NOSPACE);
    void *code = aligned_alloc(8, (len + 7) & ~(size_t)7);
    assert_non_null(code);
    assert_int_equal(mbpf_jit_compile(&hv.vm, code, len, &len, offs, NULL), MBPF_OK);
    jit_uc *h = jit_uc_open();
    assert_non_null(h);
    mbpf_result res;
    jit_uc_stats st;
    int rc = jit_uc_run(h, &hv.vm, code, len, NULL, 0, MBPF_MEM_RW, NULL, &res, &st);
    if (rc != JIT_UC_OK)
        print_error("buffer %p: %s\n", (void *)buf, jit_uc_error(h));
    assert_int_equal(rc, JIT_UC_OK);
    assert_int_equal(res.status, MBPF_OK);
    assert_int_equal(res.r0, want);
    *emu_of_buf = jit_uc_to_emu(h, buf);
    jit_uc_close(h);
    free(code);
    free(offs);
    host_vm_destroy(&hv);
    return st.tramp;
}

static void low_buffers_keep_their_address_under_unicorn(void **state)
{
    (void)state;
    uint8_t *low = host_low_alloc(64);
    assert_non_null(low);
    uint32_t emu = 0;
    uint64_t calls = sum_callouts(low, &emu);
    assert_int_equal(emu, (uint32_t)(uintptr_t)low); /* mapped where it is */
    /* a 32-bit address is checked once (the loop guard, or the region cache
     * after one slow check), as on a device. (A 64-bit one, e.g. from
     * malloc, left the code at every access, or was not mapped at all when
     * its low 32 bits fell on the harness's own areas.) */
    assert_true(calls <= 2);
    host_low_free(low, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocations_are_low_zeroed_apart_and_reused),
        cmocka_unit_test(low_buffers_keep_their_address_under_unicorn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
