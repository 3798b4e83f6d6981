/* Shared by the image, loader and import tests: build an image from a
 * description, load it into a fresh VM with the map helpers and a test
 * helper, and patch images byte by byte (with the CRC fixed up).
 * Include after prog.h.
 */
#ifndef MBPF_TEST_IMAGE_FIXTURE_H
#define MBPF_TEST_IMAGE_FIXTURE_H

#include "image_write.h"
#include "mbpf/helper_ids.h"
#include "mbpf/image.h"
#include "mbpf/maps.h"

/* lddw src=5 (map handle) and src=6 (value address + off). */
#define LDDW_MAP(d, idx)                                                                 \
    INSN(MBPF_OP_LDDW, d, MBPF_LDDW_MAP_BY_IDX, 0, idx), INSN(0, 0, 0, 0, 0)
#define LDDW_VAL(d, idx, off)                                                            \
    INSN(MBPF_OP_LDDW, d, MBPF_LDDW_MAP_VAL_BY_IDX, 0, idx), INSN(0, 0, 0, 0, off)

#define TEST_HELPER_ADD 0x200u /* r0 = a1 + a2 */
#define TEST_HELPER_OTHER 0x201u

static uint64_t fx_add(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
                       mbpf_env *env)
{
    (void)c, (void)d, (void)e, (void)env;
    return a + b;
}

typedef struct fx {
    tvm t;
    mbpf_helper storage[8];
    mbpf_helpers helpers;
    uint8_t *img;
    size_t img_len;
    void *arena;
    size_t arena_len;
    mbpf_program *prog;
    mbpf_image_error err;
} fx;

static inline void fx_open(fx *f, const mbpf_config *cfg)
{
    memset(f, 0, sizeof(*f));
    tvm_open(&f->t, cfg);
    mbpf_helpers_init(&f->helpers, f->storage, 8);
    assert_int_equal(mbpf_maps_register_helpers(&f->helpers), MBPF_OK);
    mbpf_helper h = {TEST_HELPER_ADD, fx_add, "test_add", {{0, 0, 0}}};
    assert_int_equal(mbpf_helpers_add(&f->helpers, &h), MBPF_OK);
    h.id = TEST_HELPER_OTHER;
    assert_int_equal(mbpf_helpers_add(&f->helpers, &h), MBPF_OK);
}

static inline void fx_close(fx *f)
{
    tvm_close(&f->t);
    free(f->img);
    free(f->arena);
    f->img = NULL;
    f->arena = NULL;
}

/* Serializes d into f->img (asserting success). */
static inline void fx_write(fx *f, const mbpf_image_desc *d)
{
    char err[200];
    free(f->img);
    f->img = NULL;
    int st = mbpf_image_write(d, &f->img, &f->img_len, err, sizeof(err));
    if (st != MBPF_OK)
        print_error("image write failed: %s\n", err);
    assert_int_equal(st, MBPF_OK);
}

/* Loads f->img with an arena of `extra` bytes beyond what parse reports
 * (or exactly `arena` bytes if arena != 0). Returns the status. */
static inline int fx_load_opts(fx *f, const mbpf_load_opts *opts, size_t arena)
{
    mbpf_image_info info;
    if (arena == 0) {
        if (mbpf_image_parse(f->img, f->img_len, &info, NULL) == MBPF_OK)
            arena = info.arena_needed + 4096u;
        else
            arena = 4096u;
    }
    free(f->arena);
    f->arena = malloc(arena);
    assert_non_null(f->arena);
    f->arena_len = arena;
    return mbpf_image_load(&f->t.vm, f->img, f->img_len, opts, f->arena, arena, &f->prog,
                           &f->err);
}

static inline int fx_load(fx *f)
{
    mbpf_load_opts o = {&f->helpers, NULL, 0, 0};
    return fx_load_opts(f, &o, 0);
}

static inline void fx_load_ok(fx *f)
{
    int st = fx_load(f);
    if (st != MBPF_OK)
        print_error("load failed: %d %s (offset %u pc %u)\n", st, f->err.msg ? f->err.msg : "",
                    (unsigned)f->err.offset, (unsigned)f->err.pc);
    assert_int_equal(st, MBPF_OK);
}

static inline mbpf_result fx_run(fx *f)
{
    mbpf_result res;
    mbpf_vm_run(&f->t.vm, NULL, 0, 0, NULL, &res);
    return res;
}

static inline uint64_t fx_run_r0(fx *f)
{
    mbpf_result res = fx_run(f);
    if (res.status != MBPF_OK)
        print_error("run failed: %d at pc %u: %s\n", (int)res.status, (unsigned)res.pc,
                    res.msg ? res.msg : "");
    assert_int_equal(res.status, MBPF_OK);
    return res.r0;
}

static inline uint32_t fx_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void fx_wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Recomputes the CRC of an image after a test changed it on purpose. */
static inline void fx_fix_crc(uint8_t *img, size_t len)
{
    if (len < MBPF_IMAGE_HEADER_SIZE)
        return;
    uint32_t sig_off = fx_rd32(img + MBPF_IMAGE_OFF_SEC + 8 * MBPF_SEC_SIG);
    uint32_t sig_len = fx_rd32(img + MBPF_IMAGE_OFF_SEC + 8 * MBPF_SEC_SIG + 4);
    size_t end = sig_len && sig_off <= len ? sig_off : len;
    fx_wr32(img + MBPF_IMAGE_OFF_HASH, 0);
    fx_wr32(img + MBPF_IMAGE_OFF_HASH, mbpf_crc32(0, img, end));
}

/* Offset of section s in an image. */
static inline uint32_t fx_sec_off(const uint8_t *img, unsigned s)
{
    return fx_rd32(img + MBPF_IMAGE_OFF_SEC + 8 * s);
}

static inline uint32_t fx_sec_len(const uint8_t *img, unsigned s)
{
    return fx_rd32(img + MBPF_IMAGE_OFF_SEC + 8 * s + 4);
}

/* A valid image with every feature, that bad-input tests start from:
 *   0: lddw r1, data+0      (src=6)
 *   2: lddw r2, map 3       (src=5)
 *   4: call 0x200
 *   5: call local +1        -> 7
 *   6: exit
 *   7: mov r0, 1            (function "f")
 *   8: exit
 */
static const mbpf_insn fx_base_code[] = {
    LDDW_VAL(1, MBPF_IMAGE_MAP_DATA, 0), LDDW_MAP(2, MBPF_IMAGE_MAP_FIRST),
    CALL_HELPER(TEST_HELPER_ADD),        CALL_LOCAL(1),
    EXIT(),                              MOV64_IMM(0, 1),
    EXIT(),
};
#define FX_BASE_INSNS 9u

static inline void fx_base(fx *f, const mbpf_config *cfg)
{
    static const uint8_t ro[8] = "ro", data[8] = "data";
    static const mbpf_image_func_desc fn[] = {{"main", 0, 8}, {"f", 7, 0}};
    static const mbpf_image_map_desc m = {"m", MBPF_MAP_TYPE_HASH, 4, 8, 4, 0};
    static const mbpf_image_line_desc lines[] = {{0, 1, "a.c"}, {7, 9, "a.c"}};
    mbpf_image_desc d = {.name = "base", .code = fx_base_code, .num_insns = FX_BASE_INSNS,
                         .funcs = fn, .num_funcs = 2, .rodata = ro, .rodata_len = 8,
                         .data = data, .data_len = 8, .bss_len = 8, .maps = &m,
                         .num_maps = 1, .lines = lines, .num_lines = 2};
    fx_open(f, cfg);
    fx_write(f, &d);
}

#endif /* MBPF_TEST_IMAGE_FIXTURE_H */
