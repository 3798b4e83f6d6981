/* Image validation: one forward pass over an untrusted image.
 *
 * Order matters: the header and the section table are checked before any
 * section is read, the CRC before any content is trusted, the string table
 * before any name, the function and map tables before the code that refers
 * to them. Nothing is written and nothing allocated, so host tools (objdump,
 * run) use the same checks as the device.
 */
#include "image_internal.h"
#include "mbpf/maps.h"

static const uint32_t record_size[MBPF_SEC_COUNT] = {
    [MBPF_SEC_FUNCS] = MBPF_IMAGE_FUNC_SIZE, [MBPF_SEC_MAPS] = MBPF_IMAGE_MAP_SIZE,
    [MBPF_SEC_HELPERS] = 4u,                 [MBPF_SEC_STRINGS] = 1u,
    [MBPF_SEC_CODE] = 8u,                    [MBPF_SEC_RODATA] = 1u,
    [MBPF_SEC_DATA] = 1u,                    [MBPF_SEC_LINES] = MBPF_IMAGE_LINE_SIZE,
    [MBPF_SEC_SIG] = 1u,
};

static const uint8_t *sec_ptr(const mbpf_image_info *info, unsigned s, uint32_t byte)
{
    return info->image + info->sec[s].off + byte;
}

static int check_header(const uint8_t *img, size_t len, mbpf_image_info *info,
                        mbpf_image_error *err)
{
    if (len < MBPF_IMAGE_HEADER_SIZE)
        return img_fail(err, MBPF_E_IMAGE, "image shorter than its header", (uint32_t)len,
                        MBPF_IMAGE_NO_PC);
    if (len > UINT32_MAX)
        return img_fail(err, MBPF_E_IMAGE, "image larger than 4 GiB", 0, MBPF_IMAGE_NO_PC);
    if (img_rd32(img + MBPF_IMAGE_OFF_MAGIC) != MBPF_IMAGE_MAGIC)
        return img_fail(err, MBPF_E_IMAGE, "bad magic: not a microbpf image",
                        MBPF_IMAGE_OFF_MAGIC, MBPF_IMAGE_NO_PC);
    info->version = img_rd16(img + MBPF_IMAGE_OFF_VERSION);
    if (info->version != MBPF_IMAGE_VERSION)
        return img_fail(err, MBPF_E_IMAGE, "unsupported image format version",
                        MBPF_IMAGE_OFF_VERSION, MBPF_IMAGE_NO_PC);
    info->isa = img[MBPF_IMAGE_OFF_ISA];
    if (info->isa < 1u || info->isa > 4u)
        return img_fail(err, MBPF_E_IMAGE, "ISA version must be 1..4", MBPF_IMAGE_OFF_ISA,
                        MBPF_IMAGE_NO_PC);
    info->max_depth = img[MBPF_IMAGE_OFF_MAX_DEPTH];
    info->flags = img_rd32(img + MBPF_IMAGE_OFF_FLAGS);
    if (info->flags & ~(uint32_t)MBPF_IMAGE_F_KNOWN)
        return img_fail(err, MBPF_E_IMAGE, "unknown image flag bits set", MBPF_IMAGE_OFF_FLAGS,
                        MBPF_IMAGE_NO_PC);
    info->hash = img_rd32(img + MBPF_IMAGE_OFF_HASH);
    info->image_len = img_rd32(img + MBPF_IMAGE_OFF_IMAGE_LEN);
    if (info->image_len != len)
        return img_fail(err, MBPF_E_IMAGE, "image length field does not match the data length",
                        MBPF_IMAGE_OFF_IMAGE_LEN, MBPF_IMAGE_NO_PC);
    info->stack_size = img_rd32(img + MBPF_IMAGE_OFF_STACK_SIZE);
    info->bss_len = img_rd32(img + MBPF_IMAGE_OFF_BSS_LEN);
    if (info->bss_len > MBPF_IMAGE_MAX_VALUE_SIZE)
        return img_fail(err, MBPF_E_IMAGE, ".bss larger than 1 MiB", MBPF_IMAGE_OFF_BSS_LEN,
                        MBPF_IMAGE_NO_PC);
    return MBPF_OK;
}

/* Sections in order, aligned, inside the image, not overlapping. */
static int check_sections(const uint8_t *img, mbpf_image_info *info, mbpf_image_error *err)
{
    uint32_t end = MBPF_IMAGE_HEADER_SIZE, len = info->image_len;
    for (unsigned s = 0; s < MBPF_SEC_COUNT; s++) {
        uint32_t field = MBPF_IMAGE_OFF_SEC + 8u * s;
        uint32_t off = img_rd32(img + field), slen = img_rd32(img + field + 4u);
        if (off % MBPF_IMAGE_ALIGN != 0)
            return img_fail(err, MBPF_E_IMAGE, "section offset not 8-byte aligned", field,
                            MBPF_IMAGE_NO_PC);
        if (off < end)
            return img_fail(err, MBPF_E_IMAGE,
                            "section overlaps the header or the previous section", field,
                            MBPF_IMAGE_NO_PC);
        if (off > len || slen > len - off)
            return img_fail(err, MBPF_E_IMAGE, "section extends past the end of the image",
                            field, MBPF_IMAGE_NO_PC);
        if (slen % record_size[s] != 0)
            return img_fail(err, MBPF_E_IMAGE, "section length not a multiple of its record size",
                            field + 4u, MBPF_IMAGE_NO_PC);
        info->sec[s].off = off;
        info->sec[s].len = slen;
        end = off + slen;
    }
    if (len - end >= MBPF_IMAGE_ALIGN)
        return img_fail(err, MBPF_E_IMAGE, "trailing bytes after the last section", end,
                        MBPF_IMAGE_NO_PC);
    const mbpf_image_span *sec = info->sec;
    if (sec[MBPF_SEC_FUNCS].len == 0)
        return img_fail(err, MBPF_E_IMAGE, "image has no function table",
                        MBPF_IMAGE_OFF_SEC + 8u * MBPF_SEC_FUNCS + 4u, MBPF_IMAGE_NO_PC);
    if (sec[MBPF_SEC_CODE].len == 0)
        return img_fail(err, MBPF_E_IMAGE, "image has no code",
                        MBPF_IMAGE_OFF_SEC + 8u * MBPF_SEC_CODE + 4u, MBPF_IMAGE_NO_PC);
    if (sec[MBPF_SEC_STRINGS].len == 0)
        return img_fail(err, MBPF_E_IMAGE, "image has no string table",
                        MBPF_IMAGE_OFF_SEC + 8u * MBPF_SEC_STRINGS + 4u, MBPF_IMAGE_NO_PC);
    if (sec[MBPF_SEC_RODATA].len > MBPF_IMAGE_MAX_VALUE_SIZE ||
        sec[MBPF_SEC_DATA].len > MBPF_IMAGE_MAX_VALUE_SIZE)
        return img_fail(err, MBPF_E_IMAGE, ".rodata or .data larger than 1 MiB",
                        MBPF_IMAGE_OFF_SEC + 8u * MBPF_SEC_RODATA, MBPF_IMAGE_NO_PC);
    if (((info->flags & MBPF_IMAGE_F_DEBUG) != 0) != (sec[MBPF_SEC_LINES].len != 0))
        return img_fail(err, MBPF_E_IMAGE, "DEBUG flag does not match the line table",
                        MBPF_IMAGE_OFF_FLAGS, MBPF_IMAGE_NO_PC);
    if (((info->flags & MBPF_IMAGE_F_SIGNED) != 0) != (sec[MBPF_SEC_SIG].len != 0))
        return img_fail(err, MBPF_E_IMAGE, "SIGNED flag does not match the signature section",
                        MBPF_IMAGE_OFF_FLAGS, MBPF_IMAGE_NO_PC);
    if (sec[MBPF_SEC_SIG].len != 0 && end != len)
        return img_fail(err, MBPF_E_IMAGE, "signature is not the end of the image", end,
                        MBPF_IMAGE_NO_PC);
    info->num_funcs = sec[MBPF_SEC_FUNCS].len / MBPF_IMAGE_FUNC_SIZE;
    info->num_maps = sec[MBPF_SEC_MAPS].len / MBPF_IMAGE_MAP_SIZE;
    info->num_helpers = sec[MBPF_SEC_HELPERS].len / 4u;
    info->num_insns = sec[MBPF_SEC_CODE].len / 8u;
    info->num_lines = sec[MBPF_SEC_LINES].len / MBPF_IMAGE_LINE_SIZE;
    if (info->num_maps > MBPF_IMAGE_MAX_MAPS)
        return img_fail(err, MBPF_E_IMAGE, "too many maps",
                        MBPF_IMAGE_OFF_SEC + 8u * MBPF_SEC_MAPS + 4u, MBPF_IMAGE_NO_PC);
    if (info->num_helpers > UINT16_MAX)
        return img_fail(err, MBPF_E_IMAGE, "too many helpers",
                        MBPF_IMAGE_OFF_SEC + 8u * MBPF_SEC_HELPERS + 4u, MBPF_IMAGE_NO_PC);
    return MBPF_OK;
}

static int check_hash(const uint8_t *img, const mbpf_image_info *info, mbpf_image_error *err)
{
    static const uint8_t zero[4] = {0, 0, 0, 0};
    uint32_t end = info->sec[MBPF_SEC_SIG].len ? info->sec[MBPF_SEC_SIG].off : info->image_len;
    uint32_t crc = mbpf_crc32(0, img, MBPF_IMAGE_OFF_HASH);
    crc = mbpf_crc32(crc, zero, 4);
    crc = mbpf_crc32(crc, img + MBPF_IMAGE_OFF_HASH + 4u, end - (MBPF_IMAGE_OFF_HASH + 4u));
    if (crc != info->hash)
        return img_fail(err, MBPF_E_IMAGE, "CRC-32 mismatch: image corrupted",
                        MBPF_IMAGE_OFF_HASH, MBPF_IMAGE_NO_PC);
    return MBPF_OK;
}

static int check_name(const mbpf_image_info *info, uint32_t name, uint32_t field,
                      mbpf_image_error *err)
{
    if (name >= info->sec[MBPF_SEC_STRINGS].len)
        return img_fail(err, MBPF_E_IMAGE, "name offset outside the string table", field,
                        MBPF_IMAGE_NO_PC);
    return MBPF_OK;
}

static int check_tables(mbpf_image_info *info, mbpf_image_error *err)
{
    const mbpf_image_span *sec = info->sec;
    const uint8_t *str = sec_ptr(info, MBPF_SEC_STRINGS, 0);
    uint32_t slen = sec[MBPF_SEC_STRINGS].len;
    if (str[0] != 0)
        return img_fail(err, MBPF_E_IMAGE, "string table must start with an empty string",
                        sec[MBPF_SEC_STRINGS].off, MBPF_IMAGE_NO_PC);
    if (str[slen - 1u] != 0)
        return img_fail(err, MBPF_E_IMAGE, "string table not NUL-terminated",
                        sec[MBPF_SEC_STRINGS].off + slen - 1u, MBPF_IMAGE_NO_PC);
    uint32_t name = img_rd32(info->image + MBPF_IMAGE_OFF_NAME);
    if (check_name(info, name, MBPF_IMAGE_OFF_NAME, err))
        return MBPF_E_IMAGE;
    info->name = (const char *)str + name;

    for (uint32_t i = 0; i < info->num_funcs; i++) {
        uint32_t at = sec[MBPF_SEC_FUNCS].off + i * MBPF_IMAGE_FUNC_SIZE;
        const uint8_t *f = info->image + at;
        uint32_t start = img_rd32(f + 4), prev = i ? img_rd32(f - MBPF_IMAGE_FUNC_SIZE + 4) : 0;
        if (check_name(info, img_rd32(f), at, err))
            return MBPF_E_IMAGE;
        if (i == 0 && start != 0)
            return img_fail(err, MBPF_E_IMAGE, "first function must start at instruction 0",
                            at + 4u, MBPF_IMAGE_NO_PC);
        if (i > 0 && start <= prev)
            return img_fail(err, MBPF_E_IMAGE, "function starts not strictly ascending",
                            at + 4u, MBPF_IMAGE_NO_PC);
        if (start >= info->num_insns)
            return img_fail(err, MBPF_E_IMAGE, "function starts outside the code", at + 4u,
                            MBPF_IMAGE_NO_PC);
        if (img_rd32(f + 8) > info->stack_size)
            return img_fail(err, MBPF_E_IMAGE,
                            "function needs more stack than the header's stack_size", at + 8u,
                            MBPF_IMAGE_NO_PC);
        if (img_rd32(f + 12) != 0)
            return img_fail(err, MBPF_E_IMAGE, "reserved function flags set", at + 12u,
                            MBPF_IMAGE_NO_PC);
    }

    for (uint32_t i = 0; i < info->num_maps; i++) {
        uint32_t at = sec[MBPF_SEC_MAPS].off + i * MBPF_IMAGE_MAP_SIZE;
        const uint8_t *m = info->image + at;
        uint32_t type = img_rd32(m + 4), key = img_rd32(m + 8), value = img_rd32(m + 12);
        uint32_t entries = img_rd32(m + 16);
        if (check_name(info, img_rd32(m), at, err))
            return MBPF_E_IMAGE;
        if (type != MBPF_MAP_TYPE_ARRAY && type != MBPF_MAP_TYPE_HASH)
            return img_fail(err, MBPF_E_IMAGE, "unsupported map type", at + 4u, MBPF_IMAGE_NO_PC);
        if (key == 0 || key > MBPF_IMAGE_MAX_KEY_SIZE ||
            (type == MBPF_MAP_TYPE_ARRAY && key != 4u))
            return img_fail(err, MBPF_E_IMAGE, "bad map key size (ARRAY: 4, HASH: 1..512)",
                            at + 8u, MBPF_IMAGE_NO_PC);
        if (value == 0 || value > MBPF_IMAGE_MAX_VALUE_SIZE)
            return img_fail(err, MBPF_E_IMAGE, "bad map value size (1..1 MiB)", at + 12u,
                            MBPF_IMAGE_NO_PC);
        if (entries == 0)
            return img_fail(err, MBPF_E_IMAGE, "map max_entries is 0", at + 16u,
                            MBPF_IMAGE_NO_PC);
        if (img_rd32(m + 20) != 0)
            return img_fail(err, MBPF_E_IMAGE, "reserved map flags set", at + 20u,
                            MBPF_IMAGE_NO_PC);
        if (mbpf_map_mem_size(type, key, value, entries) == 0)
            return img_fail(err, MBPF_E_IMAGE, "map too large", at + 16u, MBPF_IMAGE_NO_PC);
    }

    for (uint32_t i = 1; i < info->num_helpers; i++) {
        const uint8_t *h = sec_ptr(info, MBPF_SEC_HELPERS, i * 4u);
        if (img_rd32(h) <= img_rd32(h - 4))
            return img_fail(err, MBPF_E_IMAGE, "helper ids not strictly ascending",
                            sec[MBPF_SEC_HELPERS].off + i * 4u, MBPF_IMAGE_NO_PC);
    }

    for (uint32_t i = 0; i < info->num_lines; i++) {
        uint32_t at = sec[MBPF_SEC_LINES].off + i * MBPF_IMAGE_LINE_SIZE;
        const uint8_t *l = info->image + at;
        if (img_rd32(l) >= info->num_insns)
            return img_fail(err, MBPF_E_IMAGE, "line entry outside the code", at,
                            MBPF_IMAGE_NO_PC);
        if (i > 0 && img_rd32(l) < img_rd32(l - MBPF_IMAGE_LINE_SIZE))
            return img_fail(err, MBPF_E_IMAGE, "line table not sorted by instruction", at,
                            MBPF_IMAGE_NO_PC);
        if (check_name(info, img_rd32(l + 8), at + 8u, err))
            return MBPF_E_IMAGE;
    }
    return MBPF_OK;
}

int mbpf_image_lists_helper(const mbpf_image_info *info, uint32_t id)
{
    uint32_t lo = 0, hi = info->num_helpers;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        uint32_t v = img_rd32(sec_ptr(info, MBPF_SEC_HELPERS, mid * 4u));
        if (v == id)
            return 1;
        if (v < id)
            lo = mid + 1u;
        else
            hi = mid;
    }
    return 0;
}

/* Index of the function starting exactly at pc, or -1. */
static int32_t func_starting_at(const mbpf_image_info *info, uint32_t pc)
{
    int32_t i = mbpf_image_func_at(info, pc);
    if (i < 0)
        return -1;
    uint32_t start = img_rd32(sec_ptr(info, MBPF_SEC_FUNCS, (uint32_t)i * MBPF_IMAGE_FUNC_SIZE + 4u));
    return start == pc ? i : -1;
}

/* Size of the value behind map index idx for lddw src=6, or -1 if idx
 * cannot be used with src=6. */
static int64_t map_value_size(const mbpf_image_info *info, uint32_t idx)
{
    if (idx == MBPF_IMAGE_MAP_RODATA)
        return info->sec[MBPF_SEC_RODATA].len;
    if (idx == MBPF_IMAGE_MAP_DATA)
        return info->sec[MBPF_SEC_DATA].len;
    if (idx == MBPF_IMAGE_MAP_BSS)
        return info->bss_len;
    mbpf_image_map m;
    mbpf_image_get_map(info, idx - MBPF_IMAGE_MAP_FIRST, &m);
    return m.type == MBPF_MAP_TYPE_ARRAY ? (int64_t)m.value_size : -1;
}

static int check_lddw(const mbpf_image_info *info, uint32_t pc, mbpf_image_error *err)
{
    const uint8_t *a = info->image + img_insn_off(info, pc), *b = a + 8;
    uint32_t src = a[1] >> 4, idx = img_rd32(a + 4), next = img_rd32(b + 4);
    if (b[0] != 0 || b[1] != 0 || img_rd16(b + 2) != 0)
        return img_fail(err, MBPF_E_IMAGE, "lddw second slot must be zero apart from imm",
                        img_insn_off(info, pc + 1u), pc);
    if (func_starting_at(info, pc + 1u) >= 0)
        return img_fail(err, MBPF_E_IMAGE, "a function starts inside an lddw",
                        img_insn_off(info, pc + 1u), pc + 1u);
    if (src == MBPF_LDDW_IMM64)
        return MBPF_OK;
    if (src != MBPF_LDDW_MAP_BY_IDX && src != MBPF_LDDW_MAP_VAL_BY_IDX)
        return img_fail(err, MBPF_E_IMAGE,
                        "lddw pseudo source not allowed in an image (only 0, 5 and 6)",
                        img_insn_off(info, pc), pc);
    if (idx >= MBPF_IMAGE_MAP_FIRST + info->num_maps)
        return img_fail(err, MBPF_E_IMAGE, "lddw map index out of range", img_insn_off(info, pc),
                        pc);
    if (src == MBPF_LDDW_MAP_BY_IDX) {
        if (idx < MBPF_IMAGE_MAP_FIRST)
            return img_fail(err, MBPF_E_IMAGE,
                            "lddw src=5 names a global data section (use src=6)",
                            img_insn_off(info, pc), pc);
        if (next != 0)
            return img_fail(err, MBPF_E_IMAGE, "lddw src=5 with a nonzero second imm",
                            img_insn_off(info, pc + 1u), pc);
        return MBPF_OK;
    }
    int64_t size = map_value_size(info, idx);
    if (size < 0)
        return img_fail(err, MBPF_E_IMAGE, "lddw src=6 on a map that is not an ARRAY",
                        img_insn_off(info, pc), pc);
    if ((int64_t)next > size)
        return img_fail(err, MBPF_E_IMAGE, "lddw src=6 offset beyond the map value",
                        img_insn_off(info, pc + 1u), pc);
    return MBPF_OK;
}

static int check_code(mbpf_image_info *info, mbpf_image_error *err)
{
    uint32_t n = info->num_insns;
    for (uint32_t pc = 0; pc < n; pc++) {
        const uint8_t *p = info->image + img_insn_off(info, pc);
        if (p[0] == MBPF_OP_LDDW) {
            if (pc + 1u >= n)
                return img_fail(err, MBPF_E_IMAGE, "lddw has no second slot",
                                img_insn_off(info, pc), pc);
            if (check_lddw(info, pc, err))
                return MBPF_E_IMAGE;
            pc++;
        } else if (p[0] == MBPF_OP_CALL) {
            uint32_t src = p[1] >> 4, imm = img_rd32(p + 4);
            if (src == MBPF_CALL_HELPER && !mbpf_image_lists_helper(info, imm)) {
                if (err)
                    err->helper_id = imm;
                return img_fail(err, MBPF_E_IMAGE, "code calls a helper the image does not list",
                                img_insn_off(info, pc), pc);
            }
            if (src == MBPF_CALL_LOCAL) {
                int64_t target = (int64_t)pc + (int32_t)imm + 1;
                if (target < 0 || target >= (int64_t)n ||
                    func_starting_at(info, (uint32_t)target) < 0)
                    return img_fail(err, MBPF_E_IMAGE,
                                    "local call target is not a function start",
                                    img_insn_off(info, pc), pc);
            }
        }
    }
    return MBPF_OK;
}

static uint64_t arena_bytes(const mbpf_image_info *info)
{
    uint64_t total = 8u; /* room to align the arena's start */
    total += img_align8(sizeof(mbpf_program));
    total += (uint64_t)info->num_maps * img_align8(sizeof(mbpf_map));
    total += (uint64_t)img_align8(info->num_helpers * 4u);
    total += (uint64_t)info->num_insns * 8u;
    total += img_align8(info->sec[MBPF_SEC_DATA].len);
    total += img_align8(info->bss_len);
    for (uint32_t i = 0; i < info->num_maps; i++) {
        mbpf_image_map m;
        mbpf_image_get_map(info, i, &m);
        total += img_align8((uint32_t)mbpf_map_mem_size(m.type, m.key_size, m.value_size,
                                                        m.max_entries));
    }
    return total;
}

int mbpf_image_parse(const void *image, size_t len, mbpf_image_info *info,
                     mbpf_image_error *err)
{
    if (err) {
        memset(err, 0, sizeof(*err));
        err->pc = MBPF_IMAGE_NO_PC;
    }
    if (!image || !info)
        return img_fail(err, MBPF_E_ARG, "image or info is NULL", 0, MBPF_IMAGE_NO_PC);
    memset(info, 0, sizeof(*info));
    info->image = image;
    int rc = check_header(image, len, info, err);
    if (rc == MBPF_OK)
        rc = check_sections(image, info, err);
    if (rc == MBPF_OK)
        rc = check_hash(image, info, err);
    if (rc == MBPF_OK)
        rc = check_tables(info, err);
    if (rc == MBPF_OK)
        rc = check_code(info, err);
    if (rc != MBPF_OK)
        return rc;
    uint64_t need = arena_bytes(info);
    if (need > UINT32_MAX - 8u)
        return img_fail(err, MBPF_E_IMAGE, "program needs more than 4 GiB of memory", 0,
                        MBPF_IMAGE_NO_PC);
    info->arena_needed = (uint32_t)need;
    return MBPF_OK;
}

/* ---- Accessors --------------------------------------------------------- */

void mbpf_image_get_func(const mbpf_image_info *info, uint32_t i, mbpf_image_func *out)
{
    const uint8_t *f = sec_ptr(info, MBPF_SEC_FUNCS, i * MBPF_IMAGE_FUNC_SIZE);
    out->name = img_rd32(f);
    out->start = img_rd32(f + 4);
    out->stack_size = img_rd32(f + 8);
    out->flags = img_rd32(f + 12);
}

void mbpf_image_get_map(const mbpf_image_info *info, uint32_t i, mbpf_image_map *out)
{
    const uint8_t *m = sec_ptr(info, MBPF_SEC_MAPS, i * MBPF_IMAGE_MAP_SIZE);
    out->name = img_rd32(m);
    out->type = img_rd32(m + 4);
    out->key_size = img_rd32(m + 8);
    out->value_size = img_rd32(m + 12);
    out->max_entries = img_rd32(m + 16);
    out->flags = img_rd32(m + 20);
}

uint32_t mbpf_image_get_helper(const mbpf_image_info *info, uint32_t i)
{
    return img_rd32(sec_ptr(info, MBPF_SEC_HELPERS, i * 4u));
}

void mbpf_image_get_line(const mbpf_image_info *info, uint32_t i, mbpf_image_line *out)
{
    const uint8_t *l = sec_ptr(info, MBPF_SEC_LINES, i * MBPF_IMAGE_LINE_SIZE);
    out->insn = img_rd32(l);
    out->line = img_rd32(l + 4);
    out->file = img_rd32(l + 8);
}

void mbpf_image_get_insn(const mbpf_image_info *info, uint32_t pc, mbpf_insn *out)
{
    const uint8_t *p = info->image + img_insn_off(info, pc);
    out->code = p[0];
    out->regs = p[1];
    out->off = (int16_t)img_rd16(p + 2);
    out->imm = (int32_t)img_rd32(p + 4);
}

const char *mbpf_image_string(const mbpf_image_info *info, uint32_t off)
{
    if (off >= info->sec[MBPF_SEC_STRINGS].len)
        return "";
    return (const char *)sec_ptr(info, MBPF_SEC_STRINGS, off);
}

int32_t mbpf_image_func_at(const mbpf_image_info *info, uint32_t pc)
{
    if (pc >= info->num_insns || info->num_funcs == 0)
        return -1;
    uint32_t lo = 0, hi = info->num_funcs; /* last function with start <= pc */
    while (hi - lo > 1u) {
        uint32_t mid = lo + (hi - lo) / 2u;
        if (img_rd32(sec_ptr(info, MBPF_SEC_FUNCS, mid * MBPF_IMAGE_FUNC_SIZE + 4u)) <= pc)
            lo = mid;
        else
            hi = mid;
    }
    return (int32_t)lo;
}

bool mbpf_image_line_at(const mbpf_image_info *info, uint32_t pc, const char **file,
                        uint32_t *line)
{
    uint32_t lo = 0, hi = info->num_lines; /* first entry with insn > pc */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        if (img_rd32(sec_ptr(info, MBPF_SEC_LINES, mid * MBPF_IMAGE_LINE_SIZE)) <= pc)
            lo = mid + 1u;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    mbpf_image_line l;
    mbpf_image_get_line(info, lo - 1u, &l);
    if (file)
        *file = mbpf_image_string(info, l.file);
    if (line)
        *line = l.line;
    return true;
}
