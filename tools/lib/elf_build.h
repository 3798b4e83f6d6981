/* `mbpf build`: C source -> clang -target bpf -> ELF object -> microbpf image.
 *
 * Three steps, usable separately (the tests feed hand-edited objects to the
 * reader):
 *   elf_build_compile  runs the newest clang found on the source;
 *   elf_program_read   turns a BPF ELF relocatable object into a program with
 *                      every relocation resolved (elf_read.c: sections and
 *                      layout, elf_reloc.c: relocations, elf_analyse.c:
 *                      helpers, stack, call depth, lines, elf_btf.c: BTF);
 *   elf_program_desc   describes it for mbpf_image_write (image_write.h).
 * elf_build_run does all of it for the CLI and prints the one-line summary.
 *
 * What the reader accepts (anything else is an error naming it):
 *   executable sections (.text first, then e.g. SEC("xdp")) -> functions;
 *   .rodata, .rodata.*, .rodata.str*  -> the image's rodata (map index 0);
 *   .data, .data.*                    -> data (1);   .bss, .bss.* -> bss (2);
 *   .maps (BTF, libbpf __uint/__type) or legacy "maps" (struct bpf_map_def)
 *                                     -> map descriptors (3 + i);
 *   relocations in code: R_BPF_64_64 on lddw (data -> src=6, map -> src=5),
 *   R_BPF_64_32 on local calls; .BTF/.BTF.ext/.debug_* relocations ignored;
 *   license, version, .BTF, .BTF.ext, debug and other non-loaded sections.
 */
#ifndef MBPF_TOOLS_ELF_BUILD_H
#define MBPF_TOOLS_ELF_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image_write.h"
#include "mbpf/insn.h"

typedef struct elf_build_opts {
    const char *input;   /* .c (compiled) or .o (read directly) */
    const char *output;  /* image path */
    const char **incdirs; /* extra -I */
    int num_incdirs;
    const char **defines; /* NAME or NAME=V */
    int num_defines;
    int isa;              /* 3 (default) or 4 */
    const char *opt;      /* "-O2" (default) or "-Os" */
    const char *entry;    /* NULL: first global function in .text (else in SEC("...")) */
    bool debug;           /* keep a line table */
    bool quiet;           /* no "using clang" / summary lines */
} elf_build_opts;

/* The newest clang on PATH (clang-19, clang-18, ... clang), or the one named
 * by $MBPF_CLANG. Writes its name and major version. -1 if none. */
int elf_build_find_clang(char *name, size_t len, int *major);

/* Compiles opts->input into the object file obj. The compiler's diagnostics go
 * to stderr unchanged. 0, or -1 with err. */
int elf_build_compile(const elf_build_opts *opts, const char *clang, const char *obj,
                      char *err, size_t errlen);

typedef struct elf_read_opts {
    const char *entry; /* NULL: first global function in .text (else in SEC("...")) */
    bool lines;        /* read the line table from .BTF.ext */
    uint8_t isa;       /* written to the image (3 or 4) */
} elf_read_opts;

/* A program read from an object: everything resolved, arrays malloc'd. */
typedef struct elf_program {
    mbpf_insn *code;
    uint32_t num_insns;
    mbpf_image_func_desc *funcs; /* sorted by start */
    uint32_t num_funcs;
    uint32_t entry; /* index into funcs */
    uint8_t *rodata;
    uint32_t rodata_len;
    uint8_t *data;
    uint32_t data_len;
    uint32_t bss_len;
    mbpf_image_map_desc *maps;
    uint32_t num_maps;
    uint32_t *helpers; /* sorted, unique */
    uint32_t num_helpers;
    mbpf_image_line_desc *lines;
    uint32_t num_lines;
    uint32_t num_sections; /* ELF sections that became code, data or maps */
    uint8_t isa;
    uint8_t max_depth; /* frames the call graph needs from the entry; 0 if recursive */
    bool recursive;    /* a call cycle exists (the verifier will refuse it) */
    char **strings;    /* owned names (funcs, maps, files) */
    uint32_t num_strings;
} elf_program;

/* Reads a BPF ELF object from path. 0, or -1 with a precise reason in err. */
int elf_program_read(const char *path, const elf_read_opts *opts, elf_program *p,
                     char *err, size_t errlen);
void elf_program_free(elf_program *p);

/* Fills desc (pointing into p) for mbpf_image_write. */
void elf_program_desc(const elf_program *p, const char *name, mbpf_image_desc *desc);

/* The whole of `mbpf build`. Prints diagnostics and the summary. 0 or -1. */
int elf_build_run(const elf_build_opts *opts);

/* ---- Shared by the reader's files (see also elf_internal.h) --------------- */

struct btf;

/* Interns a copy of s in p->strings; NULL on allocation failure. */
const char *elf_program_strdup(elf_program *p, const char *s);

/* Map definition from the BTF of a `.maps` variable called name. */
int elf_btf_map(const struct btf *btf, const char *name, mbpf_image_map_desc *m, char *err,
                size_t errlen);

/* One line-table entry of .BTF.ext: section name, byte offset, file, line. */
typedef void (*elf_line_cb)(void *ctx, const char *section, uint32_t byte_off,
                            const char *file, uint32_t line);
/* Walks the line_info part of .BTF.ext. 0, or -1 with err if malformed. */
int elf_btf_ext_lines(const struct btf *btf, const uint8_t *ext, size_t ext_len,
                      elf_line_cb cb, void *ctx, char *err, size_t errlen);

#endif /* MBPF_TOOLS_ELF_BUILD_H */
