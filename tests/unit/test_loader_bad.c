/* Bad images: every malformed field gets a precise error (status, message,
 * byte offset or instruction index), never a crash. Each test patches one
 * thing in a valid image (re-computing the CRC unless the CRC is the point).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "prog.h"
#include "image_fixture.h"

/* Loads and checks status, message, and offset/pc (UINT32_MAX: don't care). */
static void expect(fx *f, int status, const char *msg, uint32_t offset, uint32_t pc)
{
    int st = fx_load(f);
    if (st != status || (msg && (!f->err.msg || strcmp(msg, f->err.msg) != 0)))
        print_error("got %d '%s' offset %u pc %u\n", st, f->err.msg ? f->err.msg : "(null)",
                    (unsigned)f->err.offset, (unsigned)f->err.pc);
    assert_int_equal(st, status);
    assert_int_equal(f->err.status, status);
    if (msg)
        assert_string_equal(f->err.msg, msg);
    if (offset != UINT32_MAX)
        assert_int_equal(f->err.offset, offset);
    if (pc != UINT32_MAX)
        assert_int_equal(f->err.pc, pc);
    assert_null(f->prog);
    assert_false(f->t.vm.loaded);
    assert_int_equal(f->t.vm.num_regions, 0); /* nothing left behind */
}

#define SEC_FIELD(s) (MBPF_IMAGE_OFF_SEC + 8u * (s))
#define INSN_AT(f, pc) ((f)->img + fx_sec_off((f)->img, MBPF_SEC_CODE) + 8u * (pc))

static void patch32(fx *f, uint32_t at, uint32_t v)
{
    fx_wr32(f->img + at, v);
    fx_fix_crc(f->img, f->img_len);
}

static void test_base_is_valid(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    fx_load_ok(&f);
    assert_int_equal(f.t.vm.num_regions, 4); /* rodata, data, bss, map values */
    assert_int_equal(fx_run_r0(&f), 1);
    fx_close(&f);
}

static void test_truncated_at_every_length(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    mbpf_image_info info;
    mbpf_image_error err;
    for (size_t len = 0; len < f.img_len; len++) {
        uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
        memcpy(copy, f.img, len);
        assert_int_equal(mbpf_image_parse(copy, len, &info, &err), MBPF_E_IMAGE);
        if (len < MBPF_IMAGE_HEADER_SIZE)
            assert_string_equal(err.msg, "image shorter than its header");
        else
            assert_string_equal(err.msg, "image length field does not match the data length");
        /* Also with the length field and CRC made consistent. */
        if (len >= MBPF_IMAGE_HEADER_SIZE) {
            fx_wr32(copy + MBPF_IMAGE_OFF_IMAGE_LEN, (uint32_t)len);
            fx_fix_crc(copy, len);
            assert_int_equal(mbpf_image_parse(copy, len, &info, &err), MBPF_E_IMAGE);
        }
        free(copy);
    }
    fx_close(&f);
}

static void test_bad_magic(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    f.img[0] = 'X';
    expect(&f, MBPF_E_IMAGE, "bad magic: not a microbpf image", 0, MBPF_IMAGE_NO_PC);
    fx_close(&f);
}

static void test_unknown_version(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    f.img[MBPF_IMAGE_OFF_VERSION] = 2;
    expect(&f, MBPF_E_IMAGE, "unsupported image format version", MBPF_IMAGE_OFF_VERSION,
           MBPF_IMAGE_NO_PC);
    fx_close(&f);
}

static void test_bad_isa(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    f.img[MBPF_IMAGE_OFF_ISA] = 5;
    expect(&f, MBPF_E_IMAGE, "ISA version must be 1..4", MBPF_IMAGE_OFF_ISA, UINT32_MAX);
    fx_close(&f);
}

static void test_unknown_flags(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, MBPF_IMAGE_OFF_FLAGS, MBPF_IMAGE_F_DEBUG | 0x80u);
    expect(&f, MBPF_E_IMAGE, "unknown image flag bits set", MBPF_IMAGE_OFF_FLAGS, UINT32_MAX);
    fx_close(&f);
}

static void test_length_field_too_large(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, MBPF_IMAGE_OFF_IMAGE_LEN, (uint32_t)f.img_len + 8u);
    expect(&f, MBPF_E_IMAGE, "image length field does not match the data length",
           MBPF_IMAGE_OFF_IMAGE_LEN, UINT32_MAX);
    fx_close(&f);
}

static void test_hash_mismatch(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    INSN_AT(&f, 8)[0] ^= 0x01; /* one bit in the code, CRC left alone */
    expect(&f, MBPF_E_IMAGE, "CRC-32 mismatch: image corrupted", MBPF_IMAGE_OFF_HASH,
           MBPF_IMAGE_NO_PC);
    fx_close(&f);
}

static void test_section_misaligned(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, SEC_FIELD(MBPF_SEC_CODE), fx_sec_off(f.img, MBPF_SEC_CODE) + 4u);
    expect(&f, MBPF_E_IMAGE, "section offset not 8-byte aligned", SEC_FIELD(MBPF_SEC_CODE),
           UINT32_MAX);
    fx_close(&f);
}

static void test_section_overlaps_previous(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, SEC_FIELD(MBPF_SEC_MAPS), fx_sec_off(f.img, MBPF_SEC_FUNCS));
    expect(&f, MBPF_E_IMAGE, "section overlaps the header or the previous section",
           SEC_FIELD(MBPF_SEC_MAPS), UINT32_MAX);
    fx_close(&f);
}

static void test_section_overlaps_header(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, SEC_FIELD(MBPF_SEC_FUNCS), 96);
    expect(&f, MBPF_E_IMAGE, "section overlaps the header or the previous section",
           SEC_FIELD(MBPF_SEC_FUNCS), UINT32_MAX);
    fx_close(&f);
}

static void test_section_length_oversized(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, SEC_FIELD(MBPF_SEC_DATA) + 4u, 0xfffffff8u);
    expect(&f, MBPF_E_IMAGE, "section extends past the end of the image",
           SEC_FIELD(MBPF_SEC_DATA), UINT32_MAX);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, SEC_FIELD(MBPF_SEC_LINES), 0xfffffff8u);
    expect(&f, MBPF_E_IMAGE, "section extends past the end of the image",
           SEC_FIELD(MBPF_SEC_LINES), UINT32_MAX);
    fx_close(&f);
}

static void test_section_bad_record_size(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, SEC_FIELD(MBPF_SEC_FUNCS) + 4u, 24);
    expect(&f, MBPF_E_IMAGE, "section length not a multiple of its record size",
           SEC_FIELD(MBPF_SEC_FUNCS) + 4u, UINT32_MAX);
    fx_close(&f);
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    f.img = realloc(f.img, f.img_len + 16);
    memset(f.img + f.img_len, 0, 16);
    f.img_len += 16;
    patch32(&f, MBPF_IMAGE_OFF_IMAGE_LEN, (uint32_t)f.img_len);
    expect(&f, MBPF_E_IMAGE, "trailing bytes after the last section", UINT32_MAX, UINT32_MAX);
    fx_close(&f);
}

static void test_debug_flag_without_lines(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, SEC_FIELD(MBPF_SEC_LINES) + 4u, 0);
    expect(&f, MBPF_E_IMAGE, "DEBUG flag does not match the line table", MBPF_IMAGE_OFF_FLAGS,
           UINT32_MAX);
    fx_close(&f);
}

static void test_signed_flag_without_signature(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, MBPF_IMAGE_OFF_FLAGS, MBPF_IMAGE_F_DEBUG | MBPF_IMAGE_F_SIGNED);
    expect(&f, MBPF_E_IMAGE, "SIGNED flag does not match the signature section",
           MBPF_IMAGE_OFF_FLAGS, UINT32_MAX);
    fx_close(&f);
}

static void test_bss_oversized(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, MBPF_IMAGE_OFF_BSS_LEN, 0xffffffffu);
    expect(&f, MBPF_E_IMAGE, ".bss larger than 1 MiB", MBPF_IMAGE_OFF_BSS_LEN, UINT32_MAX);
    fx_close(&f);
}

static void test_empty_code_and_funcs(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, SEC_FIELD(MBPF_SEC_FUNCS) + 4u, 0);
    expect(&f, MBPF_E_IMAGE, "image has no function table", UINT32_MAX, UINT32_MAX);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, SEC_FIELD(MBPF_SEC_CODE) + 4u, 0);
    expect(&f, MBPF_E_IMAGE, "image has no code", UINT32_MAX, UINT32_MAX);
    fx_close(&f);
}

static void test_string_table(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    uint32_t s = fx_sec_off(f.img, MBPF_SEC_STRINGS), n = fx_sec_len(f.img, MBPF_SEC_STRINGS);
    f.img[s + n - 1] = 'x';
    fx_fix_crc(f.img, f.img_len);
    expect(&f, MBPF_E_IMAGE, "string table not NUL-terminated", s + n - 1, UINT32_MAX);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, MBPF_IMAGE_OFF_NAME, n);
    expect(&f, MBPF_E_IMAGE, "name offset outside the string table", MBPF_IMAGE_OFF_NAME,
           UINT32_MAX);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, fx_sec_off(f.img, MBPF_SEC_MAPS), 0xffffffffu);
    expect(&f, MBPF_E_IMAGE, "name offset outside the string table",
           fx_sec_off(f.img, MBPF_SEC_MAPS), UINT32_MAX);
    fx_close(&f);
}

static void test_function_table(void **state)
{
    (void)state;
    fx f;
    uint32_t fo;
    fx_base(&f, NULL);
    fo = fx_sec_off(f.img, MBPF_SEC_FUNCS);
    patch32(&f, fo + 4, 1);
    expect(&f, MBPF_E_IMAGE, "first function must start at instruction 0", fo + 4, UINT32_MAX);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, fo + 16 + 4, 0);
    expect(&f, MBPF_E_IMAGE, "function starts not strictly ascending", fo + 20, UINT32_MAX);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, fo + 16 + 4, FX_BASE_INSNS);
    expect(&f, MBPF_E_IMAGE, "function starts outside the code", fo + 20, UINT32_MAX);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, fo + 8, 4096);
    expect(&f, MBPF_E_IMAGE, "function needs more stack than the header's stack_size", fo + 8,
           UINT32_MAX);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, fo + 12, 1);
    expect(&f, MBPF_E_IMAGE, "reserved function flags set", fo + 12, UINT32_MAX);
    fx_close(&f);
    fx_base(&f, NULL); /* function 1 moved into the middle of the lddw at 2 */
    patch32(&f, fo + 16 + 4, 3);
    expect(&f, MBPF_E_IMAGE, "a function starts inside an lddw", UINT32_MAX, 3);
    fx_close(&f);
}

static void test_map_descriptors(void **state)
{
    (void)state;
    static const struct {
        uint32_t field, value;
        const char *msg;
    } cases[] = {
        {4, 99, "unsupported map type"},
        {8, 0, "bad map key size (ARRAY: 4, HASH: 1..512)"},
        {8, 513, "bad map key size (ARRAY: 4, HASH: 1..512)"},
        {12, 0, "bad map value size (1..1 MiB)"},
        {12, 0x7fffffffu, "bad map value size (1..1 MiB)"},
        {16, 0, "map max_entries is 0"},
        {16, 0xffffffffu, "map too large"},
        {20, 1, "reserved map flags set"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fx f;
        fx_base(&f, NULL);
        uint32_t mo = fx_sec_off(f.img, MBPF_SEC_MAPS);
        patch32(&f, mo + cases[i].field, cases[i].value);
        expect(&f, MBPF_E_IMAGE, cases[i].msg, mo + cases[i].field, UINT32_MAX);
        fx_close(&f);
    }
    fx f; /* ARRAY keys are 4 bytes */
    fx_base(&f, NULL);
    uint32_t mo = fx_sec_off(f.img, MBPF_SEC_MAPS);
    fx_wr32(f.img + mo + 4, MBPF_MAP_TYPE_ARRAY);
    patch32(&f, mo + 8, 8);
    expect(&f, MBPF_E_IMAGE, "bad map key size (ARRAY: 4, HASH: 1..512)", mo + 8, UINT32_MAX);
    fx_close(&f);
}

static void test_line_table(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    uint32_t lo = fx_sec_off(f.img, MBPF_SEC_LINES);
    patch32(&f, lo + 12, FX_BASE_INSNS);
    expect(&f, MBPF_E_IMAGE, "line entry outside the code", lo + 12, UINT32_MAX);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, lo, 8);
    expect(&f, MBPF_E_IMAGE, "line table not sorted by instruction", lo + 12, UINT32_MAX);
    fx_close(&f);
}

static void test_helpers_not_sorted(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {CALL_HELPER(TEST_HELPER_ADD), CALL_HELPER(TEST_HELPER_OTHER),
                              EXIT()};
    mbpf_image_desc d = {.code = code, .num_insns = 3};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    uint32_t ho = fx_sec_off(f.img, MBPF_SEC_HELPERS);
    assert_int_equal(fx_sec_len(f.img, MBPF_SEC_HELPERS), 8);
    fx_wr32(f.img + ho, TEST_HELPER_OTHER);
    patch32(&f, ho + 4, TEST_HELPER_ADD);
    expect(&f, MBPF_E_IMAGE, "helper ids not strictly ascending", ho + 4, UINT32_MAX);
    fx_close(&f);
}

static void test_code_calls_unlisted_helper(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, (uint32_t)(INSN_AT(&f, 4) - f.img) + 4u, TEST_HELPER_OTHER);
    expect(&f, MBPF_E_IMAGE, "code calls a helper the image does not list",
           (uint32_t)(INSN_AT(&f, 4) - f.img), 4);
    assert_int_equal(f.err.helper_id, TEST_HELPER_OTHER);
    fx_close(&f);
}

static void test_lddw_bad_map_index(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, (uint32_t)(INSN_AT(&f, 2) - f.img) + 4u, MBPF_IMAGE_MAP_FIRST + 1u);
    expect(&f, MBPF_E_IMAGE, "lddw map index out of range", (uint32_t)(INSN_AT(&f, 2) - f.img),
           2);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, (uint32_t)(INSN_AT(&f, 0) - f.img) + 4u, 0x80000000u);
    expect(&f, MBPF_E_IMAGE, "lddw map index out of range", UINT32_MAX, 0);
    fx_close(&f);
    fx_base(&f, NULL); /* src=5 on a global data section */
    patch32(&f, (uint32_t)(INSN_AT(&f, 2) - f.img) + 4u, MBPF_IMAGE_MAP_DATA);
    expect(&f, MBPF_E_IMAGE, "lddw src=5 names a global data section (use src=6)", UINT32_MAX, 2);
    fx_close(&f);
    fx_base(&f, NULL); /* src=6 on a HASH map */
    patch32(&f, (uint32_t)(INSN_AT(&f, 0) - f.img) + 4u, MBPF_IMAGE_MAP_FIRST);
    expect(&f, MBPF_E_IMAGE, "lddw src=6 on a map that is not an ARRAY", UINT32_MAX, 0);
    fx_close(&f);
}

static void test_lddw_bad_offset(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL); /* .data is 8 bytes: 8 may be formed, 9 not */
    patch32(&f, (uint32_t)(INSN_AT(&f, 1) - f.img) + 4u, 8);
    fx_load_ok(&f);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, (uint32_t)(INSN_AT(&f, 1) - f.img) + 4u, 9);
    expect(&f, MBPF_E_IMAGE, "lddw src=6 offset beyond the map value",
           (uint32_t)(INSN_AT(&f, 1) - f.img), 0);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, (uint32_t)(INSN_AT(&f, 1) - f.img) + 4u, 0xfffffff8u); /* -8 */
    expect(&f, MBPF_E_IMAGE, "lddw src=6 offset beyond the map value", UINT32_MAX, 0);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, (uint32_t)(INSN_AT(&f, 3) - f.img) + 4u, 1);
    expect(&f, MBPF_E_IMAGE, "lddw src=5 with a nonzero second imm", UINT32_MAX, 2);
    fx_close(&f);
}

static void test_lddw_other_pseudo_sources(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    INSN_AT(&f, 2)[1] = MBPF_REGS(2, MBPF_LDDW_MAP_BY_FD);
    fx_fix_crc(f.img, f.img_len);
    expect(&f, MBPF_E_IMAGE, "lddw pseudo source not allowed in an image (only 0, 5 and 6)",
           UINT32_MAX, 2);
    fx_close(&f);
    fx_base(&f, NULL);
    INSN_AT(&f, 3)[1] = 0x01;
    fx_fix_crc(f.img, f.img_len);
    expect(&f, MBPF_E_IMAGE, "lddw second slot must be zero apart from imm",
           (uint32_t)(INSN_AT(&f, 3) - f.img), 2);
    fx_close(&f);
    fx_base(&f, NULL); /* lddw in the last slot */
    uint8_t *last = INSN_AT(&f, FX_BASE_INSNS - 1);
    last[0] = MBPF_OP_LDDW;
    fx_fix_crc(f.img, f.img_len);
    expect(&f, MBPF_E_IMAGE, "lddw has no second slot", UINT32_MAX, FX_BASE_INSNS - 1);
    fx_close(&f);
}

static void test_local_call_not_to_function(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    patch32(&f, (uint32_t)(INSN_AT(&f, 5) - f.img) + 4u, 2); /* -> 8, inside "f" */
    expect(&f, MBPF_E_IMAGE, "local call target is not a function start", UINT32_MAX, 5);
    fx_close(&f);
    fx_base(&f, NULL);
    patch32(&f, (uint32_t)(INSN_AT(&f, 5) - f.img) + 4u, 0x7fffffffu);
    expect(&f, MBPF_E_IMAGE, "local call target is not a function start", UINT32_MAX, 5);
    fx_close(&f);
}

static void test_policy_refuses_helper(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    static const uint32_t policy[] = {MBPF_HELPER_MAP_LOOKUP, MBPF_HELPER_MAP_UPDATE};
    mbpf_load_opts o = {&f.helpers, policy, 2, 0};
    assert_int_equal(fx_load_opts(&f, &o, 0), MBPF_E_IMAGE);
    assert_string_equal(f.err.msg, "device policy refuses a helper the image lists");
    assert_int_equal(f.err.helper_id, TEST_HELPER_ADD);
    assert_int_equal(f.err.offset, fx_sec_off(f.img, MBPF_SEC_HELPERS));
    assert_int_equal(f.t.vm.num_regions, 0);
    /* Allowed by the policy: loads. */
    static const uint32_t policy2[] = {TEST_HELPER_ADD};
    o.policy = policy2;
    o.num_policy = 1;
    assert_int_equal(fx_load_opts(&f, &o, 0), MBPF_OK);
    fx_close(&f);
}

static void test_device_lacks_helper(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    mbpf_helper storage[4];
    mbpf_helpers only_maps;
    mbpf_helpers_init(&only_maps, storage, 4);
    assert_int_equal(mbpf_maps_register_helpers(&only_maps), MBPF_OK);
    mbpf_load_opts o = {&only_maps, NULL, 0, 0};
    assert_int_equal(fx_load_opts(&f, &o, 0), MBPF_E_IMAGE);
    assert_string_equal(f.err.msg, "image lists a helper the device does not provide");
    assert_int_equal(f.err.helper_id, TEST_HELPER_ADD);
    o.helpers = NULL;
    assert_int_equal(fx_load_opts(&f, &o, 0), MBPF_E_IMAGE);
    assert_int_equal(f.err.helper_id, TEST_HELPER_ADD);
    fx_close(&f);
}

static void test_arena_too_small(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    mbpf_image_info info;
    assert_int_equal(mbpf_image_parse(f.img, f.img_len, &info, NULL), MBPF_OK);
    mbpf_load_opts o = {&f.helpers, NULL, 0, 0};
    for (size_t n = 1; n < info.arena_needed; n += 7) {
        assert_int_equal(fx_load_opts(&f, &o, n), MBPF_E_NOSPACE);
        assert_string_equal(f.err.msg, "arena too small for the program");
        assert_int_equal(f.err.needed, info.arena_needed);
    }
    assert_int_equal(fx_load_opts(&f, &o, info.arena_needed), MBPF_OK);
    fx_close(&f);
}

static void test_vm_too_small(void **state)
{
    (void)state;
    fx f;
    mbpf_config cfg;
    mbpf_config_default(&cfg);
    cfg.max_regions = 4; /* 4 data regions + 1 for the context */
    fx_base(&f, &cfg);
    expect(&f, MBPF_E_NOSPACE,
           "VM region table too small for the program's data and its context", UINT32_MAX,
           UINT32_MAX);
    assert_int_equal(f.err.needed, 5);
    fx_close(&f);

    mbpf_config_default(&cfg);
    cfg.isa = 2;
    fx_base(&f, &cfg);
    expect(&f, MBPF_E_IMAGE, "image needs a newer ISA version than the VM accepts",
           MBPF_IMAGE_OFF_ISA, UINT32_MAX);
    fx_close(&f);

    mbpf_config_default(&cfg);
    cfg.stack_size = 8;
    fx_base(&f, &cfg);
    patch32(&f, MBPF_IMAGE_OFF_STACK_SIZE, 16);
    expect(&f, MBPF_E_IMAGE, "image needs more stack per frame than the VM has",
           MBPF_IMAGE_OFF_STACK_SIZE, UINT32_MAX);
    assert_int_equal(f.err.needed, 16);
    fx_close(&f);

    mbpf_config_default(&cfg);
    cfg.max_depth = 1; /* main calls f: 2 frames */
    fx_base(&f, &cfg);
    expect(&f, MBPF_E_IMAGE, "image needs deeper calls than the VM allows",
           MBPF_IMAGE_OFF_MAX_DEPTH, UINT32_MAX);
    fx_close(&f);
}

/* The embedder registered memory that overlaps the map storage in the
 * arena: the .rodata/.data/.bss regions go in first and must be rolled back,
 * and the embedder's own region must survive. */
static void test_arena_overlaps_embedder_region(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    fx_load_ok(&f); /* learn where the map values land in this arena */
    uint8_t *values = mbpf_map_values(mbpf_program_map(f.prog, 0));
    mbpf_image_unload(&f.t.vm);
    assert_int_equal(mbpf_vm_add_region(&f.t.vm, values + 8, 8, MBPF_MEM_READ), MBPF_OK);
    mbpf_load_opts o = {&f.helpers, NULL, 0, 0};
    mbpf_program *prog = NULL;
    mbpf_image_error err;
    int st = mbpf_image_load(&f.t.vm, f.img, f.img_len, &o, f.arena, f.arena_len, &prog, &err);
    assert_int_equal(st, MBPF_E_ARG);
    assert_string_equal(err.msg, "cannot add the program's data regions (overlap with the VM's)");
    assert_null(prog);
    assert_int_equal(f.t.vm.num_regions, 1);
    assert_int_equal(f.t.vm.regions[0].start, (uintptr_t)(values + 8));
    assert_null(f.t.vm.loader_data);
    fx_close(&f);
}

static void test_verifier_rejection(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    INSN_AT(&f, 7)[0] = 0xff; /* not an opcode */
    fx_fix_crc(f.img, f.img_len);
    int st = fx_load(&f);
    assert_int_equal(st, MBPF_E_VERIFY);
    assert_int_equal(f.err.verify.status, MBPF_E_VERIFY);
    assert_int_equal(f.err.pc, 7);
    assert_non_null(f.err.msg);
    assert_int_equal(f.t.vm.num_regions, 0);
    assert_null(f.t.vm.loader_data);
    assert_null(f.t.vm.helpers); /* what the VM had before the load */
    assert_null(f.t.vm.map_check);
    fx_close(&f);
}

/* The header's ISA is checked against the code: a v4 instruction (signed
 * division) in an image that declares v3 is refused, even though the VM
 * accepts v4. */
static void test_code_newer_than_declared_isa(void **state)
{
    (void)state;
    fx f;
    const mbpf_insn code[] = {MOV64_IMM(0, -7), SALU64_IMM(MBPF_DIV, 0, 2), EXIT()};
    mbpf_image_desc d = {.code = code, .num_insns = 3, .isa = 3};
    fx_open(&f, NULL);
    fx_write(&f, &d);
    int st = fx_load(&f);
    assert_int_equal(st, MBPF_E_VERIFY);
    assert_int_equal(f.err.pc, 1);
    assert_int_equal(f.t.vm.cfg.isa, 4); /* the VM's setting is restored */
    fx_close(&f);
    d.isa = 4;
    fx_open(&f, NULL);
    fx_write(&f, &d);
    fx_load_ok(&f);
    assert_int_equal(fx_run_r0(&f), (uint64_t)-3);
    fx_close(&f);
}

static void test_load_twice(void **state)
{
    (void)state;
    fx f;
    fx_base(&f, NULL);
    fx_load_ok(&f);
    void *arena = malloc(f.arena_len);
    mbpf_program *p2 = NULL;
    mbpf_load_opts o = {&f.helpers, NULL, 0, 0};
    assert_int_equal(mbpf_image_load(&f.t.vm, f.img, f.img_len, &o, arena, f.arena_len, &p2,
                                     &f.err),
                     MBPF_E_STATE);
    assert_null(p2);
    free(arena);
    assert_int_equal(mbpf_image_load(NULL, f.img, f.img_len, &o, f.arena, 8, &p2, NULL),
                     MBPF_E_ARG);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_is_valid),
        cmocka_unit_test(test_truncated_at_every_length),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_unknown_version),
        cmocka_unit_test(test_bad_isa),
        cmocka_unit_test(test_unknown_flags),
        cmocka_unit_test(test_length_field_too_large),
        cmocka_unit_test(test_hash_mismatch),
        cmocka_unit_test(test_section_misaligned),
        cmocka_unit_test(test_section_overlaps_previous),
        cmocka_unit_test(test_section_overlaps_header),
        cmocka_unit_test(test_section_length_oversized),
        cmocka_unit_test(test_section_bad_record_size),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_debug_flag_without_lines),
        cmocka_unit_test(test_signed_flag_without_signature),
        cmocka_unit_test(test_bss_oversized),
        cmocka_unit_test(test_empty_code_and_funcs),
        cmocka_unit_test(test_string_table),
        cmocka_unit_test(test_function_table),
        cmocka_unit_test(test_map_descriptors),
        cmocka_unit_test(test_line_table),
        cmocka_unit_test(test_helpers_not_sorted),
        cmocka_unit_test(test_code_calls_unlisted_helper),
        cmocka_unit_test(test_lddw_bad_map_index),
        cmocka_unit_test(test_lddw_bad_offset),
        cmocka_unit_test(test_lddw_other_pseudo_sources),
        cmocka_unit_test(test_local_call_not_to_function),
        cmocka_unit_test(test_policy_refuses_helper),
        cmocka_unit_test(test_device_lacks_helper),
        cmocka_unit_test(test_arena_too_small),
        cmocka_unit_test(test_vm_too_small),
        cmocka_unit_test(test_arena_overlaps_embedder_region),
        cmocka_unit_test(test_verifier_rejection),
        cmocka_unit_test(test_code_newer_than_declared_isa),
        cmocka_unit_test(test_load_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
