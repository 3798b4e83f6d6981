/* Relocations of the ELF reader: lddw against global data and maps, local
 * calls, and the re-encoding of every local call against the final layout.
 * Anything else in code is refused with the relocation's name and place. */
#include <stdio.h>
#include <string.h>

#include "elf_internal.h"

static const char *reloc_name(uint32_t type)
{
    switch (type) {
    case R_BPF_NONE: return "R_BPF_NONE";
    case R_BPF_64_64: return "R_BPF_64_64";
    case R_BPF_64_ABS64: return "R_BPF_64_ABS64";
    case R_BPF_64_ABS32: return "R_BPF_64_ABS32";
    case R_BPF_64_NODYLD32: return "R_BPF_64_NODYLD32";
    case R_BPF_64_32: return "R_BPF_64_32";
    default: return "unknown";
    }
}

/* lddw against a symbol: global data (src=6) or a map (src=5). */
static int reloc_lddw(reader *r, uint32_t pc, const char *where, const GElf_Sym *sym,
                      const char *name)
{
    elf_program *p = r->p;
    mbpf_insn *in = &p->code[pc];
    if (pc + 1 >= p->num_insns || in->code != MBPF_OP_LDDW || MBPF_INSN_SRC(in) != 0)
        return elf_fail(r, "R_BPF_64_64 relocation at %s (symbol '%s') is not on a plain lddw",
                    where, name);
    if (sym->st_shndx == SHN_UNDEF)
        return elf_fail(r, "undefined symbol '%s' referenced at %s (extern variables are not "
                    "supported)", name, where);
    if (sym->st_shndx == SHN_COMMON)
        return elf_fail(r, "common symbol '%s' at %s: compile with -fno-common", name, where);
    if (sym->st_shndx >= r->nsec)
        return elf_fail(r, "symbol '%s' referenced at %s has no section", name, where);
    sec_info *s = &r->secs[sym->st_shndx];
    /* REL has no addend field: it is the lddw immediate (as libbpf reads it). */
    int64_t off = (int64_t)sym->st_value + (int64_t)in->imm;
    uint32_t idx, blob_len;
    switch (s->kind) {
    case SK_RODATA: idx = MBPF_IMAGE_MAP_RODATA; blob_len = p->rodata_len; break;
    case SK_DATA: idx = MBPF_IMAGE_MAP_DATA; blob_len = p->data_len; break;
    case SK_BSS: idx = MBPF_IMAGE_MAP_BSS; blob_len = p->bss_len; break;
    case SK_MAPS:
    case SK_LEGACY_MAPS:
        for (uint32_t m = 0; m < p->num_maps; m++) {
            const map_sym *ms = &r->msyms[m];
            if (ms->sec == sym->st_shndx && off >= 0 && (uint64_t)off >= ms->off &&
                (uint64_t)off < ms->off + ms->size) {
                in[0].regs = MBPF_REGS(MBPF_INSN_DST(in), MBPF_LDDW_MAP_BY_IDX);
                in[0].imm = (int32_t)(MBPF_IMAGE_MAP_FIRST + m);
                in[1].imm = 0;
                r->call_target[pc] = pc; /* marks the lddw as relocated */
                return 0;
            }
        }
        return elf_fail(r, "lddw at %s refers to '%s'+%lld, which is not a map", where, name,
                    (long long)in->imm);
    case SK_CODE: {
        /* Against the section symbol, the immediate is the byte offset. */
        int f = off >= 0 && off % 8 == 0 ? elf_find_func(p, s->base + (uint32_t)(off / 8)) : -1;
        return elf_fail(r, "address of function '%s' taken at %s (callbacks are not supported)",
                    f >= 0 ? p->funcs[f].name : name, where);
    }
    default:
        return elf_fail(r, "lddw at %s refers to '%s' in section '%s', which is not loaded", where,
                    name, s->name);
    }
    if (s->sh.sh_size > INT32_MAX || off < 0 || (uint64_t)off > s->sh.sh_size)
        return elf_fail(r, "lddw at %s: offset %lld is outside '%s' (%llu bytes)", where,
                    (long long)off, s->name, (unsigned long long)s->sh.sh_size);
    uint64_t abs = s->base + (uint64_t)off;
    if (abs > blob_len)
        return elf_fail(r, "lddw at %s: offset outside the data", where);
    in[0].regs = MBPF_REGS(MBPF_INSN_DST(in), MBPF_LDDW_MAP_VAL_BY_IDX);
    in[0].imm = (int32_t)idx;
    in[1].imm = (int32_t)abs;
    r->call_target[pc] = pc; /* marks the lddw as relocated */
    return 0;
}

static int reloc_call(reader *r, uint32_t pc, const char *where, const GElf_Sym *sym,
                      const char *name)
{
    mbpf_insn *in = &r->p->code[pc];
    if (in->code != MBPF_OP_CALL || MBPF_INSN_SRC(in) != MBPF_CALL_LOCAL)
        return elf_fail(r, "R_BPF_64_32 relocation at %s (symbol '%s') is not on a local call",
                    where, name);
    if (sym->st_shndx == SHN_UNDEF)
        return elf_fail(r, "undefined function '%s' called at %s (extern functions are not "
                    "supported; helpers are called through the SDK's pointers)", name, where);
    if (sym->st_shndx >= r->nsec || r->secs[sym->st_shndx].kind != SK_CODE)
        return elf_fail(r, "call at %s targets '%s', which is not code", where, name);
    sec_info *s = &r->secs[sym->st_shndx];
    int64_t t = (int64_t)(sym->st_value / 8) + (int64_t)in->imm + 1;
    if (sym->st_value % 8 || t < 0 || (uint64_t)t >= s->sh.sh_size / 8)
        return elf_fail(r, "call at %s targets '%s'%+d, outside '%s'", where, name, in->imm,
                    s->name);
    r->call_target[pc] = s->base + (uint32_t)t;
    return 0;
}

int elf_apply_relocs(reader *r)
{
    for (size_t i = 1; i < r->nsec; i++) {
        sec_info *rs = &r->secs[i];
        if (rs->sh.sh_type != SHT_REL)
            continue;
        if (rs->sh.sh_info >= r->nsec)
            return elf_fail(r, "relocation section '%s' targets section %u, which does not exist",
                        rs->name, (unsigned)rs->sh.sh_info);
        sec_info *ts = &r->secs[rs->sh.sh_info];
        size_t n = rs->sh.sh_entsize ? rs->sh.sh_size / rs->sh.sh_entsize : 0;
        if (ts->kind == SK_IGNORE || n == 0)
            continue; /* .BTF, .BTF.ext, .debug_*: nothing to do at run time */
        for (size_t k = 0; k < n; k++) {
            GElf_Rel rel;
            GElf_Sym sym;
            const char *name;
            if (!gelf_getrel(rs->data, (int)k, &rel))
                return elf_fail(r, "'%s': cannot read relocation %zu", rs->name, k);
            uint32_t type = (uint32_t)GELF_R_TYPE(rel.r_info);
            if (elf_get_sym(r, GELF_R_SYM(rel.r_info), &sym, &name))
                return -1;
            if (ts->kind != SK_CODE)
                return elf_fail(r, "unsupported relocation %s (%u) in section '%s' at offset 0x%llx "
                            "(symbol '%s'): pointers in initialised data or map definitions "
                            "are not supported", reloc_name(type), type, ts->name,
                            (unsigned long long)rel.r_offset, name);
            if (rel.r_offset % 8 || rel.r_offset >= ts->sh.sh_size)
                return elf_fail(r, "relocation at '%s'+0x%llx is not on an instruction", ts->name,
                            (unsigned long long)rel.r_offset);
            uint32_t pc = ts->base + (uint32_t)(rel.r_offset / 8);
            char where[96];
            snprintf(where, sizeof(where), "insn %u (%s+0x%llx)", pc, ts->name,
                     (unsigned long long)rel.r_offset);
            int rc;
            if (type == R_BPF_64_64)
                rc = reloc_lddw(r, pc, where, &sym, name);
            else if (type == R_BPF_64_32)
                rc = reloc_call(r, pc, where, &sym, name);
            else if (type == R_BPF_NONE)
                rc = 0;
            else
                rc = elf_fail(r, "unsupported relocation type %s (%u) at %s against '%s'",
                          reloc_name(type), type, where, name);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Unrelocated local calls are relative to their own section; all local
 * calls are then re-encoded against the final layout. Every other lddw src
 * must have come from a relocation. */
int elf_fix_calls(reader *r)
{
    elf_program *p = r->p;
    for (size_t i = 1; i < r->nsec; i++) {
        sec_info *s = &r->secs[i];
        if (s->kind != SK_CODE)
            continue;
        uint32_t end = s->base + (uint32_t)(s->sh.sh_size / 8);
        for (uint32_t pc = s->base; pc < end; pc++) {
            mbpf_insn *in = &p->code[pc];
            if (in->code == MBPF_OP_LDDW) {
                unsigned src = MBPF_INSN_SRC(in);
                if (src != 0 && src != MBPF_LDDW_MAP_BY_IDX && src != MBPF_LDDW_MAP_VAL_BY_IDX)
                    return elf_fail(r, "lddw src=%u at insn %u is not supported", src, pc);
                if (src != 0 && r->call_target[pc] == NO_TARGET)
                    return elf_fail(r, "lddw src=%u at insn %u has no relocation", src, pc);
                pc++;
                continue;
            }
            if (in->code != MBPF_OP_CALL || MBPF_INSN_SRC(in) != MBPF_CALL_LOCAL)
                continue;
            if (r->call_target[pc] == NO_TARGET) {
                int64_t t = (int64_t)pc + in->imm + 1;
                if (t < s->base || t >= end)
                    return elf_fail(r, "call at insn %u jumps outside section '%s'", pc, s->name);
                r->call_target[pc] = (uint32_t)t;
            }
            uint32_t t = r->call_target[pc];
            if (elf_find_func(p, t) < 0) {
                int f = elf_func_of(p, t);
                return elf_fail(r, "call at insn %u targets insn %u (%s+%u), which is not the start "
                            "of a function", pc, t, f >= 0 ? p->funcs[f].name : "?",
                            f >= 0 ? t - p->funcs[f].start : 0);
            }
            in->imm = (int32_t)((int64_t)t - pc - 1);
        }
    }
    return 0;
}

