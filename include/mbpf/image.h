/* microbpf program images: the on-disk format and the device-side loader.
 *
 * An image is what `mbpf build` / `mbpf import` write and what a device
 * loads: code, function table, global data, map descriptors, the helpers the
 * code calls, a program name, an optional line table and a CRC-32, with every
 * relocation already resolved. No ELF reaches the device. docs/image-format.md
 * explains each field and why.
 *
 * Layout (all little-endian, every section 8-byte aligned, in this order, each
 * may be empty; offsets and lengths are in the header's section table):
 *
 *   header    MBPF_IMAGE_HEADER_SIZE bytes (below)
 *   funcs     mbpf_image_func records, sorted by start; funcs[0] starts at
 *             instruction 0 and is the entry point
 *   maps      mbpf_image_map records (the program's declared maps)
 *   helpers   u32 helper ids, strictly ascending: every id the code calls
 *   strings   NUL-terminated names; offset 0 is the empty string
 *   code      8-byte instructions (RFC 9669 encoding)
 *   rodata    initial bytes of .rodata (read-only at run time)
 *   data      initial bytes of .data (copied per program instance)
 *   lines     mbpf_image_line records, sorted by insn (optional, --debug)
 *   sig       signature block, reserved for a later format (optional)
 *
 * .bss has only a size in the header. The CRC-32 covers bytes
 * [0, sig offset) (or the whole image without a signature) with the 4 hash
 * bytes counted as zero, so a signature can later be appended and sign the
 * hashed part.
 *
 * Map indices, as used by lddw src=5 (map_by_idx) and src=6
 * (map_val(map_by_idx(imm)) + next_imm): 0 = .rodata, 1 = .data, 2 = .bss
 * (the internal single-entry array maps, src=6 only), 3 + i = maps[i].
 */
#ifndef MBPF_IMAGE_H
#define MBPF_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mbpf/mbpf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- On-disk format ---------------------------------------------------- */

#define MBPF_IMAGE_MAGIC 0x4650424du /* bytes "MBPF" */
#define MBPF_IMAGE_VERSION 1u
#define MBPF_IMAGE_ALIGN 8u

/* Header flags. */
#define MBPF_IMAGE_F_DEBUG 0x1u  /* a line table is present */
#define MBPF_IMAGE_F_SIGNED 0x2u /* a signature section is present (not yet checked) */
#define MBPF_IMAGE_F_KNOWN (MBPF_IMAGE_F_DEBUG | MBPF_IMAGE_F_SIGNED)

/* Sections, in file order: index into mbpf_image_header.sec. */
enum mbpf_image_section {
    MBPF_SEC_FUNCS = 0,
    MBPF_SEC_MAPS,
    MBPF_SEC_HELPERS,
    MBPF_SEC_STRINGS,
    MBPF_SEC_CODE,
    MBPF_SEC_RODATA,
    MBPF_SEC_DATA,
    MBPF_SEC_LINES,
    MBPF_SEC_SIG,
    MBPF_SEC_COUNT
};

typedef struct mbpf_image_span {
    uint32_t off; /* byte offset from the start of the image, multiple of 8 */
    uint32_t len; /* bytes */
} mbpf_image_span;

/* The header, byte-exact (every field naturally aligned, no padding). The
 * loader never casts image bytes to it: it reads fields with the offsets
 * below, so an image may sit at any address (e.g. in flash). */
typedef struct mbpf_image_header {
    uint32_t magic;       /*  0: MBPF_IMAGE_MAGIC */
    uint16_t version;     /*  4: MBPF_IMAGE_VERSION */
    uint8_t isa;          /*  6: RFC 9669 ISA version the code needs, 1..4 */
    uint8_t max_depth;    /*  7: frames the call graph needs (entry = 1); 0 = unknown */
    uint32_t flags;       /*  8: MBPF_IMAGE_F_* */
    uint32_t hash;        /* 12: CRC-32 (IEEE 802.3, as zlib) of the hashed part */
    uint32_t image_len;   /* 16: total bytes, signature included */
    uint32_t name;        /* 20: program name, offset into strings */
    uint32_t stack_size;  /* 24: bytes per frame needed: max of the functions' */
    uint32_t bss_len;     /* 28: bytes of .bss, zeroed per instance */
    mbpf_image_span sec[MBPF_SEC_COUNT]; /* 32 */
} mbpf_image_header;

#define MBPF_IMAGE_OFF_MAGIC 0u
#define MBPF_IMAGE_OFF_VERSION 4u
#define MBPF_IMAGE_OFF_ISA 6u
#define MBPF_IMAGE_OFF_MAX_DEPTH 7u
#define MBPF_IMAGE_OFF_FLAGS 8u
#define MBPF_IMAGE_OFF_HASH 12u
#define MBPF_IMAGE_OFF_IMAGE_LEN 16u
#define MBPF_IMAGE_OFF_NAME 20u
#define MBPF_IMAGE_OFF_STACK_SIZE 24u
#define MBPF_IMAGE_OFF_BSS_LEN 28u
#define MBPF_IMAGE_OFF_SEC 32u
#define MBPF_IMAGE_HEADER_SIZE (32u + 8u * MBPF_SEC_COUNT) /* 104 */

/* One function: [start, next function's start or the end of code). */
typedef struct mbpf_image_func {
    uint32_t name;       /* offset into strings */
    uint32_t start;      /* first instruction slot */
    uint32_t stack_size; /* bytes of stack this function's frame uses */
    uint32_t flags;      /* reserved, 0 */
} mbpf_image_func;
#define MBPF_IMAGE_FUNC_SIZE 16u

/* Map types: the Linux BPF_MAP_TYPE_* numbers. */
#define MBPF_MAP_TYPE_HASH 1u
#define MBPF_MAP_TYPE_ARRAY 2u

typedef struct mbpf_image_map {
    uint32_t name;        /* offset into strings */
    uint32_t type;        /* MBPF_MAP_TYPE_* */
    uint32_t key_size;    /* ARRAY: 4 */
    uint32_t value_size;  /* > 0 */
    uint32_t max_entries; /* > 0 */
    uint32_t flags;       /* reserved, 0 */
} mbpf_image_map;
#define MBPF_IMAGE_MAP_SIZE 24u

/* Map indices of the internal global-data maps (lddw src=6 only). */
#define MBPF_IMAGE_MAP_RODATA 0u
#define MBPF_IMAGE_MAP_DATA 1u
#define MBPF_IMAGE_MAP_BSS 2u
#define MBPF_IMAGE_MAP_FIRST 3u /* maps[i] has index MBPF_IMAGE_MAP_FIRST + i */

/* Line table entry: instructions from insn up to the next entry's insn come
 * from file:line. */
typedef struct mbpf_image_line {
    uint32_t insn; /* instruction slot */
    uint32_t line; /* 1-based source line */
    uint32_t file; /* offset into strings */
} mbpf_image_line;
#define MBPF_IMAGE_LINE_SIZE 12u

/* Hard limits (keep counts well inside 32-bit arithmetic). */
#define MBPF_IMAGE_MAX_MAPS 1024u
#define MBPF_IMAGE_MAX_KEY_SIZE 512u
#define MBPF_IMAGE_MAX_VALUE_SIZE (1u << 20)

/* CRC-32 (IEEE 802.3 polynomial, reflected, as zlib's crc32). Start with
 * crc = 0 and feed the bytes in any number of pieces. */
uint32_t mbpf_crc32(uint32_t crc, const void *data, size_t len);

/* ---- Errors ------------------------------------------------------------ */

#define MBPF_IMAGE_NO_PC 0xffffffffu

typedef struct mbpf_image_error {
    int32_t status;      /* MBPF_OK, MBPF_E_IMAGE, MBPF_E_NOSPACE, MBPF_E_VERIFY, ... */
    const char *msg;     /* static text, e.g. "section overlaps the previous one" */
    uint32_t offset;     /* byte offset in the image the error is about */
    uint32_t pc;         /* instruction index, or MBPF_IMAGE_NO_PC */
    uint32_t helper_id;  /* for helper errors */
    uint32_t needed;     /* MBPF_E_NOSPACE: bytes (or regions) needed */
    mbpf_verify_error verify; /* MBPF_E_VERIFY: the verifier's report */
} mbpf_image_error;

/* ---- Parsing (no allocation; host tools use it too) -------------------- */

/* A validated view of an image. Pointers point into the image bytes. */
typedef struct mbpf_image_info {
    const uint8_t *image;
    uint32_t image_len;
    uint32_t version;
    uint32_t isa;
    uint32_t max_depth;
    uint32_t flags;
    uint32_t hash;
    uint32_t stack_size;
    uint32_t bss_len;
    const char *name;
    mbpf_image_span sec[MBPF_SEC_COUNT];
    uint32_t num_funcs;
    uint32_t num_maps;
    uint32_t num_helpers;
    uint32_t num_insns; /* instruction slots */
    uint32_t num_lines;
    uint32_t arena_needed; /* bytes mbpf_image_load needs (verifier scratch not included) */
} mbpf_image_info;

/* Validates the whole image in one pass: header, section table (order,
 * alignment, bounds, overlap), CRC-32, every table entry (names, function
 * starts and stacks, map descriptors, helper order, line table) and the code
 * (lddw map references and offsets, local call targets at function starts,
 * helper calls listed). Returns MBPF_OK or fills err. */
int mbpf_image_parse(const void *image, size_t len, mbpf_image_info *info,
                     mbpf_image_error *err);

/* Accessors for a parsed image (index must be < the count). */
void mbpf_image_get_func(const mbpf_image_info *info, uint32_t i, mbpf_image_func *out);
void mbpf_image_get_map(const mbpf_image_info *info, uint32_t i, mbpf_image_map *out);
uint32_t mbpf_image_get_helper(const mbpf_image_info *info, uint32_t i);
void mbpf_image_get_line(const mbpf_image_info *info, uint32_t i, mbpf_image_line *out);
void mbpf_image_get_insn(const mbpf_image_info *info, uint32_t pc, mbpf_insn *out);
/* The string at offset off of the string table ("" if off is out of range). */
const char *mbpf_image_string(const mbpf_image_info *info, uint32_t off);
/* Index of the function containing pc, or -1. */
int32_t mbpf_image_func_at(const mbpf_image_info *info, uint32_t pc);
/* Source position of pc from the line table; false if there is none. */
bool mbpf_image_line_at(const mbpf_image_info *info, uint32_t pc, const char **file,
                        uint32_t *line);

/* ---- Loading ----------------------------------------------------------- */

/* A loaded program instance. Lives at the start of the arena; the VM's
 * loader_data points to it. Fields are private. */
typedef struct mbpf_map mbpf_map;

typedef struct mbpf_program {
    mbpf_image_info info;
    mbpf_vm *vm;
    mbpf_insn *code;         /* rewritten copy in the arena */
    const uint8_t *rodata;   /* in the image, or copied with MBPF_LOAD_COPY_RODATA */
    uint8_t *data;           /* per-instance copy */
    uint8_t *bss;            /* per-instance, zeroed */
    mbpf_map *maps;          /* num_maps preallocated maps */
    uint32_t *helpers;       /* the image's helper ids, aligned copy */
    uint32_t num_maps;
} mbpf_program;

enum {
    MBPF_LOAD_COPY_RODATA = 1u, /* copy .rodata into the arena (image may go away) */
};

typedef struct mbpf_load_opts {
    /* Helpers the device provides (usually with the map helpers registered,
     * see mbpf_maps_register_helpers). NULL: the program may call none. */
    const mbpf_helpers *helpers;
    /* Device policy: sorted helper ids programs may use. NULL: every helper
     * in `helpers`. A helper the image lists but the policy refuses (or the
     * device lacks) is an error naming it. */
    const uint32_t *policy;
    uint16_t num_policy;
    uint16_t flags; /* MBPF_LOAD_* */
} mbpf_load_opts;

/* Loads an image into an initialised VM (mbpf_vm_init): parses and validates
 * it, lays out the program in arena (no malloc: code copy with lddw map
 * references rewritten into plain 64-bit immediates, .data copy, zeroed .bss,
 * preallocated maps), adds regions (.rodata R, .data/.bss RW, each map's value
 * storage RW; one region slot must stay free for the context), sets
 * vm->map_check, and runs the verifier with the image's helper list as the
 * allowed set and the image's ISA version as the limit. Arena space after the program is given to
 * the verifier as scratch; if too small the VM's stack is used. The image
 * must stay alive unless MBPF_LOAD_COPY_RODATA is set (the code is copied).
 * On any error the VM is left as it was (no regions, helpers or map check
 * of this image remain).
 * Errors: MBPF_E_IMAGE (malformed image, VM too small for it, or policy
 * refusal, with msg and offset/pc/helper_id), MBPF_E_NOSPACE (arena or
 * region table too small: needed), MBPF_E_VERIFY (err->verify, pc),
 * MBPF_E_ARG (NULL argument, or the arena overlaps a region of the VM),
 * MBPF_E_STATE (the VM already has a program, or is running). */
int mbpf_image_load(mbpf_vm *vm, const void *image, size_t len, const mbpf_load_opts *opts,
                    void *arena, size_t arena_len, mbpf_program **prog,
                    mbpf_image_error *err);

/* Takes the program out of the VM (regions, map check, helpers, code) so
 * that another image can be loaded; the arena may then be reused. Does
 * nothing while the VM is running or when no image is loaded. */
void mbpf_image_unload(mbpf_vm *vm);

/* Restores the instance's initial state: .data re-copied (from the image,
 * which must still be alive), .bss and maps cleared. */
void mbpf_program_reset(mbpf_program *prog);

/* Map by index (0-based among the image's declared maps), or NULL. */
mbpf_map *mbpf_program_map(mbpf_program *prog, uint32_t i);

#ifdef __cplusplus
}
#endif

#endif /* MBPF_IMAGE_H */
