/* Converting the peers' program files into microbpf images (host only).
 *
 * - Femto-Containers ".rbf": seven u32 header fields, .data, .rodata, .text,
 *   function records. Its LDDWD (0xb8: .data base + imm) and LDDWR (0xd8:
 *   .rodata base + imm) pseudo-opcodes become lddw src=6 against the
 *   internal .data / .rodata maps.
 * - µBPF "extended header": the same plus a relocated-call count, the
 *   relocated-call records (which become local calls) and the helper ids the
 *   program may call (one byte each, to the end of the file; the image lists
 *   those of them the code calls, and calling any other is an error).
 * - Raw bytecode (.text only): one function at instruction 0.
 * Layouts: ../shared/reference/peers.md and docs/image-format.md.
 */
#ifndef MBPF_TOOLS_IMPORT_H
#define MBPF_TOOLS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#define MBPF_RBF_MAGIC 0x72425046u /* "rBPF" */
#define MBPF_RBF_HEADER_SIZE 28u
#define MBPF_UBPF_HEADER_SIZE 32u
#define MBPF_RBF_OP_LDDWD 0xb8u
#define MBPF_RBF_OP_LDDWR 0xd8u

typedef enum mbpf_import_format {
    MBPF_IMPORT_AUTO = 0, /* rBPF magic: FC if the sizes add up exactly, else µBPF; other: raw */
    MBPF_IMPORT_FC,
    MBPF_IMPORT_UBPF,
    MBPF_IMPORT_RAW,
} mbpf_import_format;

/* Name of a format ("fc", "ubpf", "raw", "auto"). */
const char *mbpf_import_format_name(mbpf_import_format fmt);

/* Converts in[0..len) to an image. name: the program name (NULL: "prog").
 * *detected (may be NULL) gets the format used. On success *out is a
 * malloc'd image of *out_len bytes. Errors: MBPF_E_IMAGE with a precise
 * reason in err (byte offset in the input, or instruction index). */
int mbpf_import(const uint8_t *in, size_t len, mbpf_import_format fmt, const char *name,
                uint8_t **out, size_t *out_len, mbpf_import_format *detected, char *err,
                size_t errlen);

#endif /* MBPF_TOOLS_IMPORT_H */
