/* mbpf import: Femto-Containers .rbf and µBPF extended-header files built
 * byte by byte here (layouts in ../shared/reference/peers.md), converted,
 * loaded and run; plus raw bytecode and malformed peer files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "image_fixture.h"
#include "import.h"

#define PEER_HELPER_ADD 0x10u /* registered here as r0 = a1 + a2 */

typedef struct bytes {
    uint8_t b[1024];
    size_t n;
} bytes;

static void put8(bytes *o, uint8_t v)
{
    assert_true(o->n < sizeof(o->b));
    o->b[o->n++] = v;
}

static void put16(bytes *o, uint16_t v)
{
    put8(o, (uint8_t)v);
    put8(o, (uint8_t)(v >> 8));
}

static void put32(bytes *o, uint32_t v)
{
    put16(o, (uint16_t)v);
    put16(o, (uint16_t)(v >> 16));
}

static void put_raw(bytes *o, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(o, ((const uint8_t *)p)[i]);
}

static void pad8(bytes *o)
{
    while (o->n % 8)
        put8(o, 0);
}

static void put_insn(bytes *o, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
    put8(o, code);
    put8(o, (uint8_t)(dst | src << 4));
    put16(o, (uint16_t)off);
    put32(o, (uint32_t)imm);
}

/* FC program: r0 = *(u32 *)(.data + 0) + *(u8 *)(.rodata + 8) = 5 + 7. */
static void fc_text(bytes *t)
{
    put_insn(t, MBPF_RBF_OP_LDDWD, 1, 0, 0, 0);
    put_insn(t, 0, 0, 0, 0, 0);
    put_insn(t, MBPF_LDX | MBPF_MEM | MBPF_W, 0, 1, 0, 0);
    put_insn(t, MBPF_RBF_OP_LDDWR, 2, 0, 0, 8);
    put_insn(t, 0, 0, 0, 0, 0);
    put_insn(t, MBPF_LDX | MBPF_MEM | MBPF_B, 3, 2, 0, 0);
    put_insn(t, MBPF_ALU64 | MBPF_X | MBPF_ADD, 0, 3, 0, 0);
    put_insn(t, MBPF_OP_EXIT, 0, 0, 0, 0);
}

static const uint8_t fc_rodata[9] = {'m', 'a', 'i', 'n', 0, 0, 0, 0, 7};

static void make_fc(bytes *o, uint32_t data_word)
{
    bytes t = {{0}, 0};
    fc_text(&t);
    o->n = 0;
    put32(o, MBPF_RBF_MAGIC);
    put32(o, 0);                 /* version */
    put32(o, 0);                 /* flags */
    put32(o, 4);                 /* data_len */
    put32(o, sizeof(fc_rodata)); /* rodata_len */
    put32(o, (uint32_t)t.n);     /* text_len */
    put32(o, 1);                 /* functions */
    put32(o, data_word);         /* .data */
    while ((o->n - 28) % 8)      /* .data padded to 8 */
        put8(o, 0);
    put_raw(o, fc_rodata, sizeof(fc_rodata));
    while ((o->n - 28) % 8) /* .rodata padded to 8 */
        put8(o, 0);
    put_raw(o, t.b, t.n);
    put16(o, 0); /* name: "main" */
    put16(o, 0); /* flags */
    put16(o, 0); /* text offset */
}

/* µBPF program: main = add(40, 2) + f(); f reads the .data word (100).
 *   0: mov r1, 40   1: mov r2, 2   2: call 0x10   3: mov r6, r0
 *   4: call <relocated -> 7>   5: add r0, r6   6: exit
 *   7: LDDWD r1, 0   9: ldxw r0, [r1]   10: exit */
static void make_ubpf(bytes *o, uint32_t reloc_insn_off, const uint8_t *helpers, size_t nh)
{
    bytes t = {{0}, 0};
    put_insn(&t, MBPF_ALU64 | MBPF_K | MBPF_MOV, 1, 0, 0, 40);
    put_insn(&t, MBPF_ALU64 | MBPF_K | MBPF_MOV, 2, 0, 0, 2);
    put_insn(&t, MBPF_OP_CALL, 0, 0, 0, PEER_HELPER_ADD);
    put_insn(&t, MBPF_ALU64 | MBPF_X | MBPF_MOV, 6, 0, 0, 0);
    put_insn(&t, MBPF_OP_CALL, 0, 0, 0, -1); /* fixed by the relocation */
    put_insn(&t, MBPF_ALU64 | MBPF_X | MBPF_ADD, 0, 6, 0, 0);
    put_insn(&t, MBPF_OP_EXIT, 0, 0, 0, 0);
    put_insn(&t, MBPF_RBF_OP_LDDWD, 1, 0, 0, 0);
    put_insn(&t, 0, 0, 0, 0, 0);
    put_insn(&t, MBPF_LDX | MBPF_MEM | MBPF_W, 0, 1, 0, 0);
    put_insn(&t, MBPF_OP_EXIT, 0, 0, 0, 0);
    static const uint8_t ro[] = "main";
    o->n = 0;
    put32(o, MBPF_RBF_MAGIC);
    put32(o, 0);
    put32(o, 0);
    put32(o, 4);          /* data_len */
    put32(o, sizeof(ro)); /* rodata_len: 5, padded to 8 */
    put32(o, (uint32_t)t.n);
    put32(o, 1); /* functions */
    put32(o, 1); /* relocated calls */
    put32(o, 100);
    pad8(o);
    put_raw(o, ro, sizeof(ro));
    pad8(o);
    put_raw(o, t.b, t.n);
    put16(o, 0);
    put16(o, 0);
    put16(o, 0);
    put32(o, reloc_insn_off);
    put32(o, 7 * 8);
    put_raw(o, helpers, nh);
}

static uint64_t peer_add(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                         mbpf_env *env)
{
    (void)c, (void)d, (void)e, (void)env;
    return a + b;
}

/* Imports, loads with the fixture's helpers (+ id 0x10) and returns r0. */
static int import_and_load(fx *f, const bytes *in, mbpf_import_format fmt,
                           mbpf_import_format *used, char *err, size_t errlen)
{
    fx_open(f, NULL);
    mbpf_helper h = {PEER_HELPER_ADD, peer_add, "peer_add", {{0, 0, 0}}};
    assert_int_equal(mbpf_helpers_add(&f->helpers, &h), MBPF_OK);
    int rc = mbpf_import(in->b, in->n, fmt, "imported", &f->img, &f->img_len, used, err, errlen);
    if (rc != MBPF_OK)
        return rc;
    fx_load_ok(f);
    return MBPF_OK;
}

static void test_fc_round_trip(void **state)
{
    (void)state;
    bytes in;
    fx f;
    char err[240];
    mbpf_import_format used = MBPF_IMPORT_AUTO;
    make_fc(&in, 5);
    assert_int_equal(in.n, 28 + 8 + 16 + 64 + 6);
    assert_int_equal(import_and_load(&f, &in, MBPF_IMPORT_AUTO, &used, err, sizeof err),
                     MBPF_OK);
    assert_int_equal(used, MBPF_IMPORT_FC);
    mbpf_image_info info;
    assert_int_equal(mbpf_image_parse(f.img, f.img_len, &info, NULL), MBPF_OK);
    assert_string_equal(info.name, "imported");
    assert_int_equal(info.num_insns, 8);
    assert_int_equal(info.sec[MBPF_SEC_DATA].len, 4);
    assert_int_equal(info.sec[MBPF_SEC_RODATA].len, 9);
    mbpf_image_func fn;
    mbpf_image_get_func(&info, 0, &fn);
    assert_string_equal(mbpf_image_string(&info, fn.name), "main");
    mbpf_insn in0;
    mbpf_image_get_insn(&info, 3, &in0); /* LDDWR became lddw src=6 on .rodata */
    assert_int_equal(in0.code, MBPF_OP_LDDW);
    assert_int_equal(MBPF_INSN_SRC(&in0), MBPF_LDDW_MAP_VAL_BY_IDX);
    assert_int_equal(in0.imm, MBPF_IMAGE_MAP_RODATA);
    mbpf_image_get_insn(&info, 4, &in0);
    assert_int_equal(in0.imm, 8);
    assert_int_equal(fx_run_r0(&f), 12);
    fx_close(&f);

    /* Explicit format gives the same result. */
    make_fc(&in, 30);
    assert_int_equal(import_and_load(&f, &in, MBPF_IMPORT_FC, &used, err, sizeof err),
                     MBPF_OK);
    assert_int_equal(fx_run_r0(&f), 37);
    fx_close(&f);
}

static void test_ubpf_round_trip(void **state)
{
    (void)state;
    bytes in;
    fx f;
    char err[240];
    mbpf_import_format used = MBPF_IMPORT_AUTO;
    const uint8_t helpers[] = {PEER_HELPER_ADD, 0x20};
    make_ubpf(&in, 4 * 8, helpers, 2);
    int rc = import_and_load(&f, &in, MBPF_IMPORT_AUTO, &used, err, sizeof err);
    if (rc != MBPF_OK)
        print_error("import: %s\n", err);
    assert_int_equal(rc, MBPF_OK);
    assert_int_equal(used, MBPF_IMPORT_UBPF);
    mbpf_image_info info;
    assert_int_equal(mbpf_image_parse(f.img, f.img_len, &info, NULL), MBPF_OK);
    assert_int_equal(info.num_funcs, 2);
    assert_int_equal(info.max_depth, 2);
    assert_int_equal(info.num_helpers, 1); /* 0x20 is allowed but never called, and
                                            * this device does not provide it */
    assert_int_equal(mbpf_image_get_helper(&info, 0), PEER_HELPER_ADD);
    mbpf_insn call;
    mbpf_image_get_insn(&info, 4, &call);
    assert_int_equal(MBPF_INSN_SRC(&call), MBPF_CALL_LOCAL);
    assert_int_equal(call.imm, 2);
    assert_int_equal(mbpf_image_func_at(&info, 8), 1);
    assert_int_equal(fx_run_r0(&f), 142);
    fx_close(&f);
}

static void test_raw_bytecode(void **state)
{
    (void)state;
    bytes in = {{0}, 0};
    fx f;
    char err[240];
    mbpf_import_format used;
    put_insn(&in, MBPF_ALU64 | MBPF_K | MBPF_MOV, 1, 0, 0, 20);
    put_insn(&in, MBPF_ALU64 | MBPF_K | MBPF_MOV, 2, 0, 0, 22);
    put_insn(&in, MBPF_OP_CALL, 0, 0, 0, PEER_HELPER_ADD);
    put_insn(&in, MBPF_OP_EXIT, 0, 0, 0, 0);
    assert_int_equal(import_and_load(&f, &in, MBPF_IMPORT_AUTO, &used, err, sizeof err),
                     MBPF_OK);
    assert_int_equal(used, MBPF_IMPORT_RAW);
    mbpf_image_info info;
    assert_int_equal(mbpf_image_parse(f.img, f.img_len, &info, NULL), MBPF_OK);
    assert_int_equal(info.num_funcs, 1);
    assert_int_equal(info.num_helpers, 1); /* collected from the code */
    assert_int_equal(fx_run_r0(&f), 42);
    fx_close(&f);
}

/* Imports that must fail, with the expected words in the message. */
static void expect_import_error(const bytes *in, mbpf_import_format fmt, const char *words)
{
    char err[240];
    uint8_t *out = NULL;
    size_t len = 0;
    int rc = mbpf_import(in->b, in->n, fmt, NULL, &out, &len, NULL, err, sizeof err);
    if (rc == MBPF_OK || !strstr(err, words))
        print_error("import gave %d '%s', expected '%s'\n", rc, err, words);
    assert_int_equal(rc, MBPF_E_IMAGE);
    assert_non_null(strstr(err, words));
    assert_null(out);
}

static void test_bad_peer_files(void **state)
{
    (void)state;
    bytes in;
    make_fc(&in, 5);
    for (size_t n = 0; n < 28; n++) { /* header cut short */
        bytes cut = in;
        cut.n = n;
        expect_import_error(&cut, MBPF_IMPORT_FC, "shorter than its 28-byte header");
    }
    bytes cut = in;
    cut.n = in.n - 3; /* function record cut */
    expect_import_error(&cut, MBPF_IMPORT_FC, "file truncated");
    bytes tmp = in;
    tmp.b[0] = 'X';
    expect_import_error(&tmp, MBPF_IMPORT_FC, "bad magic");
    tmp = in;
    tmp.b[20] = 63; /* text_len not a multiple of 8 */
    expect_import_error(&tmp, MBPF_IMPORT_FC, "not a multiple of 8");
    tmp = in;
    tmp.b[in.n - 6] = 8; /* name offset at the last rodata byte, which is not NUL */
    expect_import_error(&tmp, MBPF_IMPORT_FC, "is not a string in .rodata");
    tmp = in;
    tmp.b[in.n - 2] = 3; /* text offset not on an instruction */
    expect_import_error(&tmp, MBPF_IMPORT_FC, "is not an instruction of .text");
    tmp = in;
    tmp.b[28 + 8 + 16 + 4] = 5; /* LDDWD offset 5 into a 4-byte .data */
    expect_import_error(&tmp, MBPF_IMPORT_FC, "insn 0: lddw src=6 offset beyond the map value");
    tmp = in;
    tmp.b[28 + 8 + 16 + 8] = 1; /* LDDWD second slot not zero */
    expect_import_error(&tmp, MBPF_IMPORT_FC, "insn 1: LDDWD second slot must be all zero");

    const uint8_t helpers[] = {PEER_HELPER_ADD};
    make_ubpf(&in, 3 * 8, helpers, 1); /* relocation on a mov */
    expect_import_error(&in, MBPF_IMPORT_UBPF, "relocated call 0: insn 3 is not a call");
    make_ubpf(&in, 4 * 8 + 1, helpers, 1);
    expect_import_error(&in, MBPF_IMPORT_UBPF, "instruction offset 33 outside .text");
    make_ubpf(&in, 4 * 8, NULL, 0); /* code calls 0x10, list is empty */
    expect_import_error(&in, MBPF_IMPORT_UBPF,
                        "insn 2: calls helper 0x10, which the uBPF helper list does not allow");

    bytes raw = {{0}, 0};
    put_insn(&raw, MBPF_OP_EXIT, 0, 0, 0, 0);
    raw.n = 12;
    expect_import_error(&raw, MBPF_IMPORT_RAW, "not a positive multiple of 8");
    raw.n = 0;
    expect_import_error(&raw, MBPF_IMPORT_AUTO, "not a positive multiple of 8");
}

/* Every truncation of a µBPF file: an error or (when only helper bytes are
 * cut) an image, never a crash. */
static void test_ubpf_truncations(void **state)
{
    (void)state;
    bytes in;
    const uint8_t helpers[] = {PEER_HELPER_ADD, 0x20};
    make_ubpf(&in, 4 * 8, helpers, 2);
    for (size_t n = 0; n < in.n; n++) {
        uint8_t *exact = malloc(n ? n : 1);
        memcpy(exact, in.b, n);
        uint8_t *out = NULL;
        size_t len;
        char err[240];
        int rc = mbpf_import(exact, n, MBPF_IMPORT_UBPF, NULL, &out, &len, NULL, err,
                             sizeof err);
        if (n >= in.n - 1)
            assert_int_equal(rc, MBPF_OK); /* only the unused helper 0x20 lost */
        else
            assert_int_equal(rc, MBPF_E_IMAGE);
        free(out);
        free(exact);
    }
}

/* Random byte changes in peer files: import gives an error or a valid image
 * (checked with the device parser), never a crash. Bounded and seeded. */
static void test_import_mutations(void **state)
{
    (void)state;
    const uint8_t helpers[] = {PEER_HELPER_ADD, 0x20};
    bytes orig[2];
    make_fc(&orig[0], 5);
    make_ubpf(&orig[1], 4 * 8, helpers, 2);
    uint32_t seed = 0x5eed;
    unsigned ok = 0;
    for (int iter = 0; iter < 10000; iter++) {
        const bytes *o = &orig[iter & 1];
        uint8_t *m = malloc(o->n);
        memcpy(m, o->b, o->n);
        size_t len = o->n;
        for (int k = 0; k < 3; k++) {
            seed = seed * 1664525u + 1013904223u;
            uint32_t at = (seed >> 8) % (uint32_t)o->n;
            if ((seed & 3u) == 0)
                len = at;
            else
                m[at] = (uint8_t)(seed >> 24);
        }
        uint8_t *out = NULL;
        size_t out_len = 0;
        char err[240];
        int rc = mbpf_import(m, len, MBPF_IMPORT_AUTO, NULL, &out, &out_len, NULL, err,
                             sizeof err);
        if (rc == MBPF_OK) {
            mbpf_image_info info;
            assert_int_equal(mbpf_image_parse(out, out_len, &info, NULL), MBPF_OK);
            ok++;
        } else {
            assert_true(err[0] != 0);
        }
        free(out);
        free(m);
    }
    print_message("import mutations: %u imported\n", ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fc_round_trip),
        cmocka_unit_test(test_ubpf_round_trip),
        cmocka_unit_test(test_raw_bytecode),
        cmocka_unit_test(test_bad_peer_files),
        cmocka_unit_test(test_ubpf_truncations),
        cmocka_unit_test(test_import_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
