/* ARRAY and HASH maps through the C API, and the map helpers' prototypes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "image_fixture.h"

typedef struct tmap {
    mbpf_map map;
    void *mem;
} tmap;

static void tmap_open(tmap *t, uint32_t type, uint32_t key, uint32_t value, uint32_t n)
{
    size_t size = mbpf_map_mem_size(type, key, value, n);
    assert_true(size > 0);
    t->mem = malloc(size);
    assert_int_equal(mbpf_map_init(&t->map, type, key, value, n, t->mem, size), MBPF_OK);
}

static void test_mem_size_rejects_bad_definitions(void **state)
{
    (void)state;
    assert_int_equal(mbpf_map_mem_size(3, 4, 4, 4), 0); /* unsupported type */
    assert_int_equal(mbpf_map_mem_size(MBPF_MAP_TYPE_ARRAY, 8, 4, 4), 0);
    assert_int_equal(mbpf_map_mem_size(MBPF_MAP_TYPE_ARRAY, 4, 0, 4), 0);
    assert_int_equal(mbpf_map_mem_size(MBPF_MAP_TYPE_ARRAY, 4, 4, 0), 0);
    assert_int_equal(mbpf_map_mem_size(MBPF_MAP_TYPE_HASH, 0, 4, 4), 0);
    assert_int_equal(mbpf_map_mem_size(MBPF_MAP_TYPE_HASH, 513, 4, 4), 0);
    assert_int_equal(mbpf_map_mem_size(MBPF_MAP_TYPE_HASH, 4, 1u << 20, 1u << 20), 0);
    assert_int_equal(mbpf_map_mem_size(MBPF_MAP_TYPE_ARRAY, 4, 4, 0xffffffffu), 0);
    assert_true(mbpf_map_mem_size(MBPF_MAP_TYPE_ARRAY, 4, 4, 4) >= 16);
    assert_true(mbpf_map_mem_size(MBPF_MAP_TYPE_HASH, 4, 4, 4) >= 16 + 16 + 16 + 16);
}

static void test_init_errors(void **state)
{
    (void)state;
    mbpf_map m;
    uint8_t mem[64];
    assert_int_equal(mbpf_map_init(&m, MBPF_MAP_TYPE_ARRAY, 4, 8, 100, mem, sizeof(mem)),
                     MBPF_E_NOSPACE);
    assert_int_equal(mbpf_map_init(&m, 9, 4, 8, 1, mem, sizeof(mem)), MBPF_E_ARG);
    assert_int_equal(mbpf_map_init(NULL, MBPF_MAP_TYPE_ARRAY, 4, 8, 1, mem, sizeof(mem)),
                     MBPF_E_ARG);
    /* Unaligned memory is fine: the map aligns itself. */
    size_t need = mbpf_map_mem_size(MBPF_MAP_TYPE_ARRAY, 4, 8, 4);
    uint8_t *raw = malloc(need + 1);
    assert_int_equal(mbpf_map_init(&m, MBPF_MAP_TYPE_ARRAY, 4, 8, 4, raw + 1, need), MBPF_OK);
    assert_int_equal((uintptr_t)mbpf_map_values(&m) % 8, 0);
    free(raw);
}

static void test_array(void **state)
{
    (void)state;
    tmap t;
    tmap_open(&t, MBPF_MAP_TYPE_ARRAY, 4, 8, 4);
    uint32_t k = 2;
    uint64_t v = 99, *p;
    p = mbpf_map_lookup(&t.map, &k);
    assert_non_null(p);
    assert_int_equal(*p, 0); /* elements exist and start zeroed */
    assert_ptr_equal(p, mbpf_map_values(&t.map) + 16);
    assert_int_equal(mbpf_map_values_len(&t.map), 32);
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_ANY), 0);
    assert_int_equal(*p, 99);
    v = 5;
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_EXIST), 0);
    assert_int_equal(*p, 5);
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_NOEXIST), MBPF_MAP_EEXIST);
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, 3), MBPF_MAP_EINVAL);
    k = 4;
    assert_null(mbpf_map_lookup(&t.map, &k));
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_ANY), MBPF_MAP_E2BIG);
    k = 0xffffffffu;
    assert_null(mbpf_map_lookup(&t.map, &k));
    assert_int_equal(mbpf_map_delete(&t.map, &k), MBPF_MAP_EINVAL);
    mbpf_map_clear(&t.map);
    assert_int_equal(*p, 0);
    free(t.mem);
}

static void test_hash_basic(void **state)
{
    (void)state;
    tmap t;
    tmap_open(&t, MBPF_MAP_TYPE_HASH, 4, 4, 3);
    uint32_t k = 10, v = 1;
    assert_null(mbpf_map_lookup(&t.map, &k));
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_EXIST), MBPF_MAP_ENOENT);
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_NOEXIST), 0);
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_NOEXIST), MBPF_MAP_EEXIST);
    v = 2;
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_EXIST), 0);
    uint32_t *p = mbpf_map_lookup(&t.map, &k);
    assert_non_null(p);
    assert_int_equal(*p, 2);
    /* The value lives inside the value block (the region a program sees). */
    assert_true((uint8_t *)p >= mbpf_map_values(&t.map) &&
                (uint8_t *)p + 4 <= mbpf_map_values(&t.map) + mbpf_map_values_len(&t.map));
    k = 11;
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_ANY), 0);
    k = 12;
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_ANY), 0);
    k = 13;
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_ANY), MBPF_MAP_E2BIG); /* full */
    k = 11;
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_ANY), 0); /* replace when full: ok */
    assert_int_equal(mbpf_map_delete(&t.map, &k), 0);
    assert_int_equal(mbpf_map_delete(&t.map, &k), MBPF_MAP_ENOENT);
    assert_null(mbpf_map_lookup(&t.map, &k));
    k = 13;
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, MBPF_ANY), 0); /* the freed slot */
    k = 10;
    assert_non_null(mbpf_map_lookup(&t.map, &k));
    assert_int_equal(mbpf_map_update(&t.map, &k, &v, 7), MBPF_MAP_EINVAL);
    mbpf_map_clear(&t.map);
    assert_null(mbpf_map_lookup(&t.map, &k));
    free(t.mem);
}

/* Many keys with odd sizes against a reference table: chains, deletes from
 * the middle of chains, and slot reuse all agree with a naive model. */
static void test_hash_against_model(void **state)
{
    (void)state;
    enum { N = 64, KEYS = 200 };
    tmap t;
    tmap_open(&t, MBPF_MAP_TYPE_HASH, 6, 3, N);
    uint8_t present[KEYS] = {0}, value[KEYS] = {0};
    unsigned live = 0;
    uint32_t s = 99;
    for (int step = 0; step < 20000; step++) {
        s = s * 1103515245u + 12345u;
        unsigned key = (s >> 8) % KEYS, op = (s >> 20) % 3;
        uint8_t k[6] = {(uint8_t)key, 0, 0xaa, 0, (uint8_t)(key >> 8), 1};
        uint8_t v[3] = {(uint8_t)step, 1, 2};
        if (op == 0) {
            int rc = mbpf_map_update(&t.map, k, v, MBPF_ANY);
            if (present[key] || live < N) {
                assert_int_equal(rc, 0);
                live += !present[key];
                present[key] = 1;
                value[key] = v[0];
            } else {
                assert_int_equal(rc, MBPF_MAP_E2BIG);
            }
        } else if (op == 1) {
            int rc = mbpf_map_delete(&t.map, k);
            assert_int_equal(rc, present[key] ? 0 : MBPF_MAP_ENOENT);
            live -= present[key];
            present[key] = 0;
        } else {
            uint8_t *p = mbpf_map_lookup(&t.map, k);
            if (present[key]) {
                assert_non_null(p);
                assert_int_equal(p[0], value[key]);
            } else {
                assert_null(p);
            }
        }
        assert_int_equal(t.map.count, live);
    }
    free(t.mem);
}

/* A value that points into the map's own value block (as a program may
 * pass) is copied correctly even when it overlaps the destination. */
static void test_update_from_overlapping_value(void **state)
{
    (void)state;
    tmap t;
    tmap_open(&t, MBPF_MAP_TYPE_ARRAY, 4, 8, 2);
    uint8_t *vals = mbpf_map_values(&t.map);
    for (int i = 0; i < 16; i++)
        vals[i] = (uint8_t)i;
    uint32_t k = 0;
    assert_int_equal(mbpf_map_update(&t.map, &k, vals + 3, MBPF_ANY), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(vals[i], i + 3);
    k = 1;
    for (int i = 0; i < 16; i++)
        vals[i] = (uint8_t)i;
    assert_int_equal(mbpf_map_update(&t.map, &k, vals + 5, MBPF_ANY), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(vals[8 + i], i + 5);
    free(t.mem);
}

static void test_register_helpers(void **state)
{
    (void)state;
    mbpf_helper storage[3];
    mbpf_helpers set;
    mbpf_helpers_init(&set, storage, 3);
    assert_int_equal(mbpf_maps_register_helpers(&set), MBPF_OK);
    const mbpf_helper *h = mbpf_helpers_find(&set, MBPF_HELPER_MAP_UPDATE);
    assert_non_null(h);
    assert_string_equal(h->name, "bpf_map_update_elem");
    assert_int_equal(h->args[0].kind, MBPF_ARG_MAP);
    assert_int_equal(h->args[1].kind, MBPF_ARG_MAP_KEY);
    assert_int_equal(h->args[1].len_arg, 1);
    assert_int_equal(h->args[2].kind, MBPF_ARG_MAP_VALUE);
    assert_int_equal(h->args[3].kind, MBPF_ARG_SCALAR);
    assert_non_null(mbpf_helpers_find(&set, MBPF_HELPER_MAP_LOOKUP));
    assert_non_null(mbpf_helpers_find(&set, MBPF_HELPER_MAP_DELETE));
    /* Twice: duplicate ids are refused. */
    mbpf_helper more[6];
    mbpf_helpers_init(&set, more, 6);
    assert_int_equal(mbpf_maps_register_helpers(&set), MBPF_OK);
    assert_int_equal(mbpf_maps_register_helpers(&set), MBPF_E_ARG);
    mbpf_helpers_init(&set, storage, 2);
    assert_int_equal(mbpf_maps_register_helpers(&set), MBPF_E_NOSPACE);
}

/* A program whose key pointer is too short for the map's key size is
 * stopped before the helper runs: the key ends past the stack. */
static void test_program_key_checked_against_key_size(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {
        LDDW_MAP(1, MBPF_IMAGE_MAP_FIRST),
        MOV64_REG(2, 10), ALU64_IMM(MBPF_ADD, 2, -4), /* 4 bytes left, key is 8 */
        CALL_HELPER(MBPF_HELPER_MAP_DELETE),
        EXIT(),
    };
    mbpf_image_map_desc m = {"h", MBPF_MAP_TYPE_HASH, 8, 4, 2, 0};
    mbpf_image_desc d = {.code = code, .num_insns = 6, .maps = &m, .num_maps = 1,
                         .stack_size = 8};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    fx_load_ok(&f);
    mbpf_result r = fx_run(&f);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.pc, 4);
    assert_int_equal(r.helper_id, MBPF_HELPER_MAP_DELETE);
    fx_close(&f);
}

/* Delete of a missing key returns -ENOENT to the program as a 64-bit value. */
static void test_program_sees_negative_errno(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {
        ST(MBPF_DW, 10, -8, 1),
        LDDW_MAP(1, MBPF_IMAGE_MAP_FIRST),
        MOV64_REG(2, 10), ALU64_IMM(MBPF_ADD, 2, -8),
        CALL_HELPER(MBPF_HELPER_MAP_DELETE),
        EXIT(),
    };
    mbpf_image_map_desc m = {"h", MBPF_MAP_TYPE_HASH, 8, 4, 2, 0};
    mbpf_image_desc d = {.code = code, .num_insns = 7, .maps = &m, .num_maps = 1,
                         .stack_size = 8};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), (uint64_t)(int64_t)MBPF_MAP_ENOENT);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mem_size_rejects_bad_definitions),
        cmocka_unit_test(test_init_errors),
        cmocka_unit_test(test_array),
        cmocka_unit_test(test_hash_basic),
        cmocka_unit_test(test_hash_against_model),
        cmocka_unit_test(test_update_from_overlapping_value),
        cmocka_unit_test(test_register_helpers),
        cmocka_unit_test(test_program_key_checked_against_key_size),
        cmocka_unit_test(test_program_sees_negative_errno),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
