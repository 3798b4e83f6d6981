/* JIT listings through capstone (see jit_listing.h). */
#include "jit_listing.h"

#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdbool.h>

#include "mbpf/jit.h"
#include "mbpf_asm.h"

void jit_listing_sizes(const mbpf_insn *insns, uint32_t n, size_t code_len,
                       const uint32_t *offsets, jit_sizes *out)
{
    out->ebpf_slots = n;
    out->ebpf_insns = 0;
    for (uint32_t pc = 0; pc < n; pc++) {
        out->ebpf_insns++;
        if (insns[pc].code == MBPF_OP_LDDW)
            pc++;
    }
    out->code_bytes = code_len;
    out->main_bytes = offsets && offsets[n] <= code_len ? offsets[n] : code_len;
    out->routine_bytes = code_len - out->main_bytes;
    out->runtime_bytes = 0;
}

void jit_listing_print_sizes(FILE *out, const jit_sizes *s)
{
    double per = s->ebpf_insns ? (double)s->code_bytes / s->ebpf_insns : 0.0;
    double per_main = s->ebpf_insns ? (double)s->main_bytes / s->ebpf_insns : 0.0;
    fprintf(out, "ebpf instructions: %u (%u slots)\n", s->ebpf_insns, s->ebpf_slots);
    fprintf(out, "code bytes:        %zu (main %zu + routines %zu)\n", s->code_bytes,
            s->main_bytes, s->routine_bytes);
    if (s->runtime_bytes)
        fprintf(out, "shared runtime:    %zu bytes (once per device, not counted above)\n",
                s->runtime_bytes);
    fprintf(out, "bytes per insn:    %.2f (%.2f for the main code)\n", per, per_main);
}

const char *jit_listing_rt_name(unsigned k)
{
    static const char *const names[MBPF_JIT_RT_COUNT] = {"trap", "budget", "mem_slow",
                                                         "range", "udiv64", "sdiv64", "call",
                                                         "run", "leave"};
    return k < MBPF_JIT_RT_COUNT ? names[k] : "?";
}

/* A veneer `ldr.w pc, [sp, #MBPF_JIT_FRAME_RT + 4k]`: k, else -1. */
static int veneer_of(const uint8_t *code, size_t at, size_t to)
{
    if (at + 4 > to)
        return -1;
    unsigned first = code[at] | code[at + 1] << 8, second = code[at + 2] | code[at + 3] << 8;
    unsigned off = second & 0xfffu;
    if (first != 0xF8DDu || (second >> 12) != 15u || off < MBPF_JIT_FRAME_RT ||
        (off - MBPF_JIT_FRAME_RT) % 4u || (off - MBPF_JIT_FRAME_RT) / 4u >= MBPF_JIT_RT_COUNT)
        return -1;
    return (int)((off - MBPF_JIT_FRAME_RT) / 4u);
}

/* A direct call of a shared routine (jit_call_rt): `ldr rS, [sp, #F_RT +
 * 4k]; blx rS` at `at`: k, else -1. */
static int rt_call_at(const uint8_t *code, size_t at, size_t to)
{
    if (at + 4 > to)
        return -1;
    unsigned ldr = code[at] | code[at + 1] << 8, blx = code[at + 2] | code[at + 3] << 8;
    unsigned rs = (ldr >> 8) & 7u, off = 4u * (ldr & 0xffu);
    if ((ldr & 0xF800u) != 0x9800u || blx != (0x4780u | rs << 3) || off < MBPF_JIT_FRAME_RT ||
        (off - MBPF_JIT_FRAME_RT) / 4u >= MBPF_JIT_RT_COUNT)
        return -1;
    return (int)((off - MBPF_JIT_FRAME_RT) / 4u);
}

/* A deopt stub at `at`: a direct call of the trap + descriptor of kind DEOPT
 * (jit_loop.c); returns its pc, else -1. */
static long deopt_stub_at(const uint8_t *code, size_t at, size_t len)
{
    if (at + 8 > len || rt_call_at(code, at, len) != MBPF_JIT_RT_TRAP)
        return -1;
    uint32_t desc = (uint32_t)code[at + 4] | (uint32_t)code[at + 5] << 8 |
                    (uint32_t)code[at + 6] << 16 | (uint32_t)code[at + 7] << 24;
    return MBPF_JIT_DESC_KIND(desc) == MBPF_JIT_KIND_DEOPT ? (long)MBPF_JIT_DESC_PC(desc) : -1;
}

/* The register map (the header's; the deopt map): where each half of r0-r9 lives. */
static void print_map(FILE *out, const uint8_t *code, size_t at, uint32_t base)
{
    fprintf(out, "; register map (r0-r9 -> low half:high half, 0 = always zero)\n");
    fprintf(out, "  %6zx:  ", base + at);
    for (unsigned r = 0; r < MBPF_JIT_DEOPT_MAP; r++) {
        if (code[at + r] == 0xffu) { /* the end: registers the program never names */
            fprintf(out, "(end)\n");
            return;
        }
        fprintf(out, "r%u ", r);
        for (unsigned h = 0; h < 2; h++) {
            unsigned c = h ? code[at + r] >> 4 : code[at + r] & 15u;
            if (c == 0)
                fprintf(out, "slot");
            else if (c == 15)
                fprintf(out, "0");
            else
                fprintf(out, "r%u", c + 3);
            fprintf(out, h ? (r + 1 < MBPF_JIT_DEOPT_MAP ? ", " : "\n") : ":");
        }
    }
}

/* The target of a `bl` at `at` (32-bit BL encoding), else -1. */
static long bl_target(const uint8_t *code, size_t at, size_t len)
{
    if (at + 4 > len)
        return -1;
    unsigned first = code[at] | code[at + 1] << 8, second = code[at + 2] | code[at + 3] << 8;
    if ((first & 0xF800u) != 0xF000u || (second & 0xD000u) != 0xD000u)
        return -1;
    uint32_t s = (first >> 10) & 1u, j1 = (second >> 13) & 1u, j2 = (second >> 11) & 1u;
    uint32_t i1 = ~(j1 ^ s) & 1u, i2 = ~(j2 ^ s) & 1u;
    uint32_t imm = s << 24 | i1 << 23 | i2 << 22 | (first & 0x3ffu) << 12 | (second & 0x7ffu) << 1;
    int64_t target = (int64_t)at + 4 + ((int32_t)(imm << 7) >> 7);
    return target >= 0 && (size_t)target < len ? (long)target : -1;
}

/* Does a descriptor follow the call that ends at `end`? A direct call
 * (`ldr rS, [sp, #..]; blx rS`) of the trap or the budget refill (the range
 * check's failure stub, with its descriptor, lies before the call), or a `bl` to mem_slow's veneer or the helper-call marshalling
 * (every `bl` but those to the 64-bit division veneers). */
static bool desc_after(const uint8_t *code, size_t end, size_t len)
{
    if (end < 4 || end + 4 > len)
        return false;
    int k = rt_call_at(code, end - 4, len);
    if (k >= 0)
        return k == MBPF_JIT_RT_TRAP || k == MBPF_JIT_RT_BUDGET; /* not range */
    long t = bl_target(code, end - 4, len);
    if (t < 0)
        return false;
    int v = veneer_of(code, (size_t)t, len);
    return v != MBPF_JIT_RT_UDIV64 && v != MBPF_JIT_RT_SDIV64;
}

static void print_desc(FILE *out, const uint8_t *code, size_t at, uint32_t base)
{
    static const char *const kinds[] = {"none",  "load",   "store",  "atomic",
                                        "budget", "depth", "helper", "deopt"};
    uint32_t d = (uint32_t)code[at] | (uint32_t)code[at + 1] << 8 |
                 (uint32_t)code[at + 2] << 16 | (uint32_t)code[at + 3] << 24;
    unsigned kind = MBPF_JIT_DESC_KIND(d);
    fprintf(out, "  %6zx:  descriptor (pc %u, %s", base + at, (unsigned)MBPF_JIT_DESC_PC(d),
            kind < sizeof kinds / sizeof kinds[0] ? kinds[kind] : "?");
    if (MBPF_JIT_DESC_SIZE(d))
        fprintf(out, ", size %u", (unsigned)MBPF_JIT_DESC_SIZE(d));
    fprintf(out, ")\n");
}

/* Disassembles [from, to) of code (len bytes in all); undecodable
 * halfwords become .short; in a program (len != 0; the runtime passes 0)
 * the descriptor after a routine call is shown as one. */
static void disasm_range(FILE *out, csh cs, const uint8_t *code, size_t len, size_t from,
                         size_t to, uint32_t base)
{
    while (from < to) {
        cs_insn *insn = NULL;
        size_t got = cs_disasm(cs, code + from, to - from, base + from, 1, &insn);
        if (got) {
            char hex[16];
            if (insn[0].size == 4)
                snprintf(hex, sizeof hex, "%02x%02x %02x%02x", insn[0].bytes[1],
                         insn[0].bytes[0], insn[0].bytes[3], insn[0].bytes[2]);
            else
                snprintf(hex, sizeof hex, "%02x%02x", insn[0].bytes[1], insn[0].bytes[0]);
            int rt = len ? rt_call_at(code, from, to) : -1;
            /* a loop guard's call of range for the write cache: its entry
             * 6 bytes before the table's (r1 loaded from it earlier) */
            bool range_w = len && from + 4 <= to && code[from] == 0x06 && code[from + 1] == 0x39 &&
                           code[from + 2] == 0x88 && code[from + 3] == 0x47;
            fprintf(out, "  %6" PRIx64 ":  %-10s  %s %s%s%s\n", insn[0].address, hex,
                    insn[0].mnemonic, insn[0].op_str,
                    rt >= 0 ? "  ; shared " : range_w ? "  ; shared range, write cache" : "",
                    rt >= 0 ? jit_listing_rt_name((unsigned)rt) : "");
            from += insn[0].size;
            cs_free(insn, got);
            if (from + 4 <= to && desc_after(code, from, len)) {
                print_desc(out, code, from, base);
                from += 4;
            }
            continue;
        }
        /* not an instruction (data, or an encoding capstone refuses) */
        unsigned h = code[from];
        if (from + 1 < to)
            h |= (unsigned)code[from + 1] << 8;
        fprintf(out, "  %6zx:  %04x        .short 0x%04x\n", base + from, h, h);
        from += from + 1 < to ? 2 : 1;
    }
}

int jit_listing_disasm(FILE *out, const mbpf_insn *insns, uint32_t n, const uint8_t *code,
                       size_t code_len, const uint32_t *offsets, uint32_t base)
{
    csh cs;
    if (cs_open(CS_ARCH_ARM, (cs_mode)(CS_MODE_THUMB | CS_MODE_MCLASS), &cs) != CS_ERR_OK)
        return -1;
    size_t main_end = offsets[n] <= code_len ? offsets[n] : code_len;
    size_t hl = code_len >= 2 ? mbpf_jit_header_len(code) : 0;
    if (hl >= 2 && hl <= main_end) { /* the header (data): the shared run reads it */
        unsigned blo = code[0] >> 3;
        fprintf(out, "; header (data, read by the shared run / leave routines)\n");
        fprintf(out, "  %6x:  length %zu, budget low word in ", base, hl);
        if (blo >= 1 && blo <= 8)
            fprintf(out, "r%u", blo + 3);
        else
            fprintf(out, "the frame");
        fprintf(out, ", local-call depth %u\n", code[1]);
        if (hl > MBPF_JIT_HDR_MAP)
            print_map(out, code, MBPF_JIT_HDR_MAP, base);
    }
    if (offsets[0] > hl) {
        fprintf(out, "; prologue\n");
        disasm_range(out, cs, code, code_len, hl, offsets[0] < main_end ? offsets[0] : main_end,
                     base);
    }
    for (uint32_t pc = 0; pc < n;) {
        char text[128];
        int slots = mbpf_disasm_insn(insns, n, pc, text, sizeof text);
        if (slots <= 0)
            slots = 1;
        uint32_t next = pc + (uint32_t)slots <= n ? pc + (uint32_t)slots : n;
        size_t from = offsets[pc], to = offsets[next];
        if (to > main_end)
            to = main_end;
        fprintf(out, "; %u: %s\n", pc, text);
        for (size_t at = from; at + 8 <= to; at += 2) { /* deopt stubs in a loop guard */
            long h = deopt_stub_at(code, at, code_len);
            if (h < 0)
                continue;
            disasm_range(out, cs, code, code_len, from, at, base);
            fprintf(out, "; deopt stub: leave for the interpreter at pc %ld\n", h);
            disasm_range(out, cs, code, code_len, at, at + 4, base);
            fprintf(out, "  %6zx:  descriptor (pc %ld, deopt)\n", base + at + 4, h);
            from = at + 8;
        }
        if (from < to)
            disasm_range(out, cs, code, code_len, from, to, base);
        pc = next;
    }
    if (main_end < code_len) {
        fprintf(out, "; routines (exit, veneers to the shared runtime)\n");
        /* exits, then the veneers; the program's helper-call marshalling
         * sits right before the last veneer (call), into which it falls.
         * The routines hold no data: walk them by Thumb instruction size. */
        size_t from = main_end;
        for (size_t at = main_end; at + 2 <= code_len;) {
            int k = veneer_of(code, at, code_len);
            if (k >= 0) {
                disasm_range(out, cs, code, code_len, from, at, base);
                fprintf(out, "; veneer: %s\n", jit_listing_rt_name((unsigned)k));
                disasm_range(out, cs, code, code_len, at, at + 4, base);
                at = from = at + 4;
                if (at < code_len && veneer_of(code, at, code_len) < 0)
                    fprintf(out, "; helper-call marshalling (falls into the call veneer)\n");
                continue;
            }
            unsigned h = code[at] | code[at + 1] << 8;
            at += (h >> 11) >= 0x1du ? 4u : 2u;
        }
        disasm_range(out, cs, code, code_len, from, code_len, base);
    }
    cs_close(&cs);
    return 0;
}

int jit_listing_runtime(FILE *out, const uint8_t *code, size_t len, const uint32_t *entry,
                        uint32_t base)
{
    csh cs;
    if (cs_open(CS_ARCH_ARM, (cs_mode)(CS_MODE_THUMB | CS_MODE_MCLASS), &cs) != CS_ERR_OK)
        return -1;
    /* the routines in address order; udiv64's local 64 / 32 step (divlu)
     * has no entry of its own: it lies between the range routine and udiv64 */
    size_t at = 0;
    while (at < len) {
        size_t next = len;
        int name = -1;
        for (unsigned k = 0; k < MBPF_JIT_RT_COUNT; k++) {
            if (entry[k] == at)
                name = (int)k;
            else if (entry[k] > at && entry[k] < next)
                next = entry[k];
        }
        fprintf(out, "; %s%s\n", name >= 0 ? jit_listing_rt_name((unsigned)name) : "?",
                name == MBPF_JIT_RT_RANGE ? " (then divlu: udiv64's local 64 / 32 step)" : "");
        disasm_range(out, cs, code, 0, at, next, base);
        at = next;
    }
    cs_close(&cs);
    return 0;
}
