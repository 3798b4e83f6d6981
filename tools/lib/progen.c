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
#include "progen.h"

#include <string.h>

/* ---- PRNG: splitmix64, identical on every platform ---------------------- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- Generator state ---------------------------------------------------- */

enum { K_DEAD, K_SCALAR, K_CTX, K_STACK };

typedef struct rstate {
    uint8_t kind;
    uint8_t off_known;
    int32_t off; /* ctx: from ctx start; stack: from the current frame's r10 */
} rstate;

typedef struct state {
    rstate r[MBPF_NREGS];
} state;

#define MAX_FUNCS 5
#define MAX_CALLS 48
#define MAX_EXITS 32
#define ROOM_EPILOGUE 24u /* slots kept free for a function's epilogue */

typedef struct func {
    uint8_t called;
    state entry;     /* meet of the states at every call site */
    uint32_t start;  /* first slot */
} func;

typedef struct gen {
    uint64_t rng;
    mbpf_insn *out;
    uint32_t n, cap;
    state st;
    uint16_t reserved; /* registers the current code must not write */
    uint16_t anchors;  /* pointers the current loops never write (see pick_ptr_source) */
    int nest;          /* if/loop nesting */
    int loops;
    int cur, nfuncs;
    func funcs[MAX_FUNCS];
    struct { uint32_t pc; int target; } calls[MAX_CALLS];
    int ncalls;
    uint32_t exits[MAX_EXITS]; /* forward jumps to the current epilogue */
    state exit_state;
    int nexits;
    uint32_t ctx_len, stack_size;
} gen;

static uint64_t rnd(gen *g) { return splitmix(&g->rng); }
static uint32_t below(gen *g, uint32_t n) { return n ? (uint32_t)(rnd(g) % n) : 0; }
static int chance(gen *g, uint32_t pct) { return below(g, 100) < pct; }
static int permille(gen *g, uint32_t pm) { return below(g, 1000) < pm; }

static int room(const gen *g) { return (int)g->cap - (int)ROOM_EPILOGUE - (int)g->n; }

static uint32_t emit(gen *g, uint8_t code, unsigned dst, unsigned src, int16_t off, int32_t imm)
{
    mbpf_insn *i = &g->out[g->n];
    i->code = code;
    i->regs = MBPF_REGS(dst, src);
    i->off = off;
    i->imm = imm;
    return g->n++;
}

static void emit_lddw(gen *g, unsigned dst, uint64_t v)
{
    emit(g, MBPF_OP_LDDW, dst, 0, 0, (int32_t)(uint32_t)v);
    emit(g, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* Patches the jump at pc to land on the next slot to be emitted. */
static void land_here(gen *g, uint32_t pc)
{
    int32_t d = (int32_t)(g->n - pc - 1);
    if (g->out[pc].code == MBPF_OP_JA32)
        g->out[pc].imm = d;
    else
        g->out[pc].off = (int16_t)d;
}

static void set_scalar(gen *g, unsigned r)
{
    g->st.r[r].kind = K_SCALAR;
    g->st.r[r].off_known = 0;
    g->st.r[r].off = 0;
}

static int is_ptr(uint8_t k) { return k == K_CTX || k == K_STACK; }

static void meet(state *a, const state *b)
{
    for (unsigned r = 0; r < MBPF_NREGS; r++) {
        rstate *x = &a->r[r];
        const rstate *y = &b->r[r];
        if (x->kind != y->kind) {
            x->kind = K_DEAD;
        } else if (is_ptr(x->kind) && !y->off_known) {
            x->off_known = 0;
        } /* offsets that differ: keep one; it only aims accesses */
    }
}

/* ---- Values ------------------------------------------------------------- */

static int32_t imm32(gen *g)
{
    static const int32_t edge[] = {0, 1, -1, 2, 3, 7, 8, 16, 31, 32, 63, 64, 255, 0x7fff,
                                   -0x8000, 0xffff, 0x7fffffff, INT32_MIN, -2, 0x10000};
    switch (below(g, 4)) {
    case 0: return edge[below(g, sizeof edge / sizeof edge[0])];
    case 1: return (int32_t)below(g, 100) - 50;
    default: return (int32_t)(uint32_t)rnd(g);
    }
}

static uint64_t imm64(gen *g)
{
    static const uint64_t edge[] = {0, 1, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull,
                                    0xffffffffull, 0x100000000ull, 0x80000000ull,
                                    0xffffffff80000000ull, 0x00000000ffff0000ull};
    if (chance(g, 40))
        return edge[below(g, sizeof edge / sizeof edge[0])];
    if (chance(g, 30))
        return (uint64_t)(int64_t)imm32(g);
    return rnd(g);
}

/* ---- Register choice ---------------------------------------------------- */

static int writable(const gen *g, unsigned r) { return r < 10 && !(g->reserved & (1u << r)); }

static int pick_dst_avoid(gen *g, uint16_t avoid)
{
    for (int tries = 0; tries < 32; tries++) {
        unsigned r = below(g, 10);
        if (writable(g, r) && !(avoid & (1u << r)))
            return (int)r;
    }
    for (unsigned r = 0; r < 10; r++)
        if (writable(g, r) && !(avoid & (1u << r)))
            return (int)r;
    return 0; /* r0 is never reserved */
}

static int pick_dst(gen *g) { return pick_dst_avoid(g, 0); }

/* A register of one of the kinds in mask (bit per kind), or -1. */
static int pick_kind(gen *g, unsigned mask)
{
    int found[MBPF_NREGS], n = 0;
    for (unsigned r = 0; r < MBPF_NREGS; r++)
        if (mask & (1u << g->st.r[r].kind))
            found[n++] = (int)r;
    return n ? found[below(g, (uint32_t)n)] : -1;
}

#define M_SCALAR (1u << K_SCALAR)
#define M_PTR ((1u << K_CTX) | (1u << K_STACK))

/* A pointer to derive a new one from. Inside a loop only r10 and the loop's
 * anchors qualify: a pointer derived from its own previous value would creep
 * further every iteration, until it reached some other buffer of the host
 * (which sits at another distance in the emulator). */
static int pick_ptr_source(gen *g)
{
    if (!g->loops)
        return pick_kind(g, M_PTR);
    int found[MBPF_NREGS], n = 0;
    for (unsigned r = 0; r < MBPF_NREGS; r++)
        if (is_ptr(g->st.r[r].kind) && (r == MBPF_REG_FP || (g->anchors & (1u << r))))
            found[n++] = (int)r;
    return found[below(g, (uint32_t)n)]; /* r10 always qualifies */
}

/* A scalar register, making one with a constant when none exists (never
 * overwriting the registers in avoid). */
static int need_scalar(gen *g, uint16_t avoid)
{
    int r = pick_kind(g, M_SCALAR);
    if (r < 0 || chance(g, 5)) {
        r = pick_dst_avoid(g, avoid);
        emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, (unsigned)r, 0, 0, imm32(g));
        set_scalar(g, (unsigned)r);
    }
    return r;
}

/* ---- Straight-line statements ------------------------------------------- */

static void gen_alu(gen *g)
{
    static const uint8_t ops[] = {MBPF_ADD, MBPF_SUB, MBPF_MUL, MBPF_DIV, MBPF_OR, MBPF_AND,
                                  MBPF_LSH, MBPF_RSH, MBPF_NEG, MBPF_MOD, MBPF_XOR, MBPF_MOV,
                                  MBPF_ARSH, MBPF_END};
    unsigned dst = (unsigned)pick_dst(g);
    uint8_t op = ops[below(g, sizeof ops)];
    int wide = chance(g, 55);
    uint8_t cls = wide ? MBPF_ALU64 : MBPF_ALU;
    int src = chance(g, 50) ? pick_kind(g, M_SCALAR) : -1;
    int16_t off = 0;
    int32_t imm = 0;

    if (op != MBPF_MOV && g->st.r[dst].kind != K_SCALAR) {
        emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, dst, 0, 0, imm32(g));
        set_scalar(g, dst);
    }
    if (op == MBPF_NEG) {
        emit(g, cls | MBPF_NEG | MBPF_K, dst, 0, 0, 0);
    } else if (op == MBPF_END) {
        static const int32_t widths[] = {16, 32, 64};
        imm = widths[below(g, 3)];
        if (wide)
            emit(g, MBPF_ALU64 | MBPF_END | MBPF_K, dst, 0, 0, imm); /* bswap */
        else
            emit(g, MBPF_ALU | MBPF_END | (chance(g, 50) ? MBPF_X : MBPF_K), dst, 0, 0, imm);
    } else if (src >= 0) {
        if (op == MBPF_DIV || op == MBPF_MOD)
            off = (int16_t)below(g, 2);
        if (op == MBPF_MOV && chance(g, 35)) {
            static const int16_t sx[] = {8, 16, 32};
            off = sx[below(g, wide ? 3 : 2)];
        }
        emit(g, cls | op | MBPF_X, dst, (unsigned)src, off, 0);
    } else {
        imm = imm32(g);
        if (op == MBPF_LSH || op == MBPF_RSH || op == MBPF_ARSH)
            imm = (int32_t)below(g, wide ? 64 : 32);
        if (op == MBPF_DIV || op == MBPF_MOD)
            off = (int16_t)below(g, 2);
        emit(g, cls | op | MBPF_K, dst, 0, off, imm);
    }
    set_scalar(g, dst);
}

/* Sets up a divisor or operand register with an edge value, then an op. */
static void gen_edge_alu(gen *g)
{
    int r = pick_dst(g);
    if (chance(g, 50))
        emit_lddw(g, (unsigned)r, imm64(g));
    else
        emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, (unsigned)r, 0, 0, imm32(g));
    set_scalar(g, (unsigned)r);
    gen_alu(g);
}

/* Pointer arithmetic: copies and moves pointers, or turns two into a scalar. */
static void gen_ptr_arith(gen *g)
{
    int p = pick_ptr_source(g);
    if (p < 0)
        return;
    rstate ps = g->st.r[p];
    unsigned dst = (unsigned)pick_dst(g);
    switch (below(g, 4)) {
    case 0: { /* dst = p + small constant, aimed inside the area */
        int32_t target = ps.kind == K_CTX ? (int32_t)below(g, g->ctx_len)
                                          : -(int32_t)below(g, g->stack_size) - 1;
        int32_t d = ps.off_known ? target - ps.off : (int32_t)below(g, 64) - 32;
        if (chance(g, 8))
            d += (int32_t)below(g, 48) - 24;
        if ((unsigned)p != dst)
            emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, dst, (unsigned)p, 0, 0);
        if (chance(g, 50))
            emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, dst, 0, 0, d);
        else
            emit(g, MBPF_ALU64 | MBPF_SUB | MBPF_K, dst, 0, 0, -d);
        g->st.r[dst] = ps;
        g->st.r[dst].off += d;
        break;
    }
    case 1: { /* dst = p + (scalar & 31) */
        if ((unsigned)p == dst)
            return;
        int s = pick_dst(g);
        if ((unsigned)s == dst)
            return;
        emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, dst, (unsigned)p, 0, 0);
        if (g->st.r[s].kind != K_SCALAR) {
            emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, (unsigned)s, 0, 0, imm32(g));
            set_scalar(g, (unsigned)s);
        }
        emit(g, MBPF_ALU64 | MBPF_AND | MBPF_K, (unsigned)s, 0, 0, 31);
        emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_X, dst, (unsigned)s, 0, 0);
        g->st.r[dst] = ps;
        g->st.r[dst].off_known = 0;
        break;
    }
    default: { /* dst = p - q for q of the same kind: a scalar */
        int q = pick_kind(g, 1u << ps.kind);
        if (q == p) /* one more try for a distinct one: p - p is dull */
            q = pick_kind(g, 1u << ps.kind);
        if ((unsigned)p != dst)
            emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, dst, (unsigned)p, 0, 0);
        if ((unsigned)q == dst) /* p was overwritten: p - p */
            q = (int)dst;
        emit(g, MBPF_ALU64 | MBPF_SUB | MBPF_X, dst, (unsigned)q, 0, 0);
        set_scalar(g, dst);
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
        return (int16_t)-(int32_t)((below(g, g->stack_size / size) + 1) * size);
    if (s->kind == K_CTX)
        target = (int32_t)below(g, g->ctx_len - size + 1);
    else
        target = -(int32_t)below(g, g->stack_size - size + 1) - (int32_t)size;
    if (permille(g, 12))
        target = chance(g, 50) ? (s->kind == K_CTX ? (int32_t)g->ctx_len : 0) + (int32_t)below(g, 24)
                               : (s->kind == K_CTX ? 0 : -(int32_t)g->stack_size) -
                                     (int32_t)below(g, 24) - (int32_t)size;
    int32_t off = s->off_known ? target - s->off : (int32_t)below(g, 64) - 32;
    if (align > 1 && s->off_known)
        off -= (s->off + off) & (int32_t)(align - 1);
    if (off < -32768 || off > 32767)
        off = 0;
    return (int16_t)off;
}

/* A base register for a memory access: a pointer, or a wild constant. */
static int pick_base(gen *g, int *wild)
{
    int b = pick_kind(g, M_PTR);
    *wild = 0;
    if (b < 0 || permille(g, 6)) {
        static const uint64_t wilds[] = {0, 8, 0x40, 0xffc, 0xdead000000000000ull,
                                         0xffffffffffffff00ull, 0x100000000ull};
        b = pick_dst(g);
        emit_lddw(g, (unsigned)b, wilds[below(g, sizeof wilds / sizeof wilds[0])]);
        set_scalar(g, (unsigned)b);
        *wild = 1;
    }
    return b;
}

static void gen_load(gen *g)
{
    int wild;
    int b = pick_base(g, &wild);
    uint8_t sz = sizes[below(g, 4)];
    uint8_t mode = (sz != MBPF_DW && chance(g, 30)) ? MBPF_MEMSX : MBPF_MEM;
    int16_t off = wild ? (int16_t)below(g, 16) : pick_off(g, b, size_bytes(sz), 1);
    unsigned dst = (unsigned)pick_dst(g);
    emit(g, MBPF_LDX | mode | sz, dst, (unsigned)b, off, 0);
    set_scalar(g, dst);
}

static void gen_store(gen *g)
{
    int wild;
    int b = pick_base(g, &wild);
    uint8_t sz = sizes[below(g, 4)];
    int16_t off = wild ? (int16_t)below(g, 16) : pick_off(g, b, size_bytes(sz), 1);
    if (chance(g, 40)) {
        emit(g, MBPF_ST | MBPF_MEM | sz, (unsigned)b, 0, off, imm32(g));
    } else {
        int s = need_scalar(g, (uint16_t)(1u << b));
        emit(g, MBPF_STX | MBPF_MEM | sz, (unsigned)b, (unsigned)s, off, 0);
    }
}

static void gen_atomic(gen *g)
{
    static const int32_t ops[] = {MBPF_ADD, MBPF_OR, MBPF_AND, MBPF_XOR, MBPF_XCHG, MBPF_CMPXCHG};
    int wild;
    int b = pick_base(g, &wild);
    uint8_t sz = chance(g, 50) ? MBPF_W : MBPF_DW;
    uint32_t align = chance(g, 94) ? size_bytes(sz) : 1;
    int16_t off = wild ? (int16_t)below(g, 16) : pick_off(g, b, size_bytes(sz), align);
    int32_t op = ops[below(g, 6)];
    if (op <= (int32_t)MBPF_XOR && chance(g, 50))
        op |= (int32_t)MBPF_FETCH;
    int s = need_scalar(g, (uint16_t)(1u << b));
    int writes_src = (op & MBPF_FETCH) && op != MBPF_CMPXCHG;
    if ((writes_src && !writable(g, (unsigned)s)) || (s == b && writes_src))
        op &= ~(int32_t)MBPF_FETCH;
    if (op == (int32_t)(MBPF_XCHG & ~MBPF_FETCH) || op == (int32_t)(MBPF_CMPXCHG & ~MBPF_FETCH))
        op = MBPF_ADD; /* xchg/cmpxchg without fetch do not exist */
    if (op == MBPF_CMPXCHG && g->st.r[0].kind != K_SCALAR) {
        if (b == 0)
            op = MBPF_ADD;
        else {
            emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, 0, 0, 0, imm32(g));
            set_scalar(g, 0);
        }
    }
    emit(g, MBPF_STX | MBPF_ATOMIC | sz, (unsigned)b, (unsigned)s, off, op);
    if (op == MBPF_CMPXCHG)
        set_scalar(g, 0);
    else if (op & MBPF_FETCH)
        set_scalar(g, (unsigned)s);
}

/* Several accesses through one base register close together, sometimes
 * moving the base or straddling the end of the area: what a compiler that
 * skips re-checking an already checked range must get right. */
static void gen_burst(gen *g)
{
    int b = pick_kind(g, M_PTR);
    if (b != MBPF_REG_FP && !writable(g, (unsigned)b))
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
    int32_t center = chance(g, 30) ? hi - (int32_t)below(g, 12) : lo + (int32_t)below(g, (uint32_t)(hi - lo));
    int n = 2 + (int)below(g, 5);
    for (int k = 0; k < n; k++) {
        uint8_t sz = sizes[below(g, 4)];
        int32_t size = (int32_t)size_bytes(sz);
        int32_t off = center + (int32_t)below(g, 17) - 8;
        if (b == MBPF_REG_FP) { /* the verifier wants r10 accesses inside the frame */
            if (off < lo)
                off = lo;
            if (off + size > hi)
                off = hi - size;
        } else if (chance(g, 85)) { /* mostly inside, sometimes across an end */
            if (off < lo)
                off = lo;
            if (off + size > hi)
                off = hi - size;
        }
        switch (below(g, 5)) {
        case 0:
        case 1: {
            unsigned dst = (unsigned)pick_dst_avoid(g, (uint16_t)(1u << b));
            uint8_t mode = (sz != MBPF_DW && chance(g, 25)) ? MBPF_MEMSX : MBPF_MEM;
            emit(g, MBPF_LDX | mode | sz, dst, (unsigned)b, (int16_t)off, 0);
            set_scalar(g, dst);
            break;
        }
        case 2:
            emit(g, MBPF_ST | MBPF_MEM | sz, (unsigned)b, 0, (int16_t)off, imm32(g));
            break;
        case 3: {
            int src = need_scalar(g, (uint16_t)(1u << b));
            emit(g, MBPF_STX | MBPF_MEM | sz, (unsigned)b, (unsigned)src, (int16_t)off, 0);
            break;
        }
        default: /* move the base (not r10, not in loops): the checked range moves */
            if (b != MBPF_REG_FP && k + 1 < n && !g->loops) {
                int32_t d = (int32_t)below(g, 17) - 8;
                emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, (unsigned)b, 0, 0, d);
                g->st.r[b].off += d;
                lo -= d;
                hi -= d;
                center -= d;
            }
            break;
        }
    }
}

static void gen_lddw(gen *g)
{
    unsigned dst = (unsigned)pick_dst(g);
    emit_lddw(g, dst, imm64(g));
    set_scalar(g, dst);
}

/* ---- Helper calls ------------------------------------------------------- */

enum { H_MIX = PROGEN_H_MIX, H_SUM = PROGEN_H_SUM, H_FILL = PROGEN_H_FILL,
       H_STRLEN = PROGEN_H_STRLEN, H_FAIL = PROGEN_H_FAIL, H_SUM_OR_NULL = PROGEN_H_SUM_OR_NULL,
       H_INC64 = PROGEN_H_INC64 };

static void arg_scalar(gen *g, unsigned r)
{
    if (g->st.r[r].kind != K_SCALAR || chance(g, 30)) {
        emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, r, 0, 0, imm32(g));
        set_scalar(g, r);
    }
}

/* r = a pointer aimed at len bytes inside ctx or the stack (or just outside). */
static void arg_ptr(gen *g, unsigned r, uint32_t len)
{
    int p = pick_ptr_source(g);
    rstate ps = g->st.r[p];
    int32_t target = ps.kind == K_CTX ? (int32_t)below(g, g->ctx_len - len + 1)
                                      : -(int32_t)len - (int32_t)below(g, g->stack_size - len + 1);
    if (chance(g, 3))
        target += (int32_t)below(g, 32) + 1;
    int32_t d = ps.off_known ? target - ps.off : (int32_t)below(g, 16);
    if ((unsigned)p != r)
        emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, r, (unsigned)p, 0, 0);
    emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, r, 0, 0, d);
    g->st.r[r] = ps;
    g->st.r[r].off += d;
}

static uint32_t arg_len(gen *g, unsigned r, uint32_t max)
{
    uint32_t len = below(g, max + 1);
    emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, r, 0, 0, (int32_t)len);
    set_scalar(g, r);
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
        if (chance(g, 30)) {
            arg_len(g, 2, maxlen);
            emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, 1, 0, 0, 0);
            set_scalar(g, 1);
        } else {
            arg_ptr(g, 1, arg_len(g, 2, maxlen));
        }
        arg_scalar(g, 3); /* mixed into the sum */
        return 1;
    case H_STRLEN: /* the stack holds no NUL unless we put one there */
        arg_ptr(g, 1, 1);
        if (g->st.r[1].kind == K_STACK && chance(g, 80))
            emit(g, MBPF_ST | MBPF_MEM | MBPF_B, 1, 0, (int16_t)below(g, 4), 0);
        return 1;
    case H_INC64:
        arg_ptr(g, 1, 8);
        return 1;
    }
    return 0;
}

static const uint32_t helper_ids[] = {H_MIX, H_SUM, H_FILL, H_STRLEN, H_FAIL, H_SUM_OR_NULL,
                                      H_INC64};

static void gen_helper_call(gen *g)
{
    uint32_t id = helper_ids[below(g, sizeof helper_ids / sizeof helper_ids[0])];
    helper_args(g, id);
    emit(g, MBPF_OP_CALL, 0, MBPF_CALL_HELPER, 0, (int32_t)id);
    set_scalar(g, 0);
}

static void gen_callx(gen *g)
{
    static const unsigned idregs[] = {0, 6, 7, 8, 9};
    unsigned x = idregs[below(g, 5)];
    if (!writable(g, x))
        x = 0;
    uint32_t id = PROGEN_BAD_HELPER_ID;
    if (chance(g, 88)) {
        id = helper_ids[below(g, sizeof helper_ids / sizeof helper_ids[0])];
        helper_args(g, id);
    } else if (chance(g, 50)) {
        id = chance(g, 50) ? 0xffffffffu : 4u;
    }
    if (chance(g, 50)) {
        emit(g, MBPF_ALU | MBPF_MOV | MBPF_K, x, 0, 0, (int32_t)id);
    } else { /* upper half set: only the low 32 bits are the id */
        emit_lddw(g, x, ((uint64_t)0xabcd0000u << 32) | id);
    }
    set_scalar(g, x);
    emit(g, MBPF_OP_CALLX, x, 0, 0, 0);
    set_scalar(g, 0);
}

/* ---- Local calls -------------------------------------------------------- */

static void gen_local_call(gen *g)
{
    if (g->cur + 1 >= g->nfuncs || g->ncalls >= MAX_CALLS)
        return;
    int t = g->cur + 1 + (int)below(g, (uint32_t)(g->nfuncs - g->cur - 1));
    func *f = &g->funcs[t];
    state in = g->st;
    for (unsigned r = 0; r < MBPF_REG_FP; r++)
        if (in.r[r].kind == K_STACK)
            in.r[r].off += (int32_t)g->stack_size; /* the callee's r10 is one frame lower */
    in.r[MBPF_REG_FP].off = 0;
    in.r[MBPF_REG_FP].off_known = 1;
    if (f->called)
        meet(&f->entry, &in);
    else
        f->entry = in;
    f->called = 1;
    g->calls[g->ncalls].pc = emit(g, MBPF_OP_CALL, 0, MBPF_CALL_LOCAL, 0, 0);
    g->calls[g->ncalls++].target = t;
    set_scalar(g, 0); /* every function returns a scalar */
    for (unsigned r = 1; r <= 5; r++)
        g->st.r[r].kind = K_DEAD;
}

/* ---- Control flow ------------------------------------------------------- */

static const uint8_t conds[] = {MBPF_JEQ, MBPF_JGT, MBPF_JGE, MBPF_JSET, MBPF_JNE, MBPF_JSGT,
                                MBPF_JSGE, MBPF_JLT, MBPF_JLE, MBPF_JSLT, MBPF_JSLE};

/* A conditional forward jump with placeholder offset; returns its pc. */
static uint32_t emit_cond(gen *g)
{
    uint8_t cond = conds[below(g, sizeof conds)];
    int p = pick_kind(g, M_PTR);
    if (p >= 0 && cond != MBPF_JSET && chance(g, 10)) {
        /* two pointers of one kind: same order everywhere (not jset: bits differ) */
        int q = pick_kind(g, 1u << g->st.r[p].kind);
        return emit(g, MBPF_JMP | cond | MBPF_X, (unsigned)p, (unsigned)q, 0, 0);
    }
    uint8_t cls = chance(g, 40) ? MBPF_JMP32 : MBPF_JMP;
    int a = need_scalar(g, 0);
    if (chance(g, 50)) {
        int b = pick_kind(g, M_SCALAR);
        return emit(g, cls | cond | MBPF_X, (unsigned)a, (unsigned)b, 0, 0);
    }
    return emit(g, cls | cond | MBPF_K, (unsigned)a, 0, 0, imm32(g));
}

static void gen_block(gen *g, int stmts);

static void gen_if(gen *g)
{
    uint32_t j = emit_cond(g);
    state before = g->st;
    g->nest++;
    gen_block(g, 1 + (int)below(g, 6));
    if (chance(g, 40) && room(g) > 8) {
        state then_st = g->st;
        uint32_t skip = chance(g, 30) ? emit(g, MBPF_OP_JA32, 0, 0, 0, 0)
                                      : emit(g, MBPF_OP_JA, 0, 0, 0, 0);
        land_here(g, j);
        g->st = before;
        gen_block(g, 1 + (int)below(g, 5));
        land_here(g, skip);
        meet(&g->st, &then_st);
    } else {
        land_here(g, j);
        meet(&g->st, &before);
    }
    g->nest--;
}

/* A counted loop in r6-r9 (kept across calls), do-while shaped. */
static void gen_loop(gen *g)
{
    int c = -1;
    for (unsigned r = 6; r <= 9; r++)
        if (writable(g, r) && (c < 0 || chance(g, 50)))
            c = (int)r;
    if (c < 0 || g->loops >= 2 || room(g) < 40)
        return;
    /* an anchor: a ctx pointer in r6-r9 that the body only reads */
    int a = -1, src = pick_kind(g, 1u << K_CTX);
    for (unsigned r = 6; r <= 9 && src >= 0 && a < 0; r++) {
        if ((int)r == c || !writable(g, r))
            continue;
        if ((int)r != src)
            emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, r, (unsigned)src, 0, 0);
        g->st.r[r] = g->st.r[src];
        a = (int)r;
    }
    uint16_t keep = (uint16_t)((1u << c) | (a >= 0 ? 1u << a : 0u));
    uint32_t iters = 1 + below(g, 6);
    emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, (unsigned)c, 0, 0, (int32_t)iters);
    set_scalar(g, (unsigned)c);

    gen saved = *g;
    uint16_t dead = 0;
    int stmts = 1 + (int)below(g, 8);
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
        switch (below(g, 4)) {
        case 0:
            emit(g, MBPF_ALU64 | MBPF_SUB | MBPF_K, (unsigned)c, 0, 0, 1);
            emit(g, MBPF_JMP | MBPF_JNE | MBPF_K, (unsigned)c, 0, (int16_t)(top - g->n - 1), 0);
            break;
        case 1:
            emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, (unsigned)c, 0, 0, -1);
            emit(g, MBPF_JMP | MBPF_JSGT | MBPF_K, (unsigned)c, 0, (int16_t)(top - g->n - 1), 0);
            break;
        case 2:
            emit(g, MBPF_ALU | MBPF_SUB | MBPF_K, (unsigned)c, 0, 0, 1);
            emit(g, MBPF_JMP32 | MBPF_JGT | MBPF_K, (unsigned)c, 0, (int16_t)(top - g->n - 1), 0);
            break;
        default:
            emit(g, MBPF_ALU64 | MBPF_SUB | MBPF_K, (unsigned)c, 0, 0, 1);
            emit(g, MBPF_JMP | MBPF_JEQ | MBPF_K, (unsigned)c, 0, 1, 0);
            emit(g, MBPF_OP_JA32, 0, 0, 0, (int32_t)(top - g->n - 1));
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
    int t = need_scalar(g, 0);
    if (!writable(g, (unsigned)t)) {
        t = pick_dst(g);
        emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, (unsigned)t, 0, 0, 0);
    }
    uint32_t top = g->n;
    emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, (unsigned)t, 0, 0, 1);
    if (chance(g, 50))
        emit(g, MBPF_OP_JA, 0, 0, (int16_t)(top - g->n - 1), 0);
    else
        emit(g, MBPF_OP_JA32, 0, 0, 0, (int32_t)(top - g->n - 1));
    land_here(g, j);
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
        meet(&g->exit_state, &g->st);
    g->exits[g->nexits++] = j;
}

static void gen_stmt(gen *g)
{
    uint32_t w = below(g, 100);
    if (w < 24) gen_alu(g);
    else if (w < 32) gen_edge_alu(g);
    else if (w < 40) gen_ptr_arith(g);
    else if (w < 49) gen_load(g);
    else if (w < 57) { if (chance(g, 30)) gen_burst(g); else gen_store(g); }
    else if (w < 63) gen_atomic(g);
    else if (w < 66) gen_lddw(g);
    else if (w < 72) gen_helper_call(g);
    else if (w < 74) gen_callx(g);
    else if (w < 80) gen_local_call(g);
    else if (w < 89) { if (g->nest < 3 && room(g) > 40) gen_if(g); else gen_alu(g); }
    else if (w < 95) { if (g->nest < 3) gen_loop(g); else gen_load(g); }
    else if (w < 98) gen_early_exit(g);
    else if (w < 99 && chance(g, 30)) gen_spin(g);
    else gen_alu(g);
}

static void gen_block(gen *g, int stmts)
{
    for (int i = 0; i < stmts && room(g) > 24; i++)
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
        land_here(g, g->exits[i]);
    if (g->nexits)
        meet(&g->st, &g->exit_state);
    if (g->st.r[0].kind != K_SCALAR)
        emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, 0, 0, 0, imm32(g));
    /* r0 = a hash of every scalar register: scalars only, so host and
     * emulator agree (at most 18 slots, within ROOM_EPILOGUE) */
    unsigned limit = f == 0 ? 10 : 3;
    for (unsigned r = 1; r < 10 && limit; r++) {
        if (g->st.r[r].kind != K_SCALAR)
            continue;
        emit(g, MBPF_ALU64 | MBPF_MUL | MBPF_K, 0, 0, 0, 0x01000193);
        emit(g, MBPF_ALU64 | MBPF_XOR | MBPF_X, 0, r, 0, 0);
        limit--;
    }
    emit(g, MBPF_OP_EXIT, 0, 0, 0, 0);
}

/* Mostly small contexts; some large ones (offsets beyond short encodings)
 * and a few runs without any. */
static uint32_t ctx_len_for(gen *g)
{
    static const uint32_t lens[] = {8, 16, 24, 64, 100, 128, 200, 256};
    if (chance(g, 4))
        return 0;
    if (chance(g, 8))
        return 257 + below(g, PROGEN_MAX_CTX - 256);
    return lens[below(g, 8)];
}

void progen_generate(uint64_t seed, uint32_t index, progen_program *p)
{
    gen g;
    memset(&g, 0, sizeof g);
    memset(p, 0, sizeof *p);
    g.rng = seed ^ (0xd1b54a32d192ed03ull * ((uint64_t)index + 1));
    splitmix(&g.rng);
    p->seed = seed;
    p->index = index;

    mbpf_config_default(&p->cfg);
    p->cfg.isa = 4;
    p->cfg.allow_callx = true;
    static const uint32_t stacks[] = {512, 512, 512, 64, 128, 256, 1024, 4096};
    p->cfg.stack_size = stacks[below(&g, 8)];
    p->cfg.max_depth = (uint8_t)(chance(&g, 70) ? 8 : 1 + below(&g, 4));
    p->cfg.budget = chance(&g, 75) ? 100000u : below(&g, 40);
    p->cfg.max_regions = 4;
    p->ctx_len = ctx_len_for(&g);
    p->ctx_flags = chance(&g, 96) ? MBPF_MEM_RW : MBPF_MEM_READ;
    for (uint32_t i = 0; i < p->ctx_len; i++) {
        uint64_t v = rnd(&g);
        p->ctx[i] = (v & 0x700) ? (uint8_t)v : 0; /* some NULs for strlen */
    }
    p->stack_fill = (uint8_t)rnd(&g);

    g.out = p->insns;
    g.cap = PROGEN_MAX_INSNS - below(&g, PROGEN_MAX_INSNS / 2);
    g.ctx_len = p->ctx_len;
    g.stack_size = p->cfg.stack_size;
    g.nfuncs = 1 + (int)below(&g, MAX_FUNCS);

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
        gen_function(&g, f, 3 + (int)below(&g, 40));
        g.cap = saved_cap;
    }
    for (int i = 0; i < g.ncalls; i++)
        g.out[g.calls[i].pc].imm =
            (int32_t)(g.funcs[g.calls[i].target].start - g.calls[i].pc - 1);
    p->n = g.n;
}
