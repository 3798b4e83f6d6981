/* Bounded, seeded random mutation of a valid image (no libFuzzer needed):
 * the loader must return a precise error or a working program, never crash;
 * ASan and UBSan watch in the sanitizer build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "image_fixture.h"

/* Random mutations of a valid image: the loader must return an error or a
 * working program, never crash (ASan/UBSan watch). Half of the mutants get
 * their CRC fixed so the deeper checks are reached. Bounded and seeded. */
static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void test_random_mutations(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    uint32_t seed = 0x1234567u;
    size_t n = f.img_len;
    uint8_t *m = malloc(n);
    mbpf_image_info info;
    assert_int_equal(mbpf_image_parse(f.img, n, &info, NULL), MBPF_OK);
    size_t arena_len = info.arena_needed + 4096u;
    uint8_t *arena = malloc(arena_len);
    unsigned loaded = 0, rejected = 0;
    static const uint32_t interesting[] = {0, 1, 7, 8, 0x7fffffffu, 0x80000000u, 0xffffffffu,
                                           0xfffffff8u, 104, 4096};
    for (int iter = 0; iter < 30000; iter++) {
        memcpy(m, f.img, n);
        size_t len = n;
        uint32_t kind = rng_next(&seed) % 4u, count = 1u + rng_next(&seed) % 3u;
        for (uint32_t k = 0; k < count; k++) {
            uint32_t at = rng_next(&seed) % (uint32_t)n;
            if (kind == 0)
                m[at] ^= (uint8_t)(1u << (rng_next(&seed) % 8u));
            else if (kind == 1)
                m[at] = (uint8_t)rng_next(&seed);
            else if (kind == 2 && at + 4 <= n)
                fx_wr32(m + (at & ~3u),
                        interesting[rng_next(&seed) % (sizeof(interesting) / 4u)]);
            else
                len = at;
        }
        if (rng_next(&seed) & 1u) {
            if (len >= MBPF_IMAGE_HEADER_SIZE)
                fx_wr32(m + MBPF_IMAGE_OFF_IMAGE_LEN, (uint32_t)len);
            fx_fix_crc(m, len);
        }
        uint8_t *exact = malloc(len ? len : 1);
        memcpy(exact, m, len);
        mbpf_program *prog = NULL;
        mbpf_image_error err;
        mbpf_load_opts o = {&f.helpers, NULL, 0, 0};
        mbpf_config cfg;
        mbpf_config_default(&cfg);
        cfg.budget = 1000;
        tvm_close(&f.t);
        tvm_open(&f.t, &cfg);
        int st = mbpf_image_load(&f.t.vm, exact, len, &o, arena, arena_len, &prog, &err);
        if (st == MBPF_OK) {
            loaded++;
            mbpf_result res;
            mbpf_vm_run(&f.t.vm, NULL, 0, 0, NULL, &res);
        } else {
            rejected++;
            assert_non_null(err.msg);
            assert_int_equal(err.status, st);
            assert_null(prog);
        }
        free(exact);
    }
    assert_true(rejected > 10000);
    print_message("mutations: %u loaded, %u rejected\n", loaded, rejected);
    free(m);
    free(arena);
    fx_close(&f);
}

/* Mutations inside the code only, CRC always fixed: every mutant reaches the
 * lddw/call checks, and many the verifier and the interpreter with live
 * maps and helpers. */
static void test_random_code_mutations(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    uint32_t seed = 0xbeef01u, co = fx_sec_off(f.img, MBPF_SEC_CODE);
    uint32_t cl = fx_sec_len(f.img, MBPF_SEC_CODE);
    uint8_t *m = malloc(f.img_len);
    mbpf_image_info info;
    assert_int_equal(mbpf_image_parse(f.img, f.img_len, &info, NULL), MBPF_OK);
    size_t arena_len = info.arena_needed + 4096u;
    uint8_t *arena = malloc(arena_len);
    mbpf_config cfg;
    mbpf_config_default(&cfg);
    cfg.budget = 1000;
    unsigned ran = 0;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(m, f.img, f.img_len);
        uint32_t count = 1u + rng_next(&seed) % 4u;
        for (uint32_t k = 0; k < count; k++)
            m[co + rng_next(&seed) % cl] = (uint8_t)rng_next(&seed);
        fx_fix_crc(m, f.img_len);
        mbpf_program *prog = NULL;
        mbpf_image_error err;
        mbpf_load_opts o = {&f.helpers, NULL, 0, 0};
        tvm_close(&f.t);
        tvm_open(&f.t, &cfg);
        int st = mbpf_image_load(&f.t.vm, m, f.img_len, &o, arena, arena_len, &prog, &err);
        if (st == MBPF_OK) {
            mbpf_result res;
            mbpf_vm_run(&f.t.vm, NULL, 0, 0, NULL, &res);
            ran++;
        } else {
            assert_non_null(err.msg);
            assert_int_equal(f.t.vm.num_regions, 0);
        }
    }
    print_message("code mutations: %u loaded and ran\n", ran);
    assert_true(ran > 100);
    free(m);
    free(arena);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_mutations),
        cmocka_unit_test(test_random_code_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
