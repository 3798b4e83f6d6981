/* The image writer drops functions the entry cannot reach through local
 * calls (the device verifier would merge such dead code into the function
 * before it), renumbers what refers to instructions, and leaves images whose
 * functions are all reachable exactly as they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include "prog.h"
#include "image_fixture.h"
#include "elf_build.h"

/* Writes d with stats into f->img, returns the stats. */
static mbpf_image_write_stats write_stats(fx *f, mbpf_image_desc *d)
{
    mbpf_image_write_stats st;
    memset(&st, 0xa5, sizeof(st));
    d->stats = &st;
    fx_write(f, d);
    d->stats = NULL;
    return st;
}

static void parse_ok(const fx *f, mbpf_image_info *info)
{
    assert_int_equal(mbpf_image_parse(f->img, f->img_len, info, NULL), MBPF_OK);
}

static void expect_func(const mbpf_image_info *info, uint32_t i, const char *name,
                        uint32_t start, uint32_t stack)
{
    mbpf_image_func fn;
    mbpf_image_get_func(info, i, &fn);
    assert_string_equal(mbpf_image_string(info, fn.name), name);
    assert_int_equal(fn.start, start);
    assert_int_equal(fn.stack_size, stack);
}

/* Image instruction pc is a local call to instruction target. */
static void expect_call(const mbpf_image_info *info, uint32_t pc, uint32_t target)
{
    mbpf_insn in;
    mbpf_image_get_insn(info, pc, &in);
    assert_int_equal(in.code, MBPF_OP_CALL);
    assert_int_equal(MBPF_INSN_SRC(&in), MBPF_CALL_LOCAL);
    assert_int_equal((int64_t)pc + in.imm + 1, target);
}

/* What clang makes of
 *   __noinline int first(int x) { return x * 3 + 1; }
 *   int entry(void *ctx) { return first(4) + first(5); }
 * with `first` (the first global function) as the entry: `entry` is never
 * called, and it calls instruction 0. */
static const mbpf_insn rec_code[] = {
    /* 0: first(r1) */
    MOV64_REG(0, 1), ALU64_IMM(MBPF_MUL, 0, 3), ALU64_IMM(MBPF_ADD, 0, 1), EXIT(),
    /* 4: entry */
    MOV64_IMM(1, 4), CALL_LOCAL(-6), MOV64_REG(6, 0), MOV64_IMM(1, 5), CALL_LOCAL(-9),
    ALU64_REG(MBPF_ADD, 0, 6), EXIT(),
};
static const mbpf_image_func_desc rec_funcs[] = {{"first", 0, 0}, {"entry", 4, 0}};

static void test_uncalled_function_after_the_entry(void **state)
{
    (void)state;
    fx f;
    mbpf_image_desc d = {.name = "rec", .code = rec_code, .num_insns = 11,
                         .funcs = rec_funcs, .num_funcs = 2, .entry = 0};
    fx_open(&f, NULL);
    mbpf_image_write_stats st = write_stats(&f, &d);
    assert_int_equal(st.num_funcs, 1);
    assert_int_equal(st.num_insns, 4);
    assert_int_equal(st.dropped_funcs, 1);
    assert_int_equal(st.dropped_insns, 7);
    assert_int_equal(st.dropped_lines, 0);
    assert_int_equal(st.max_depth, 1);
    mbpf_image_info info;
    parse_ok(&f, &info);
    assert_int_equal(info.num_insns, 4);
    assert_int_equal(info.num_funcs, 1);
    assert_int_equal(fx_sec_len(f.img, MBPF_SEC_CODE), 4 * 8);
    expect_func(&info, 0, "first", 0, 0);
    fx_load_ok(&f); /* verifies: no "recursive local call" any more */
    assert_int_equal(fx_run_r0(&f), 0 * 3 + 1); /* r1 is 0 at entry */
    fx_close(&f);

    /* With `entry` as the entry both are reachable: moved, nothing dropped. */
    d.entry = 1;
    fx_open(&f, NULL);
    st = write_stats(&f, &d);
    assert_int_equal(st.num_funcs, 2);
    assert_int_equal(st.num_insns, 11);
    assert_int_equal(st.dropped_funcs, 0);
    assert_int_equal(st.dropped_insns, 0);
    assert_int_equal(st.max_depth, 2);
    parse_ok(&f, &info);
    expect_func(&info, 0, "entry", 0, 0);
    expect_func(&info, 1, "first", 7, 0);
    expect_call(&info, 1, 7);
    expect_call(&info, 4, 7);
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), 13 + 16);
    fx_close(&f);
}

/* The same program from C through the library `mbpf build` uses. */
static void test_uncalled_function_from_c(void **state)
{
    (void)state;
    char clang[64], dir[] = "/tmp/mbpf-test-prune-XXXXXX", src[96], obj[96], err[512] = "";
    int major;
    if (elf_build_find_clang(clang, sizeof(clang), &major) != 0)
        skip();
    assert_non_null(mkdtemp(dir));
    snprintf(src, sizeof(src), "%s/rec.c", dir);
    snprintf(obj, sizeof(obj), "%s/rec.o", dir);
    FILE *c = fopen(src, "w");
    assert_non_null(c);
    fputs("#include <mbpf_helpers.h>\n"
          "__noinline int first(int x) { return x * 3 + 1; }\n"
          "int entry(void *ctx) { (void)ctx; return first(4) + first(5); }\n",
          c);
    fclose(c);
    elf_build_opts o;
    memset(&o, 0, sizeof(o));
    o.input = src;
    o.isa = 3;
    int rc = elf_build_compile(&o, clang, obj, err, sizeof(err));
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, 0);

    static const struct {
        const char *entry;
        uint32_t funcs, dropped;
        uint64_t r0;
    } cases[] = {{NULL, 1, 1, 1}, {"entry", 2, 0, 29}};
    for (unsigned i = 0; i < 2; i++) {
        elf_program p;
        elf_read_opts ro = {cases[i].entry, true, 3};
        rc = elf_program_read(obj, &ro, &p, err, sizeof(err));
        if (rc)
            print_error("%s\n", err);
        assert_int_equal(rc, 0);
        assert_int_equal(p.num_funcs, 2);
        mbpf_image_desc d;
        elf_program_desc(&p, "rec", &d);
        fx f;
        fx_open(&f, NULL);
        mbpf_image_write_stats st = write_stats(&f, &d);
        assert_int_equal(st.num_funcs, cases[i].funcs);
        assert_int_equal(st.dropped_funcs, cases[i].dropped);
        assert_int_equal(st.num_insns + st.dropped_insns, p.num_insns);
        assert_int_equal(st.num_lines + st.dropped_lines, p.num_lines);
        mbpf_image_info info;
        parse_ok(&f, &info);
        assert_int_equal(info.num_insns, st.num_insns);
        assert_int_equal(info.num_funcs, cases[i].funcs);
        for (uint32_t l = 0; l < info.num_lines; l++) {
            mbpf_image_line line;
            mbpf_image_get_line(&info, l, &line);
            assert_true(line.insn < info.num_insns);
        }
        fx_load_ok(&f);
        assert_int_equal(fx_run_r0(&f), cases[i].r0);
        fx_close(&f);
        elf_program_free(&p);
    }
    unlink(src);
    unlink(obj);
    rmdir(dir);
}

/* entry -> a -> b, and c (never called) calls a and a helper nobody else
 * calls. c goes, with its lines, its stack and its helper; the entry moves
 * first and the calls still land on a and b. */
static const mbpf_insn chain_code[] = {
    /* 0: a(r1) = b(r1) + 1 */
    CALL_LOCAL(16), ALU64_IMM(MBPF_ADD, 0, 1), EXIT(),
    /* 3: c: other(a(7), 1) */
    MOV64_IMM(1, 7), CALL_LOCAL(-5), MOV64_REG(1, 0), MOV64_IMM(2, 1),
    CALL_HELPER(TEST_HELPER_OTHER), EXIT(),
    /* 9: entry: r0 = a(5); if r0 != 0 r0 += 100; add(r0, 1000) */
    MOV64_IMM(1, 5), CALL_LOCAL(-11), JMP_IMM(MBPF_JEQ, 0, 0, 1), ALU64_IMM(MBPF_ADD, 0, 100),
    MOV64_REG(1, 0), MOV64_IMM(2, 1000), CALL_HELPER(TEST_HELPER_ADD), EXIT(),
    /* 17: b(r1) = r1 * 10 */
    MOV64_REG(0, 1), ALU64_IMM(MBPF_MUL, 0, 10), EXIT(),
};
static const mbpf_image_func_desc chain_funcs[] = {
    {"a", 0, 0}, {"c", 3, 64}, {"entry", 9, 16}, {"b", 17, 8}};
static const mbpf_image_line_desc chain_lines[] = {
    {9, 1, "e.c"}, {0, 2, "a.c"}, {3, 3, "c.c"}, {7, 4, "c.c"}, {17, 5, "b.c"}, {15, 6, "e.c"}};

static void test_chain_with_unreachable_caller(void **state)
{
    (void)state;
    static const uint32_t listed[] = {TEST_HELPER_OTHER, TEST_HELPER_ADD};
    for (int given = 0; given < 2; given++) {
        fx f;
        mbpf_image_desc d = {.name = "chain", .code = chain_code, .num_insns = 20,
                             .funcs = chain_funcs, .num_funcs = 4, .entry = 2,
                             .lines = chain_lines, .num_lines = 6,
                             .helpers = given ? listed : NULL, .num_helpers = given ? 2 : 0};
        fx_open(&f, NULL);
        mbpf_image_write_stats st = write_stats(&f, &d);
        assert_int_equal(st.num_funcs, 3);
        assert_int_equal(st.num_insns, 14);
        assert_int_equal(st.num_helpers, 1);
        assert_int_equal(st.num_lines, 4);
        assert_int_equal(st.max_depth, 3);
        assert_int_equal(st.dropped_funcs, 1);
        assert_int_equal(st.dropped_insns, 6);
        assert_int_equal(st.dropped_lines, 2);

        mbpf_image_info info;
        parse_ok(&f, &info);
        assert_int_equal(info.num_insns, 14);
        assert_int_equal(info.num_funcs, 3);
        assert_int_equal(info.max_depth, 3);
        assert_int_equal(info.stack_size, 16); /* c's 64 went with it */
        expect_func(&info, 0, "entry", 0, 16);
        expect_func(&info, 1, "a", 8, 0);
        expect_func(&info, 2, "b", 11, 8);
        expect_call(&info, 1, 8);  /* entry -> a */
        expect_call(&info, 8, 11); /* a -> b */
        assert_int_equal(info.num_helpers, 1);
        assert_int_equal(mbpf_image_get_helper(&info, 0), TEST_HELPER_ADD);
        for (uint32_t s = 1; s < info.sec[MBPF_SEC_STRINGS].len;
             s += (uint32_t)strlen(mbpf_image_string(&info, s)) + 1) {
            assert_string_not_equal(mbpf_image_string(&info, s), "c");
            assert_string_not_equal(mbpf_image_string(&info, s), "c.c");
        }

        static const struct {
            uint32_t insn, line;
            const char *file;
        } want[] = {{0, 1, "e.c"}, {6, 6, "e.c"}, {8, 2, "a.c"}, {11, 5, "b.c"}};
        assert_int_equal(info.num_lines, 4);
        assert_true(info.flags & MBPF_IMAGE_F_DEBUG);
        for (uint32_t i = 0; i < 4; i++) {
            mbpf_image_line l;
            mbpf_image_get_line(&info, i, &l);
            assert_int_equal(l.insn, want[i].insn);
            assert_int_equal(l.line, want[i].line);
            assert_string_equal(mbpf_image_string(&info, l.file), want[i].file);
        }
        const char *file;
        uint32_t line;
        assert_true(mbpf_image_line_at(&info, 13, &file, &line));
        assert_string_equal(file, "b.c");
        assert_int_equal(line, 5);

        fx_load_ok(&f);
        assert_int_equal(fx_run_r0(&f), 5 * 10 + 1 + 100 + 1000);
        fx_close(&f);
    }
}

/* The entry stays at 0 but a dead function between it and the live one
 * goes, so b moves down; the dead function's self-call (recursion) goes
 * with it. A jump from the entry into dead code is an error. */
static void test_dead_function_in_the_middle(void **state)
{
    (void)state;
    const mbpf_insn code[] = {
        /* 0: entry */
        MOV64_IMM(1, 6), CALL_LOCAL(4), ALU64_IMM(MBPF_ADD, 0, 2), EXIT(),
        /* 4: dead: calls itself */
        CALL_LOCAL(-1), EXIT(),
        /* 6: b(r1) = r1 * 7 */
        MOV64_REG(0, 1), ALU64_IMM(MBPF_MUL, 0, 7), EXIT(),
    };
    mbpf_image_func_desc fn[] = {{"entry", 0, 0}, {"dead", 4, 0}, {"b", 6, 0}};
    mbpf_image_desc d = {.code = code, .num_insns = 9, .funcs = fn, .num_funcs = 3};
    fx f;
    fx_open(&f, NULL);
    mbpf_image_write_stats st = write_stats(&f, &d);
    assert_int_equal(st.dropped_funcs, 1);
    assert_int_equal(st.dropped_insns, 2);
    assert_int_equal(st.max_depth, 2); /* the cycle was dead */
    mbpf_image_info info;
    parse_ok(&f, &info);
    assert_int_equal(info.num_insns, 7);
    expect_func(&info, 1, "b", 4, 0);
    expect_call(&info, 1, 4);
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), 6 * 7 + 2);
    fx_close(&f);

    const mbpf_insn jumps_out[] = {
        MOV64_IMM(0, 0), JA(2), EXIT(), /* 1: jumps to 4, into the dead function */
        MOV64_IMM(0, 1), EXIT(),
    };
    mbpf_image_func_desc fn2[] = {{"entry", 0, 0}, {"dead", 3, 0}};
    mbpf_image_desc d2 = {.code = jumps_out, .num_insns = 5, .funcs = fn2, .num_funcs = 2};
    char err[200];
    uint8_t *out = NULL;
    size_t len = 0;
    assert_int_equal(mbpf_image_write(&d2, &out, &len, err, sizeof(err)), MBPF_E_IMAGE);
    assert_string_equal(err, "insn 1: jump leaves its function, cannot drop the unreachable "
                             "functions");
    assert_null(out);
}

/* Every function reachable: the bytes are what the writer produced before it
 * learnt to drop functions (length and CRC-32 of the whole image, recorded
 * from that writer), and the stats say nothing was dropped. */
static const mbpf_insn golden_code[] = {
    /* 0: double(r1) */
    MOV64_REG(0, 1), ALU64_IMM(MBPF_LSH, 0, 1), EXIT(),
    /* 3: add3(r1) = double(r1) + 3, with a jump that stays inside */
    CALL_LOCAL(-4), JMP_IMM(MBPF_JGT, 0, 100, 1), ALU64_IMM(MBPF_ADD, 0, 3), EXIT(),
    /* 7: main: add3(10) + helper(1, 2) + rodata[1] */
    MOV64_IMM(1, 10), CALL_LOCAL(-6), MOV64_REG(6, 0),
    MOV64_IMM(1, 1), MOV64_IMM(2, 2), CALL_HELPER(TEST_HELPER_ADD),
    ALU64_REG(MBPF_ADD, 0, 6), LDDW_VAL(1, MBPF_IMAGE_MAP_RODATA, 1),
    LDX(MBPF_B, 1, 1, 0), ALU64_REG(MBPF_ADD, 0, 1), EXIT(),
};
static const uint8_t golden_rodata[8] = {0, 40};
static const mbpf_image_func_desc golden_funcs[] = {
    {"main", 7, 16}, {"double", 0, 0}, {"add3", 3, 8}};
static const mbpf_image_map_desc golden_map = {"m", MBPF_MAP_TYPE_ARRAY, 4, 8, 2, 0};
static const mbpf_image_line_desc golden_lines[] = {
    {7, 30, "main.c"}, {0, 10, "lib.c"}, {3, 20, "lib.c"}, {9, 31, "main.c"}};
static const uint32_t golden_helpers[] = {TEST_HELPER_OTHER, TEST_HELPER_ADD,
                                          TEST_HELPER_ADD};

static void test_all_reachable_unchanged(void **state)
{
    (void)state;
    fx f;
    mbpf_image_desc d = {.name = "golden", .code = golden_code,
                         .num_insns = sizeof(golden_code) / sizeof(golden_code[0]),
                         .funcs = golden_funcs, .num_funcs = 3, .entry = 0,
                         .rodata = golden_rodata, .rodata_len = 8, .bss_len = 4,
                         .maps = &golden_map, .num_maps = 1, .helpers = golden_helpers,
                         .num_helpers = 3, .lines = golden_lines, .num_lines = 4};
    fx_open(&f, NULL);
    mbpf_image_write_stats st = write_stats(&f, &d);
    assert_int_equal(f.img_len, 432);
    assert_int_equal(mbpf_crc32(0, f.img, f.img_len), 0xee5859b4u);
    assert_int_equal(st.num_funcs, 3);
    assert_int_equal(st.num_insns, 19);
    assert_int_equal(st.num_helpers, 2); /* a listed id nobody calls stays */
    assert_int_equal(st.num_lines, 4);
    assert_int_equal(st.dropped_funcs + st.dropped_insns + st.dropped_lines, 0);
    mbpf_image_info info;
    parse_ok(&f, &info);
    expect_func(&info, 0, "main", 0, 16);
    expect_func(&info, 1, "double", 12, 0);
    expect_func(&info, 2, "add3", 15, 8);
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), 10 * 2 + 3 + 3 + 40);
    fx_close(&f);

    /* The shared fixture (entry already at 0, nothing moves). */
    fx_base(&f, NULL);
    assert_int_equal(f.img_len, 304);
    assert_int_equal(mbpf_crc32(0, f.img, f.img_len), 0xf8949098u);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uncalled_function_after_the_entry),
        cmocka_unit_test(test_uncalled_function_from_c),
        cmocka_unit_test(test_chain_with_unreachable_caller),
        cmocka_unit_test(test_dead_function_in_the_middle),
        cmocka_unit_test(test_all_reachable_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
