/* `mbpf objdump prog.mbpf`: everything in an image, for people. Header,
 * sections, maps, helpers, functions, then the disassembly with function
 * labels, call targets, map/global-data names and, when the image has a line
 * table, file:line (and the source text when the file is readable). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datafile.h"
#include "mbpf/image.h"
#include "mbpf/iot.h"
#include "mbpf/maps.h"
#include "mbpf_asm.h"

static const char help[] =
    "usage: mbpf objdump PROG.mbpf [--no-source]\n\n"
    "Prints the image header, section table, maps, helpers, functions and the\n"
    "disassembly (with file:line and the source text when built with --debug).\n";

static const char *const section_names[MBPF_SEC_COUNT] = {
    "funcs", "maps", "helpers", "strings", "code", "rodata", "data", "lines", "sig"};

/* Source files for the listing, read on first use. */
typedef struct src_file {
    const char *name;
    char *text;  /* NULL if unreadable */
    char **line; /* line[i] starts line i + 1 */
    size_t num_lines;
} src_file;

typedef struct src_cache {
    src_file files[16];
    int count;
} src_cache;

static const src_file *src_get(src_cache *c, const char *name)
{
    for (int i = 0; i < c->count; i++)
        if (!strcmp(c->files[i].name, name))
            return &c->files[i];
    if (c->count == 16)
        return NULL;
    src_file *f = &c->files[c->count++];
    memset(f, 0, sizeof(*f));
    f->name = name;
    char err[200];
    size_t len;
    f->text = mbpf_read_file(name, &len, err, sizeof(err));
    if (!f->text)
        return f;
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += f->text[i] == '\n';
    f->line = malloc(n * sizeof(char *));
    if (!f->line)
        return f;
    f->line[f->num_lines++] = f->text;
    for (size_t i = 0; i < len; i++)
        if (f->text[i] == '\n') {
            f->text[i] = 0;
            if (i + 1 < len)
                f->line[f->num_lines++] = f->text + i + 1;
        }
    return f;
}

static void src_free(src_cache *c)
{
    for (int i = 0; i < c->count; i++) {
        free(c->files[i].text);
        free(c->files[i].line);
    }
}

static const char *map_type_name(uint32_t t)
{
    return t == MBPF_MAP_TYPE_HASH ? "HASH" : t == MBPF_MAP_TYPE_ARRAY ? "ARRAY" : "?";
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void print_header(const char *path, const mbpf_image_info *info)
{
    printf("%s: microbpf image version %u, ISA v%u, %u bytes, crc32 0x%08x\n", path,
           info->version, info->isa, info->image_len, info->hash);
    printf("  name:      %s\n", info->name && info->name[0] ? info->name : "(none)");
    printf("  flags:     0x%x%s%s\n", info->flags,
           info->flags & MBPF_IMAGE_F_DEBUG ? " debug" : "",
           info->flags & MBPF_IMAGE_F_SIGNED ? " signed" : "");
    printf("  stack:     %u bytes per frame, call depth %u%s\n", info->stack_size,
           info->max_depth, info->max_depth ? "" : " (unknown)");
    printf("  code:      %u instruction slots, %u functions\n", info->num_insns,
           info->num_funcs);
    printf("  globals:   .rodata %u bytes, .data %u bytes, .bss %u bytes\n",
           info->sec[MBPF_SEC_RODATA].len, info->sec[MBPF_SEC_DATA].len, info->bss_len);
    printf("  arena:     %u bytes needed to load\n", info->arena_needed);
    printf("\nsections:\n");
    for (int s = 0; s < MBPF_SEC_COUNT; s++)
        printf("  %-8s offset 0x%05x  %6u bytes\n", section_names[s], info->sec[s].off,
               info->sec[s].len);
}

static void print_tables(const mbpf_image_info *info, const mbpf_helpers *known)
{
    printf("\nmaps:\n");
    printf("  [0] .rodata  internal, %u bytes, read-only\n", info->sec[MBPF_SEC_RODATA].len);
    printf("  [1] .data    internal, %u bytes\n", info->sec[MBPF_SEC_DATA].len);
    printf("  [2] .bss     internal, %u bytes\n", info->bss_len);
    for (uint32_t i = 0; i < info->num_maps; i++) {
        mbpf_image_map m;
        mbpf_image_get_map(info, i, &m);
        printf("  [%u] %-8s %s key %u value %u max_entries %u\n", MBPF_IMAGE_MAP_FIRST + i,
               mbpf_image_string(info, m.name), map_type_name(m.type), m.key_size,
               m.value_size, m.max_entries);
    }
    printf("\nhelpers:\n");
    if (!info->num_helpers)
        printf("  (none)\n");
    for (uint32_t i = 0; i < info->num_helpers; i++) {
        uint32_t id = mbpf_image_get_helper(info, i);
        const mbpf_helper *h = mbpf_helpers_find(known, id);
        printf("  0x%03x %s\n", id, h ? h->name : "(not provided by the host)");
    }
    printf("\nfunctions:\n");
    for (uint32_t i = 0; i < info->num_funcs; i++) {
        mbpf_image_func f;
        mbpf_image_get_func(info, i, &f);
        printf("  %-20s start %5u  stack %4u%s\n", mbpf_image_string(info, f.name), f.start,
               f.stack_size, i == 0 ? "  (entry)" : "");
    }
}

static const char *map_name(const mbpf_image_info *info, int32_t idx)
{
    static const char *const internal[3] = {".rodata", ".data", ".bss"};
    if (idx >= 0 && idx < 3)
        return internal[idx];
    if (idx >= (int32_t)MBPF_IMAGE_MAP_FIRST &&
        (uint32_t)idx - MBPF_IMAGE_MAP_FIRST < info->num_maps) {
        mbpf_image_map m;
        mbpf_image_get_map(info, (uint32_t)idx - MBPF_IMAGE_MAP_FIRST, &m);
        return mbpf_image_string(info, m.name);
    }
    return "?";
}

static void print_code(const mbpf_image_info *info, const mbpf_insn *code,
                       const mbpf_helpers *known, bool source)
{
    src_cache cache;
    cache.count = 0;
    const char *last_file = NULL;
    uint32_t last_line = 0;
    printf("\ndisassembly:\n");
    for (uint32_t pc = 0; pc < info->num_insns;) {
        int32_t f = mbpf_image_func_at(info, pc);
        mbpf_image_func fn;
        if (f >= 0) {
            mbpf_image_get_func(info, (uint32_t)f, &fn);
            if (fn.start == pc)
                printf("\n<%s>:\n", mbpf_image_string(info, fn.name));
        }
        const char *file;
        uint32_t line;
        if (mbpf_image_line_at(info, pc, &file, &line) &&
            (line != last_line || !last_file || strcmp(file, last_file))) {
            const src_file *sf = source ? src_get(&cache, file) : NULL;
            if (sf && sf->line && line <= sf->num_lines)
                printf("    ; %s:%u: %s\n", base_name(file), line, sf->line[line - 1]);
            else
                printf("    ; %s:%u\n", base_name(file), line);
            last_file = file;
            last_line = line;
        }
        char text[160];
        int slots = mbpf_disasm_insn(code, info->num_insns, pc, text, sizeof(text));
        if (slots <= 0)
            break;
        const mbpf_insn *in = &code[pc];
        char note[128] = "";
        if (in->code == MBPF_OP_LDDW && slots == 2) {
            unsigned src = MBPF_INSN_SRC(in);
            if (src == MBPF_LDDW_MAP_BY_IDX)
                snprintf(note, sizeof(note), "map %s", map_name(info, in->imm));
            else if (src == MBPF_LDDW_MAP_VAL_BY_IDX)
                snprintf(note, sizeof(note), "%s+%u", map_name(info, in->imm),
                         (uint32_t)code[pc + 1].imm);
        } else if (in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_LOCAL) {
            int64_t t = (int64_t)pc + in->imm + 1;
            int32_t g = t >= 0 && t < (int64_t)info->num_insns
                            ? mbpf_image_func_at(info, (uint32_t)t) : -1;
            if (g >= 0) {
                mbpf_image_get_func(info, (uint32_t)g, &fn);
                snprintf(note, sizeof(note), "-> %s", mbpf_image_string(info, fn.name));
            }
        } else if (in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_HELPER) {
            const mbpf_helper *h = mbpf_helpers_find(known, (uint32_t)in->imm);
            snprintf(note, sizeof(note), "%s", h ? h->name : "unknown helper");
        }
        if (note[0])
            printf("  %5u:  %-36s ; %s\n", pc, text, note);
        else
            printf("  %5u:  %s\n", pc, text);
        pc += (uint32_t)slots;
    }
    src_free(&cache);
}

int cmd_objdump(int argc, char **argv)
{
    const char *path = NULL;
    bool source = true;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return CLI_OK;
        }
        if (!strcmp(argv[i], "--no-source"))
            source = false;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("objdump", "unknown option '%s'", argv[i]);
        else if (path)
            return cli_usage_error("objdump", "more than one file ('%s')", argv[i]);
        else
            path = argv[i];
    }
    if (!path)
        return cli_usage_error("objdump", "missing image file");
    char err[300];
    size_t len;
    char *bytes = mbpf_read_file(path, &len, err, sizeof(err));
    if (!bytes) {
        fprintf(stderr, "mbpf objdump: %s\n", err);
        return CLI_USAGE;
    }
    mbpf_image_info info;
    mbpf_image_error ierr;
    memset(&ierr, 0, sizeof(ierr));
    if (mbpf_image_parse(bytes, len, &info, &ierr) != MBPF_OK) {
        fprintf(stderr, "mbpf objdump: %s: not a valid image: %s (offset 0x%x)\n", path,
                ierr.msg ? ierr.msg : "?", ierr.offset);
        free(bytes);
        return CLI_FAILED;
    }
    mbpf_helper storage[64];
    mbpf_helpers known;
    mbpf_helpers_init(&known, storage, 64);
    mbpf_maps_register_helpers(&known);
    mbpf_iot_register(&known);
    mbpf_insn *code = calloc(info.num_insns ? info.num_insns : 1, sizeof(mbpf_insn));
    if (!code) {
        free(bytes);
        return CLI_FAILED;
    }
    for (uint32_t pc = 0; pc < info.num_insns; pc++)
        mbpf_image_get_insn(&info, pc, &code[pc]);
    print_header(path, &info);
    print_tables(&info, &known);
    print_code(&info, code, &known, source);
    free(code);
    free(bytes);
    return CLI_OK;
}
