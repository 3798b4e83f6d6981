/* The eBPF interpreter.
 *
 * One body of opcode handlers serves two dispatch forms (as in Lua's lvm.c):
 * with MBPF_USE_COMPUTED_GOTO each handler ends by fetching the next
 * instruction and jumping through a 256-entry label table (direct threading:
 * one indirect branch per handler, which predicts far better than a single
 * shared switch jump); otherwise the same handlers are the cases of a switch.
 *
 * The program counter is a pointer to the current instruction; each handler
 * reads the fields it needs from it once. Registers live in a local file of
 * 16 so that a 4-bit register field can never index outside it, even in an
 * unverified program. Memory accesses check inline windows (the stack, the
 * last readable and the last writable region: one subtraction and one
 * compare each), then fall back to the binary search in mem.c. All
 * arithmetic is done on unsigned types; signed semantics are derived
 * explicitly, so there is no C undefined behaviour whatever the program does.
 * docs/interpreter.md has the measured costs on a Cortex-M4.
 */
#include "internal.h"
#include "mbpf/jit.h"

/* Compact build: K/X handler pairs share a body (smaller, a little slower).
 * Default on for size-optimised builds; override with -DMBPF_INTERP_COMPACT=0/1. */
#ifndef MBPF_INTERP_COMPACT
#if defined(__OPTIMIZE_SIZE__)
#define MBPF_INTERP_COMPACT 1
#else
#define MBPF_INTERP_COMPACT 0
#endif
#endif

/* Direct threading (a dispatch at the end of every handler, through a label
 * table) pays off on CPUs that predict indirect branches per site, and even
 * on a Cortex-M4, which predicts none, it saves the switch's range check and
 * the jump back to it (about 10% fewer instructions). The compact build uses
 * the switch: one shared dispatch, no 1 KiB label table, 2.8 KiB less code. */
#define THREADED (MBPF_USE_COMPUTED_GOTO && !MBPF_INTERP_COMPACT)

/* -ffreestanding turns memcpy into a library call; the builtin keeps a
 * constant-size copy a single load or store (unaligned-safe on ARMv7-M). */
#if defined(__GNUC__) || defined(__clang__)
#define COPY(d, s, n) __builtin_memcpy((d), (s), (n))
#else
#define COPY(d, s, n) memcpy((d), (s), (n))
#endif

/* Two 32-bit register-file halves on 32-bit targets (see mbpf_interp_run). */
#ifndef MBPF_INTERP_SPLIT_REGS
#define MBPF_INTERP_SPLIT_REGS (UINTPTR_MAX <= 0xffffffffu)
#endif

/* Hides a pointer's value from the optimiser (an empty asm that "changes"
 * it), so that it stays in a machine register instead of being rebuilt as
 * "stack pointer + constant" at every use. */
#if defined(__GNUC__) || defined(__clang__)
#define OPAQUE(p) __asm__("" : "+r"(p))
#else
#define OPAQUE(p) ((void)0)
#endif

#define SIGN64 0x8000000000000000u
#define SIGN32 0x80000000u

/* Sign-extends the low `bits` (1..64) bits of x to 64 bits. The shift count
 * is masked so that even a bogus width is defined behaviour. */
static inline uint64_t sext(uint64_t x, unsigned bits)
{
    uint64_t m = (uint64_t)1 << ((bits - 1u) & 63u);
    return ((x & ((m << 1) - 1u)) ^ m) - m;
}

static inline uint64_t arsh64(uint64_t a, unsigned s)
{
    uint64_t r = a >> s;
    return (a & SIGN64) && s ? r | ~(UINT64_MAX >> s) : r;
}

static inline uint32_t arsh32(uint32_t a, unsigned s)
{
    uint32_t r = a >> s;
    return (a & SIGN32) && s ? r | ~(UINT32_MAX >> s) : r;
}

/* Signed division and remainder on two's-complement bit patterns, with the
 * eBPF rules: x/0 = 0, x%0 = x, INT_MIN/-1 = INT_MIN, INT_MIN%-1 = 0. Works on
 * magnitudes so no signed overflow can happen; truncates towards zero. */
static uint64_t sdiv64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return 0;
    uint64_t ma = (a & SIGN64) ? 0u - a : a, mb = (b & SIGN64) ? 0u - b : b;
    uint64_t q = ma / mb;
    return ((a ^ b) & SIGN64) ? 0u - q : q;
}

static uint64_t smod64(uint64_t a, uint64_t b)
{
    if (b == 0)
        return a;
    uint64_t ma = (a & SIGN64) ? 0u - a : a, mb = (b & SIGN64) ? 0u - b : b;
    uint64_t r = ma % mb;
    return (a & SIGN64) ? 0u - r : r; /* remainder takes the dividend's sign */
}

static uint32_t sdiv32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return 0;
    uint32_t ma = (a & SIGN32) ? 0u - a : a, mb = (b & SIGN32) ? 0u - b : b;
    uint32_t q = ma / mb;
    return ((a ^ b) & SIGN32) ? 0u - q : q;
}

static uint32_t smod32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return a;
    uint32_t ma = (a & SIGN32) ? 0u - a : a, mb = (b & SIGN32) ? 0u - b : b;
    uint32_t r = ma % mb;
    return (a & SIGN32) ? 0u - r : r;
}

static inline uint16_t bswap16(uint16_t x)
{
    return (uint16_t)((x >> 8) | (x << 8));
}

static inline uint32_t bswap32(uint32_t x)
{
    return (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
}

static inline uint64_t bswap64(uint64_t x)
{
    return ((uint64_t)bswap32((uint32_t)x) << 32) | bswap32((uint32_t)(x >> 32));
}

/* Byte swap (be16/32/64, bswap) keeping only the low `bits`. */
static uint64_t swap_bits(uint64_t x, int32_t bits)
{
    if (bits == 16)
        return bswap16((uint16_t)x);
    if (bits == 32)
        return bswap32((uint32_t)x);
    return bswap64(x);
}

/* le16/32/64 on a little-endian target: truncation only. */
static uint64_t trunc_bits(uint64_t x, int32_t bits)
{
    if (bits == 16)
        return (uint16_t)x;
    if (bits == 32)
        return (uint32_t)x;
    return x;
}

/* An address window [lo, lo + len): n[k] is the number of start addresses
 * at which an access of 1 << k bytes lies entirely inside (0 if none), so the
 * check for a constant size is one subtraction and one unsigned compare:
 * a - lo < n[k]. Windows are pointer-sized: on a 32-bit target an address
 * with any of its upper 32 bits set is never inside one. */
typedef struct mem_win {
    uintptr_t lo;
    uintptr_t n[4];
} mem_win;

/* The stack area, and the last region hit that allows reading (rd) and the
 * last one that allows writing (wr), copied into locals of the run loop. */
typedef struct mem_cache {
    mem_win stack, rd, wr;
} mem_cache;

static void win_clear(mem_win *w)
{
    w->lo = 0;
    for (unsigned k = 0; k < 4; k++)
        w->n[k] = 0;
}

static void win_set(mem_win *w, uintptr_t lo, uintptr_t len)
{
    w->lo = lo;
    for (unsigned k = 0; k < 4u; k++)
        w->n[k] = len >= (1u << k) ? len - ((1u << k) - 1u) : 0u;
}

/* log2 of an access size of 1, 2, 4 or 8. */
#define LOG2(size) ((size) == 8u ? 3u : (size) >> 1)
#define FITS_PTR(a) ((uint64_t)(uintptr_t)(a) == (a))
#define IN_WIN(w, a, k) ((uintptr_t)(a) - (w).lo < (w).n[k])

/* Loads try the last readable region first (programs stream over a packet,
 * a context or a map value), then the stack; stores and atomics the stack
 * first. An atomic (READ|WRITE) needs the access inside both cached regions:
 * regions never overlap, so they are then one region with both flags. */
static inline int mem_fast(const mem_cache *mc, uint64_t a, unsigned k, uint32_t need)
{
    if (!FITS_PTR(a))
        return 0;
    if (need == MBPF_MEM_READ)
        return IN_WIN(mc->rd, a, k) || IN_WIN(mc->stack, a, k);
    if (IN_WIN(mc->stack, a, k))
        return 1;
    if (need == MBPF_MEM_WRITE)
        return IN_WIN(mc->wr, a, k);
    return IN_WIN(mc->rd, a, k) && IN_WIN(mc->wr, a, k);
}

/* Binary search; refreshes the windows on a hit. Kept out of line: it is the
 * rare path and inlining it into every access would bloat the handlers. */
static int mem_slow(mbpf_vm *vm, mem_cache *mc, uint64_t addr, uint64_t size, uint32_t need)
{
    const mbpf_region *r = mbpf_vm_find_region(vm, addr, size, need);
    if (!r)
        return 0;
    if (r->flags & MBPF_MEM_READ)
        win_set(&mc->rd, r->start, r->len);
    if (r->flags & MBPF_MEM_WRITE)
        win_set(&mc->wr, r->start, r->len);
    return 1;
}


/* Moves up to MBPF_INTERP_TICK_MAX units of budget from the reserve into the
 * 32-bit countdown; 0 when the budget is exhausted. */
#ifndef MBPF_INTERP_TICK_MAX
#define MBPF_INTERP_TICK_MAX UINT32_MAX
#endif
static uint32_t refill(uint64_t *reserve)
{
    uint64_t take = *reserve < MBPF_INTERP_TICK_MAX ? *reserve : MBPF_INTERP_TICK_MAX;
    *reserve -= take;
    return (uint32_t)take;
}

/* A JIT run's continuation (mbpf_interp_resume) enters the one loop of
 * mbpf_interp_run (no second copy of the interpreter, and no wrapper or
 * extra arguments that a fresh run would pay for): r2 = INTERP_RESUME, which
 * no ctx_len is, and r1 = the address of this state. */
#define INTERP_RESUME UINT64_MAX
typedef struct interp_resume {
    const uint64_t *regs; /* r0-r10 */
    uint32_t pc;
    uint64_t left; /* budget units left */
} interp_resume;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline)) /* also called by mbpf_interp_resume: one copy */
#endif
int mbpf_interp_run(mbpf_vm *vm, uint64_t r1, uint64_t r2, void *user, mbpf_result *res)
{
    const mbpf_insn *const code = vm->insns;
    const mbpf_insn *ip = code; /* the program counter */
    /* Budget not yet consumed: a 32-bit countdown (cheap on a 32-bit core)
     * and the reserve that refills it. */
    const uint64_t budget = vm->cfg.budget;
    uint64_t reserve = budget;
    uint32_t tick = refill(&reserve);
    uint32_t depth = 1;     /* frames live */
    mem_cache mc; /* set below: not `= {0}`, see mbpf_result_clear */
    int status;
    const char *msg;
    uint64_t fault_addr = 0, fault_size = 0, helper_id = 0;

    /* The register file is reached through pointers the compiler cannot fold
     * into "stack pointer + constant" (the empty asm hides their value): kept
     * in machine registers, they make a register operand one load with a
     * scaled index. On a 32-bit target the low and high halves live in two
     * arrays, so a 32-bit operation touches one word (ldr rX, [lo, d, lsl #2])
     * and zero-extends with one store to hi[d]. */
#if MBPF_INTERP_SPLIT_REGS
    uint32_t regfile[32];
    for (unsigned i = 0; i < 32; i++) {
        regfile[i] = 0;
        MBPF_NO_MEMSET();
    }
    uint32_t *lo = regfile, *hi = regfile + 16;
    OPAQUE(lo);
    OPAQUE(hi);
#define RD32(i) lo[i]
#define RD64(i) ((uint64_t)hi[i] << 32 | lo[i])
#define WR32(i, v)                                                                       \
    do {                                                                                 \
        unsigned wi_ = (i);                                                              \
        lo[wi_] = (uint32_t)(v);                                                         \
        hi[wi_] = 0u;                                                                    \
    } while (0)
#define WR64(i, v)                                                                       \
    do {                                                                                 \
        uint64_t wv_ = (v);                                                              \
        unsigned wi_ = (i);                                                              \
        lo[wi_] = (uint32_t)wv_;                                                         \
        hi[wi_] = (uint32_t)(wv_ >> 32);                                                 \
    } while (0)
#else
    uint64_t regfile[16];
    for (unsigned i = 0; i < 16; i++) {
        regfile[i] = 0;
        MBPF_NO_MEMSET();
    }
    uint64_t *reg = regfile;
    OPAQUE(reg);
#define RD32(i) ((uint32_t)reg[i])
#define RD64(i) reg[i]
#define WR32(i, v) (reg[i] = (uint32_t)(v))
#define WR64(i, v) (reg[i] = (v))
#endif

    WR64(1, r1);
    WR64(2, r2);
    WR64(10, mbpf_frame_top(vm, 0));
    win_set(&mc.stack, (uintptr_t)vm->stack, mbpf_stack_bytes(vm));
    win_clear(&mc.rd);
    win_clear(&mc.wr);
    if (r2 == INTERP_RESUME) { /* mbpf_interp_resume */
        const interp_resume *rs = (const interp_resume *)(uintptr_t)r1;
        for (unsigned i = 0; i < 11; i++)
            WR64(i, rs->regs[i]);
        ip = code + rs->pc;
        reserve = rs->left;
        tick = refill(&reserve);
    }

/* Fields of the current instruction, read where a handler needs them:
 * immediate and offset sign-extended to 64 bits. */
#define DST (ip->regs & 0x0fu)
#define SRC ((unsigned)ip->regs >> 4)
#define OFF ((uint64_t)(int64_t)ip->off)
#define IMM ((uint64_t)(int64_t)ip->imm)
#define PC ((uint32_t)(ip - code))

#if THREADED
/* Every opcode with a handler (the rest reach L_invalid). */
#define OPCODES(X)                                                                       \
    /* ALU64 */                                                                          \
    X(0x07) X(0x0f) X(0x17) X(0x1f) X(0x27) X(0x2f) X(0x37) X(0x3f) X(0x47) X(0x4f)      \
    X(0x57) X(0x5f) X(0x67) X(0x6f) X(0x77) X(0x7f) X(0x87) X(0x97) X(0x9f) X(0xa7)      \
    X(0xaf) X(0xb7) X(0xbf) X(0xc7) X(0xcf) X(0xd7)                                      \
    /* ALU32 */                                                                          \
    X(0x04) X(0x0c) X(0x14) X(0x1c) X(0x24) X(0x2c) X(0x34) X(0x3c) X(0x44) X(0x4c)      \
    X(0x54) X(0x5c) X(0x64) X(0x6c) X(0x74) X(0x7c) X(0x84) X(0x94) X(0x9c) X(0xa4)      \
    X(0xac) X(0xb4) X(0xbc) X(0xc4) X(0xcc) X(0xd4) X(0xdc)                              \
    /* JMP */                                                                            \
    X(0x05) X(0x15) X(0x1d) X(0x25) X(0x2d) X(0x35) X(0x3d) X(0x45) X(0x4d) X(0x55)      \
    X(0x5d) X(0x65) X(0x6d) X(0x75) X(0x7d) X(0x85) X(0x8d) X(0x95) X(0xa5) X(0xad)      \
    X(0xb5) X(0xbd) X(0xc5) X(0xcd) X(0xd5) X(0xdd)                                      \
    /* JMP32 */                                                                          \
    X(0x06) X(0x16) X(0x1e) X(0x26) X(0x2e) X(0x36) X(0x3e) X(0x46) X(0x4e) X(0x56)      \
    X(0x5e) X(0x66) X(0x6e) X(0x76) X(0x7e) X(0xa6) X(0xae) X(0xb6) X(0xbe) X(0xc6)      \
    X(0xce) X(0xd6) X(0xde)                                                              \
    /* loads, stores, atomics, lddw */                                                   \
    X(0x18) X(0x61) X(0x69) X(0x71) X(0x79) X(0x81) X(0x89) X(0x91) X(0x62) X(0x6a)      \
    X(0x72) X(0x7a) X(0x63) X(0x6b) X(0x73) X(0x7b) X(0xc3) X(0xdb)

#define vmbreak goto *dispatch[ip->code]

    /* Label table: constant, inside the function, so no mutable global state.
     * GNU range initialisers are fine here: computed goto is GNU C already. */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winitializer-overrides"
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
#define LABEL_ENTRY(c) [c] = &&L_##c,
    static const void *const dispatch[256] = {
        [0 ... 255] = &&L_invalid,
        OPCODES(LABEL_ENTRY)
    };
#undef LABEL_ENTRY
#if defined(__clang__)
#pragma clang diagnostic pop
#else
#pragma GCC diagnostic pop
#endif
#define vmdispatch(o) vmbreak;
#define vmcase(c) L_##c:
#define vmdefault L_invalid:
#else
#define vmdispatch(o) switch (o)
#define vmcase(c) case c:
#define vmdefault default:
#define vmbreak goto next_insn
#endif

/* One unit of budget, or stop (the jump or call is not taken). */
#define TAKE_UNIT()                                                                      \
    do {                                                                                 \
        if (tick == 0u && (tick = refill(&reserve)) == 0u)                               \
            goto out_of_budget;                                                          \
        tick--;                                                                          \
    } while (0)

#define NEXT()                                                                           \
    do {                                                                                 \
        ip++;                                                                            \
        vmbreak;                                                                         \
    } while (0)

/* A taken jump by delta slots after this one; backward jumps (target <= pc)
 * consume one unit of budget, checked before jumping. */
#define JUMP(delta)                                                                      \
    do {                                                                                 \
        int32_t d_ = (delta);                                                            \
        if (d_ < 0) {                                                                    \
            TAKE_UNIT();                                                                 \
        }                                                                                \
        ip += 1 + d_;                                                                    \
        vmbreak;                                                                         \
    } while (0)

#define COND(c)                                                                          \
    do {                                                                                 \
        if (c)                                                                           \
            JUMP(ip->off);                                                               \
        NEXT();                                                                          \
    } while (0)

/* The window checks are inlined into every access (a few instructions; an
 * out-of-line call would cost more than the check), the search is not. */
#define MEM_OK(a, size, need)                                                            \
    (mem_fast(&mc, (a), LOG2(size), (need)) || mem_slow(vm, &mc, (a), (size), (need)))
#define CHECK(a, size, need, what)                                                       \
    do {                                                                                 \
        if (!MEM_OK(a, size, need)) {                                                    \
            fault_addr = (a);                                                            \
            fault_size = (size);                                                         \
            msg = (what);                                                                \
            goto mem_fault;                                                              \
        }                                                                                \
    } while (0)

#define PTR(a) ((void *)(uintptr_t)(a))

/* A T-sized value into register i: 8 bytes as they are, smaller ones
 * zero-extended (the test on sizeof is resolved at compile time). */
#define WRT(T, i, v)                                                                     \
    do {                                                                                 \
        if (sizeof(T) == 8u)                                                             \
            WR64(i, v);                                                                  \
        else                                                                             \
            WR32(i, v);                                                                  \
    } while (0)
#define RDT(T, i) (sizeof(T) == 8u ? (T)RD64(i) : (T)RD32(i))

/* Loads and stores through a constant-size copy: the address may be
 * unaligned, and the copy compiles to single loads/stores. */
#define LOADX(T)                                                                         \
    do {                                                                                 \
        T v_;                                                                            \
        uint64_t a_ = RD64(SRC) + OFF;                                                   \
        CHECK(a_, sizeof(T), MBPF_MEM_READ, MBPF_MSG_LOAD);                              \
        COPY(&v_, PTR(a_), sizeof(T));                                                   \
        WRT(T, DST, v_);                                                                 \
        NEXT();                                                                          \
    } while (0)
#define LOADSX(T, bits)                                                                  \
    do {                                                                                 \
        T v_;                                                                            \
        uint64_t a_ = RD64(SRC) + OFF;                                                   \
        CHECK(a_, sizeof(T), MBPF_MEM_READ, MBPF_MSG_LOAD);                              \
        COPY(&v_, PTR(a_), sizeof(T));                                                   \
        WR64(DST, sext(v_, bits));                                                       \
        NEXT();                                                                          \
    } while (0)
#define STORE(T, value)                                                                  \
    do {                                                                                 \
        T v_ = (T)(value);                                                               \
        uint64_t a_ = RD64(DST) + OFF;                                                   \
        CHECK(a_, sizeof(T), MBPF_MEM_WRITE, MBPF_MSG_STORE);                            \
        COPY(PTR(a_), &v_, sizeof(T));                                                   \
        NEXT();                                                                          \
    } while (0)

/* ALU and jump handlers come in K (imm, sign-extended; truncated for 32-bit
 * forms) and X (src register) pairs. The fast build gives each its own
 * handler; the compact build (default with -Os) lets the pair share one body
 * that picks the operand at run time, halving the handler count for flash.
 * 32-bit forms read only the low halves of their operands. */
#if MBPF_INTERP_COMPACT
#define PAIR(k, x, T, RD, b_imm, stmt)                                                   \
    vmcase(k) vmcase(x) {                                                                \
        unsigned d = DST;                                                                \
        T a = RD(d), b = (ip->code & MBPF_X) ? RD(SRC) : (T)(b_imm);                     \
        stmt;                                                                            \
    }
#else
#define PAIR(k, x, T, RD, b_imm, stmt)                                                   \
    vmcase(k) { unsigned d = DST; T a = RD(d), b = (T)(b_imm); stmt; }                   \
    vmcase(x) { unsigned d = DST; T a = RD(d), b = RD(SRC); stmt; }
#endif
/* ALU32 results are stored zero-extended. */
#define A64(k, x, expr) PAIR(k, x, uint64_t, RD64, IMM, WR64(d, expr); NEXT())
#define A32(k, x, expr) PAIR(k, x, uint32_t, RD32, ip->imm, WR32(d, expr); NEXT())
/* Conditional jumps: signed order is unsigned order with the sign bit flipped. */
#define J64(k, x, cond) PAIR(k, x, uint64_t, RD64, IMM, COND(cond))
#define J32(k, x, cond) PAIR(k, x, uint32_t, RD32, ip->imm, COND(cond))

/* Atomic read-modify-write of a T (one VM runs on one thread, so a plain
 * read and write is atomic with respect to the program). */
#define ATOMIC_RMW(T)                                                                    \
    do {                                                                                 \
        T old, v, s = RDT(T, SRC);                                                       \
        uint64_t a_ = RD64(DST) + OFF;                                                   \
        CHECK(a_, sizeof(T), MBPF_MEM_RW, MBPF_MSG_ATOMIC);                              \
        COPY(&old, PTR(a_), sizeof(T));                                                  \
        switch (ip->imm) {                                                               \
        case MBPF_ADD: case MBPF_ADD | MBPF_FETCH: v = old + s; break;                   \
        case MBPF_OR: case MBPF_OR | MBPF_FETCH: v = old | s; break;                     \
        case MBPF_AND: case MBPF_AND | MBPF_FETCH: v = old & s; break;                   \
        case MBPF_XOR: case MBPF_XOR | MBPF_FETCH: v = old ^ s; break;                   \
        case MBPF_XCHG: v = s; break;                                                    \
        case MBPF_CMPXCHG: v = RDT(T, 0) == old ? s : old; break;                        \
        default: goto invalid;                                                           \
        }                                                                                \
        COPY(PTR(a_), &v, sizeof(T));                                                    \
        if (ip->imm == MBPF_CMPXCHG)                                                     \
            WRT(T, 0, old);                                                              \
        else if (ip->imm & MBPF_FETCH)                                                   \
            WRT(T, SRC, old);                                                            \
        NEXT();                                                                          \
    } while (0)

    for (;;) {
#if !THREADED
    next_insn:
#endif
        vmdispatch(ip->code)
        {
            /* ---- ALU64 ---- */
            A64(0x07, 0x0f, a + b)
            A64(0x17, 0x1f, a - b)
            A64(0x27, 0x2f, a * b)
            A64(0x37, 0x3f, ip->off ? sdiv64(a, b) : (b ? a / b : 0))
            A64(0x47, 0x4f, a | b)
            A64(0x57, 0x5f, a & b)
            A64(0x67, 0x6f, a << (b & 63u))
            A64(0x77, 0x7f, a >> (b & 63u))
            A64(0x97, 0x9f, ip->off ? smod64(a, b) : (b ? a % b : a))
            A64(0xa7, 0xaf, a ^ b)
            A64(0xc7, 0xcf, arsh64(a, (unsigned)(b & 63u)))
            vmcase(0x87) { unsigned d = DST; WR64(d, 0u - RD64(d)); NEXT(); }
            vmcase(0xb7) { WR64(DST, IMM); NEXT(); }
            vmcase(0xbf) { /* mov, or movsx with off 8/16/32 */
                if (ip->off == 0) {
                    WR64(DST, RD64(SRC));
                    NEXT();
                }
                WR64(DST, sext(RD64(SRC), (unsigned)ip->off));
                NEXT();
            }
            vmcase(0xd7) { unsigned d = DST; WR64(d, swap_bits(RD64(d), ip->imm)); NEXT(); }

            /* ---- ALU32 ---- */
            A32(0x04, 0x0c, a + b)
            A32(0x14, 0x1c, a - b)
            A32(0x24, 0x2c, a * b)
            A32(0x34, 0x3c, ip->off ? sdiv32(a, b) : (b ? a / b : 0u))
            A32(0x44, 0x4c, a | b)
            A32(0x54, 0x5c, a & b)
            A32(0x64, 0x6c, a << (b & 31u))
            A32(0x74, 0x7c, a >> (b & 31u))
            A32(0x94, 0x9c, ip->off ? smod32(a, b) : (b ? a % b : a))
            A32(0xa4, 0xac, a ^ b)
            A32(0xc4, 0xcc, arsh32(a, (unsigned)(b & 31u)))
            vmcase(0x84) { unsigned d = DST; WR32(d, 0u - RD32(d)); NEXT(); }
            vmcase(0xb4) { WR32(DST, ip->imm); NEXT(); }
            vmcase(0xbc) { /* mov32, or movsx with off 8/16 */
                if (ip->off == 0) {
                    WR32(DST, RD32(SRC));
                    NEXT();
                }
                WR32(DST, (uint32_t)sext(RD64(SRC), (unsigned)ip->off));
                NEXT();
            }
            vmcase(0xd4) { unsigned d = DST; WR64(d, trunc_bits(RD64(d), ip->imm)); NEXT(); }
            vmcase(0xdc) { unsigned d = DST; WR64(d, swap_bits(RD64(d), ip->imm)); NEXT(); }

            /* ---- JMP (64-bit compares) ---- */
            vmcase(0x05) { JUMP(ip->off); }
            vmcase(0x06) { JUMP(ip->imm); } /* ja32: offset in imm */
            J64(0x15, 0x1d, a == b)
            J64(0x25, 0x2d, a > b)
            J64(0x35, 0x3d, a >= b)
            J64(0x45, 0x4d, (a & b) != 0)
            J64(0x55, 0x5d, a != b)
            J64(0x65, 0x6d, (a ^ SIGN64) > (b ^ SIGN64))
            J64(0x75, 0x7d, (a ^ SIGN64) >= (b ^ SIGN64))
            J64(0xa5, 0xad, a < b)
            J64(0xb5, 0xbd, a <= b)
            J64(0xc5, 0xcd, (a ^ SIGN64) < (b ^ SIGN64))
            J64(0xd5, 0xdd, (a ^ SIGN64) <= (b ^ SIGN64))

            /* ---- JMP32 (low 32 bits) ---- */
            J32(0x16, 0x1e, a == b)
            J32(0x26, 0x2e, a > b)
            J32(0x36, 0x3e, a >= b)
            J32(0x46, 0x4e, (a & b) != 0)
            J32(0x56, 0x5e, a != b)
            J32(0x66, 0x6e, (a ^ SIGN32) > (b ^ SIGN32))
            J32(0x76, 0x7e, (a ^ SIGN32) >= (b ^ SIGN32))
            J32(0xa6, 0xae, a < b)
            J32(0xb6, 0xbe, a <= b)
            J32(0xc6, 0xce, (a ^ SIGN32) < (b ^ SIGN32))
            J32(0xd6, 0xde, (a ^ SIGN32) <= (b ^ SIGN32))

            /* ---- calls and exit ---- */
            vmcase(0x85) {
                if (SRC == MBPF_CALL_LOCAL) {
                    /* depth first, then budget: a failing call consumes nothing */
                    if (depth == vm->cfg.max_depth) {
                        status = MBPF_E_DEPTH;
                        msg = MBPF_MSG_DEPTH;
                        goto stop;
                    }
                    TAKE_UNIT();
                    mbpf_frame *f = &vm->frames[depth - 1u];
                    f->saved[0] = RD64(6);
                    f->saved[1] = RD64(7);
                    f->saved[2] = RD64(8);
                    f->saved[3] = RD64(9);
                    f->fp = RD64(10);
                    f->ret_pc = PC + 1u;
                    WR64(10, mbpf_frame_top(vm, depth));
                    depth++;
                    ip += 1 + ip->imm;
                    vmbreak;
                }
                if (SRC != MBPF_CALL_HELPER)
                    goto invalid;
                helper_id = (uint32_t)ip->imm;
                goto helper_call;
            }
            vmcase(0x8d) {
                helper_id = RD32(DST);
                goto helper_call;
            }
            vmcase(0x95) {
                if (depth == 1u)
                    goto done;
                depth--;
                const mbpf_frame *f = &vm->frames[depth - 1u];
                WR64(6, f->saved[0]);
                WR64(7, f->saved[1]);
                WR64(8, f->saved[2]);
                WR64(9, f->saved[3]);
                WR64(10, f->fp);
                ip = code + f->ret_pc;
                vmbreak;
            }

            /* The helper may change the region table, so the cached regions
             * are dropped afterwards. */
        helper_call: {
            uint64_t args[5] = {RD64(1), RD64(2), RD64(3), RD64(4), RD64(5)}, ret = 0;
            res->pc = PC;
            res->budget_used = budget - reserve - tick;
            int st = mbpf_vm_call_helper(vm, (uint32_t)helper_id, args, user, &ret, res);
            win_clear(&mc.rd);
            win_clear(&mc.wr);
            if (st != MBPF_OK) {
                res->r0 = 0;
                return st; /* call_helper filled status, msg, helper_id, fault */
            }
            WR64(0, ret);
            NEXT();
        }

            /* ---- lddw ---- */
            vmcase(0x18) {
                if (SRC != MBPF_LDDW_IMM64)
                    goto invalid;
                WR64(DST, (uint64_t)(uint32_t)ip->imm | ((uint64_t)(uint32_t)ip[1].imm << 32));
                ip += 2;
                vmbreak;
            }

            /* ---- loads and stores ---- */
            vmcase(0x61) { LOADX(uint32_t); }
            vmcase(0x69) { LOADX(uint16_t); }
            vmcase(0x71) { LOADX(uint8_t); }
            vmcase(0x79) { LOADX(uint64_t); }
            vmcase(0x81) { LOADSX(uint32_t, 32); }
            vmcase(0x89) { LOADSX(uint16_t, 16); }
            vmcase(0x91) { LOADSX(uint8_t, 8); }
#if MBPF_INTERP_COMPACT
#define STORE_VALUE(T) (MBPF_CLASS(ip->code) == MBPF_STX ? RDT(T, SRC) : (T)IMM)
            vmcase(0x62) vmcase(0x63) { STORE(uint32_t, STORE_VALUE(uint32_t)); }
            vmcase(0x6a) vmcase(0x6b) { STORE(uint16_t, STORE_VALUE(uint16_t)); }
            vmcase(0x72) vmcase(0x73) { STORE(uint8_t, STORE_VALUE(uint8_t)); }
            vmcase(0x7a) vmcase(0x7b) { STORE(uint64_t, STORE_VALUE(uint64_t)); }
#else
            vmcase(0x62) { STORE(uint32_t, ip->imm); }
            vmcase(0x6a) { STORE(uint16_t, ip->imm); }
            vmcase(0x72) { STORE(uint8_t, ip->imm); }
            vmcase(0x7a) { STORE(uint64_t, IMM); }
            vmcase(0x63) { STORE(uint32_t, RD32(SRC)); }
            vmcase(0x6b) { STORE(uint16_t, RD32(SRC)); }
            vmcase(0x73) { STORE(uint8_t, RD32(SRC)); }
            vmcase(0x7b) { STORE(uint64_t, RD64(SRC)); }
#endif

            /* ---- atomics ---- */
            vmcase(0xc3) { ATOMIC_RMW(uint32_t); }
            vmcase(0xdb) { ATOMIC_RMW(uint64_t); }

            vmdefault {
                goto invalid;
            }
        }
    }

invalid:
    status = MBPF_E_VERIFY;
    msg = MBPF_MSG_BAD_INSN;
    goto stop;
out_of_budget:
    status = MBPF_E_BUDGET;
    msg = MBPF_MSG_BUDGET;
    goto stop;
mem_fault:
    status = MBPF_E_MEM;
    res->fault_addr = fault_addr;
    res->fault_size = (uint32_t)fault_size;
stop:
    res->status = status;
    res->msg = msg;
    res->pc = PC;
    res->r0 = 0;
    res->budget_used = budget - reserve - tick;
    return status;
done:
    res->status = MBPF_OK;
    res->msg = NULL;
    res->r0 = RD64(0);
    res->budget_used = budget - reserve - tick;
    return MBPF_OK;
}

int mbpf_interp_resume(mbpf_vm *vm, const uint64_t regs[11], uint32_t pc,
                       uint64_t budget_left, void *user, mbpf_result *res)
{
    if (!res)
        return MBPF_E_ARG;
    if (!vm || !regs || !vm->loaded || !vm->insns || pc >= vm->num_insns ||
        budget_left > vm->cfg.budget) {
        res->status = MBPF_E_ARG;
        res->msg = "bad argument";
        return MBPF_E_ARG;
    }
    interp_resume s = {regs, pc, budget_left};
    return mbpf_interp_run(vm, (uint64_t)(uintptr_t)&s, INTERP_RESUME, user, res);
}
