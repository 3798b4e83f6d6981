/* The load-time verifier: structural checks in linear time, no allocation.
 *
 * Pass 1 checks each instruction on its own (encoding via mbpf_isa_check,
 * then what microbpf accepts: helpers, callx, lddw, r10 offsets, target
 * ranges) and records lddw second slots, function starts and local calls.
 * Pass 2 walks the functions (instruction 0 and every local-call target
 * start one; it extends to the next start): jumps stay inside their
 * function and never land on an lddw second slot, and the last slot must be
 * exit or ja. Pass 3 looks for a cycle in the call graph with an iterative
 * DFS. All memory comes from the caller's scratch buffer.
 */
#include <stddef.h>
#include <stdint.h>

#include "isa.h"
#include "mbpf/mbpf.h"

/* The caller's scratch, carved into arrays of 32-bit words. */
typedef struct scratch_layout {
    uint32_t *starts;   /* bitmap: slot starts a function */
    uint32_t *second;   /* bitmap: slot is the second half of an lddw */
    uint32_t *rank;     /* per bitmap word: function starts before it */
    uint32_t *fn_calls; /* per function + 1: index of its first call in calls[] */
    uint32_t *calls;    /* pc of every local call, in pc order (so grouped by function) */
    uint32_t *cursor;   /* per function: next call to follow in the DFS */
    uint32_t *path;     /* DFS stack of functions */
    uint8_t *state;     /* per function: WHITE, GREY (on the path) or BLACK (done) */
} scratch_layout;

enum { WHITE = 0, GREY = 1, BLACK = 2 };

static uint32_t count_local_calls(const mbpf_insn *insns, uint32_t n)
{
    uint32_t c = 0;
    for (uint32_t pc = 0; pc < n; pc++)
        c += mbpf_isa_is_local_call(&insns[pc]);
    return c;
}

/* Words of bitmap for n slots. */
static uint64_t bitmap_words(uint32_t n) { return ((uint64_t)n + 31u) / 32u; }

/* Bytes for n slots with `calls` local calls: three bitmap-sized arrays,
 * F+1 + C + 2F words and F state bytes (F <= C + 1 functions), plus slack to
 * align the caller's buffer. */
static uint64_t scratch_bytes(uint32_t n, uint32_t calls)
{
    uint64_t fns = (uint64_t)calls + 1u;
    uint64_t words = 3u * bitmap_words(n) + (fns + 1u) + calls + 2u * fns;
    return words * 4u + ((fns + 3u) & ~(uint64_t)3u) + 3u;
}

size_t mbpf_verify_scratch_size(const mbpf_insn *insns, uint32_t n)
{
    uint64_t bytes = scratch_bytes(n, insns ? count_local_calls(insns, n) : 0u);
#if SIZE_MAX < UINT64_MAX
    if (bytes > SIZE_MAX)
        return SIZE_MAX;
#endif
    return (size_t)bytes;
}

static void layout(scratch_layout *s, void *scratch, uint32_t n, uint32_t calls)
{
    uintptr_t p = ((uintptr_t)scratch + 3u) & ~(uintptr_t)3u;
    uint32_t *w = (uint32_t *)p;
    uint32_t words = (uint32_t)bitmap_words(n), fns = calls + 1u;

    s->starts = w;
    s->second = w + words;
    s->rank = w + 2u * words;
    s->fn_calls = w + 3u * words;
    s->calls = s->fn_calls + fns + 1u;
    s->cursor = s->calls + calls;
    s->path = s->cursor + fns;
    s->state = (uint8_t *)(s->path + fns);
    for (uint32_t i = 0; i < 2u * words; i++)
        w[i] = 0;
    for (uint32_t i = 0; i < fns; i++)
        s->state[i] = WHITE;
}

static inline void bit_set(uint32_t *bits, uint32_t i) { bits[i >> 5] |= 1u << (i & 31u); }

static inline int bit_test(const uint32_t *bits, uint32_t i)
{
    return (int)((bits[i >> 5] >> (i & 31u)) & 1u);
}

/* Portable bit count (no libgcc call on Cortex-M). */
static inline uint32_t popcount32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (x * 0x01010101u) >> 24;
}

static inline uint32_t ctz32(uint32_t x) /* x != 0 */
{
#if defined(__GNUC__) || defined(__clang__)
    return (uint32_t)__builtin_ctz(x);
#else
    uint32_t k = 0;
    while (!(x & 1u)) {
        x >>= 1;
        k++;
    }
    return k;
#endif
}

/* First function start at or after `from`, or n. */
static uint32_t next_start(const uint32_t *starts, uint32_t from, uint32_t n)
{
    while (from < n) {
        uint32_t w = starts[from >> 5] >> (from & 31u);
        if (w)
            return from + ctz32(w);
        from = (from | 31u) + 1u;
    }
    return n;
}

/* Index of the function containing slot t (starts at or before t, minus 1). */
static uint32_t function_of(const scratch_layout *s, uint32_t t)
{
    uint32_t mask = (2u << (t & 31u)) - 1u; /* bits 0..t%32 */
    return s->rank[t >> 5] + popcount32(s->starts[t >> 5] & mask) - 1u;
}

/* Target of a jump or local call; range-checked in pass 1. */
static uint32_t target_of(const mbpf_insn *in, uint32_t pc)
{
    int32_t delta = in->code == MBPF_OP_CALL ? in->imm : mbpf_isa_jump_offset(in);
    return (uint32_t)((int64_t)pc + 1 + delta);
}

static bool in_range(const mbpf_insn *in, uint32_t pc, uint32_t n)
{
    int32_t delta = in->code == MBPF_OP_CALL ? in->imm : mbpf_isa_jump_offset(in);
    int64_t t = (int64_t)pc + 1 + delta;
    return t >= 0 && t < (int64_t)n;
}

static int fail(mbpf_verify_error *err, uint32_t pc, const char *msg)
{
    err->status = MBPF_E_VERIFY;
    err->pc = pc;
    err->msg = msg;
    return MBPF_E_VERIFY;
}

static bool id_listed(const uint32_t *ids, uint16_t count, uint32_t id)
{
    uint32_t lo = 0, hi = count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        if (ids[mid] == id)
            return true;
        if (ids[mid] < id)
            lo = mid + 1u;
        else
            hi = mid;
    }
    return false;
}

/* An r10-relative access must lie inside the current frame [r10 - stack_size, r10). */
static bool frame_access_ok(int16_t off, unsigned size, uint32_t stack_size)
{
    int64_t lo = off;
    return lo >= -(int64_t)stack_size && lo + (int64_t)size <= 0;
}

/* Pass 1: each instruction on its own. Records lddw second slots, function
 * starts and the local calls (count in *ncalls). */
static int check_insns(const mbpf_verify_opts *opts, const mbpf_insn *insns, uint32_t n,
                       scratch_layout *s, uint32_t *ncalls, mbpf_verify_error *err)
{
    const mbpf_config *cfg = opts->cfg;
    uint32_t calls = 0;

    bit_set(s->starts, 0);
    for (uint32_t pc = 0; pc < n; pc++) {
        const mbpf_insn *in = &insns[pc];
        const char *why = mbpf_isa_check(in, cfg->isa);
        if (why)
            return fail(err, pc, why);

        unsigned dst = MBPF_INSN_DST(in), src = MBPF_INSN_SRC(in);
        switch (mbpf_isa_kind(in->code)) {
        case MBPF_KIND_LDDW: {
            if (src != MBPF_LDDW_IMM64)
                return fail(err, pc, "lddw pseudo-source must be resolved by the loader");
            if (pc + 1u >= n)
                return fail(err, pc, "lddw is missing its second slot");
            const mbpf_insn *hi = &insns[pc + 1u];
            if (hi->code != 0 || hi->regs != 0 || hi->off != 0)
                return fail(err, pc + 1u,
                            "malformed lddw second slot (opcode, registers, offset must be 0)");
            bit_set(s->second, ++pc);
            break;
        }
        case MBPF_KIND_LDX:
            if (src == MBPF_REG_FP &&
                !frame_access_ok(in->off, mbpf_isa_mem_size(in->code), cfg->stack_size))
                return fail(err, pc, "r10-relative access outside the stack frame");
            break;
        case MBPF_KIND_ST:
        case MBPF_KIND_STX:
        case MBPF_KIND_ATOMIC:
            if (dst == MBPF_REG_FP &&
                !frame_access_ok(in->off, mbpf_isa_mem_size(in->code), cfg->stack_size))
                return fail(err, pc, "r10-relative access outside the stack frame");
            break;
        case MBPF_KIND_JA:
        case MBPF_KIND_JA32:
        case MBPF_KIND_JMP_K:
        case MBPF_KIND_JMP_X:
            if (!in_range(in, pc, n))
                return fail(err, pc, "jump out of range");
            break;
        case MBPF_KIND_CALL:
            if (src == MBPF_CALL_LOCAL) {
                if (!in_range(in, pc, n))
                    return fail(err, pc, "local call out of range");
                bit_set(s->starts, target_of(in, pc));
                s->calls[calls++] = pc;
            } else if (src == MBPF_CALL_HELPER) {
                uint32_t id = (uint32_t)in->imm;
                if (!opts->helpers || !mbpf_helpers_find(opts->helpers, id))
                    return fail(err, pc, "call to unknown helper id");
                if (opts->allowed && !id_listed(opts->allowed, opts->num_allowed, id))
                    return fail(err, pc, "helper not allowed");
            } else {
                return fail(err, pc, "helper calls by BTF id (call src=2) are not supported");
            }
            break;
        case MBPF_KIND_CALLX:
            if (!cfg->allow_callx)
                return fail(err, pc, "callx is not enabled (cfg.allow_callx)");
            break;
        default:
            break;
        }
    }
    *ncalls = calls;
    return MBPF_OK;
}

/* Pass 2: function boundaries, jump targets, falling off the end. */
static int check_functions(const mbpf_insn *insns, uint32_t n, scratch_layout *s,
                           uint32_t ncalls, uint32_t *nfns, mbpf_verify_error *err)
{
    /* A function must not start on an lddw second slot. */
    for (uint32_t c = 0; c < ncalls; c++) {
        uint32_t pc = s->calls[c];
        if (bit_test(s->second, target_of(&insns[pc], pc)))
            return fail(err, pc, "local call into the middle of lddw");
    }

    uint32_t words = (uint32_t)bitmap_words(n), total = 0;
    for (uint32_t w = 0; w < words; w++) {
        s->rank[w] = total;
        total += popcount32(s->starts[w]);
    }

    uint32_t fn = 0, start = 0, end = 0, c = 0;
    for (uint32_t pc = 0; pc < n; pc++) {
        if (bit_test(s->starts, pc)) {
            s->fn_calls[fn++] = c;
            start = pc;
            end = next_start(s->starts, pc + 1u, n);
        }
        if (bit_test(s->second, pc))
            continue;
        const mbpf_insn *in = &insns[pc];
        if (mbpf_isa_is_jump(in->code)) {
            uint32_t t = target_of(in, pc);
            if (bit_test(s->second, t))
                return fail(err, pc, "jump into the middle of lddw");
            if (t < start || t >= end)
                return fail(err, pc, "jump out of its function");
        } else if (mbpf_isa_is_local_call(in)) {
            c++;
        }
        if (pc + mbpf_isa_width(in->code) == end && !mbpf_isa_is_terminator(in->code))
            return fail(err, pc, "code can fall off the end of the function");
    }
    s->fn_calls[fn] = c;
    *nfns = fn;
    return MBPF_OK;
}

/* Pass 3: any cycle in the static call graph, found by an iterative DFS in
 * O(functions + calls); reported at the call that closes it. */
static int check_recursion(const mbpf_insn *insns, scratch_layout *s, uint32_t nfns,
                           mbpf_verify_error *err)
{
    for (uint32_t root = 0; root < nfns; root++) {
        if (s->state[root] != WHITE)
            continue;
        uint32_t depth = 0;
        s->path[depth++] = root;
        s->state[root] = GREY;
        s->cursor[root] = s->fn_calls[root];
        while (depth > 0) {
            uint32_t u = s->path[depth - 1u];
            if (s->cursor[u] == s->fn_calls[u + 1u]) {
                s->state[u] = BLACK;
                depth--;
                continue;
            }
            uint32_t pc = s->calls[s->cursor[u]++];
            uint32_t v = function_of(s, target_of(&insns[pc], pc));
            if (s->state[v] == GREY)
                return fail(err, pc, "recursive local call");
            if (s->state[v] == WHITE) {
                s->state[v] = GREY;
                s->cursor[v] = s->fn_calls[v];
                s->path[depth++] = v;
            }
        }
    }
    return MBPF_OK;
}

int mbpf_verify(const mbpf_verify_opts *opts, const mbpf_insn *insns, uint32_t n,
                void *scratch, size_t scratch_len, mbpf_verify_error *err)
{
    mbpf_verify_error ignored;
    if (!err)
        err = &ignored;
    err->status = MBPF_OK;
    err->pc = 0;
    err->msg = NULL;
    err->needed = 0;

    if (!opts || !opts->cfg || (!insns && n > 0)) {
        err->status = MBPF_E_ARG;
        err->msg = "missing verifier options, config or program";
        return MBPF_E_ARG;
    }
    const mbpf_config *cfg = opts->cfg;
    if (cfg->isa < 1u || cfg->isa > MBPF_ISA_MAX_VERSION) {
        err->status = MBPF_E_ARG;
        err->msg = "cfg.isa must be 1..4";
        return MBPF_E_ARG;
    }
    if (n == 0)
        return fail(err, 0, "program is empty");
    if (n > cfg->max_insns)
        return fail(err, cfg->max_insns, "program too large");

    uint32_t counted = count_local_calls(insns, n);
    uint64_t needed = scratch_bytes(n, counted);
    if (!scratch || (uint64_t)scratch_len < needed) {
        err->status = MBPF_E_NOSPACE;
        err->msg = "verifier scratch memory too small";
        err->needed = needed > UINT32_MAX ? UINT32_MAX : (uint32_t)needed;
        return MBPF_E_NOSPACE;
    }

    scratch_layout s;
    layout(&s, scratch, n, counted);
    uint32_t ncalls = 0, nfns = 0;
    int rc = check_insns(opts, insns, n, &s, &ncalls, err);
    if (rc == MBPF_OK)
        rc = check_functions(insns, n, &s, ncalls, &nfns, err);
    if (rc == MBPF_OK)
        rc = check_recursion(insns, &s, nfns, err);
    return rc;
}
