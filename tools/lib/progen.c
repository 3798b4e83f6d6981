/* Random valid eBPF programs (see progen.h for the guarantees).
 *
 * The generator writes structured code (blocks, if/else, counted loops,
 * functions) and tracks for each register what it holds: a scalar, a pointer
 * into ctx or into the stack, or something dead (a value that would differ
 * between host and emulator, e.g. a truncated pointer, or unknown after a local
 * call). Only scalars reach r0, memory, comparisons with scalars and scalar
 * helper arguments. Where control flow joins, the states meet; a loop body is
 * regenerated from the same PRNG state until no register changes kind across
 * an iteration (registers that would are made dead first).
 */
#include "progen_gen.h"

#include <string.h>

/* ---- Local calls -------------------------------------------------------- */

static void gen_local_call(gen *g)
{
    if (g->cur + 1 >= g->nfuncs || g->ncalls >= MAX_CALLS)
        return;
    int t = g->cur + 1 + (int)pg_below(g, (uint32_t)(g->nfuncs - g->cur - 1));
    func *f = &g->funcs[t];
    state in = g->st;
    for (unsigned r = 0; r < MBPF_REG_FP; r++)
        if (in.r[r].kind == K_STACK)
            in.r[r].off += (int32_t)g->stack_size; /* the callee's r10 is one frame lower */
    in.r[MBPF_REG_FP].off = 0;
    in.r[MBPF_REG_FP].off_known = 1;
    if (f->called)
        pg_meet(&f->entry, &in);
    else
        f->entry = in;
    f->called = 1;
    g->calls[g->ncalls].pc = pg_emit(g, MBPF_OP_CALL, 0, MBPF_CALL_LOCAL, 0, 0);
    g->calls[g->ncalls++].target = t;
    pg_set_scalar(g, 0); /* every function returns a scalar */
    for (unsigned r = 1; r <= 5; r++)
        g->st.r[r].kind = K_DEAD;
}

/* ---- Control flow ------------------------------------------------------- */

static const uint8_t conds[] = {MBPF_JEQ, MBPF_JGT, MBPF_JGE, MBPF_JSET, MBPF_JNE, MBPF_JSGT,
                                MBPF_JSGE, MBPF_JLT, MBPF_JLE, MBPF_JSLT, MBPF_JSLE};

/* A conditional forward jump with placeholder offset; returns its pc. */
static uint32_t emit_cond(gen *g)
{
    uint8_t cond = conds[pg_below(g, sizeof conds)];
    int p = pg_pick_kind(g, M_PTR);
    if (p >= 0 && cond != MBPF_JSET && pg_chance(g, 10)) {
        /* two pointers of one kind: same order everywhere (not jset: bits differ) */
        int q = pg_pick_kind(g, 1u << g->st.r[p].kind);
        return pg_emit(g, MBPF_JMP | cond | MBPF_X, (unsigned)p, (unsigned)q, 0, 0);
    }
    uint8_t cls = pg_chance(g, 40) ? MBPF_JMP32 : MBPF_JMP;
    int a = pg_need_scalar(g, 0);
    if (pg_chance(g, 50)) {
        int b = pg_pick_kind(g, M_SCALAR);
        return pg_emit(g, cls | cond | MBPF_X, (unsigned)a, (unsigned)b, 0, 0);
    }
    return pg_emit(g, cls | cond | MBPF_K, (unsigned)a, 0, 0, pg_imm32(g));
}

static void gen_block(gen *g, int stmts);

static void gen_if(gen *g)
{
    uint32_t j = emit_cond(g);
    state before = g->st;
    g->nest++;
    gen_block(g, 1 + (int)pg_below(g, 6));
    if (pg_chance(g, 40) && pg_room(g) > 8) {
        state then_st = g->st;
        uint32_t skip = pg_chance(g, 30) ? pg_emit(g, MBPF_OP_JA32, 0, 0, 0, 0)
                                      : pg_emit(g, MBPF_OP_JA, 0, 0, 0, 0);
        pg_land_here(g, j);
        g->st = before;
        gen_block(g, 1 + (int)pg_below(g, 5));
        pg_land_here(g, skip);
        pg_meet(&g->st, &then_st);
    } else {
        pg_land_here(g, j);
        pg_meet(&g->st, &before);
    }
    g->nest--;
}

/* A counted loop in r6-r9 (kept across calls), do-while shaped. */
static void gen_loop(gen *g)
{
    int c = -1;
    for (unsigned r = 6; r <= 9; r++)
        if (pg_writable(g, r) && (c < 0 || pg_chance(g, 50)))
            c = (int)r;
    if (c < 0 || g->loops >= 2 || pg_room(g) < 40)
        return;
    /* an anchor: a ctx pointer in r6-r9 that the body only reads */
    int a = -1, src = pg_pick_kind(g, 1u << K_CTX);
    for (unsigned r = 6; r <= 9 && src >= 0 && a < 0; r++) {
        if ((int)r == c || !pg_writable(g, r))
            continue;
        if ((int)r != src)
            pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, r, (unsigned)src, 0, 0);
        g->st.r[r] = g->st.r[src];
        a = (int)r;
    }
    uint16_t keep = (uint16_t)((1u << c) | (a >= 0 ? 1u << a : 0u));
    uint32_t iters = 1 + pg_below(g, 6);
    pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, (unsigned)c, 0, 0, (int32_t)iters);
    pg_set_scalar(g, (unsigned)c);

    gen saved = *g;
    uint16_t dead = 0;
    int stmts = 1 + (int)pg_below(g, 8);
    for (;;) {
        *g = saved;
        for (unsigned r = 0; r < MBPF_NREGS; r++)
            if (dead & (1u << r))
                g->st.r[r].kind = K_DEAD;
        state head = g->st;
        uint32_t top = g->n;
        uint16_t reserved = g->reserved, anchors = g->anchors;
        g->reserved |= keep;
        g->anchors |= (uint16_t)(keep & ~(1u << c));
        g->loops++;
        g->nest++;
        gen_block(g, stmts);
        g->nest--;
        g->loops--;
        g->reserved = reserved;
        g->anchors = anchors;
        /* counter step and backward branch: several equivalent shapes */
        switch (pg_below(g, 4)) {
        case 0:
            pg_emit(g, MBPF_ALU64 | MBPF_SUB | MBPF_K, (unsigned)c, 0, 0, 1);
            pg_emit(g, MBPF_JMP | MBPF_JNE | MBPF_K, (unsigned)c, 0, (int16_t)(top - g->n - 1), 0);
            break;
        case 1:
            pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, (unsigned)c, 0, 0, -1);
            pg_emit(g, MBPF_JMP | MBPF_JSGT | MBPF_K, (unsigned)c, 0, (int16_t)(top - g->n - 1), 0);
            break;
        case 2:
            pg_emit(g, MBPF_ALU | MBPF_SUB | MBPF_K, (unsigned)c, 0, 0, 1);
            pg_emit(g, MBPF_JMP32 | MBPF_JGT | MBPF_K, (unsigned)c, 0, (int16_t)(top - g->n - 1), 0);
            break;
        default:
            pg_emit(g, MBPF_ALU64 | MBPF_SUB | MBPF_K, (unsigned)c, 0, 0, 1);
            pg_emit(g, MBPF_JMP | MBPF_JEQ | MBPF_K, (unsigned)c, 0, 1, 0);
            pg_emit(g, MBPF_OP_JA32, 0, 0, 0, (int32_t)(top - g->n - 1));
            break;
        }
        uint16_t changed = 0;
        for (unsigned r = 0; r < MBPF_NREGS; r++) {
            if (head.r[r].kind != K_DEAD && head.r[r].kind != g->st.r[r].kind)
                changed |= (uint16_t)(1u << r);
        }
        if (!changed)
            break;
        dead |= changed;
    }
}

/* A guarded endless loop: if taken, the run ends by the budget. */
static void gen_spin(gen *g)
{
    uint32_t j = emit_cond(g);
    state before = g->st;
    int t = pg_need_scalar(g, 0);
    if (!pg_writable(g, (unsigned)t)) {
        t = pg_pick_dst(g);
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, (unsigned)t, 0, 0, 0);
    }
    uint32_t top = g->n;
    pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, (unsigned)t, 0, 0, 1);
    if (pg_chance(g, 50))
        pg_emit(g, MBPF_OP_JA, 0, 0, (int16_t)(top - g->n - 1), 0);
    else
        pg_emit(g, MBPF_OP_JA32, 0, 0, 0, (int32_t)(top - g->n - 1));
    pg_land_here(g, j);
    g->st = before;
}

static void gen_early_exit(gen *g)
{
    if (g->nexits >= MAX_EXITS)
        return;
    uint32_t j = emit_cond(g);
    if (g->nexits == 0)
        g->exit_state = g->st;
    else
        pg_meet(&g->exit_state, &g->st);
    g->exits[g->nexits++] = j;
}

static void gen_stmt(gen *g)
{
    if (g->narrow && pg_chance(g, 20)) {
        pg_gen_narrow(g);
        return;
    }
    uint32_t w = pg_below(g, 100);
    if (w < 24) pg_gen_alu(g);
    else if (w < 32) pg_gen_edge_alu(g);
    else if (w < 40) pg_gen_ptr_arith(g);
    else if (w < 49) pg_gen_load(g);
    else if (w < 57) { if (pg_chance(g, 30)) pg_gen_burst(g); else pg_gen_store(g); }
    else if (w < 63) pg_gen_atomic(g);
    else if (w < 66) pg_gen_lddw(g);
    else if (w < 72) pg_gen_helper_call(g);
    else if (w < 74) pg_gen_callx(g);
    else if (w < 80) gen_local_call(g);
    else if (w < 89) { if (g->nest < 3 && pg_room(g) > 40) gen_if(g); else pg_gen_alu(g); }
    else if (w < 95) {
        if (g->nest < 3 && pg_chance(g, 35))
            pg_gen_ptr_loop(g); /* the JIT's counted-loop fast path */
        else if (g->nest < 3)
            gen_loop(g);
        else
            pg_gen_load(g);
    }
    else if (w < 98) gen_early_exit(g);
    else if (w < 99 && pg_chance(g, 30)) gen_spin(g);
    else pg_gen_alu(g);
}

static void gen_block(gen *g, int stmts)
{
    for (int i = 0; i < stmts && pg_room(g) > 24; i++)
        gen_stmt(g);
}

/* ---- Functions ---------------------------------------------------------- */

static void gen_function(gen *g, int f, int stmts)
{
    g->cur = f;
    g->funcs[f].start = g->n;
    g->st = g->funcs[f].entry;
    g->nexits = 0;
    g->reserved = 0;
    gen_block(g, stmts);

    for (int i = 0; i < g->nexits; i++)
        pg_land_here(g, g->exits[i]);
    if (g->nexits)
        pg_meet(&g->st, &g->exit_state);
    if (g->st.r[0].kind != K_SCALAR)
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, 0, 0, 0, pg_imm32(g));
    /* r0 = a hash of every scalar register: scalars only, so host and
     * emulator agree (at most 18 slots, within ROOM_EPILOGUE) */
    unsigned limit = f == 0 ? 10 : 3;
    for (unsigned r = 1; r < 10 && limit; r++) {
        if (g->st.r[r].kind != K_SCALAR)
            continue;
        pg_emit(g, MBPF_ALU64 | MBPF_MUL | MBPF_K, 0, 0, 0, 0x01000193);
        pg_emit(g, MBPF_ALU64 | MBPF_XOR | MBPF_X, 0, r, 0, 0);
        limit--;
    }
    pg_emit(g, MBPF_OP_EXIT, 0, 0, 0, 0);
}

/* Mostly small contexts; some large ones (offsets beyond short encodings)
 * and a few runs without any. */
static uint32_t ctx_len_for(gen *g)
{
    static const uint32_t lens[] = {8, 16, 24, 64, 100, 128, 200, 256};
    if (pg_chance(g, 4))
        return 0;
    if (pg_chance(g, 8))
        return 257 + pg_below(g, PROGEN_MAX_CTX - 256);
    return lens[pg_below(g, 8)];
}

void progen_generate(uint64_t seed, uint32_t index, progen_program *p)
{
    gen g;
    memset(&g, 0, sizeof g);
    memset(p, 0, sizeof *p);
    g.rng = seed ^ (0xd1b54a32d192ed03ull * ((uint64_t)index + 1));
    pg_rnd(&g);
    p->seed = seed;
    p->index = index;

    mbpf_config_default(&p->cfg);
    p->cfg.isa = 4;
    p->cfg.allow_callx = true;
    static const uint32_t stacks[] = {512, 512, 512, 64, 128, 256, 1024, 4096};
    p->cfg.stack_size = stacks[pg_below(&g, 8)];
    p->cfg.max_depth = (uint8_t)(pg_chance(&g, 70) ? 8 : 1 + pg_below(&g, 4));
    p->cfg.budget = pg_chance(&g, 75) ? 100000u : pg_below(&g, 40);
    p->cfg.max_regions = 4;
    p->ctx_len = ctx_len_for(&g);
    p->ctx_flags = pg_chance(&g, 96) ? MBPF_MEM_RW : MBPF_MEM_READ;
    for (uint32_t i = 0; i < p->ctx_len; i++) {
        uint64_t v = pg_rnd(&g);
        p->ctx[i] = (v & 0x700) ? (uint8_t)v : 0; /* some NULs for strlen */
    }
    p->stack_fill = (uint8_t)pg_rnd(&g);

    g.out = p->insns;
    g.cap = PROGEN_MAX_INSNS - pg_below(&g, PROGEN_MAX_INSNS / 2);
    g.ctx_len = p->ctx_len;
    g.stack_size = p->cfg.stack_size;
    g.nfuncs = 1 + (int)pg_below(&g, MAX_FUNCS);
    if (pg_chance(&g, 20))
        pg_forbid_one(&g, p);
    if (pg_chance(&g, 30)) /* one or two of r6-r9 only ever hold 32-bit values */
        g.narrow = (uint16_t)((1u << (6 + pg_below(&g, 4))) | (pg_chance(&g, 50) ? 1u << (6 + pg_below(&g, 4)) : 0u));

    /* entry: r1 = ctx, r2 = ctx_len, r10 = frame top, all else 0 */
    state *e = &g.funcs[0].entry;
    for (unsigned r = 0; r < MBPF_NREGS; r++)
        e->r[r].kind = K_SCALAR;
    if (p->ctx_len) { /* without a ctx r1 is 0 */
        e->r[1].kind = K_CTX;
        e->r[1].off_known = 1;
    }
    e->r[MBPF_REG_FP].kind = K_STACK;
    e->r[MBPF_REG_FP].off_known = 1;
    g.funcs[0].called = 1;

    /* A function is generated after all its callers (they have lower
     * numbers), so its entry state is known; uncalled ones are left out. */
    uint32_t per_func = (g.cap - ROOM_EPILOGUE * (uint32_t)g.nfuncs) / (uint32_t)g.nfuncs;
    for (int f = 0; f < g.nfuncs; f++) {
        if (!g.funcs[f].called)
            continue;
        uint32_t saved_cap = g.cap;
        g.cap = g.n + per_func + ROOM_EPILOGUE;
        if (g.cap > saved_cap)
            g.cap = saved_cap;
        gen_function(&g, f, 3 + (int)pg_below(&g, 40));
        g.cap = saved_cap;
    }
    for (int i = 0; i < g.ncalls; i++)
        g.out[g.calls[i].pc].imm =
            (int32_t)(g.funcs[g.calls[i].target].start - g.calls[i].pc - 1);
    p->n = g.n;
}
