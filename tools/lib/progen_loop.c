/* Counted pointer loops for the random programs: the shape the JIT's loop
 * fast path recognises (src/jit/armv7m/jit_loop.c), so that the
 * differential test runs its guard and both loop copies regularly:
 *
 *   p = base + start; c = count
 *   L: accesses through p (and p after its step); an accumulator;
 *      p += step; c -= 1 (or += 1 towards K); jne c, K -> L
 *
 * The walk mostly stays inside ctx or the current frame and sometimes ends a
 * few bytes past it (the fault must come at the same iteration, the same
 * address), so addresses never creep far from the buffer (see
 * pg_pick_ptr_source). The budget of some programs runs out inside. */
#include "progen_gen.h"

static const int8_t steps[] = {1, 1, 1, 2, 4, 8, -1, -2, -4, 3};
static const uint8_t sizes[] = {MBPF_B, MBPF_H, MBPF_W, MBPF_DW};

static uint32_t bytes_of(uint8_t s)
{
    return s == MBPF_B ? 1u : s == MBPF_H ? 2u : s == MBPF_W ? 4u : 8u;
}

/* One access through p at off: a load into a scratch scalar folded into
 * acc, a store, or (rarely) an atomic add. */
static void access(gen *g, unsigned p, unsigned acc, unsigned tmp, uint8_t sz, int16_t off)
{
    uint32_t w = pg_below(g, 10);
    if (w < 6) {
        uint8_t mode = sz != MBPF_DW && pg_chance(g, 20) ? MBPF_MEMSX : MBPF_MEM;
        pg_emit(g, MBPF_LDX | mode | sz, tmp, p, off, 0);
        pg_emit(g, MBPF_ALU | (pg_chance(g, 50) ? MBPF_ADD : MBPF_XOR) | MBPF_X, acc, tmp, 0, 0);
    } else if (w < 9) {
        if (pg_chance(g, 50))
            pg_emit(g, MBPF_ST | MBPF_MEM | sz, p, 0, off, pg_imm32(g));
        else
            pg_emit(g, MBPF_STX | MBPF_MEM | sz, p, acc, off, 0);
    } else {
        uint8_t asz = sz == MBPF_DW ? MBPF_DW : MBPF_W;
        pg_emit(g, MBPF_STX | MBPF_ATOMIC | asz, p, acc, off, MBPF_ADD);
    }
}

/* clang's shape for p[i]: `b = p; b += i; access [b + off]; i += 1;
 * jeq i, n, out; ja head` (or jlt i, n), p invariant: the JIT derives the
 * address from p and i (jit_loop_find.c). */
static void gen_indexed_loop(gen *g, int src, unsigned p, unsigned c, unsigned acc, unsigned tmp,
                             unsigned b, uint32_t len)
{
    rstate ss = g->st.r[src];
    uint8_t sz = sizes[pg_below(g, 4)];
    uint32_t size = bytes_of(sz);
    if (size > len)
        return;
    uint32_t most = len - size + 1;
    uint32_t count = 1 + pg_below(g, most < 300u ? most : 300u);
    uint32_t span = count - 1 + size;
    int32_t lowest = (int32_t)pg_below(g, len - span + 1);
    if (pg_chance(g, 12))
        lowest = pg_chance(g, 50) ? (int32_t)(len - span) + 1 + (int32_t)pg_below(g, 8)
                                  : -1 - (int32_t)pg_below(g, 8);
    int32_t start = (ss.kind == K_CTX ? 0 : -(int32_t)g->stack_size) + lowest;
    int16_t off = (int16_t)(pg_below(g, 3) * 4); /* p sits off bytes lower */
    if ((unsigned)src != p)
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, p, (unsigned)src, 0, 0);
    pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, p, 0, 0, start - off - ss.off);
    if (g->st.r[acc].kind != K_SCALAR)
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, acc, 0, 0, pg_imm32(g));
    pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, tmp, 0, 0, 0);
    pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, c, 0, 0, 0);
    uint32_t top = g->n;
    if (pg_chance(g, 50)) {
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, b, p, 0, 0);
        pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_X, b, c, 0, 0);
    } else {
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, b, c, 0, 0);
        pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_X, b, p, 0, 0);
    }
    access(g, b, acc, tmp, sz, off);
    pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, c, 0, 0, 1);
    if (pg_chance(g, 50)) {
        pg_emit(g, MBPF_JMP | MBPF_JEQ | MBPF_K, c, 0, 1, (int32_t)count);
        pg_emit(g, MBPF_OP_JA, 0, 0, (int16_t)(top - g->n - 1), 0);
    } else {
        pg_emit(g, MBPF_JMP | MBPF_JLT | MBPF_K, c, 0, (int16_t)(top - g->n - 1), (int32_t)count);
    }
    g->st.r[p] = ss;
    g->st.r[p].off = start - off;
    g->st.r[p].off_known = 1;
    g->st.r[b].kind = K_DEAD; /* a pointer past the walk: never stored */
    pg_set_scalar(g, c);
    pg_set_scalar(g, acc);
    pg_set_scalar(g, tmp);
}

/* The counter's initial value for each closing shape: one instruction. */
static void counter_init(gen *g, unsigned c, uint32_t shape, int32_t k, uint32_t count)
{
    if (shape == 0 || shape >= 3)
        pg_emit(g, (shape == 4 ? MBPF_ALU64 : MBPF_ALU) | MBPF_MOV | MBPF_K, c, 0, 0,
                shape >= 3 ? (int32_t)((uint32_t)k - count) : (int32_t)count);
    else
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, c, 0, 0, (int32_t)count);
}

void pg_gen_ptr_loop(gen *g)
{
    if (pg_room(g) < 40)
        return;
    int src = pg_pick_ptr_source(g);
    if (src < 0 || !g->st.r[src].off_known || (g->st.r[src].kind == K_CTX && g->ctx_len < 8))
        src = MBPF_REG_FP;
    rstate ss = g->st.r[src];
    bool in_ctx = ss.kind == K_CTX;
    uint32_t len = in_ctx ? g->ctx_len : g->stack_size;
    /* p, c, acc, tmp (and q, a second walking pointer): distinct writable
     * registers */
    int regs[5], n = 0, want = pg_chance(g, 35) ? 5 : 4;
    uint16_t used = 0;
    for (int k = 0; k < want; k++) {
        int r = pg_pick_dst_avoid(g, used);
        if ((used >> r) & 1u)
            return;
        regs[n++] = r;
        used |= (uint16_t)(1u << r);
    }
    unsigned p = (unsigned)regs[0], c = (unsigned)regs[1], acc = (unsigned)regs[2],
             tmp = (unsigned)regs[3];
    if (n == 5 && pg_chance(g, 40)) {
        gen_indexed_loop(g, src, p, c, acc, tmp, (unsigned)regs[4], len);
        return;
    }
    int32_t step = steps[pg_below(g, sizeof steps)];
    uint32_t as = (uint32_t)(step < 0 ? -step : step);
    uint8_t sz = sizes[pg_below(g, 4)];
    uint32_t size = bytes_of(sz);
    if (size > len)
        return;
    /* iteration i touches [lowest + i*as, ... + size): keep it in [0, len) */
    uint32_t most = (len - size) / as + 1;
    uint32_t count = 1 + pg_below(g, most < 300u ? most : 300u);
    uint32_t span = (count - 1) * as + size;
    int32_t lowest = (int32_t)pg_below(g, len - span + 1);
    if (pg_chance(g, 12)) /* just past the end, or starting before the start */
        lowest = pg_chance(g, 50) ? (int32_t)(len - span) + 1 + (int32_t)pg_below(g, 8)
                                  : -1 - (int32_t)pg_below(g, 8);
    int32_t first = step > 0 ? lowest : lowest + (int32_t)((count - 1) * as);
    int32_t first_q = (int32_t)pg_below(g, len - span + 1) + (step > 0 ? 0 : (int32_t)((count - 1) * as));
    /* offsets relative to the frame's r10 for the stack */
    int32_t base = in_ctx ? 0 : -(int32_t)g->stack_size;
    int32_t start = base + first;
    /* both copies before either moves (src may be p or q) */
    unsigned q = n == 5 ? (unsigned)regs[4] : p;
    if ((unsigned)src != p)
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, p, (unsigned)src, 0, 0);
    if (q != p && (unsigned)src != q)
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_X, q, (unsigned)src, 0, 0);
    pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, p, 0, 0, start - ss.off);
    if (q != p)
        pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, q, 0, 0, base + first_q - ss.off);
    if (g->st.r[acc].kind != K_SCALAR)
        pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, acc, 0, 0, pg_imm32(g));
    pg_emit(g, MBPF_ALU64 | MBPF_MOV | MBPF_K, tmp, 0, 0, 0);
    /* counter shapes: down to 0 (32 or 64-bit); up to K (jne32, jlt,
     * jslt32, or clang's jeq32 K, out + ja head); N = count in each */
    uint32_t shape = pg_below(g, 7);
    int32_t k = shape >= 3 ? (int32_t)pg_below(g, 1000) - 500 : 0;
    if (shape == 4)
        k = (int32_t)(count + pg_below(g, 1000)); /* jlt: unsigned, from k - count >= 0 */
    /* sometimes clang's rotated nested loop: `mov32 o, passes; ja test`,
     * the loop, `o -= 1`, the pointers back to their start, then test: `jeq32
     * o, 0, out; counter init; ja top` (the JIT folds that ja into the
     * loop's guard) */
    int o = pg_chance(g, 30) && pg_room(g) > 48 ? pg_pick_dst_avoid(g, used) : -1;
    uint32_t to_test = 0;
    if (o >= 0 && !((used >> o) & 1u)) {
        pg_emit(g, MBPF_ALU | MBPF_MOV | MBPF_K, (unsigned)o, 0, 0, 1 + (int32_t)pg_below(g, 3));
        to_test = pg_emit(g, MBPF_OP_JA, 0, 0, 0, 0);
    } else {
        o = -1;
        counter_init(g, c, shape, k, count);
    }
    uint32_t top = g->n;
    access(g, p, acc, tmp, sz, 0);
    if (q != p) /* both accesses can be post-indexed, the steps come later */
        access(g, q, acc, tmp, sz, 0);
    bool twice = pg_chance(g, 30);
    if (twice && pg_chance(g, 50))
        access(g, p, acc, tmp, sz, 0);
    pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, p, 0, 0, step);
    if (q != p)
        pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, q, 0, 0, step);
    if (twice) /* the same element again, through the stepped pointer */
        access(g, p, acc, tmp, sz, (int16_t)-step);
    if (pg_chance(g, 50))
        pg_emit(g, MBPF_ALU | MBPF_MUL | MBPF_K, acc, 0, 0, 31);
    switch (shape) {
    case 0:
        pg_emit(g, MBPF_ALU | MBPF_ADD | MBPF_K, c, 0, 0, -1);
        pg_emit(g, MBPF_JMP32 | MBPF_JNE | MBPF_K, c, 0, (int16_t)(top - g->n - 1), 0);
        break;
    case 1:
        pg_emit(g, MBPF_ALU64 | MBPF_SUB | MBPF_K, c, 0, 0, 1);
        pg_emit(g, MBPF_JMP | MBPF_JNE | MBPF_K, c, 0, (int16_t)(top - g->n - 1), 0);
        break;
    case 2:
        pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, c, 0, 0, -1);
        pg_emit(g, MBPF_JMP32 | MBPF_JNE | MBPF_K, c, 0, (int16_t)(top - g->n - 1), 0);
        break;
    case 3:
        pg_emit(g, MBPF_ALU | MBPF_ADD | MBPF_K, c, 0, 0, 1);
        pg_emit(g, MBPF_JMP32 | MBPF_JNE | MBPF_K, c, 0, (int16_t)(top - g->n - 1), k);
        break;
    case 4:
        pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, c, 0, 0, 1);
        pg_emit(g, MBPF_JMP | MBPF_JLT | MBPF_K, c, 0, (int16_t)(top - g->n - 1), k);
        break;
    case 5:
        pg_emit(g, MBPF_ALU | MBPF_ADD | MBPF_K, c, 0, 0, 1);
        pg_emit(g, MBPF_JMP32 | MBPF_JSLT | MBPF_K, c, 0, (int16_t)(top - g->n - 1), k);
        break;
    default:
        pg_emit(g, MBPF_ALU | MBPF_ADD | MBPF_K, c, 0, 0, 1);
        pg_emit(g, MBPF_JMP32 | MBPF_JEQ | MBPF_K, c, 0, 1, k);
        pg_emit(g, MBPF_OP_JA, 0, 0, (int16_t)(top - g->n - 1), 0);
        break;
    }
    if (o >= 0) {
        pg_emit(g, MBPF_ALU | MBPF_ADD | MBPF_K, (unsigned)o, 0, 0, -1);
        pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, p, 0, 0, -(int32_t)count * step);
        if (q != p)
            pg_emit(g, MBPF_ALU64 | MBPF_ADD | MBPF_K, q, 0, 0, -(int32_t)count * step);
        g->out[to_test].off = (int16_t)(g->n - to_test - 1);
        pg_emit(g, MBPF_JMP32 | MBPF_JEQ | MBPF_K, (unsigned)o, 0, 2, 0);
        counter_init(g, c, shape, k, count); /* one instruction */
        pg_emit(g, MBPF_OP_JA, 0, 0, (int16_t)(top - g->n - 1), 0);
        pg_set_scalar(g, (unsigned)o);
    }
    int32_t after = o >= 0 ? 0 : (int32_t)count * step; /* where the pointers end */
    g->st.r[p] = ss;
    g->st.r[p].off = start + after;
    g->st.r[p].off_known = 1;
    if (q != p) {
        g->st.r[q] = ss;
        g->st.r[q].off = base + first_q + after;
        g->st.r[q].off_known = 1;
    }
    pg_set_scalar(g, c);
    pg_set_scalar(g, acc);
    pg_set_scalar(g, tmp);
}
