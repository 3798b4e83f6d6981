/* What the ELF reader works out about the resolved code: the helpers it
 * calls, each function's stack use, the call depth (and recursion), and the
 * line table from .BTF.ext. */
#include <stdlib.h>
#include <string.h>

#include "elf_internal.h"

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int elf_collect_helpers(reader *r)
{
    elf_program *p = r->p;
    uint32_t n = 0;
    p->helpers = malloc((p->num_insns + 1u) * sizeof(uint32_t));
    if (!p->helpers)
        return elf_fail(r, "out of memory");
    for (uint32_t pc = 0; pc < p->num_insns; pc++) {
        const mbpf_insn *in = &p->code[pc];
        if (in->code == MBPF_OP_LDDW)
            pc++;
        else if (in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_HELPER)
            p->helpers[n++] = (uint32_t)in->imm;
    }
    qsort(p->helpers, n, sizeof(uint32_t), cmp_u32);
    uint32_t u = 0;
    for (uint32_t i = 0; i < n; i++)
        if (u == 0 || p->helpers[u - 1] != p->helpers[i])
            p->helpers[u++] = p->helpers[i];
    p->num_helpers = u;
    return 0;
}

/* Bytes of frame a function uses: the deepest r10-relative access, following
 * registers copied from r10 and adjusted by constants in straight-line code
 * (enough for what clang emits; the VM checks every access anyway). */
static uint32_t func_stack(const elf_program *p, uint32_t start, uint32_t end)
{
    int64_t fp_off[MBPF_NREGS];
    bool is_fp[MBPF_NREGS] = {false};
    int64_t deepest = 0;
    for (uint32_t pc = start; pc < end; pc++) {
        const mbpf_insn *in = &p->code[pc];
        unsigned cls = MBPF_CLASS(in->code), dst = MBPF_INSN_DST(in), src = MBPF_INSN_SRC(in);
        if (dst >= MBPF_NREGS || src >= MBPF_NREGS)
            continue;
        int64_t low = 0;
        bool access = false;
        if (cls == MBPF_LDX && (src == MBPF_REG_FP || is_fp[src])) {
            low = (src == MBPF_REG_FP ? 0 : fp_off[src]) + in->off;
            access = true;
        } else if ((cls == MBPF_ST || cls == MBPF_STX) && (dst == MBPF_REG_FP || is_fp[dst])) {
            low = (dst == MBPF_REG_FP ? 0 : fp_off[dst]) + in->off;
            access = true;
        }
        if (access && low < deepest)
            deepest = low;
        if (cls == MBPF_ALU64 && MBPF_OP(in->code) == MBPF_MOV && MBPF_SRCBIT(in->code) &&
            in->off == 0 && src == MBPF_REG_FP) {
            is_fp[dst] = true;
            fp_off[dst] = 0;
        } else if (cls == MBPF_ALU64 && MBPF_OP(in->code) == MBPF_ADD &&
                   !MBPF_SRCBIT(in->code) && is_fp[dst]) {
            fp_off[dst] += in->imm;
            if (fp_off[dst] < deepest)
                deepest = fp_off[dst];
        } else if (cls == MBPF_ALU64 || cls == MBPF_ALU || cls == MBPF_LDX ||
                   (cls == MBPF_LD && in->code == MBPF_OP_LDDW)) {
            is_fp[dst] = false;
        } else if (in->code == MBPF_OP_CALL) {
            for (unsigned k = 0; k <= 5; k++)
                is_fp[k] = false;
        }
        if (in->code == MBPF_OP_LDDW)
            pc++;
    }
    uint64_t need = (uint64_t)(-deepest);
    need = (need + 7u) & ~(uint64_t)7u;
    return need > UINT32_MAX ? UINT32_MAX : (uint32_t)need;
}

/* Longest call chain from f (in frames); -1 when a cycle is reachable. */
static int depth_from(const elf_program *p, uint32_t f, uint8_t *state, int *memo)
{
    if (state[f] == 2)
        return memo[f];
    if (state[f] == 1)
        return -1;
    state[f] = 1;
    uint32_t end = f + 1 < p->num_funcs ? p->funcs[f + 1].start : p->num_insns;
    int best = 0;
    for (uint32_t pc = p->funcs[f].start; pc < end; pc++) {
        const mbpf_insn *in = &p->code[pc];
        if (in->code == MBPF_OP_LDDW) {
            pc++;
            continue;
        }
        if (in->code != MBPF_OP_CALL || MBPF_INSN_SRC(in) != MBPF_CALL_LOCAL)
            continue;
        int g = elf_find_func(p, (uint32_t)((int64_t)pc + in->imm + 1));
        int d = g < 0 ? 0 : depth_from(p, (uint32_t)g, state, memo);
        if (d < 0)
            return -1;
        if (d > best)
            best = d;
    }
    state[f] = 2;
    memo[f] = best + 1;
    return memo[f];
}

int elf_analyse(reader *r)
{
    elf_program *p = r->p;
    for (uint32_t f = 0; f < p->num_funcs; f++) {
        uint32_t end = f + 1 < p->num_funcs ? p->funcs[f + 1].start : p->num_insns;
        p->funcs[f].stack_size = func_stack(p, p->funcs[f].start, end);
    }
    uint8_t *state = calloc(p->num_funcs, 1);
    int *memo = calloc(p->num_funcs, sizeof(int));
    if (!state || !memo) {
        free(state);
        free(memo);
        return elf_fail(r, "out of memory");
    }
    for (uint32_t f = 0; f < p->num_funcs && !p->recursive; f++) {
        memset(state, 0, p->num_funcs);
        if (depth_from(p, f, state, memo) < 0)
            p->recursive = true;
    }
    memset(state, 0, p->num_funcs);
    int d = p->recursive ? 0 : depth_from(p, p->entry, state, memo);
    p->max_depth = d > 0 && d <= 255 ? (uint8_t)d : 0;
    free(state);
    free(memo);
    return 0;
}

typedef struct line_ctx {
    reader *r;
    int failed;
} line_ctx;

static void on_line(void *vctx, const char *section, uint32_t byte_off, const char *file,
                    uint32_t line)
{
    line_ctx *lc = vctx;
    reader *r = lc->r;
    elf_program *p = r->p;
    for (size_t i = 1; i < r->nsec; i++) {
        sec_info *s = &r->secs[i];
        if (s->kind != SK_CODE || strcmp(s->name, section) || byte_off % 8 ||
            byte_off >= s->sh.sh_size)
            continue;
        uint32_t insn = s->base + byte_off / 8;
        if (p->num_lines && (p->lines[p->num_lines - 1].insn == insn ||
                             (p->lines[p->num_lines - 1].line == line &&
                              !strcmp(p->lines[p->num_lines - 1].file, file))))
            return; /* one entry per run of instructions from the same line */
        mbpf_image_line_desc *g = realloc(p->lines, (p->num_lines + 1u) * sizeof(*g));
        const char *f = NULL;
        for (uint32_t k = 0; k < p->num_strings && !f; k++)
            if (!strcmp(p->strings[k], file))
                f = p->strings[k];
        if (!f)
            f = elf_program_strdup(p, file);
        if (!g || !f) {
            if (g)
                p->lines = g;
            lc->failed = 1;
            return;
        }
        p->lines = g;
        g[p->num_lines++] = (mbpf_image_line_desc){insn, line, f};
        return;
    }
}

int elf_read_lines(reader *r)
{
    if (!r->btf || !r->btf_ext)
        return elf_fail(r, "--debug needs .BTF and .BTF.ext line info (compile with -g)");
    line_ctx lc = {r, 0};
    if (elf_btf_ext_lines(r->btf, r->btf_ext->d_buf, r->btf_ext->d_size, on_line, &lc, r->err,
                          r->errlen))
        return -1;
    return lc.failed ? elf_fail(r, "out of memory") : 0;
}

