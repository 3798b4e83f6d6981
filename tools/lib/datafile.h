/* Conformance test files (.data) and the small text inputs the host tools share.
 *
 * A .data file is a list of sections, each started by a line whose first
 * non-blank characters are `--` (format: bpf-conformance-protocol.md):
 *
 *   -- asm      assembly text (kept verbatim; `#` comments are the assembler's)
 *   -- raw      one 64-bit instruction word per token, opcode in the low byte:
 *               word = code | regs << 8 | (u16)off << 16 | (u32)imm << 32
 *   -- mem      hex bytes, whitespace separated, over any number of lines
 *   -- result   expected r0: 0x-hex, decimal, or negative decimal (two's complement)
 *   -- error    expected error text (case-insensitive substring of the message)
 *   -- options  microbpf extension, for our own tests only: whitespace separated
 *               `budget=N` `depth=N` `stack=N` `isa=N` `no-callx` `mem-ro`
 *               (the run's budget, call depth, stack bytes per frame, ISA version,
 *               callx refused, ctx mapped read-only)
 *   anything else (`-- c`, `-- no register offset`, ...) is ignored.
 *
 * Outside `-- asm`, `#` starts a comment. Errors name the file and line.
 */
#ifndef MBPF_TOOLS_DATAFILE_H
#define MBPF_TOOLS_DATAFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mbpf/insn.h"

typedef struct mbpf_datafile {
    char *asm_text;       /* NUL-terminated `-- asm` body, or NULL */
    int asm_line;         /* file line of the first asm body line (for error messages) */
    mbpf_insn *raw;       /* `-- raw` decoded, or NULL */
    uint32_t raw_n;
    bool has_raw;
    uint8_t *mem;         /* `-- mem` bytes, or NULL */
    uint32_t mem_len;
    bool has_mem;
    bool has_result;
    uint64_t result;
    char *error;          /* `-- error` text (trimmed, one line), or NULL */
    /* `-- options`; has_* false means "use the tool's setting" */
    bool has_budget, has_depth, has_stack, has_isa;
    uint64_t budget;
    uint32_t depth, stack;
    uint32_t isa;
    bool no_callx;
    bool mem_ro;
} mbpf_datafile;

/* Parses text (name is used in messages). On error returns -1, frees what it
 * built and writes "name:line: reason" into err. */
int mbpf_datafile_parse(const char *text, const char *name, mbpf_datafile *df, char *err,
                        size_t errlen);
/* Reads and parses a file. */
int mbpf_datafile_load(const char *path, mbpf_datafile *df, char *err, size_t errlen);
void mbpf_datafile_free(mbpf_datafile *df);

/* Whole file into a malloc'd, NUL-terminated buffer (*len excludes the NUL).
 * NULL with a message ("cannot open x: No such file or directory") on failure. */
char *mbpf_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* Hex bytes: pairs of hex digits separated by whitespace, commas or nothing
 * ("00 01 ff", "0001ff"); an optional 0x before each token. `#` comments are
 * skipped. *out is malloc'd (NULL when there are no bytes). */
int mbpf_parse_hex_bytes(const char *text, uint8_t **out, uint32_t *len, char *err,
                         size_t errlen);

/* Decodes little-endian bytecode (len must be a multiple of 8) into a
 * malloc'd instruction array. */
int mbpf_decode_bytecode(const uint8_t *bytes, size_t len, mbpf_insn **out, uint32_t *n,
                         char *err, size_t errlen);
/* Encodes n instructions into 8*n little-endian bytes. */
void mbpf_encode_bytecode(const mbpf_insn *insns, uint32_t n, uint8_t *bytes);

/* Number parsing for command lines and files: decimal or 0x-hex, whole string,
 * no sign, value <= max. Returns 0, or -1 with "NAME: reason" in err. */
int mbpf_parse_u64(const char *s, uint64_t max, const char *name, uint64_t *out, char *err,
                   size_t errlen);

#endif /* MBPF_TOOLS_DATAFILE_H */
