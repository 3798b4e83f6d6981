/* Shared by the parts of the ELF reader (elf_read.c, elf_reloc.c,
 * elf_analyse.c); not an API. */
#ifndef MBPF_TOOLS_ELF_INTERNAL_H
#define MBPF_TOOLS_ELF_INTERNAL_H

#include <gelf.h>
#include <libelf.h>

#include "elf_build.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif
#ifndef R_BPF_64_ABS64
#define R_BPF_64_ABS64 2
#define R_BPF_64_ABS32 3
#define R_BPF_64_NODYLD32 4
#endif
#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif

#define NO_TARGET UINT32_MAX

enum sec_kind { SK_IGNORE, SK_CODE, SK_RODATA, SK_DATA, SK_BSS, SK_MAPS, SK_LEGACY_MAPS };

typedef struct sec_info {
    int kind;
    const char *name;
    GElf_Shdr sh;
    Elf_Data *data;
    uint32_t base; /* code: first instruction; data kinds: offset in the blob */
} sec_info;

typedef struct map_sym {
    size_t sec;
    uint64_t off, size;
} map_sym;

typedef struct reader {
    Elf *elf;
    size_t nsec;
    sec_info *secs;
    Elf_Data *symtab;
    size_t nsyms, symstr;
    size_t maps_sec, legacy_sec; /* 0: none */
    map_sym *msyms;
    uint32_t *call_target; /* per instruction: target of a local call */
    struct btf *btf;
    Elf_Data *btf_ext;
    elf_program *p;
    char *err;
    size_t errlen;
} reader;

int elf_fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int elf_get_sym(reader *r, size_t idx, GElf_Sym *sym, const char **name);
/* Index of the function starting at start / containing pc, or -1. */
int elf_find_func(const elf_program *p, uint32_t start);
int elf_func_of(const elf_program *p, uint32_t pc);

/* Phases, in order (each 0 or -1 with r->err). */
int elf_apply_relocs(reader *r);
int elf_fix_calls(reader *r);
int elf_collect_helpers(reader *r);
int elf_analyse(reader *r);
int elf_read_lines(reader *r);

#endif /* MBPF_TOOLS_ELF_INTERNAL_H */
