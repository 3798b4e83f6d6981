/* The ELF reader on damaged objects: a real object (maps, global data,
 * several functions, BTF and line info) with a few random bytes changed or
 * cut short, many times over with a fixed seed. Every read must end in
 * success or a message, never a crash (the suite runs under ASan/UBSan), and
 * whatever is accepted must serialise or be refused by the image writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf_build.h"

#define ITERATIONS 400

static const char source[] =
    "#include <mbpf_helpers.h>\n"
    "struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, uint32_t);\n"
    "  __type(value, uint64_t); __uint(max_entries, 8); } h SEC(\".maps\");\n"
    "static const char msg[] = \"n=%d\\n\";\n"
    "int counter = 3; static uint32_t hits;\n"
    "static __noinline int twice(int x) { return 2 * x + counter; }\n"
    "int prog(void *ctx) { uint32_t k = 1; hits++;\n"
    "  uint64_t *v = bpf_map_lookup_elem(&h, &k);\n"
    "  bpf_printf(msg, twice((int)hits));\n"
    "  return v ? (int)*v : twice(4); }\n";

static uint32_t rng = 12345u;

static uint32_t next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void test_damaged_objects(void **state)
{
    (void)state;
    char clang[64];
    int major;
    if (elf_build_find_clang(clang, sizeof(clang), &major))
        skip();
    char dir[] = "/tmp/mbpf-test-fuzz-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char src[96], obj[96], bad[96];
    snprintf(src, sizeof(src), "%s/prog.c", dir);
    snprintf(obj, sizeof(obj), "%s/prog.o", dir);
    snprintf(bad, sizeof(bad), "%s/bad.o", dir);
    FILE *f = fopen(src, "w");
    assert_non_null(f);
    fputs(source, f);
    fclose(f);
    elf_build_opts o;
    memset(&o, 0, sizeof(o));
    o.input = src;
    o.isa = 3;
    char err[512];
    assert_int_equal(elf_build_compile(&o, clang, obj, err, sizeof(err)), 0);

    size_t len;
    unsigned char *orig = read_all(obj, &len);
    unsigned char *m = malloc(len);
    assert_non_null(m);
    int accepted = 0, refused = 0;
    for (int it = 0; it < ITERATIONS; it++) {
        memcpy(m, orig, len);
        unsigned flips = 1 + next_rand() % 4;
        for (unsigned k = 0; k < flips; k++)
            m[next_rand() % len] = (unsigned char)next_rand();
        size_t n = next_rand() % 8 == 0 ? next_rand() % len : len;
        f = fopen(bad, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(m, 1, n, f), n);
        fclose(f);
        elf_program p;
        elf_read_opts ro = {NULL, it % 2 == 0, 3};
        err[0] = 0;
        if (elf_program_read(bad, &ro, &p, err, sizeof(err)) == 0) {
            mbpf_image_desc d;
            uint8_t *img = NULL;
            size_t img_len = 0;
            elf_program_desc(&p, "fuzz", &d);
            if (mbpf_image_write(&d, &img, &img_len, err, sizeof(err)) == MBPF_OK)
                free(img);
            elf_program_free(&p);
            accepted++;
        } else {
            assert_true(err[0] != 0); /* every refusal says why */
            refused++;
        }
    }
    /* The undamaged object itself must read. */
    elf_program p;
    elf_read_opts ro = {NULL, true, 3};
    assert_int_equal(elf_program_read(obj, &ro, &p, err, sizeof(err)), 0);
    elf_program_free(&p);
    print_message("%d damaged objects accepted, %d refused with a message\n", accepted, refused);
    assert_true(accepted + refused == ITERATIONS);
    free(m);
    free(orig);
    unlink(src);
    unlink(obj);
    unlink(bad);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
