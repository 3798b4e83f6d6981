/* Host-side image serializer: a plain C description of a program -> the bytes
 * of a microbpf image (include/mbpf/image.h, docs/image-format.md).
 *
 * The code is given as it will run, except for global data and map
 * references, which stay symbolic as RFC 9669 lddw pseudo-instructions:
 *   lddw src=5 imm=map index                      -> the map's handle
 *   lddw src=6 imm=map index, next imm=offset     -> address of value + offset
 * with map index 0 = .rodata, 1 = .data, 2 = .bss, 3 + i = maps[i]
 * (MBPF_IMAGE_MAP_*). Local calls (call src=1) are already relative.
 *
 * Only the entry function and the functions it reaches through local calls
 * are written: the device verifier knows function boundaries only from call
 * targets, so an uncalled function would be read as part of its neighbour.
 */
#ifndef MBPF_TOOLS_IMAGE_WRITE_H
#define MBPF_TOOLS_IMAGE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "mbpf/image.h"
#include "mbpf/insn.h"

typedef struct mbpf_image_func_desc {
    const char *name;
    uint32_t start;      /* first instruction slot */
    uint32_t stack_size; /* bytes of stack the function uses (0..512 typically) */
} mbpf_image_func_desc;

typedef struct mbpf_image_map_desc {
    const char *name;
    uint32_t type; /* MBPF_MAP_TYPE_ARRAY / MBPF_MAP_TYPE_HASH */
    uint32_t key_size;
    uint32_t value_size;
    uint32_t max_entries;
    uint32_t flags; /* must be 0 for now */
} mbpf_image_map_desc;

typedef struct mbpf_image_line_desc {
    uint32_t insn;
    uint32_t line;
    const char *file;
} mbpf_image_line_desc;

/* What an image holds and what the writer left out of it (dead code). */
typedef struct mbpf_image_write_stats {
    uint32_t num_funcs; /* written */
    uint32_t num_insns; /* slots written (the header's count) */
    uint32_t num_helpers;
    uint32_t num_lines;
    uint32_t max_depth; /* the header's: 0 if the entry reaches a call cycle */
    uint32_t dropped_funcs; /* unreachable from the entry through local calls */
    uint32_t dropped_insns;
    uint32_t dropped_lines; /* line entries inside dropped functions */
} mbpf_image_write_stats;

typedef struct mbpf_image_desc {
    const char *name; /* program name (NULL: "") */
    uint8_t isa;      /* 1..4; 0 means 3 */
    uint8_t max_depth; /* frames the call graph needs; 0 = unknown */

    const mbpf_insn *code;
    uint32_t num_insns; /* slots */

    /* Functions in any order; they must cover instruction 0. NULL with
     * num_funcs 0: one function named like the program starting at 0, with
     * stack_size below. */
    const mbpf_image_func_desc *funcs;
    uint32_t num_funcs;
    /* Index into funcs of the entry point. The image's entry is always at
     * instruction 0: if the entry function starts elsewhere, the writer moves
     * it first, and it drops every function the entry cannot reach through
     * local calls (the rest keep their order; local call offsets, function
     * starts and line entries are renumbered, lines of dropped functions
     * removed; jumps must not cross function boundaries). */
    uint32_t entry;

    const uint8_t *rodata;
    uint32_t rodata_len;
    const uint8_t *data;
    uint32_t data_len;
    uint32_t bss_len;

    const mbpf_image_map_desc *maps;
    uint32_t num_maps;

    /* Helper ids the code calls. NULL: collected from the code (call src=0).
     * Given: any order, duplicates allowed; every called id must be in it.
     * Ids called only by dropped functions are left out of the image. */
    const uint32_t *helpers;
    uint32_t num_helpers;

    /* Bytes per frame; 0: the largest function stack_size. Must be >= each. */
    uint32_t stack_size;

    const mbpf_image_line_desc *lines; /* optional, any order */
    uint32_t num_lines;

    /* Bytes to reserve for a trailing signature block (zero-filled, sets
     * MBPF_IMAGE_F_SIGNED). 0: none. */
    uint32_t sig_reserve;

    /* Optional out (NULL: not wanted): filled when the write succeeds. */
    mbpf_image_write_stats *stats;
} mbpf_image_desc;

/* Validates desc and serializes it. On success *out is a malloc'd buffer of
 * *len bytes (free() it) and MBPF_OK is returned; the result has also been
 * checked with mbpf_image_parse. On failure returns MBPF_E_IMAGE (or
 * MBPF_E_ARG / MBPF_E_NOSPACE) with a precise reason in err (may be NULL). */
int mbpf_image_write(const mbpf_image_desc *desc, uint8_t **out, size_t *len, char *err,
                     size_t errlen);

/* Collects the sorted, deduplicated helper ids called with `call imm`
 * (src=0). Returns how many there are (it writes at most cap of them). */
uint32_t mbpf_image_collect_helpers(const mbpf_insn *code, uint32_t n, uint32_t *ids,
                                    uint32_t cap);

#endif /* MBPF_TOOLS_IMAGE_WRITE_H */
