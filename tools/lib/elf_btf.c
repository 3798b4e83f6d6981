/* BTF for `mbpf build`: libbpf-style map definitions and the line table.
 *
 * A map declared with __uint/__type has no bytes worth reading in .maps: its
 * attributes are encoded in the type of the variable (`int (*type)[N]` means
 * type = N, `T *key` means key_size = sizeof(T)), so they come from .BTF.
 * The line table comes from .BTF.ext line_info, which clang emits with -g;
 * it is simpler than DWARF .debug_line and already keyed by instruction.
 */
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "elf_build.h"

/* Strips typedef, const, volatile, restrict and type tags. */
static const struct btf_type *skip_mods(const struct btf *btf, uint32_t id, uint32_t *out_id)
{
    const struct btf_type *t = btf__type_by_id(btf, id);
    for (int guard = 0; t && guard < 64; guard++) {
        uint16_t k = btf_kind(t);
        if (k != BTF_KIND_TYPEDEF && k != BTF_KIND_CONST && k != BTF_KIND_VOLATILE &&
            k != BTF_KIND_RESTRICT && k != BTF_KIND_TYPE_TAG)
            break;
        id = t->type;
        t = btf__type_by_id(btf, id);
    }
    if (out_id)
        *out_id = id;
    return t;
}

/* __uint(name, N) is `int (*name)[N]`: N is the array's element count. */
static int uint_attr(const struct btf *btf, const struct btf_member *m, uint32_t *val)
{
    const struct btf_type *t = skip_mods(btf, m->type, NULL);
    if (!t || !btf_is_ptr(t))
        return -1;
    const struct btf_type *a = skip_mods(btf, t->type, NULL);
    if (!a || !btf_is_array(a))
        return -1;
    *val = btf_array(a)->nelems;
    return 0;
}

/* __type(name, T) is `T *name`: the size of T. */
static int type_attr(const struct btf *btf, const struct btf_member *m, uint32_t *size)
{
    const struct btf_type *t = skip_mods(btf, m->type, NULL);
    if (!t || !btf_is_ptr(t))
        return -1;
    long long s = btf__resolve_size(btf, t->type);
    if (s <= 0 || s > (long long)UINT32_MAX)
        return -1;
    *size = (uint32_t)s;
    return 0;
}

int elf_btf_map(const struct btf *btf, const char *name, mbpf_image_map_desc *m, char *err,
                size_t errlen)
{
    int id = btf__find_by_name_kind(btf, name, BTF_KIND_VAR);
    if (id <= 0) {
        snprintf(err, errlen, "map '%s': no BTF type information (compile with -g)", name);
        return -1;
    }
    const struct btf_type *var = btf__type_by_id(btf, (uint32_t)id);
    const struct btf_type *st = skip_mods(btf, var->type, NULL);
    if (!st || !btf_is_struct(st)) {
        snprintf(err, errlen, "map '%s': definition is not a struct", name);
        return -1;
    }
    memset(m, 0, sizeof(*m));
    uint32_t key_size = 0, value_size = 0;
    const struct btf_member *mem = btf_members(st);
    for (uint16_t i = 0; i < btf_vlen(st); i++, mem++) {
        const char *mn = btf__name_by_offset(btf, mem->name_off);
        int rc;
        if (!mn)
            mn = "";
        if (!strcmp(mn, "type"))
            rc = uint_attr(btf, mem, &m->type);
        else if (!strcmp(mn, "max_entries"))
            rc = uint_attr(btf, mem, &m->max_entries);
        else if (!strcmp(mn, "map_flags"))
            rc = uint_attr(btf, mem, &m->flags);
        else if (!strcmp(mn, "key_size"))
            rc = uint_attr(btf, mem, &key_size);
        else if (!strcmp(mn, "value_size"))
            rc = uint_attr(btf, mem, &value_size);
        else if (!strcmp(mn, "key"))
            rc = type_attr(btf, mem, &m->key_size);
        else if (!strcmp(mn, "value"))
            rc = type_attr(btf, mem, &m->value_size);
        else if (!strcmp(mn, "pinning"))
            rc = 0; /* no file system to pin to: meaningless here */
        else if (!strcmp(mn, "values")) {
            snprintf(err, errlen, "map '%s': map-in-map and prog-array values (__array) are "
                     "not supported", name);
            return -1;
        } else {
            snprintf(err, errlen, "map '%s': unsupported attribute '%s'", name, mn);
            return -1;
        }
        if (rc) {
            snprintf(err, errlen, "map '%s': attribute '%s' is not declared with __uint or "
                     "__type", name, mn);
            return -1;
        }
    }
    if (!m->key_size)
        m->key_size = key_size;
    if (!m->value_size)
        m->value_size = value_size;
    if (m->type != MBPF_MAP_TYPE_ARRAY && m->type != MBPF_MAP_TYPE_HASH) {
        snprintf(err, errlen, "map '%s': unsupported map type %u (microbpf has "
                 "BPF_MAP_TYPE_HASH 1 and BPF_MAP_TYPE_ARRAY 2)", name, m->type);
        return -1;
    }
    if (!m->key_size || !m->value_size || !m->max_entries) {
        snprintf(err, errlen, "map '%s': key, value and max_entries must all be given and "
                 "non-zero", name);
        return -1;
    }
    if (m->type == MBPF_MAP_TYPE_ARRAY && m->key_size != 4) {
        snprintf(err, errlen, "map '%s': an ARRAY map's key must be 4 bytes (it is %u)", name,
                 m->key_size);
        return -1;
    }
    if (m->flags) {
        snprintf(err, errlen, "map '%s': map_flags 0x%x are not supported", name, m->flags);
        return -1;
    }
    m->name = name;
    return 0;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int elf_btf_ext_lines(const struct btf *btf, const uint8_t *ext, size_t ext_len,
                      elf_line_cb cb, void *ctx, char *err, size_t errlen)
{
    if (ext_len < 24 || ext[0] != 0x9f || ext[1] != 0xeb) {
        snprintf(err, errlen, ".BTF.ext: bad header");
        return -1;
    }
    uint32_t hdr_len = rd32(ext + 4);
    uint32_t off = rd32(ext + 16), len = rd32(ext + 20);
    if (hdr_len < 24 || hdr_len > ext_len || off > ext_len - hdr_len ||
        len > ext_len - hdr_len - off) {
        snprintf(err, errlen, ".BTF.ext: line_info out of bounds");
        return -1;
    }
    if (len == 0)
        return 0;
    const uint8_t *p = ext + hdr_len + off, *end = p + len;
    if (len < 4) {
        snprintf(err, errlen, ".BTF.ext: line_info truncated");
        return -1;
    }
    uint32_t rec = rd32(p);
    p += 4;
    if (rec < 16) {
        snprintf(err, errlen, ".BTF.ext: line_info record size %u is too small", rec);
        return -1;
    }
    while (p < end) {
        if ((size_t)(end - p) < 8) {
            snprintf(err, errlen, ".BTF.ext: line_info section header truncated");
            return -1;
        }
        const char *sec = btf__name_by_offset(btf, rd32(p));
        uint32_t num = rd32(p + 4);
        p += 8;
        if ((size_t)(end - p) / rec < num) {
            snprintf(err, errlen, ".BTF.ext: line_info records truncated");
            return -1;
        }
        for (uint32_t i = 0; i < num; i++, p += rec) {
            const char *file = btf__name_by_offset(btf, rd32(p + 4));
            uint32_t line = rd32(p + 12) >> 10;
            if (sec && file && line)
                cb(ctx, sec, rd32(p), file, line);
        }
    }
    return 0;
}
