/* Image round trips: describe a program, write the image, parse it, load it
 * into a VM and run it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "image_fixture.h"

static void test_crc32_known_value(void **state)
{
    (void)state;
    assert_int_equal(mbpf_crc32(0, "123456789", 9), 0xcbf43926u);
    uint32_t c = mbpf_crc32(0, "1234", 4);
    assert_int_equal(mbpf_crc32(c, "56789", 5), 0xcbf43926u);
    assert_int_equal(mbpf_crc32(0, "", 0), 0u);
}

static void test_minimal_round_trip(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {MOV64_IMM(0, 42), EXIT()};
    mbpf_image_desc d = {.name = "answer", .code = code, .num_insns = 2};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    assert_int_equal(f.img_len % 8, 0);
    assert_int_equal(fx_rd32(f.img), MBPF_IMAGE_MAGIC);
    assert_memory_equal(f.img, "MBPF", 4);

    mbpf_image_info info;
    mbpf_image_error err;
    assert_int_equal(mbpf_image_parse(f.img, f.img_len, &info, &err), MBPF_OK);
    assert_string_equal(info.name, "answer");
    assert_int_equal(info.version, MBPF_IMAGE_VERSION);
    assert_int_equal(info.isa, 3);
    assert_int_equal(info.num_insns, 2);
    assert_int_equal(info.num_funcs, 1);
    assert_int_equal(info.num_maps, 0);
    assert_int_equal(info.num_helpers, 0);
    assert_int_equal(info.max_depth, 1);
    mbpf_image_func fn;
    mbpf_image_get_func(&info, 0, &fn);
    assert_int_equal(fn.start, 0);
    assert_string_equal(mbpf_image_string(&info, fn.name), "answer");
    mbpf_insn in;
    mbpf_image_get_insn(&info, 0, &in);
    assert_int_equal(in.imm, 42);

    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), 42);
    fx_close(&f);
}

/* .rodata, .data and .bss through lddw src=6: data persists across runs of
 * one instance, reset restores it, rodata is read-only. */
static void test_global_data(void **state)
{
    (void)state;
    fx f;
    static const uint8_t rodata[] = "hello";
    uint8_t data[8] = {5};
    const mbpf_insn code[] = {
        LDDW_VAL(1, MBPF_IMAGE_MAP_DATA, 0), /* r1 = &counter (.data, starts at 5) */
        LDX(MBPF_DW, 0, 1, 0),
        ALU64_IMM(MBPF_ADD, 0, 1),
        STX(MBPF_DW, 1, 0, 0), /* counter++ */
        LDDW_VAL(2, MBPF_IMAGE_MAP_BSS, 8), /* r2 = &bss[8] */
        LDX(MBPF_DW, 3, 2, 0),
        ALU64_IMM(MBPF_ADD, 3, 100),
        STX(MBPF_DW, 2, 3, 0), /* bss += 100 */
        ALU64_REG(MBPF_ADD, 0, 3),
        LDDW_VAL(4, MBPF_IMAGE_MAP_RODATA, 1), /* 'e' */
        LDX(MBPF_B, 5, 4, 0),
        ALU64_IMM(MBPF_LSH, 5, 32),
        ALU64_REG(MBPF_ADD, 0, 5),
        EXIT(),
    };
    mbpf_image_desc d = {.name = "globals", .code = code,
                         .num_insns = sizeof(code) / sizeof(code[0]), .rodata = rodata,
                         .rodata_len = sizeof(rodata), .data = data, .data_len = 8,
                         .bss_len = 16};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    fx_load_ok(&f);
    uint64_t e = (uint64_t)'e' << 32;
    assert_int_equal(fx_run_r0(&f), e + 6 + 100);
    assert_int_equal(fx_run_r0(&f), e + 7 + 200);
    mbpf_program_reset(f.prog);
    assert_int_equal(fx_run_r0(&f), e + 6 + 100);
    /* The image's .data is untouched: instances copy it. */
    assert_int_equal(f.img[fx_sec_off(f.img, MBPF_SEC_DATA)], 5);
    fx_close(&f);
}

static void test_rodata_is_read_only(void **state)
{
    (void)state;
    fx f;
    static const uint8_t rodata[8] = {1, 2, 3};
    const mbpf_insn code[] = {LDDW_VAL(1, MBPF_IMAGE_MAP_RODATA, 0), ST(MBPF_B, 1, 0, 9),
                              MOV64_IMM(0, 0), EXIT()};
    mbpf_image_desc d = {.code = code, .num_insns = 5, .rodata = rodata, .rodata_len = 8};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    fx_load_ok(&f);
    mbpf_result r = fx_run(&f);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.pc, 2);
    assert_string_equal(r.msg, "out-of-bounds store");
    assert_int_equal(f.img[fx_sec_off(f.img, MBPF_SEC_RODATA)], 1);
    fx_close(&f);
}

static void test_copy_rodata_option(void **state)
{
    (void)state;
    fx f;
    static const uint8_t rodata[8] = {77};
    const mbpf_insn code[] = {LDDW_VAL(1, MBPF_IMAGE_MAP_RODATA, 0), LDX(MBPF_B, 0, 1, 0),
                              EXIT()};
    mbpf_image_desc d = {.code = code, .num_insns = 4, .rodata = rodata, .rodata_len = 8};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    mbpf_load_opts o = {&f.helpers, NULL, 0, MBPF_LOAD_COPY_RODATA};
    assert_int_equal(fx_load_opts(&f, &o, 0), MBPF_OK);
    /* The program reads the arena copy, not the image any more. */
    f.img[fx_sec_off(f.img, MBPF_SEC_RODATA)] = 1;
    assert_int_equal(fx_run_r0(&f), 77);
    fx_close(&f);
}

/* HASH map: lookup miss, insert, lookup hit, modify through the pointer. */
static void test_hash_map_program(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {
        ST(MBPF_W, 10, -4, 7),                /* key = 7 */
        ST(MBPF_DW, 10, -16, 1000),           /* value = 1000 */
        LDDW_MAP(1, MBPF_IMAGE_MAP_FIRST),    /* 2: r1 = map */
        MOV64_REG(2, 10), ALU64_IMM(MBPF_ADD, 2, -4),
        CALL_HELPER(MBPF_HELPER_MAP_LOOKUP),  /* 6 */
        JMP_IMM(MBPF_JEQ, 0, 0, 2),           /* miss -> insert */
        MOV64_IMM(0, 1), EXIT(),              /* hit on an empty map: wrong */
        LDDW_MAP(1, MBPF_IMAGE_MAP_FIRST),    /* 10 */
        MOV64_REG(2, 10), ALU64_IMM(MBPF_ADD, 2, -4),
        MOV64_REG(3, 10), ALU64_IMM(MBPF_ADD, 3, -16),
        MOV64_IMM(4, MBPF_ANY),
        CALL_HELPER(MBPF_HELPER_MAP_UPDATE),
        JMP_IMM(MBPF_JEQ, 0, 0, 2),
        MOV64_IMM(0, 2), EXIT(),
        LDDW_MAP(1, MBPF_IMAGE_MAP_FIRST),
        MOV64_REG(2, 10), ALU64_IMM(MBPF_ADD, 2, -4),
        CALL_HELPER(MBPF_HELPER_MAP_LOOKUP),
        JMP_IMM(MBPF_JNE, 0, 0, 2),
        MOV64_IMM(0, 3), EXIT(),
        LDX(MBPF_DW, 1, 0, 0), ALU64_IMM(MBPF_ADD, 1, 1), STX(MBPF_DW, 0, 1, 0),
        LDX(MBPF_DW, 0, 0, 0),
        EXIT(),
    };
    mbpf_image_map_desc m = {"counts", MBPF_MAP_TYPE_HASH, 4, 8, 4, 0};
    mbpf_image_desc d = {.name = "hash", .code = code,
                         .num_insns = sizeof(code) / sizeof(code[0]), .maps = &m,
                         .num_maps = 1, .stack_size = 16};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    mbpf_image_info info;
    assert_int_equal(mbpf_image_parse(f.img, f.img_len, &info, NULL), MBPF_OK);
    assert_int_equal(info.num_helpers, 2); /* collected from the code */
    assert_int_equal(mbpf_image_get_helper(&info, 0), MBPF_HELPER_MAP_LOOKUP);
    assert_int_equal(mbpf_image_get_helper(&info, 1), MBPF_HELPER_MAP_UPDATE);
    assert_int_equal(info.stack_size, 16);
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), 1001);
    /* Second run: the key exists, so the first lookup hits. */
    assert_int_equal(fx_run_r0(&f), 1);
    /* The host sees the same map. */
    uint32_t key = 7;
    uint64_t *v = mbpf_map_lookup(mbpf_program_map(f.prog, 0), &key);
    assert_non_null(v);
    assert_int_equal(*v, 1001);
    assert_null(mbpf_program_map(f.prog, 1));
    mbpf_program_reset(f.prog);
    assert_null(mbpf_map_lookup(mbpf_program_map(f.prog, 0), &key));
    fx_close(&f);
}

/* ARRAY map value addressed directly (lddw src=6 on a declared map), and a
 * map value pointer that runs past the end of the values faults. */
static void test_array_map_direct_value(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {
        LDDW_VAL(1, MBPF_IMAGE_MAP_FIRST, 4), /* &arr[0] + 4 (value size 8) */
        ST(MBPF_W, 1, -4, 55),
        ST(MBPF_W, 10, -4, 0),
        LDDW_MAP(1, MBPF_IMAGE_MAP_FIRST),
        MOV64_REG(2, 10), ALU64_IMM(MBPF_ADD, 2, -4),
        CALL_HELPER(MBPF_HELPER_MAP_LOOKUP),
        LDX(MBPF_DW, 0, 0, 0),
        EXIT(),
    };
    const mbpf_insn oob[] = {
        LDDW_VAL(1, MBPF_IMAGE_MAP_FIRST, 8), /* one past the end: may be formed */
        LDX(MBPF_B, 0, 1, 0),                  /* but not read */
        EXIT(),
    };
    mbpf_image_map_desc m = {"arr", MBPF_MAP_TYPE_ARRAY, 4, 8, 2, 0};
    mbpf_image_desc d = {.code = code, .num_insns = sizeof(code) / sizeof(code[0]),
                         .maps = &m, .num_maps = 1, .stack_size = 8};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), 55);
    fx_close(&f);

    m.max_entries = 1;
    d.code = oob;
    d.num_insns = 4;
    fx_open(&f, NULL);
    fx_write(&f, &d);
    fx_load_ok(&f);
    mbpf_result r = fx_run(&f);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.pc, 2);
    fx_close(&f);
}

/* A value that is not one of the program's map handles is refused before
 * the helper runs. */
static void test_bad_map_handle_at_run_time(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {
        ST(MBPF_W, 10, -4, 0),
        LDDW_MAP(1, MBPF_IMAGE_MAP_FIRST),
        ALU64_IMM(MBPF_ADD, 1, 8), /* not a handle any more */
        MOV64_REG(2, 10), ALU64_IMM(MBPF_ADD, 2, -4),
        CALL_HELPER(MBPF_HELPER_MAP_LOOKUP),
        EXIT(),
    };
    mbpf_image_map_desc m = {"arr", MBPF_MAP_TYPE_ARRAY, 4, 8, 2, 0};
    mbpf_image_desc d = {.code = code, .num_insns = sizeof(code) / sizeof(code[0]),
                         .maps = &m, .num_maps = 1, .stack_size = 8};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    fx_load_ok(&f);
    mbpf_result r = fx_run(&f);
    assert_int_not_equal(r.status, MBPF_OK);
    assert_int_equal(r.pc, 6);
    assert_int_equal(r.helper_id, MBPF_HELPER_MAP_LOOKUP);
    fx_close(&f);
}

/* Three functions, entry given last: the writer moves it to instruction 0
 * and fixes the local calls; names, stacks, depth and lines survive. */
static void test_functions_and_entry_reordering(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {
        /* 0: double(r1) */
        MOV64_REG(0, 1), ALU64_IMM(MBPF_LSH, 0, 1), EXIT(),
        /* 3: add3(r1) = double(r1) + 3 */
        CALL_LOCAL(-4), ALU64_IMM(MBPF_ADD, 0, 3), EXIT(),
        /* 6: main: add3(10) + helper(1, 2) */
        MOV64_IMM(1, 10), CALL_LOCAL(-5), MOV64_REG(6, 0),
        MOV64_IMM(1, 1), MOV64_IMM(2, 2), CALL_HELPER(TEST_HELPER_ADD),
        ALU64_REG(MBPF_ADD, 0, 6), EXIT(),
    };
    mbpf_image_func_desc fn[] = {{"main", 6, 16}, {"double", 0, 0}, {"add3", 3, 8}};
    mbpf_image_line_desc lines[] = {{6, 30, "main.c"}, {0, 10, "lib.c"}, {3, 20, "lib.c"}};
    mbpf_image_desc d = {.name = "calls", .code = code, .num_insns = 14, .funcs = fn,
                         .num_funcs = 3, .entry = 0, .lines = lines, .num_lines = 3};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    mbpf_image_info info;
    assert_int_equal(mbpf_image_parse(f.img, f.img_len, &info, NULL), MBPF_OK);
    assert_int_equal(info.num_funcs, 3);
    assert_int_equal(info.max_depth, 3);
    assert_int_equal(info.stack_size, 16);
    assert_true(info.flags & MBPF_IMAGE_F_DEBUG);
    mbpf_image_func fi;
    mbpf_image_get_func(&info, 0, &fi);
    assert_string_equal(mbpf_image_string(&info, fi.name), "main");
    assert_int_equal(fi.start, 0);
    assert_int_equal(fi.stack_size, 16);
    mbpf_image_get_func(&info, 1, &fi);
    assert_string_equal(mbpf_image_string(&info, fi.name), "double");
    assert_int_equal(fi.start, 8);
    assert_int_equal(mbpf_image_func_at(&info, 9), 1);
    assert_int_equal(mbpf_image_func_at(&info, 12), 2);
    assert_int_equal(mbpf_image_func_at(&info, 14), -1);
    const char *file;
    uint32_t line;
    assert_true(mbpf_image_line_at(&info, 3, &file, &line));
    assert_string_equal(file, "main.c");
    assert_int_equal(line, 30);
    assert_true(mbpf_image_line_at(&info, 12, &file, &line));
    assert_string_equal(file, "lib.c");
    assert_int_equal(line, 20);
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), 23 + 3);
    fx_close(&f);
}

/* One image, two instances (two VMs, two arenas): separate .data. */
static void test_two_instances(void **state)
{
    (void)state;
    fx a, b;
    uint8_t data[8] = {0};
    const mbpf_insn code[] = {LDDW_VAL(1, MBPF_IMAGE_MAP_DATA, 0), LDX(MBPF_DW, 0, 1, 0),
                              ALU64_IMM(MBPF_ADD, 0, 1), STX(MBPF_DW, 1, 0, 0), EXIT()};
    mbpf_image_desc d = {.code = code, .num_insns = 6, .data = data, .data_len = 8};
    fx_open(&a, NULL);
    fx_open(&b, NULL);
    fx_write(&a, &d);
    fx_write(&b, &d);
    fx_load_ok(&a);
    fx_load_ok(&b);
    assert_int_equal(fx_run_r0(&a), 1);
    assert_int_equal(fx_run_r0(&a), 2);
    assert_int_equal(fx_run_r0(&b), 1);
    fx_close(&a);
    fx_close(&b);
}

/* The arena may start at any address. */
static void test_unaligned_arena_and_image(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {LDDW_VAL(1, MBPF_IMAGE_MAP_RODATA, 3), LDX(MBPF_B, 0, 1, 0),
                              EXIT()};
    static const uint8_t ro[] = {0, 1, 2, 3, 4};
    mbpf_image_desc d = {.code = code, .num_insns = 4, .rodata = ro, .rodata_len = 5};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    uint8_t *moved = malloc(f.img_len + 1);
    memcpy(moved + 1, f.img, f.img_len);
    mbpf_image_info info;
    assert_int_equal(mbpf_image_parse(moved + 1, f.img_len, &info, NULL), MBPF_OK);
    uint8_t *arena = malloc(info.arena_needed + 3);
    mbpf_load_opts o = {&f.helpers, NULL, 0, 0};
    assert_int_equal(mbpf_image_load(&f.t.vm, moved + 1, f.img_len, &o, arena + 3,
                                     info.arena_needed, &f.prog, &f.err),
                     MBPF_OK);
    assert_int_equal(fx_run_r0(&f), 3);
    free(arena);
    free(moved);
    fx_close(&f);
}

static void test_signature_reserve(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {MOV64_IMM(0, 1), EXIT()};
    mbpf_image_desc d = {.code = code, .num_insns = 2, .sig_reserve = 20};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    assert_int_equal(fx_sec_len(f.img, MBPF_SEC_SIG), 20);
    assert_int_equal(fx_sec_off(f.img, MBPF_SEC_SIG) + 20, f.img_len);
    /* The signature bytes are outside the hash. */
    f.img[f.img_len - 1] ^= 0xff;
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), 1);
    fx_close(&f);
}

/* Unload, then load another image into the same VM. */
static void test_unload_and_reload(void **state)
{
    (void)state;
    fx f;
    uint8_t data[8] = {9};
    const mbpf_insn a[] = {LDDW_VAL(1, MBPF_IMAGE_MAP_DATA, 0), LDX(MBPF_B, 0, 1, 0), EXIT()};
    const mbpf_insn b[] = {MOV64_IMM(0, 1), MOV64_IMM(2, 2), CALL_HELPER(TEST_HELPER_ADD),
                           EXIT()};
    mbpf_image_desc da = {.code = a, .num_insns = 4, .data = data, .data_len = 8};
    mbpf_image_desc db = {.code = b, .num_insns = 4};
    fx_open(&f, NULL);
    fx_write(&f, &da);
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), 9);
    assert_int_equal(f.t.vm.num_regions, 1);
    mbpf_image_unload(&f.t.vm);
    assert_int_equal(f.t.vm.num_regions, 0);
    mbpf_result r = fx_run(&f);
    assert_int_equal(r.status, MBPF_E_STATE);
    fx_write(&f, &db);
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), 2); /* r1 is 0 at entry: 0 + 2 */
    mbpf_image_unload(&f.t.vm);
    mbpf_image_unload(&f.t.vm); /* twice: harmless */
    fx_close(&f);
}

static void test_writer_errors(void **state)
{
    (void)state;
    char err[200];
    uint8_t *out = NULL;
    size_t len = 0;
    const mbpf_insn code[] = {CALL_HELPER(5), LDDW_MAP(1, 9), EXIT()};
    uint32_t listed[] = {6};
    mbpf_image_desc d = {.code = code, .num_insns = 4, .helpers = listed, .num_helpers = 1};
    assert_int_equal(mbpf_image_write(&d, &out, &len, err, sizeof(err)), MBPF_E_IMAGE);
    assert_non_null(strstr(err, "insn 0"));
    assert_non_null(strstr(err, "does not list"));
    d.helpers = NULL;
    d.num_helpers = 0;
    assert_int_equal(mbpf_image_write(&d, &out, &len, err, sizeof(err)), MBPF_E_IMAGE);
    assert_non_null(strstr(err, "insn 1: lddw map index out of range"));
    assert_null(out);
    mbpf_image_func_desc fn[] = {{"a", 1, 0}};
    mbpf_image_desc d2 = {.code = code, .num_insns = 4, .funcs = fn, .num_funcs = 1};
    assert_int_equal(mbpf_image_write(&d2, &out, &len, err, sizeof(err)), MBPF_E_IMAGE);
    assert_string_equal(err, "no function starts at instruction 0");
    mbpf_image_desc d3 = {.code = code, .num_insns = 0};
    assert_int_equal(mbpf_image_write(&d3, &out, &len, err, sizeof(err)), MBPF_E_IMAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_known_value),
        cmocka_unit_test(test_minimal_round_trip),
        cmocka_unit_test(test_global_data),
        cmocka_unit_test(test_rodata_is_read_only),
        cmocka_unit_test(test_copy_rodata_option),
        cmocka_unit_test(test_hash_map_program),
        cmocka_unit_test(test_array_map_direct_value),
        cmocka_unit_test(test_bad_map_handle_at_run_time),
        cmocka_unit_test(test_functions_and_entry_reordering),
        cmocka_unit_test(test_two_instances),
        cmocka_unit_test(test_unaligned_arena_and_image),
        cmocka_unit_test(test_signature_reserve),
        cmocka_unit_test(test_unload_and_reload),
        cmocka_unit_test(test_writer_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
