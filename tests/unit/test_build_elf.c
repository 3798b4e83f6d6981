/* mbpf build's ELF reader: good objects become the right program, bad ones
 * get a precise error. Objects are compiled from small C snippets with the
 * same clang `mbpf build` uses; the cases clang never produces (a foreign
 * relocation type, a non-BPF machine) are made by editing an object with
 * libelf. Skipped when no clang is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_build.h"
#include "mbpf/helper_ids.h"

static char clang[64];
static int clang_ok;
static char dir[64];

static int setup(void **state)
{
    (void)state;
    int major;
    clang_ok = elf_build_find_clang(clang, sizeof(clang), &major) == 0;
    snprintf(dir, sizeof(dir), "/tmp/mbpf-test-build-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Compiles src (named name.c) into name.o; returns the object path. */
static const char *compile(const char *name, const char *src)
{
    static char obj[128];
    char c[128];
    snprintf(c, sizeof(c), "%s/%s.c", dir, name);
    snprintf(obj, sizeof(obj), "%s/%s.o", dir, name);
    FILE *f = fopen(c, "w");
    assert_non_null(f);
    fputs(src, f);
    fclose(f);
    elf_build_opts o;
    memset(&o, 0, sizeof(o));
    o.input = c;
    o.isa = 3;
    char err[256];
    int rc = elf_build_compile(&o, clang, obj, err, sizeof(err));
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, 0);
    return obj;
}

/* Reads obj and expects an error containing want. */
static void expect_error(const char *obj, const char *entry, const char *want)
{
    elf_program p;
    elf_read_opts ro = {entry, false, 3};
    char err[512] = "";
    int rc = elf_program_read(obj, &ro, &p, err, sizeof(err));
    if (rc == 0 || !strstr(err, want))
        print_error("expected an error with \"%s\", got rc %d \"%s\"\n", want, rc, err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, want));
}

#define NEED_CLANG()                                                                      \
    do {                                                                                  \
        if (!clang_ok)                                                                    \
            skip();                                                                       \
    } while (0)

static void test_good_program(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("good", "#include <mbpf_helpers.h>\n"
                                      "struct { __uint(type, BPF_MAP_TYPE_HASH);\n"
                                      "  __type(key, uint32_t); __type(value, uint64_t);\n"
                                      "  __uint(max_entries, 16); } h SEC(\".maps\");\n"
                                      "static const char s[] = \"hi %d\\n\";\n"
                                      "int d = 7; int z;\n"
                                      "static __noinline int f(int x) { return x + d; }\n"
                                      "int entry(void *c) { uint32_t k = 1; z++;\n"
                                      "  bpf_printf(s, 1);\n"
                                      "  return f(2) + (bpf_map_lookup_elem(&h, &k) != 0); }\n");
    elf_program p;
    elf_read_opts ro = {NULL, false, 3};
    char err[512] = "";
    int rc = elf_program_read(obj, &ro, &p, err, sizeof(err));
    if (rc)
        print_error("%s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(p.num_funcs, 2);
    assert_string_equal(p.funcs[p.entry].name, "entry");
    assert_int_equal(p.num_maps, 1);
    assert_string_equal(p.maps[0].name, "h");
    assert_int_equal(p.maps[0].type, MBPF_MAP_TYPE_HASH);
    assert_int_equal(p.maps[0].key_size, 4);
    assert_int_equal(p.maps[0].value_size, 8);
    assert_int_equal(p.maps[0].max_entries, 16);
    assert_int_equal(p.data_len, 4);
    assert_int_equal(p.bss_len, 4);
    assert_true(p.rodata_len >= 7);
    assert_int_equal(p.num_helpers, 2);
    assert_int_equal(p.helpers[0], MBPF_HELPER_PRINTF);
    assert_int_equal(p.helpers[1], MBPF_HELPER_MAP_LOOKUP);
    assert_int_equal(p.max_depth, 2);
    assert_false(p.recursive);
    /* Every lddw now refers to a map index; every local call to a function. */
    unsigned lddw_map = 0, lddw_val = 0;
    for (uint32_t pc = 0; pc < p.num_insns; pc++) {
        const mbpf_insn *in = &p.code[pc];
        if (in->code == MBPF_OP_LDDW) {
            unsigned src = MBPF_INSN_SRC(in);
            lddw_map += src == MBPF_LDDW_MAP_BY_IDX;
            lddw_val += src == MBPF_LDDW_MAP_VAL_BY_IDX;
            if (src == MBPF_LDDW_MAP_BY_IDX)
                assert_int_equal(in->imm, MBPF_IMAGE_MAP_FIRST);
            pc++;
        } else if (in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_LOCAL) {
            uint32_t t = (uint32_t)((int64_t)pc + in->imm + 1);
            bool is_start = false;
            for (uint32_t f = 0; f < p.num_funcs; f++)
                is_start |= p.funcs[f].start == t;
            assert_true(is_start);
        }
    }
    assert_int_equal(lddw_map, 1);
    assert_true(lddw_val >= 3); /* .rodata, .data, .bss */
    elf_program_free(&p);
}

static void test_unsupported_section(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("sect", "int x __attribute__((section(\".mysec\"), used)) = 1;\n"
                                      "int entry(void *c) { return 0; }\n");
    expect_error(obj, NULL, "unsupported section '.mysec'");
}

static void test_pointer_in_data(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("ptr", "const char *p = \"text\";\n"
                                     "int entry(void *c) { return p[0]; }\n");
    expect_error(obj, NULL, "in section '.data'");
}

static void test_undefined_function(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("undef", "extern int missing(int);\n"
                                       "int entry(void *c) { return missing(3); }\n");
    expect_error(obj, NULL, "undefined function 'missing'");
}

static void test_undefined_variable(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("undefvar", "extern int ext_var;\n"
                                          "int entry(void *c) { return ext_var; }\n");
    expect_error(obj, NULL, "undefined symbol 'ext_var'");
}

static void test_missing_entry(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("entry", "int entry(void *c) { return 1; }\n");
    expect_error(obj, "nope", "entry function 'nope' not found");
    obj = compile("noglobal", "static __attribute__((used, noinline)) int f(void *c)\n"
                              "{ return 1; }\n");
    expect_error(obj, NULL, "no entry point");
}

static void test_unsupported_map(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("maptype", "#include <mbpf_helpers.h>\n"
                                         "struct { __uint(type, 27); __uint(max_entries, 4);\n"
                                         "  __type(key, int); __type(value, int); }\n"
                                         "  rb SEC(\".maps\");\n"
                                         "int entry(void *c) { return bpf_map_lookup_elem(&rb,"
                                         " &c) != 0; }\n");
    expect_error(obj, NULL, "map 'rb': unsupported map type 27");
}

static void test_callback_address(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("cb", "static __attribute__((noinline)) long cbf(long x)\n"
                                    "{ return x * 3; }\n"
                                    "long (*volatile fp)(long);\n"
                                    "int entry(void *c) { fp = cbf; return 0; }\n");
    expect_error(obj, NULL, "address of function 'cbf' taken");
}

/* Rewrites the type of the first relocation of .rel.text. */
static void patch_reloc_type(const char *obj, unsigned type)
{
    elf_version(EV_CURRENT);
    int fd = open(obj, O_RDWR);
    assert_true(fd >= 0);
    Elf *e = elf_begin(fd, ELF_C_RDWR, NULL);
    assert_non_null(e);
    size_t shstrndx;
    assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
    Elf_Scn *scn = NULL;
    bool done = false;
    while ((scn = elf_nextscn(e, scn)) && !done) {
        GElf_Shdr sh;
        gelf_getshdr(scn, &sh);
        if (sh.sh_type != SHT_REL || strcmp(elf_strptr(e, shstrndx, sh.sh_name), ".rel.text"))
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        GElf_Rel rel;
        assert_non_null(gelf_getrel(d, 0, &rel));
        rel.r_info = GELF_R_INFO(GELF_R_SYM(rel.r_info), type);
        assert_true(gelf_update_rel(d, 0, &rel));
        elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
        done = true;
    }
    assert_true(done);
    assert_true(elf_update(e, ELF_C_WRITE) >= 0);
    elf_end(e);
    close(fd);
}

static void test_unsupported_relocation(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("reloc", "int counter = 3;\n"
                                       "int entry(void *c) { return counter; }\n");
    patch_reloc_type(obj, 2 /* R_BPF_64_ABS64 */);
    expect_error(obj, NULL, "unsupported relocation type R_BPF_64_ABS64 (2) at insn 0 (.text+0x0)");
}

static void test_not_bpf(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/host.o", dir);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "echo 'int f(void){return 0;}' | cc -x c -c - -o %s", path);
    if (system(cmd) != 0)
        skip();
    expect_error(path, NULL, "not a BPF object");
    snprintf(path, sizeof(path), "%s/junk.o", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("definitely not ELF", f);
    fclose(f);
    expect_error(path, NULL, "not an ELF file");
}

static void test_recursion_flagged(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("rec", "static __attribute__((noinline)) unsigned long\n"
                                     "fib(unsigned long n) { return n < 2 ? n :\n"
                                     "  fib(n - 1) + fib(n - 2); }\n"
                                     "int entry(void *c) { return fib(10); }\n");
    elf_program p;
    elf_read_opts ro = {NULL, false, 3};
    char err[256];
    assert_int_equal(elf_program_read(obj, &ro, &p, err, sizeof(err)), 0);
    assert_true(p.recursive);
    assert_int_equal(p.max_depth, 0);
    elf_program_free(&p);
}

static void test_line_table(void **state)
{
    (void)state;
    NEED_CLANG();
    const char *obj = compile("lines", "int entry(void *c)\n"
                                       "{\n"
                                       "    return 42;\n"
                                       "}\n");
    elf_program p;
    elf_read_opts ro = {NULL, true, 3};
    char err[256];
    assert_int_equal(elf_program_read(obj, &ro, &p, err, sizeof(err)), 0);
    assert_true(p.num_lines >= 1);
    bool line3 = false;
    for (uint32_t i = 0; i < p.num_lines; i++)
        line3 |= p.lines[i].line == 3 && strstr(p.lines[i].file, "lines.c") != NULL;
    assert_true(line3);
    elf_program_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_program),
        cmocka_unit_test(test_unsupported_section),
        cmocka_unit_test(test_pointer_in_data),
        cmocka_unit_test(test_undefined_function),
        cmocka_unit_test(test_undefined_variable),
        cmocka_unit_test(test_missing_entry),
        cmocka_unit_test(test_unsupported_map),
        cmocka_unit_test(test_callback_address),
        cmocka_unit_test(test_unsupported_relocation),
        cmocka_unit_test(test_not_bpf),
        cmocka_unit_test(test_recursion_flagged),
        cmocka_unit_test(test_line_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
