/* Random programs: the generator's primitives and straight-line statements
 * (ALU, pointer arithmetic, loads, stores, atomics, helper calls). */
#include "progen_gen.h"

#include <string.h>

/* ---- PRNG: splitmix64, identical on every platform ---------------------- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t pg_rnd(gen *g) { return splitmix(&g->rng); }
uint32_t pg_below(gen *g, uint32_t n) { return n ? (uint32_t)(pg_rnd(g) % n) : 0; }
int pg_chance(gen *g, uint32_t pct) { return pg_below(g, 100) < pct; }
int pg_permille(gen *g, uint32_t pm) { return pg_below(g, 1000) < pm; }

int pg_room(const gen *g) { return (int)g->cap - (int)ROOM_EPILOGUE - (int)g->n; }

uint32_t pg_emit(gen *g, uint8_t code, unsigned dst, unsigned src, int16_t off, int32_t imm)
{
    mbpf_insn *i = &g->out[g->n];
    i->code = code;
    i->regs = MBPF_REGS(dst, src);
    i->off = off;
    i->imm = imm;
    return g->n++;
}

void pg_emit_lddw(gen *g, unsigned dst, uint64_t v)
{
    pg_emit(g, MBPF_OP_LDDW, dst, 0, 0, (int32_t)(uint32_t)v);
    pg_emit(g, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* Patches the jump at pc to land on the next slot to be emitted. */
void pg_land_here(gen *g, uint32_t pc)
{
    int32_t d = (int32_t)(g->n - pc - 1);
    if (g->out[pc].code == MBPF_OP_JA32)
        g->out[pc].imm = d;
    else
        g->out[pc].off = (int16_t)d;
}

void pg_set_scalar(gen *g, unsigned r)
{
    g->st.r[r].kind = K_SCALAR;
    g->st.r[r].off_known = 0;
    g->st.r[r].off = 0;
}

int pg_is_ptr(uint8_t k) { return k == K_CTX || k == K_STACK; }

void pg_meet(state *a, const state *b)
{
    for (unsigned r = 0; r < MBPF_NREGS; r++) {
        rstate *x = &a->r[r];
        const rstate *y = &b->r[r];
        if (x->kind != y->kind) {
            x->kind = K_DEAD;
        } else if (pg_is_ptr(x->kind) && !y->off_known) {
            x->off_known = 0;
        } /* offsets that differ: keep one; it only aims accesses */
    }
}

/* ---- Values ------------------------------------------------------------- */

int32_t pg_imm32(gen *g)
{
    static const int32_t edge[] = {0, 1, -1, 2, 3, 7, 8, 16, 31, 32, 63, 64, 255, 0x7fff,
                                   -0x8000, 0xffff, 0x7fffffff, INT32_MIN, -2, 0x10000};
    switch (pg_below(g, 4)) {
    case 0: return edge[pg_below(g, sizeof edge / sizeof edge[0])];
    case 1: return (int32_t)pg_below(g, 100) - 50;
    default: return (int32_t)(uint32_t)pg_rnd(g);
    }
}

uint64_t pg_imm64(gen *g)
{
    static const uint64_t edge[] = {0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
                                    0xffffffffull, 0x100000000ull, 0x80000000ull,
                                    0xffffffff80000000ull, 0x00000000ffff0000ull};
    if (pg_chance(g, 40))
        return edge[pg_below(g, sizeof edge / sizeof edge[0])];
    if (pg_chance(g, 30))
        return (uint64_t)(int64_t)pg_imm32(g);
    return pg_rnd(g);
}

/* ---- Register choice ---------------------------------------------------- */

/* Generic statements write neither reserved nor narrow registers. */
int pg_writable(const gen *g, unsigned r)
{
    return r < 10 && !((g->reserved | g->narrow) & (1u << r));
}

int pg_pick_dst_avoid(gen *g, uint16_t avoid)
{
    for (int tries = 0; tries < 32; tries++) {
        unsigned r = pg_below(g, 10);
        if (pg_writable(g, r) && !(avoid & (1u << r)))
            return (int)r;
    }
    for (unsigned r = 0; r < 10; r++)
        if (pg_writable(g, r) && !(avoid & (1u << r)))
            return (int)r;
    return 0; /* r0 is never reserved */
}

int pg_pick_dst(gen *g) { return pg_pick_dst_avoid(g, 0); }

/* A register of one of the kinds in mask (bit per kind), or -1. */
int pg_pick_kind(gen *g, unsigned mask)
{
    int found[MBPF_NREGS], n = 0;
    for (unsigned r = 0; r < MBPF_NREGS; r++)
        if (mask & (1u << g->st.r[r].kind))
            found[n++] = (int)r;
    return n ? found[pg_below(g, (uint32_t)n)] : -1;
}


/* A pointer to derive a new one from. Inside a loop only r10 and the loop's
 * anchors qualify: a pointer derived from its own previous value would creep
 * further every iteration, until it reached some other buffer of the host
 * (which sits at another distance in the emulator). */
int pg_pick_ptr_source(gen *g)
{
    if (!g->loops)
        return pg_pick_kind(g, M_PTR);
    int found[MBPF_NREGS], n = 0;
    for (unsigned r = 0; r < MBPF_NREGS; r++)
        if (pg_is_ptr(g->st.r[r].kind) && (r == MBPF_REG_FP || (g->anchors & (1u << r))))
            found[n++] = (int)r;
    return found[pg_below(g, (uint32_t)n)]; /* r10 always qualifies */
}

/* A scalar register, making one with a constant when none exists (never
 * overwriting the registers in avoid). */
int pg_need_scalar(gen *g, uint16_t avoid)
{
    int r = pg_pick_kind(g, M_SCALAR);
    if (r < 0 || pg_chance(g, 5)) {
        r = pg_pick_dst_avoid(g, avoid);
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, (unsigned)r, 0, 0, pg_imm32(g));
        pg_set_scalar(g, (unsigned)r);
    }
    return r;
}

/* ---- Straight-line statements ------------------------------------------- */

void pg_gen_alu(gen *g)
{
    static const uint8_t ops[] = {MBPF_ADD, MBPF_SUB, MBPF_MUL, MBPF_DIV, MBPF_OR, MBPF_AND,
                                  MBPF_LSH, MBPF_RSH, MBPF_NEG, MBPF_MOD, MBPF_XOR, MBPF_MOV,
                                  MBPF_ARSH, MBPF_END};
    unsigned dst = (unsigned)pg_pick_dst(g);
    uint8_t op = ops[pg_below(g, sizeof ops)];
    int wide = pg_chance(g, 55);
    uint8_t cls = wide ? MBPF_ALU64 : MBPF_ALU;
    int src = pg_chance(g, 50) ? pg_pick_kind(g, M_SCALAR) : -1;
    int16_t off = 0;
    int32_t imm = 0;

    if (op != MBPF_MOV && g->st.r[dst].kind != K_SCALAR) {
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, dst, 0, 0, pg_imm32(g));
        pg_set_scalar(g, dst);
    }
    if (op == MBPF_NEG) {
        pg_emit(g, cls | MBPF_NEG | MBPF_K, dst, 0, 0, 0);
    } else if (op == MBPF_END) {
        static const int32_t widths[] = {16, 32, 64};
        imm = widths[pg_below(g, 3)];
        if (wide)
            pg_emit(g, MBPF_ALU64 | MBPF_END | MBPF_K, dst, 0, 0, imm); /* bswap */
        else
            pg_emit(g, MBPF_ALU | MBPF_END | (pg_chance(g, 50) ? MBPF_X : MBPF_K), dst, 0, 0, imm);
    } else if (src >= 0) {
        if (op == MBPF_DIV || op == MBPF_MOD)
            off = (int16_t)pg_below(g, 2);
        if (op == MBPF_MOV && pg_chance(g, 35)) {
            static const int16_t sx[] = {8, 16, 32};
            off = sx[pg_below(g, wide ? 3 : 2)];
        }
        pg_emit(g, cls | op | MBPF_X, dst, (unsigned)src, off, 0);
    } else {
        imm = pg_imm32(g);
        if (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH)
            imm = (int32_t)pg_below(g, wide ? 64 : 32);
        if (op == MBPF_DIV || op == MBPF_MOD)
            off = (int16_t)pg_below(g, 2);
        pg_emit(g, cls | op | MBPF_K, dst, 0, off, imm);
    }
    pg_set_scalar(g, dst);
}

/* Sets up a divisor or operand register with an edge value, then an op. */
void pg_gen_edge_alu(gen *g)
{
    int r = pg_pick_dst(g);
    if (pg_chance(g, 50))
        pg_emit_lddw(g, (unsigned)r, pg_imm64(g));
    else
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, (unsigned)r, 0, 0, pg_imm32(g));
    pg_set_scalar(g, (unsigned)r);
    pg_gen_alu(g);
}

/* Pointer arithmetic: copies and moves pointers, or turns two into a scalar. */
void pg_gen_ptr_arith(gen *g)
{
    int p = pg_pick_ptr_source(g);
    if (p < 0)
        return;
    rstate ps = g->st.r[p];
    unsigned dst = (unsigned)pg_pick_dst(g);
    switch (pg_below(g, 4)) {
    case 0: { /* dst = p + small constant, aimed inside the area */
        int32_t target = ps.kind == K_CTX ? (int32_t)pg_below(g, g->ctx_len)
                                          : -(int32_t)pg_below(g, g->stack_size) - 1;
        int32_t d = ps.off_known ? target - ps.off : (int32_t)pg_below(g, 64) - 32;
        if (pg_chance(g, 8))
            d += (int32_t)pg_below(g, 48) - 24;
        if ((unsigned)p != dst)
            pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, dst, (unsigned)p, 0, 0);
        if (pg_chance(g, 50))
            pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, dst, 0, 0, d);
        else
            pg_emit(g, MBPF_ALU64 | MBPF_SUB | MBPF_K, dst, 0, 0, -d);
        g->st.r[dst] = ps;
        g->st.r[dst].off += d;
        break;
    }
    case 1: { /* dst = p + (scalar & 31) */
        if ((unsigned)p == dst)
            return;
        int s = pg_pick_dst(g);
        if ((unsigned)s == dst)
            return;
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, dst, (unsigned)p, 0, 0);
        if (g->st.r[s].kind != K_SCALAR) {
            pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, (unsigned)s, 0, 0, pg_imm32(g));
            pg_set_scalar(g, (unsigned)s);
        }
        pg_emit(g, MBPF_ALU64 | MBPF_AND | MBPF_K, (unsigned)s, 0, 0, 31);
        pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_X, dst, (unsigned)s, 0, 0);
        g->st.r[dst] = ps;
        g->st.r[dst].off_known = 0;
        break;
    }
    default: { /* dst = p - q for q of the same kind: a scalar */
        int q = pg_pick_kind(g, 1u << ps.kind);
        if (q == p) /* one more try for a distinct one: p - p is dull */
            q = pg_pick_kind(g, 1u << ps.kind);
        if ((unsigned)p != dst)
            pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, dst, (unsigned)p, 0, 0);
        if ((unsigned)q == dst) /* p was overwritten: p - p */
            q = (int)dst;
        pg_emit(g, MBPF_ALU64 | MBPF_SUB | MBPF_X, dst, (unsigned)q, 0, 0);
        pg_set_scalar(g, dst);
        break;
    }
    }
}

static const uint8_t sizes[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};
static uint32_t size_bytes(uint8_t s) { return s == MBPF_B ? 1 : s == MBPF_H ? 2 : s == MBPF_W ? 4 : 8; }

/* Offset for an access of `size` through register b: mostly inside the
 * area, sometimes just outside, aligned to `align` when asked. */
static int16_t pick_off(gen *g, int b, uint32_t size, uint32_t align)
{
    const rstate *s = &g->st.r[b];
    int32_t target;
    if (b == MBPF_REG_FP) /* the verifier wants these inside the frame */
        return (int16_t)-(int32_t)((pg_below(g, g->stack_size / size) + 1) * size);
    if (s->kind == K_CTX)
        target = (int32_t)pg_below(g, g->ctx_len - size + 1);
    else
        target = -(int32_t)pg_below(g, g->stack_size - size + 1) - (int32_t)size;
    if (pg_permille(g, 12))
        target = pg_chance(g, 50) ? (s->kind == K_CTX ? (int32_t)g->ctx_len : 0) + (int32_t)pg_below(g, 24)
                               : (s->kind == K_CTX ? 0 : -(int32_t)g->stack_size) -
                                     (int32_t)pg_below(g, 24) - (int32_t)size;
    int32_t off = s->off_known ? target - s->off : (int32_t)pg_below(g, 64) - 32;
    if (align > 1 && s->off_known)
        off -= (s->off + off) & (int32_t)(align - 1);
    if (off < -32768 || off > 32767)
        off = 0;
    return (int16_t)off;
}

/* A base register for a memory access: a pointer, or a wild constant. */
static int pick_base(gen *g, int *wild)
{
    int b = pg_pick_kind(g, M_PTR);
    *wild = 0;
    if (b < 0 || pg_permille(g, 6)) {
        static const uint64_t wilds[] = {0, 8, 0x40, 0xffc, 0xdead000000000000ull,
                                         0xffffffffffffff00ull, 0x100000000ull};
        b = pg_pick_dst(g);
        pg_emit_lddw(g, (unsigned)b, wilds[pg_below(g, sizeof wilds / sizeof wilds[0])]);
        pg_set_scalar(g, (unsigned)b);
        *wild = 1;
    }
    return b;
}

void pg_gen_load(gen *g)
{
    int wild;
    int b = pick_base(g, &wild);
    uint8_t sz = sizes[pg_below(g, 4)];
    uint8_t mode = (sz != MBPF_DW && pg_chance(g, 30)) ? MBPF_MEMSX : MBPF_MEM;
    int16_t off = wild ? (int16_t)pg_below(g, 16) : pick_off(g, b, size_bytes(sz), 1);
    unsigned dst = (unsigned)pg_pick_dst(g);
    pg_emit(g, MBPF_LDX | mode | sz, dst, (unsigned)b, off, 0);
    pg_set_scalar(g, dst);
}

void pg_gen_store(gen *g)
{
    int wild;
    int b = pick_base(g, &wild);
    uint8_t sz = sizes[pg_below(g, 4)];
    int16_t off = wild ? (int16_t)pg_below(g, 16) : pick_off(g, b, size_bytes(sz), 1);
    if (pg_chance(g, 40)) {
        pg_emit(g, MBPF_ST | MBPF_MEM | sz, (unsigned)b, 0, off, pg_imm32(g));
    } else {
        int s = pg_need_scalar(g, (uint16_t)(1u << b));
        pg_emit(g, MBPF_STX | MBPF_MEM | sz, (unsigned)b, (unsigned)s, off, 0);
    }
}

void pg_gen_atomic(gen *g)
{
    static const int32_t ops[] = {MBPF_ADD, MBPF_OR, MBPF_AND, MBPF_XOR, MBPF_XCHG, MBPF_CMPXCHG};
    int wild;
    int b = pick_base(g, &wild);
    uint8_t sz = pg_chance(g, 50) ? MBPF_W : MBPF_DW;
    uint32_t align = pg_chance(g, 94) ? size_bytes(sz) : 1;
    int16_t off = wild ? (int16_t)pg_below(g, 16) : pick_off(g, b, size_bytes(sz), align);
    int32_t op = ops[pg_below(g, 6)];
    if (op <= (int32_t)MBPF_XOR && pg_chance(g, 50))
        op |= (int32_t)MBPF_FETCH;
    int s = pg_need_scalar(g, (uint16_t)(1u << b));
    int writes_src = (op & MBPF_FETCH) && op != MBPF_CMPXCHG;
    if ((writes_src && !pg_writable(g, (unsigned)s)) || (s == b && writes_src))
        op &= ~(int32_t)MBPF_FETCH;
    if (op == (int32_t)(MBPF_XCHG & ~MBPF_FETCH) || op == (int32_t)(MBPF_CMPXCHG & ~MBPF_FETCH))
        op = MBPF_ADD; /* xchg/cmpxchg without fetch do not exist */
    if (op == MBPF_CMPXCHG && g->st.r[0].kind != K_SCALAR) {
        if (b == 0)
            op = MBPF_ADD;
        else {
            pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, 0, 0, 0, pg_imm32(g));
            pg_set_scalar(g, 0);
        }
    }
    pg_emit(g, MBPF_STX | MBPF_ATOMIC | sz, (unsigned)b, (unsigned)s, off, op);
    if (op == MBPF_CMPXCHG)
        pg_set_scalar(g, 0);
    else if (op & MBPF_FETCH)
        pg_set_scalar(g, (unsigned)s);
}

/* Several accesses through one base register close together, sometimes
 * moving the base or straddling the end of the area: what a compiler that
 * skips re-checking an already checked range must get right. */
void pg_gen_burst(gen *g)
{
    int b = pg_pick_kind(g, M_PTR);
    if (b != MBPF_REG_FP && !pg_writable(g, (unsigned)b))
        b = MBPF_REG_FP;
    const rstate *s = &g->st.r[b];
    int32_t lo, hi; /* the area, relative to the base register */
    if (s->kind == K_CTX) {
        lo = s->off_known ? -s->off : -32;
        hi = lo + (int32_t)g->ctx_len;
    } else {
        hi = s->off_known ? -s->off : 0;
        lo = hi - (int32_t)g->stack_size;
    }
    int32_t center = pg_chance(g, 30) ? hi - (int32_t)pg_below(g, 12) : lo + (int32_t)pg_below(g, (uint32_t)(hi - lo));
    int n = 2 + (int)pg_below(g, 5);
    for (int k = 0; k < n; k++) {
        uint8_t sz = sizes[pg_below(g, 4)];
        int32_t size = (int32_t)size_bytes(sz);
        int32_t off = center + (int32_t)pg_below(g, 17) - 8;
        if (b == MBPF_REG_FP) { /* the verifier wants r10 accesses inside the frame */
            if (off < lo)
                off = lo;
            if (off + size > hi)
                off = hi - size;
        } else if (pg_chance(g, 85)) { /* mostly inside, sometimes across an end */
            if (off < lo)
                off = lo;
            if (off + size > hi)
                off = hi - size;
        }
        switch (pg_below(g, 5)) {
        case 0:
        case 1: {
            unsigned dst = (unsigned)pg_pick_dst_avoid(g, (uint16_t)(1u << b));
            uint8_t mode = (sz != MBPF_DW && pg_chance(g, 25)) ? MBPF_MEMSX : MBPF_MEM;
            pg_emit(g, MBPF_LDX | mode | sz, dst, (unsigned)b, (int16_t)off, 0);
            pg_set_scalar(g, dst);
            break;
        }
        case 2:
            pg_emit(g, MBPF_ST | MBPF_MEM | sz, (unsigned)b, 0, (int16_t)off, pg_imm32(g));
            break;
        case 3: {
            int src = pg_need_scalar(g, (uint16_t)(1u << b));
            pg_emit(g, MBPF_STX | MBPF_MEM | sz, (unsigned)b, (unsigned)src, (int16_t)off, 0);
            break;
        }
        default: /* move the base (not r10, not in loops): the checked range moves */
            if (b != MBPF_REG_FP && k + 1 < n && !g->loops) {
                int32_t d = (int32_t)pg_below(g, 17) - 8;
                pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, (unsigned)b, 0, 0, d);
                g->st.r[b].off += d;
                lo -= d;
                hi -= d;
                center -= d;
            }
            break;
        }
    }
}

void pg_gen_lddw(gen *g)
{
    unsigned dst = (unsigned)pg_pick_dst(g);
    pg_emit_lddw(g, dst, pg_imm64(g));
    pg_set_scalar(g, dst);
}

/* ---- Helper calls ------------------------------------------------------- */

enum { H_MIX = PROGEN_H_MIX, H_SUM = PROGEN_H_SUM, H_FILL = PROGEN_H_FILL,
       H_STRLEN = PROGEN_H_STRLEN, H_FAIL = PROGEN_H_FAIL, H_SUM_OR_NULL = PROGEN_H_SUM_OR_NULL,
       H_INC64 = PROGEN_H_INC64 };

static void arg_scalar(gen *g, unsigned r)
{
    if (g->st.r[r].kind != K_SCALAR || pg_chance(g, 30)) {
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, r, 0, 0, pg_imm32(g));
        pg_set_scalar(g, r);
    }
}

/* r = a pointer aimed at len bytes inside ctx or the stack (or just outside). */
static void arg_ptr(gen *g, unsigned r, uint32_t len)
{
    int p = pg_pick_ptr_source(g);
    rstate ps = g->st.r[p];
    int32_t target = ps.kind == K_CTX ? (int32_t)pg_below(g, g->ctx_len - len + 1)
                                      : -(int32_t)len - (int32_t)pg_below(g, g->stack_size - len + 1);
    if (pg_chance(g, 3))
        target += (int32_t)pg_below(g, 32) + 1;
    int32_t d = ps.off_known ? target - ps.off : (int32_t)pg_below(g, 16);
    if ((unsigned)p != r)
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, r, (unsigned)p, 0, 0);
    pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, r, 0, 0, d);
    g->st.r[r] = ps;
    g->st.r[r].off += d;
}

static uint32_t arg_len(gen *g, unsigned r, uint32_t max)
{
    uint32_t len = pg_below(g, max + 1);
    pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, r, 0, 0, (int32_t)len);
    pg_set_scalar(g, r);
    return len;
}

/* Sets up r1-r5 for helper id; returns 0 if it cannot here. */
static int helper_args(gen *g, uint32_t id)
{
    uint32_t maxlen = g->ctx_len && g->ctx_len < 32 ? g->ctx_len : 32;
    switch (id) {
    case H_MIX:
    case H_FAIL:
        for (unsigned r = 1; r <= 5; r++)
            arg_scalar(g, r);
        return 1;
    case H_SUM:
    case H_FILL:
        arg_ptr(g, 1, arg_len(g, 2, maxlen));
        arg_scalar(g, 3);
        return 1;
    case H_SUM_OR_NULL:
        if (pg_chance(g, 30)) {
            arg_len(g, 2, maxlen);
            pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, 1, 0, 0, 0);
            pg_set_scalar(g, 1);
        } else {
            arg_ptr(g, 1, arg_len(g, 2, maxlen));
        }
        arg_scalar(g, 3); /* mixed into the sum */
        return 1;
    case H_STRLEN: /* the stack holds no NUL unless we put one there */
        arg_ptr(g, 1, 1);
        if (g->st.r[1].kind == K_STACK && pg_chance(g, 80))
            pg_emit(g, MBPF_ST | MBPF_MEM | MBPF_B, 1, 0, (int16_t)pg_below(g, 4), 0);
        return 1;
    case H_INC64:
        arg_ptr(g, 1, 8);
        return 1;
    }
    return 0;
}

static const uint32_t helper_ids[] = {H_MIX, H_SUM, H_FILL, H_STRLEN, H_FAIL, H_SUM_OR_NULL,
                                      H_INC64};

void pg_forbid_one(gen *g, progen_program *p)
{
    g->forbidden = helper_ids[1 + pg_below(g, PROGEN_NUM_HELPERS - 1)]; /* never H_MIX */
    p->num_allowed = 0;
    for (unsigned k = 0; k < PROGEN_NUM_HELPERS; k++) /* helper_ids is sorted */
        if (helper_ids[k] != g->forbidden)
            p->allowed[p->num_allowed++] = helper_ids[k];
}

void pg_gen_helper_call(gen *g)
{
    uint32_t id = helper_ids[pg_below(g, sizeof helper_ids / sizeof helper_ids[0])];
    if (id == g->forbidden) /* the verifier would refuse the program */
        id = H_MIX;
    helper_args(g, id);
    pg_emit(g, MBPF_OP_CALL, 0, MBPF_CALL_HELPER, 0, (int32_t)id);
    pg_set_scalar(g, 0);
}

void pg_gen_callx(gen *g)
{
    static const unsigned idregs[] = {0, 6, 7, 8, 9};
    unsigned x = idregs[pg_below(g, 5)];
    if (!pg_writable(g, x))
        x = 0;
    uint32_t id = PROGEN_BAD_HELPER_ID;
    if (pg_chance(g, 88)) {
        id = helper_ids[pg_below(g, sizeof helper_ids / sizeof helper_ids[0])];
        helper_args(g, id);
    } else if (pg_chance(g, 50)) {
        id = pg_chance(g, 50) ? 0xffffffffu : 4u;
    }
    if (pg_chance(g, 50)) {
        pg_emit(g, MBPF_ALU | MBPF_MOV | MBPF_K, x, 0, 0, (int32_t)id);
    } else { /* upper half set: only the low 32 bits are the id */
        pg_emit_lddw(g, x, ((uint64_t)0xabcd0000u << 32) | id);
    }
    pg_set_scalar(g, x);
    pg_emit(g, MBPF_OP_CALLX, x, 0, 0, 0);
    pg_set_scalar(g, 0);
}

/* ---- Narrow registers --------------------------------------------------- */

/* A write to a register of g->narrow: 32-bit ALU, mov32, le/be 16/32,
 * zero-extending loads, 32-bit fetches - so a compiler may keep no upper half
 * for it. Rarely a 64-bit write instead, which must undo that. */
void pg_gen_narrow(gen *g)
{
    static const uint8_t ops[] = {MBPF_ADD, MBPF_SUB, MBPF_MUL, MBPF_DIV, MBPF_OR, MBPF_AND,
                                  MBPF_LSH, MBPF_RSH, MBPF_NEG, MBPF_MOD, MBPF_XOR, MBPF_MOV,
                                  MBPF_ARSH};
    unsigned cand[4], n = 0;
    for (unsigned r = 6; r <= 9; r++)
        if ((g->narrow & (1u << r)) && !(g->reserved & (1u << r)))
            cand[n++] = r;
    if (!n)
        return;
    unsigned dst = cand[pg_below(g, n)];
    int src = pg_pick_kind(g, M_SCALAR);
    uint8_t op = ops[pg_below(g, sizeof ops)];
    int16_t off = (op == MBPF_DIV || op == MBPF_MOD) ? (int16_t)pg_below(g, 2) : 0;
    switch (pg_below(g, 8)) {
    case 0:
    case 1:
        if (op == MBPF_NEG) {
            pg_emit(g, MBPF_ALU | MBPF_NEG | MBPF_K, dst, 0, 0, 0);
        } else if (src >= 0 && pg_chance(g, 60)) {
            if (op == MBPF_MOV && pg_chance(g, 30))
                off = pg_chance(g, 50) ? 8 : 16; /* movsx, zero-extended from 32 */
            pg_emit(g, MBPF_ALU | op | MBPF_X, dst, (unsigned)src, off, 0);
        } else {
            int32_t imm = (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH)
                              ? (int32_t)pg_below(g, 32) : pg_imm32(g);
            pg_emit(g, MBPF_ALU | op | MBPF_K, dst, 0, off, imm);
        }
        break;
    case 2:
        pg_emit(g, MBPF_ALU | MBPF_END | (pg_chance(g, 50) ? MBPF_X : MBPF_K), dst, 0, 0,
                pg_chance(g, 50) ? 16 : 32);
        break;
    case 3: { /* zero-extending load */
        int b = pg_pick_kind(g, M_PTR);
        uint8_t sz = sizes[pg_below(g, 3)];
        pg_emit(g, MBPF_LDX | MBPF_MEM | sz, dst, (unsigned)b, pick_off(g, b, size_bytes(sz), 1),
                0);
        break;
    }
    case 4: { /* 32-bit fetch into the register */
        static const int32_t aops[] = {MBPF_ADD | MBPF_FETCH, MBPF_OR | MBPF_FETCH,
                                       MBPF_AND | MBPF_FETCH, MBPF_XOR | MBPF_FETCH, MBPF_XCHG};
        int b = pg_pick_kind(g, M_PTR);
        pg_emit(g, MBPF_STX | MBPF_ATOMIC | MBPF_W, (unsigned)b, dst, pick_off(g, b, 4, 4),
                aops[pg_below(g, 5)]);
        break;
    }
    case 5:
        pg_emit(g, MBPF_ALU | MBPF_MOV | MBPF_K, dst, 0, 0, pg_imm32(g));
        break;
    default:
        if (pg_permille(g, 100)) { /* a 64-bit write after all */
            static const uint8_t wide[] = {MBPF_ALU | MBPF_END | MBPF_X, MBPF_ALU64 | MBPF_END,
                                           MBPF_ALU64 | MBPF_ADD | MBPF_K,
                                           MBPF_ALU64 | MBPF_MOV | MBPF_K};
            uint8_t code = wide[pg_below(g, 4)];
            pg_emit(g, code, dst, 0, 0, MBPF_OP(code) == MBPF_END ? 64 : pg_imm32(g));
        } else if (src >= 0) {
            pg_emit(g, MBPF_ALU | MBPF_MOV | MBPF_X, dst, (unsigned)src, 0, 0);
        }
        break;
    }
    pg_set_scalar(g, dst);
}
