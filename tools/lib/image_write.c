/* Host image serializer: mbpf_image_desc -> image bytes.
 *
 * The writer does what the device must not have to: it orders functions so
 * the entry is at instruction 0, drops the functions the entry cannot reach
 * (the verifier finds function starts only from call targets, so dead code
 * would merge into the function before it), collects and sorts the helper
 * ids, computes the call depth, deduplicates names into one string table, and
 * pads every section to 8 bytes. Its output is then run through the device's
 * own parser (mbpf_image_parse), so a writer bug cannot produce an image the
 * device would read differently.
 */
#include "image_write.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
    uint8_t *p;
    size_t len, cap;
} buf;

typedef struct writer {
    const mbpf_image_desc *d;
    char *err;
    size_t errlen;
    /* functions sorted by original start, and the order they are written in */
    mbpf_image_func_desc *funcs;
    uint32_t nfuncs;
    uint8_t *live;       /* live[f]: funcs[f] is reachable from the entry (written) */
    uint32_t *order;     /* order[k] = index into funcs of the k-th function in the image */
    uint32_t nlive;      /* functions written: order[0 .. nlive) */
    uint32_t *new_pc;    /* old instruction index -> new; UINT32_MAX if dropped */
    mbpf_insn *code;     /* reordered code without the dropped functions */
    uint32_t ninsns;     /* slots of code */
    uint32_t nlines;     /* line entries written */
    uint32_t *helpers;
    uint32_t nhelpers;
    buf strings;
} writer;

static int fail(writer *w, int status, const char *fmt, ...)
{
    if (w->err && w->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->err, w->errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}

static int buf_put(buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

/* Offset of s in the string table, adding it if new; UINT32_MAX on OOM. */
static uint32_t intern(writer *w, const char *s)
{
    if (!s || !*s)
        return 0;
    size_t n = strlen(s);
    for (size_t off = 1; off < w->strings.len;) {
        const char *cur = (const char *)w->strings.p + off;
        size_t cl = strlen(cur);
        if (cl == n && memcmp(cur, s, n) == 0)
            return (uint32_t)off;
        off += cl + 1;
    }
    uint32_t off = (uint32_t)w->strings.len;
    if (buf_put(&w->strings, s, n + 1))
        return UINT32_MAX;
    return off;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_func(const void *a, const void *b)
{
    return cmp_u32(&((const mbpf_image_func_desc *)a)->start,
                   &((const mbpf_image_func_desc *)b)->start);
}

uint32_t mbpf_image_collect_helpers(const mbpf_insn *code, uint32_t n, uint32_t *ids,
                                    uint32_t cap)
{
    uint32_t *all = malloc(sizeof(uint32_t) * (n ? n : 1)), count = 0;
    if (!all)
        return 0;
    for (uint32_t pc = 0; pc < n; pc++) {
        if (code[pc].code == MBPF_OP_LDDW)
            pc++;
        else if (code[pc].code == MBPF_OP_CALL && MBPF_INSN_SRC(&code[pc]) == MBPF_CALL_HELPER)
            all[count++] = (uint32_t)code[pc].imm;
    }
    qsort(all, count, sizeof(uint32_t), cmp_u32);
    uint32_t k = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (k > 0 && all[k - 1] == all[i])
            continue;
        all[k++] = all[i];
    }
    for (uint32_t i = 0; i < k && i < cap; i++)
        ids[i] = all[i];
    free(all);
    return k;
}

/* Index (into w->funcs) of the function containing old pc. */
static uint32_t func_of(const writer *w, uint32_t pc)
{
    uint32_t f = 0;
    while (f + 1 < w->nfuncs && w->funcs[f + 1].start <= pc)
        f++;
    return f;
}

static uint32_t func_end(const writer *w, uint32_t f)
{
    return f + 1 < w->nfuncs ? w->funcs[f + 1].start : w->d->num_insns;
}

/* Marks (in w->live) the entry and every function it reaches through local
 * calls. Calls outside the code are skipped here and reported later. */
static int mark_live(writer *w, uint32_t entry)
{
    uint32_t *todo = malloc(sizeof(uint32_t) * w->nfuncs), ntodo = 0;
    if (!todo)
        return fail(w, MBPF_E_NOSPACE, "out of memory");
    w->live[entry] = 1;
    todo[ntodo++] = entry;
    while (ntodo) {
        uint32_t f = todo[--ntodo];
        for (uint32_t pc = w->funcs[f].start; pc < func_end(w, f); pc++) {
            const mbpf_insn *in = &w->d->code[pc];
            if (in->code == MBPF_OP_LDDW) {
                pc++;
                continue;
            }
            if (in->code != MBPF_OP_CALL || MBPF_INSN_SRC(in) != MBPF_CALL_LOCAL)
                continue;
            int64_t t = (int64_t)pc + in->imm + 1;
            if (t < 0 || t >= (int64_t)w->d->num_insns)
                continue;
            uint32_t g = func_of(w, (uint32_t)t);
            if (!w->live[g]) {
                w->live[g] = 1;
                todo[ntodo++] = g; /* each function at most once: fits */
            }
        }
    }
    free(todo);
    return MBPF_OK;
}

/* Sorts functions, keeps the entry and what it reaches (entry first, the
 * rest in their order) and rewrites the code to match. */
static int order_functions(writer *w)
{
    const mbpf_image_desc *d = w->d;
    static const mbpf_image_func_desc none = {0};
    mbpf_image_func_desc single = none;
    const mbpf_image_func_desc *src = d->funcs;
    uint32_t n = d->num_funcs;
    if (n == 0) {
        single.name = d->name;
        single.stack_size = d->stack_size;
        src = &single;
        n = 1;
    } else if (!d->funcs) {
        return fail(w, MBPF_E_ARG, "num_funcs is %u but funcs is NULL", n);
    }
    if (d->entry >= n)
        return fail(w, MBPF_E_IMAGE, "entry function index %u out of range (%u functions)",
                    d->entry, n);
    uint32_t entry_start = src[d->entry].start;
    w->funcs = malloc(sizeof(*w->funcs) * n);
    w->order = malloc(sizeof(uint32_t) * n);
    w->live = calloc(n, 1);
    w->new_pc = malloc(sizeof(uint32_t) * d->num_insns);
    w->code = malloc(sizeof(mbpf_insn) * d->num_insns);
    if (!w->funcs || !w->order || !w->live || !w->new_pc || !w->code)
        return fail(w, MBPF_E_NOSPACE, "out of memory");
    memcpy(w->funcs, src, sizeof(*w->funcs) * n);
    w->nfuncs = n;
    qsort(w->funcs, n, sizeof(*w->funcs), cmp_func);
    for (uint32_t i = 0; i < n; i++) {
        if (w->funcs[i].start >= d->num_insns)
            return fail(w, MBPF_E_IMAGE, "function '%s' starts at %u, past the code (%u slots)",
                        w->funcs[i].name ? w->funcs[i].name : "", w->funcs[i].start,
                        d->num_insns);
        if (i > 0 && w->funcs[i].start == w->funcs[i - 1].start)
            return fail(w, MBPF_E_IMAGE, "functions '%s' and '%s' both start at %u",
                        w->funcs[i - 1].name ? w->funcs[i - 1].name : "",
                        w->funcs[i].name ? w->funcs[i].name : "", w->funcs[i].start);
    }
    if (w->funcs[0].start != 0)
        return fail(w, MBPF_E_IMAGE, "no function starts at instruction 0");
    uint32_t entry = 0;
    while (w->funcs[entry].start != entry_start)
        entry++;
    int rc = mark_live(w, entry);
    if (rc != MBPF_OK)
        return rc;
    w->order[0] = entry;
    w->nlive = 1;
    for (uint32_t i = 0; i < n; i++)
        if (i != entry && w->live[i])
            w->order[w->nlive++] = i;
    for (uint32_t pc = 0; pc < d->num_insns; pc++)
        w->new_pc[pc] = UINT32_MAX; /* dropped unless its function is written */
    uint32_t at = 0;
    for (uint32_t k = 0; k < w->nlive; k++) {
        uint32_t f = w->order[k];
        for (uint32_t pc = w->funcs[f].start; pc < func_end(w, f); pc++) {
            w->code[at] = d->code[pc];
            w->new_pc[pc] = at++;
        }
    }
    w->ninsns = at;
    if (entry == 0 && w->nlive == n)
        return MBPF_OK; /* nothing moved */
    /* Something moved: local calls get new offsets, jumps must stay inside. */
    for (uint32_t k = 0; k < w->nlive; k++) {
        uint32_t f = w->order[k];
        for (uint32_t pc = w->funcs[f].start; pc < func_end(w, f); pc++) {
            const mbpf_insn *in = &d->code[pc];
            uint32_t cls = MBPF_CLASS(in->code);
            if (in->code == MBPF_OP_LDDW) {
                pc++;
                continue;
            }
            if (in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_LOCAL) {
                int64_t t = (int64_t)pc + in->imm + 1;
                if (t < 0 || t >= (int64_t)d->num_insns)
                    return fail(w, MBPF_E_IMAGE,
                                "insn %u: local call target %lld outside the code", pc,
                                (long long)t);
                /* mark_live made the target's function live */
                w->code[w->new_pc[pc]].imm =
                    (int32_t)((int64_t)w->new_pc[t] - (int64_t)w->new_pc[pc] - 1);
                continue;
            }
            if ((cls == MBPF_JMP || cls == MBPF_JMP32) && MBPF_OP(in->code) != MBPF_CALL &&
                MBPF_OP(in->code) != MBPF_EXIT) {
                int64_t off = in->code == MBPF_OP_JA32 ? in->imm : in->off;
                int64_t t = (int64_t)pc + off + 1;
                if (t < (int64_t)w->funcs[f].start || t >= (int64_t)func_end(w, f))
                    return fail(w, MBPF_E_IMAGE, "insn %u: jump leaves its function, %s", pc,
                                entry != 0 ? "cannot move the entry first"
                                           : "cannot drop the unreachable functions");
            }
        }
    }
    return MBPF_OK;
}

/* Whether helper id is called (call src=0) in the live or the dropped code. */
static int calls_helper(const writer *w, uint32_t id, int live)
{
    for (uint32_t f = 0; f < w->nfuncs; f++) {
        if (!w->live[f] != !live)
            continue;
        for (uint32_t pc = w->funcs[f].start; pc < func_end(w, f); pc++) {
            const mbpf_insn *in = &w->d->code[pc];
            if (in->code == MBPF_OP_LDDW)
                pc++;
            else if (in->code == MBPF_OP_CALL && MBPF_INSN_SRC(in) == MBPF_CALL_HELPER &&
                     (uint32_t)in->imm == id)
                return 1;
        }
    }
    return 0;
}

/* Helper list: given (sorted + deduplicated here) or collected from code. */
static int make_helpers(writer *w)
{
    const mbpf_image_desc *d = w->d;
    uint32_t n = d->helpers ? d->num_helpers
                            : mbpf_image_collect_helpers(w->code, w->ninsns, NULL, 0);
    w->helpers = malloc(sizeof(uint32_t) * (n ? n : 1));
    if (!w->helpers)
        return fail(w, MBPF_E_NOSPACE, "out of memory");
    if (d->helpers) {
        memcpy(w->helpers, d->helpers, sizeof(uint32_t) * n);
        qsort(w->helpers, n, sizeof(uint32_t), cmp_u32);
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t id = w->helpers[i];
            if (k > 0 && w->helpers[k - 1] == id)
                continue;
            if (w->nlive < w->nfuncs && calls_helper(w, id, 0) && !calls_helper(w, id, 1))
                continue; /* only dead code called it */
            w->helpers[k++] = id;
        }
        n = k;
    } else {
        mbpf_image_collect_helpers(w->code, w->ninsns, w->helpers, n);
    }
    w->nhelpers = n;
    return MBPF_OK;
}

/* Frames needed by the deepest call chain from function f (0 on recursion). */
static uint32_t depth_from(const writer *w, uint32_t f, uint8_t *state, uint32_t *memo)
{
    if (state[f] == 2)
        return memo[f];
    if (state[f] == 1)
        return 0; /* cycle: the verifier reports recursion */
    state[f] = 1;
    uint32_t best = 1;
    for (uint32_t pc = w->funcs[f].start; pc < func_end(w, f); pc++) {
        const mbpf_insn *in = &w->d->code[pc];
        if (in->code != MBPF_OP_CALL || MBPF_INSN_SRC(in) != MBPF_CALL_LOCAL)
            continue;
        int64_t t = (int64_t)pc + in->imm + 1;
        if (t < 0 || t >= (int64_t)w->d->num_insns)
            continue; /* the parser reports it */
        uint32_t sub = depth_from(w, func_of(w, (uint32_t)t), state, memo);
        if (sub == 0) {
            state[f] = 2;
            memo[f] = 0;
            return 0;
        }
        if (sub + 1 > best)
            best = sub + 1;
    }
    state[f] = 2;
    memo[f] = best;
    return best;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static size_t align8(size_t v)
{
    return (v + 7u) & ~(size_t)7u;
}

static int cmp_line(const void *a, const void *b)
{
    const mbpf_image_line_desc *x = a, *y = b;
    return cmp_u32(&x->insn, &y->insn);
}

static int serialize(writer *w, uint8_t **out, size_t *out_len)
{
    const mbpf_image_desc *d = w->d;
    uint32_t stack = d->stack_size, name = intern(w, d->name);
    for (uint32_t k = 0; k < w->nlive; k++)
        if (!d->stack_size && w->funcs[w->order[k]].stack_size > stack)
            stack = w->funcs[w->order[k]].stack_size;
    uint32_t max_depth = d->max_depth;
    if (max_depth == 0) {
        uint8_t *state = calloc(w->nfuncs, 1);
        uint32_t *memo = calloc(w->nfuncs, sizeof(uint32_t));
        if (!state || !memo) {
            free(state);
            free(memo);
            return fail(w, MBPF_E_NOSPACE, "out of memory");
        }
        max_depth = depth_from(w, w->order[0], state, memo);
        free(state);
        free(memo);
        if (max_depth > 255)
            max_depth = 0;
    }

    /* Section bodies. */
    buf sec[MBPF_SEC_COUNT] = {{0}};
    int rc = MBPF_OK;
    for (uint32_t k = 0; k < w->nlive && rc == MBPF_OK; k++) {
        const mbpf_image_func_desc *f = &w->funcs[w->order[k]];
        uint8_t r[MBPF_IMAGE_FUNC_SIZE] = {0};
        put32(r, intern(w, f->name));
        put32(r + 4, w->new_pc[f->start]);
        put32(r + 8, f->stack_size);
        rc = buf_put(&sec[MBPF_SEC_FUNCS], r, sizeof(r));
    }
    for (uint32_t i = 0; i < d->num_maps && rc == MBPF_OK; i++) {
        const mbpf_image_map_desc *m = &d->maps[i];
        uint8_t r[MBPF_IMAGE_MAP_SIZE];
        put32(r, intern(w, m->name));
        put32(r + 4, m->type);
        put32(r + 8, m->key_size);
        put32(r + 12, m->value_size);
        put32(r + 16, m->max_entries);
        put32(r + 20, m->flags);
        rc = buf_put(&sec[MBPF_SEC_MAPS], r, sizeof(r));
    }
    for (uint32_t i = 0; i < w->nhelpers && rc == MBPF_OK; i++) {
        uint8_t r[4];
        put32(r, w->helpers[i]);
        rc = buf_put(&sec[MBPF_SEC_HELPERS], r, 4);
    }
    for (uint32_t pc = 0; pc < w->ninsns && rc == MBPF_OK; pc++) {
        const mbpf_insn *in = &w->code[pc];
        uint8_t r[8] = {in->code, in->regs, (uint8_t)in->off, (uint8_t)((uint16_t)in->off >> 8)};
        put32(r + 4, (uint32_t)in->imm);
        rc = buf_put(&sec[MBPF_SEC_CODE], r, 8);
    }
    if (rc == MBPF_OK && d->rodata_len)
        rc = buf_put(&sec[MBPF_SEC_RODATA], d->rodata, d->rodata_len);
    if (rc == MBPF_OK && d->data_len)
        rc = buf_put(&sec[MBPF_SEC_DATA], d->data, d->data_len);
    if (rc == MBPF_OK && d->num_lines) {
        mbpf_image_line_desc *lines = malloc(sizeof(*lines) * d->num_lines);
        rc = lines ? 0 : -1;
        for (uint32_t i = 0; i < d->num_lines && rc == 0; i++) {
            mbpf_image_line_desc l = d->lines[i];
            /* past the code: kept as is for the parser to report */
            if (l.insn < d->num_insns && w->new_pc[l.insn] == UINT32_MAX)
                continue; /* in a dropped function */
            if (l.insn < d->num_insns)
                l.insn = w->new_pc[l.insn];
            lines[w->nlines++] = l;
        }
        if (rc == 0)
            qsort(lines, w->nlines, sizeof(*lines), cmp_line);
        for (uint32_t i = 0; i < w->nlines && rc == 0; i++) {
            uint8_t r[MBPF_IMAGE_LINE_SIZE];
            put32(r, lines[i].insn);
            put32(r + 4, lines[i].line);
            put32(r + 8, intern(w, lines[i].file));
            rc = buf_put(&sec[MBPF_SEC_LINES], r, sizeof(r));
        }
        free(lines);
    }
    if (rc == MBPF_OK && d->sig_reserve) {
        uint8_t zero[64] = {0};
        for (uint32_t left = d->sig_reserve; left && rc == 0;) {
            uint32_t n = left < sizeof(zero) ? left : (uint32_t)sizeof(zero);
            rc = buf_put(&sec[MBPF_SEC_SIG], zero, n);
            left -= n;
        }
    }
    sec[MBPF_SEC_STRINGS] = w->strings;
    w->strings = (buf){0};
    if (rc == MBPF_OK && name == UINT32_MAX)
        rc = -1;

    /* Layout and header. */
    size_t total = MBPF_IMAGE_HEADER_SIZE, off[MBPF_SEC_COUNT];
    for (unsigned s = 0; s < MBPF_SEC_COUNT; s++) {
        total = align8(total);
        off[s] = total;
        total += sec[s].len;
    }
    if (d->sig_reserve == 0)
        total = align8(total);
    uint8_t *img = rc == MBPF_OK && total <= UINT32_MAX ? calloc(1, total) : NULL;
    if (img) {
        put32(img + MBPF_IMAGE_OFF_MAGIC, MBPF_IMAGE_MAGIC);
        img[MBPF_IMAGE_OFF_VERSION] = (uint8_t)MBPF_IMAGE_VERSION;
        img[MBPF_IMAGE_OFF_VERSION + 1] = (uint8_t)(MBPF_IMAGE_VERSION >> 8);
        img[MBPF_IMAGE_OFF_ISA] = d->isa ? d->isa : 3;
        img[MBPF_IMAGE_OFF_MAX_DEPTH] = (uint8_t)max_depth;
        put32(img + MBPF_IMAGE_OFF_FLAGS, (w->nlines ? MBPF_IMAGE_F_DEBUG : 0u) |
                                              (d->sig_reserve ? MBPF_IMAGE_F_SIGNED : 0u));
        put32(img + MBPF_IMAGE_OFF_IMAGE_LEN, (uint32_t)total);
        put32(img + MBPF_IMAGE_OFF_NAME, name);
        put32(img + MBPF_IMAGE_OFF_STACK_SIZE, stack);
        put32(img + MBPF_IMAGE_OFF_BSS_LEN, d->bss_len);
        for (unsigned s = 0; s < MBPF_SEC_COUNT; s++) {
            put32(img + MBPF_IMAGE_OFF_SEC + 8 * s, (uint32_t)off[s]);
            put32(img + MBPF_IMAGE_OFF_SEC + 8 * s + 4, (uint32_t)sec[s].len);
            if (sec[s].len)
                memcpy(img + off[s], sec[s].p, sec[s].len);
        }
        size_t hashed = d->sig_reserve ? off[MBPF_SEC_SIG] : total;
        put32(img + MBPF_IMAGE_OFF_HASH, mbpf_crc32(0, img, hashed));
    }
    for (unsigned s = 0; s < MBPF_SEC_COUNT; s++)
        free(sec[s].p);
    if (!img)
        return fail(w, MBPF_E_NOSPACE, rc == MBPF_OK ? "image larger than 4 GiB" : "out of memory");
    *out = img;
    *out_len = total;
    return MBPF_OK;
}

int mbpf_image_write(const mbpf_image_desc *desc, uint8_t **out, size_t *len, char *err,
                     size_t errlen)
{
    writer w = {.d = desc, .err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = 0;
    if (!desc || !out || !len)
        return fail(&w, MBPF_E_ARG, "desc, out or len is NULL");
    *out = NULL;
    *len = 0;
    if (!desc->code || desc->num_insns == 0)
        return fail(&w, MBPF_E_IMAGE, "program has no code");
    if (desc->isa > 4)
        return fail(&w, MBPF_E_IMAGE, "ISA version %u is not 1..4", desc->isa);
    if ((desc->num_maps && !desc->maps) || (desc->num_lines && !desc->lines) ||
        (desc->rodata_len && !desc->rodata) || (desc->data_len && !desc->data) ||
        (desc->num_helpers && !desc->helpers))
        return fail(&w, MBPF_E_ARG, "a count is nonzero but its array is NULL");
    if (desc->num_insns > (UINT32_MAX / 8u))
        return fail(&w, MBPF_E_IMAGE, "too many instructions");
    if (buf_put(&w.strings, "", 1))
        return fail(&w, MBPF_E_NOSPACE, "out of memory");
    int rc = order_functions(&w);
    if (rc == MBPF_OK)
        rc = make_helpers(&w);
    uint8_t *img = NULL;
    size_t img_len = 0;
    if (rc == MBPF_OK)
        rc = serialize(&w, &img, &img_len);
    if (rc == MBPF_OK) {
        /* The device's own parser has the last word. */
        mbpf_image_info info;
        mbpf_image_error perr;
        rc = mbpf_image_parse(img, img_len, &info, &perr);
        if (rc != MBPF_OK) {
            if (perr.pc != MBPF_IMAGE_NO_PC && perr.helper_id)
                fail(&w, rc, "insn %u: %s (helper %u)", perr.pc, perr.msg, perr.helper_id);
            else if (perr.pc != MBPF_IMAGE_NO_PC)
                fail(&w, rc, "insn %u: %s", perr.pc, perr.msg);
            else
                fail(&w, rc, "%s (image byte %u)", perr.msg, perr.offset);
            free(img);
            img = NULL;
        } else if (desc->stats) {
            *desc->stats = (mbpf_image_write_stats){
                .num_funcs = info.num_funcs,
                .num_insns = info.num_insns,
                .num_helpers = info.num_helpers,
                .num_lines = info.num_lines,
                .max_depth = info.max_depth,
                .dropped_funcs = w.nfuncs - w.nlive,
                .dropped_insns = desc->num_insns - w.ninsns,
                .dropped_lines = desc->num_lines - w.nlines,
            };
        }
    }
    free(w.funcs);
    free(w.live);
    free(w.order);
    free(w.new_pc);
    free(w.code);
    free(w.helpers);
    free(w.strings.p);
    if (rc == MBPF_OK) {
        *out = img;
        *len = img_len;
    }
    return rc;
}
