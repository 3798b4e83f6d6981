/* BPF ELF relocatable object -> elf_program (see elf_build.h for what is
 * accepted). Every section, symbol and relocation is bounds checked, and
 * every refusal names the section, symbol or instruction concerned.
 *
 * Layout: code sections are concatenated (.text first), so a function's
 * instruction index is its section's base plus its offset / 8. Local calls
 * are re-targeted after the layout (imm = target - pc - 1), whether clang
 * left them pc-relative or relocated against a symbol. Global data sections
 * of one kind are concatenated into one blob (rodata, data, bss), each at
 * its own alignment, and lddw references become src=6 with the blob offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "elf_internal.h"

int elf_fail(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

const char *elf_program_strdup(elf_program *p, const char *s)
{
    char **grown = realloc(p->strings, (p->num_strings + 1u) * sizeof(*grown));
    if (!grown)
        return NULL;
    p->strings = grown;
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    p->strings[p->num_strings++] = copy;
    return copy;
}

void elf_program_free(elf_program *p)
{
    if (!p)
        return;
    free(p->code);
    free(p->funcs);
    free(p->rodata);
    free(p->data);
    free(p->maps);
    free(p->helpers);
    free(p->lines);
    for (uint32_t i = 0; i < p->num_strings; i++)
        free(p->strings[i]);
    free(p->strings);
    memset(p, 0, sizeof(*p));
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Data-like section of kind k by name: ".rodata" or ".rodata.<anything>". */
static bool is_named(const char *n, const char *base)
{
    size_t l = strlen(base);
    return strncmp(n, base, l) == 0 && (n[l] == 0 || n[l] == '.');
}

static int classify(reader *r, size_t i)
{
    sec_info *s = &r->secs[i];
    const char *n = s->name;
    uint64_t f = s->sh.sh_flags;
    switch (s->sh.sh_type) {
    case SHT_NULL:
    case SHT_STRTAB:
    case SHT_SYMTAB:
    case SHT_REL:
    case SHT_NOTE:
    case SHT_LLVM_ADDRSIG:
        return SK_IGNORE;
    case SHT_RELA:
        elf_fail(r, "unsupported section '%s': RELA relocations (BPF objects use REL)", n);
        return -1;
    default:
        break;
    }
    if (f & SHF_EXECINSTR) {
        if (s->sh.sh_type != SHT_PROGBITS) {
            elf_fail(r, "unsupported section '%s': executable but not PROGBITS", n);
            return -1;
        }
        return SK_CODE;
    }
    if (!strcmp(n, ".maps"))
        return SK_MAPS;
    if (!strcmp(n, "maps"))
        return SK_LEGACY_MAPS;
    if (s->sh.sh_type == SHT_PROGBITS && is_named(n, ".rodata"))
        return SK_RODATA;
    if (s->sh.sh_type == SHT_PROGBITS && is_named(n, ".data"))
        return SK_DATA;
    if (s->sh.sh_type == SHT_NOBITS && is_named(n, ".bss"))
        return SK_BSS;
    if (!strcmp(n, "license") || !strcmp(n, "version") || !strcmp(n, ".BTF") ||
        !strcmp(n, ".BTF.ext") || starts_with(n, ".debug_") || !strcmp(n, ".comment"))
        return SK_IGNORE;
    if (!(f & SHF_ALLOC))
        return SK_IGNORE; /* metadata that would never be loaded */
    elf_fail(r, "unsupported section '%s' (type 0x%x, flags 0x%llx): only code, .rodata*, "
         ".data*, .bss*, .maps and license can be loaded", n, (unsigned)s->sh.sh_type,
         (unsigned long long)f);
    return -1;
}

int elf_get_sym(reader *r, size_t idx, GElf_Sym *sym, const char **name)
{
    if (idx >= r->nsyms || !gelf_getsym(r->symtab, (int)idx, sym))
        return elf_fail(r, "symbol index %zu is out of range", idx);
    const char *n = elf_strptr(r->elf, r->symstr, sym->st_name);
    if (GELF_ST_TYPE(sym->st_info) == STT_SECTION && sym->st_shndx < r->nsec)
        n = r->secs[sym->st_shndx].name;
    *name = n ? n : "?";
    return 0;
}

/* Appends section i's bytes to a blob at the section's alignment. */
static int add_blob(reader *r, sec_info *s, uint8_t **blob, uint32_t *len, bool copy)
{
    uint64_t align = s->sh.sh_addralign > 1 ? s->sh.sh_addralign : 1;
    if (align > 8)
        align = 8; /* the image aligns every blob to 8 */
    uint64_t base = (*len + align - 1) / align * align;
    if (base + s->sh.sh_size > (1u << 30))
        return elf_fail(r, "section '%s' is too large (%llu bytes)", s->name,
                    (unsigned long long)s->sh.sh_size);
    uint32_t nlen = (uint32_t)(base + s->sh.sh_size);
    if (copy) {
        uint8_t *g = realloc(*blob, nlen ? nlen : 1);
        if (!g)
            return elf_fail(r, "out of memory");
        memset(g + *len, 0, nlen - *len);
        if (s->sh.sh_size) {
            if (!s->data || s->data->d_size < s->sh.sh_size)
                return elf_fail(r, "section '%s': cannot read its bytes", s->name);
            memcpy(g + base, s->data->d_buf, s->sh.sh_size);
        }
        *blob = g;
    }
    s->base = (uint32_t)base;
    *len = nlen;
    r->p->num_sections++;
    return 0;
}

static int read_sections(reader *r)
{
    size_t shstrndx;
    if (elf_getshdrnum(r->elf, &r->nsec) || elf_getshdrstrndx(r->elf, &shstrndx))
        return elf_fail(r, "cannot read the section table: %s", elf_errmsg(-1));
    r->secs = calloc(r->nsec ? r->nsec : 1, sizeof(*r->secs));
    if (!r->secs)
        return elf_fail(r, "out of memory");
    for (size_t i = 1; i < r->nsec; i++) {
        sec_info *s = &r->secs[i];
        Elf_Scn *scn = elf_getscn(r->elf, i);
        if (!scn || !gelf_getshdr(scn, &s->sh))
            return elf_fail(r, "cannot read section %zu: %s", i, elf_errmsg(-1));
        s->name = elf_strptr(r->elf, shstrndx, s->sh.sh_name);
        if (!s->name)
            s->name = "?";
        s->data = s->sh.sh_type == SHT_NOBITS ? NULL : elf_getdata(scn, NULL);
        if (s->sh.sh_type != SHT_NOBITS && s->sh.sh_size && !s->data)
            return elf_fail(r, "section '%s': cannot read its bytes", s->name);
        int k = classify(r, i);
        if (k < 0)
            return -1;
        s->kind = k;
        if (s->sh.sh_type == SHT_SYMTAB) {
            if (r->symtab)
                return elf_fail(r, "more than one symbol table");
            r->symtab = s->data;
            r->nsyms = s->sh.sh_entsize ? s->sh.sh_size / s->sh.sh_entsize : 0;
            r->symstr = s->sh.sh_link;
        }
        if (!strcmp(s->name, ".BTF") && s->data) {
            r->btf = btf__new(s->data->d_buf, (uint32_t)s->data->d_size);
            if (libbpf_get_error(r->btf)) {
                r->btf = NULL;
                return elf_fail(r, "section '.BTF' is malformed");
            }
        }
        if (!strcmp(s->name, ".BTF.ext"))
            r->btf_ext = s->data;
        if (k == SK_MAPS)
            r->maps_sec = i;
        if (k == SK_LEGACY_MAPS)
            r->legacy_sec = i;
    }
    if (!r->symtab)
        return elf_fail(r, "no symbol table (is this a relocatable object from clang -c?)");
    return 0;
}

/* Code sections: .text first, then the others in file order. */
static int layout_code(reader *r)
{
    uint64_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 1; i < r->nsec; i++) {
            sec_info *s = &r->secs[i];
            if (s->kind != SK_CODE || (strcmp(s->name, ".text") == 0) != (pass == 0))
                continue;
            if (s->sh.sh_size % 8)
                return elf_fail(r, "section '%s': size %llu is not a multiple of 8", s->name,
                            (unsigned long long)s->sh.sh_size);
            s->base = (uint32_t)total;
            total += s->sh.sh_size / 8;
            if (total > (1u << 24))
                return elf_fail(r, "too much code (%llu instructions)", (unsigned long long)total);
            r->p->num_sections++;
        }
    }
    if (total == 0)
        return elf_fail(r, "no code: the object has no executable section");
    elf_program *p = r->p;
    p->num_insns = (uint32_t)total;
    p->code = calloc(total, sizeof(mbpf_insn));
    r->call_target = malloc(total * sizeof(uint32_t));
    if (!p->code || !r->call_target)
        return elf_fail(r, "out of memory");
    for (uint64_t i = 0; i < total; i++)
        r->call_target[i] = NO_TARGET;
    for (size_t i = 1; i < r->nsec; i++) {
        sec_info *s = &r->secs[i];
        if (s->kind != SK_CODE || !s->sh.sh_size)
            continue;
        const uint8_t *b = s->data->d_buf;
        for (uint64_t k = 0; k < s->sh.sh_size / 8; k++) {
            mbpf_insn *in = &p->code[s->base + k];
            const uint8_t *q = b + k * 8;
            in->code = q[0];
            in->regs = q[1];
            in->off = (int16_t)(uint16_t)(q[2] | q[3] << 8);
            in->imm = (int32_t)((uint32_t)q[4] | (uint32_t)q[5] << 8 | (uint32_t)q[6] << 16 |
                                (uint32_t)q[7] << 24);
        }
    }
    return 0;
}

static int layout_data(reader *r)
{
    elf_program *p = r->p;
    for (size_t i = 1; i < r->nsec; i++) {
        sec_info *s = &r->secs[i];
        int rc = 0;
        if (s->kind == SK_RODATA)
            rc = add_blob(r, s, &p->rodata, &p->rodata_len, true);
        else if (s->kind == SK_DATA)
            rc = add_blob(r, s, &p->data, &p->data_len, true);
        else if (s->kind == SK_BSS)
            rc = add_blob(r, s, NULL, &p->bss_len, false);
        if (rc)
            return rc;
    }
    return 0;
}

static int cmp_func(const void *a, const void *b)
{
    const mbpf_image_func_desc *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int add_func(reader *r, const char *name, uint32_t start)
{
    elf_program *p = r->p;
    mbpf_image_func_desc *g = realloc(p->funcs, (p->num_funcs + 1u) * sizeof(*g));
    if (!g)
        return elf_fail(r, "out of memory");
    p->funcs = g;
    const char *n = elf_program_strdup(p, name);
    if (!n)
        return elf_fail(r, "out of memory");
    g[p->num_funcs++] = (mbpf_image_func_desc){n, start, 0};
    return 0;
}

/* Functions from STT_FUNC symbols; a code section without any gets one named
 * after the section, and code before a section's first symbol likewise. */
static int read_funcs(reader *r)
{
    elf_program *p = r->p;
    for (size_t i = 1; i < r->nsyms; i++) {
        GElf_Sym sym;
        const char *name;
        if (elf_get_sym(r, i, &sym, &name))
            return -1;
        if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF)
            continue;
        if (sym.st_shndx >= r->nsec || r->secs[sym.st_shndx].kind != SK_CODE)
            return elf_fail(r, "function '%s' is not in an executable section", name);
        sec_info *s = &r->secs[sym.st_shndx];
        if (sym.st_value % 8 || sym.st_value >= s->sh.sh_size)
            return elf_fail(r, "function '%s': offset 0x%llx is not an instruction of '%s'", name,
                        (unsigned long long)sym.st_value, s->name);
        if (add_func(r, name, s->base + (uint32_t)(sym.st_value / 8)))
            return -1;
    }
    for (size_t i = 1; i < r->nsec; i++) {
        sec_info *s = &r->secs[i];
        if (s->kind != SK_CODE || !s->sh.sh_size)
            continue;
        bool has_start = false;
        for (uint32_t f = 0; f < p->num_funcs; f++)
            has_start |= p->funcs[f].start == s->base;
        if (!has_start && add_func(r, s->name, s->base))
            return -1;
    }
    qsort(p->funcs, p->num_funcs, sizeof(*p->funcs), cmp_func);
    for (uint32_t f = 1; f < p->num_funcs; f++)
        if (p->funcs[f].start == p->funcs[f - 1].start)
            return elf_fail(r, "functions '%s' and '%s' start at the same instruction %u",
                        p->funcs[f - 1].name, p->funcs[f].name, p->funcs[f].start);
    return 0;
}

int elf_find_func(const elf_program *p, uint32_t start)
{
    for (uint32_t f = 0; f < p->num_funcs; f++)
        if (p->funcs[f].start == start)
            return (int)f;
    return -1;
}

int elf_func_of(const elf_program *p, uint32_t pc)
{
    int best = -1;
    for (uint32_t f = 0; f < p->num_funcs && p->funcs[f].start <= pc; f++)
        best = (int)f;
    return best;
}

static int pick_entry(reader *r, const char *want)
{
    elf_program *p = r->p;
    if (want) {
        for (uint32_t f = 0; f < p->num_funcs; f++)
            if (!strcmp(p->funcs[f].name, want)) {
                p->entry = f;
                return 0;
            }
        return elf_fail(r, "entry function '%s' not found", want);
    }
    /* First global function of .text (lowest address), as the peers do; if
     * .text has none, of the first other code section that has one
     * (libbpf-style SEC("...") programs). */
    uint64_t best = UINT64_MAX;
    const char *best_name = NULL;
    size_t text = 0;
    for (int pass = 0; pass < 2 && !best_name; pass++) {
        for (size_t sec = 1; sec < r->nsec && !best_name; sec++) {
            if (r->secs[sec].kind != SK_CODE || (!strcmp(r->secs[sec].name, ".text")) != !pass)
                continue;
            for (size_t i = 1; i < r->nsyms; i++) {
                GElf_Sym sym;
                const char *name;
                if (elf_get_sym(r, i, &sym, &name))
                    return -1;
                if (GELF_ST_TYPE(sym.st_info) == STT_FUNC &&
                    GELF_ST_BIND(sym.st_info) == STB_GLOBAL && sym.st_shndx == sec &&
                    sym.st_value < best) {
                    best = sym.st_value;
                    best_name = name;
                    text = sec;
                }
            }
        }
    }
    if (!best_name)
        return elf_fail(r, "no entry point: no global function in the code (define a non-static "
                    "function or pass --entry NAME)");
    int f = elf_find_func(p, r->secs[text].base + (uint32_t)(best / 8));
    if (f < 0)
        return elf_fail(r, "entry function '%s' not found", best_name);
    p->entry = (uint32_t)f;
    return 0;
}

static int cmp_msym(const void *a, const void *b)
{
    const map_sym *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Maps: the objects of .maps (BTF) or of the legacy "maps" section. */
static int read_maps(reader *r)
{
    elf_program *p = r->p;
    size_t secs[2] = {r->maps_sec, r->legacy_sec};
    for (int k = 0; k < 2; k++) {
        size_t sec = secs[k];
        if (!sec)
            continue;
        r->p->num_sections++;
        for (size_t i = 1; i < r->nsyms; i++) {
            GElf_Sym sym;
            const char *name;
            if (elf_get_sym(r, i, &sym, &name))
                return -1;
            if (sym.st_shndx != sec || GELF_ST_TYPE(sym.st_info) == STT_SECTION)
                continue;
            if (sym.st_value > r->secs[sec].sh.sh_size ||
                sym.st_size > r->secs[sec].sh.sh_size - sym.st_value)
                return elf_fail(r, "map '%s' lies outside section '%s'", name, r->secs[sec].name);
            mbpf_image_map_desc m;
            if (k == 0) {
                if (!r->btf)
                    return elf_fail(r, "map '%s' in .maps needs BTF: compile with -g", name);
                if (elf_btf_map(r->btf, name, &m, r->err, r->errlen))
                    return -1;
            } else {
                if (sym.st_size < 16)
                    return elf_fail(r, "map '%s': legacy definition is %llu bytes, need 16 "
                                "(type, key_size, value_size, max_entries)", name,
                                (unsigned long long)sym.st_size);
                const uint8_t *b = (const uint8_t *)r->secs[sec].data->d_buf + sym.st_value;
                uint32_t v[5] = {0};
                memcpy(v, b, sym.st_size >= 20 ? 20 : 16);
                m = (mbpf_image_map_desc){name, v[0], v[1], v[2], v[3], v[4]};
                if ((m.type != 1 && m.type != 2) || !m.key_size || !m.value_size ||
                    !m.max_entries || m.flags)
                    return elf_fail(r, "map '%s': unsupported legacy definition (type %u, key %u, "
                                "value %u, max_entries %u, flags 0x%x)", name, m.type,
                                m.key_size, m.value_size, m.max_entries, m.flags);
            }
            m.name = elf_program_strdup(p, name);
            mbpf_image_map_desc *g = realloc(p->maps, (p->num_maps + 1u) * sizeof(*g));
            map_sym *ms = realloc(r->msyms, (p->num_maps + 1u) * sizeof(*ms));
            if (g)
                p->maps = g;
            if (ms)
                r->msyms = ms;
            if (!m.name || !g || !ms)
                return elf_fail(r, "out of memory");
            ms[p->num_maps] = (map_sym){sec, sym.st_value, sym.st_size ? sym.st_size : 1};
            g[p->num_maps++] = m;
        }
    }
    /* Order by section then offset, so map indices follow the source. */
    for (uint32_t a = 0; a < p->num_maps; a++)
        for (uint32_t b = a + 1; b < p->num_maps; b++)
            if (r->msyms[b].sec < r->msyms[a].sec ||
                (r->msyms[b].sec == r->msyms[a].sec && cmp_msym(&r->msyms[b], &r->msyms[a]) < 0)) {
                map_sym t = r->msyms[a];
                r->msyms[a] = r->msyms[b];
                r->msyms[b] = t;
                mbpf_image_map_desc u = p->maps[a];
                p->maps[a] = p->maps[b];
                p->maps[b] = u;
            }
    return 0;
}

int elf_program_read(const char *path, const elf_read_opts *opts, elf_program *p,
                     char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    reader r = {0};
    r.p = p;
    r.err = err;
    r.errlen = errlen;
    int rc = -1;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    elf_version(EV_CURRENT);
    libbpf_set_print(NULL); /* malformed BTF is reported by our own message */
    r.elf = elf_begin(fd, ELF_C_READ, NULL);
    GElf_Ehdr eh;
    if (!r.elf || elf_kind(r.elf) != ELF_K_ELF || !gelf_getehdr(r.elf, &eh)) {
        elf_fail(&r, "%s: not an ELF file", path);
        goto out;
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_BPF) {
        elf_fail(&r, "%s: not a BPF object (machine %u, class %u); compile with -target bpf", path,
             (unsigned)eh.e_machine, (unsigned)eh.e_ident[EI_CLASS]);
        goto out;
    }
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
        elf_fail(&r, "%s: big-endian BPF objects are not supported (use -target bpf or bpfel)",
             path);
        goto out;
    }
    if (eh.e_type != ET_REL) {
        elf_fail(&r, "%s: not a relocatable object (ELF type %u)", path, (unsigned)eh.e_type);
        goto out;
    }
    p->isa = opts && opts->isa ? opts->isa : 3;
    if (read_sections(&r) || layout_code(&r) || layout_data(&r) || read_funcs(&r) ||
        pick_entry(&r, opts ? opts->entry : NULL) || read_maps(&r) || elf_apply_relocs(&r) ||
        elf_fix_calls(&r) || elf_collect_helpers(&r) || elf_analyse(&r) ||
        (opts && opts->lines && elf_read_lines(&r)))
        goto out;
    rc = 0;
out:
    if (r.btf)
        btf__free(r.btf);
    free(r.secs);
    free(r.msyms);
    free(r.call_target);
    if (r.elf)
        elf_end(r.elf);
    close(fd);
    if (rc)
        elf_program_free(p);
    return rc;
}

void elf_program_desc(const elf_program *p, const char *name, mbpf_image_desc *d)
{
    memset(d, 0, sizeof(*d));
    d->name = name;
    d->isa = p->isa;
    d->max_depth = p->max_depth;
    d->code = p->code;
    d->num_insns = p->num_insns;
    d->funcs = p->funcs;
    d->num_funcs = p->num_funcs;
    d->entry = p->entry;
    d->rodata = p->rodata;
    d->rodata_len = p->rodata_len;
    d->data = p->data;
    d->data_len = p->data_len;
    d->bss_len = p->bss_len;
    d->maps = p->maps;
    d->num_maps = p->num_maps;
    d->helpers = p->helpers;
    d->num_helpers = p->num_helpers;
    d->lines = p->lines;
    d->num_lines = p->num_lines;
}
