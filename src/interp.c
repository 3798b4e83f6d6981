/* The eBPF interpreter.
 *
 * One body of opcode handlers serves two dispatch forms (as in Lua's lvm.c):
 * with MBPF_USE_COMPUTED_GOTO each handler ends by fetching the next
 * instruction and jumping through a 256-entry label table (direct threading:
 * one indirect branch per handler, which predicts far better than a single
 * shared switch jump); otherwise the same handlers are the cases of a switch.
 *
 * The program counter is a pointer to the current instruction; each handler
 * reads the fields it needs from it once. Registers live in a local array of 16 so that a 4-bit register
 * field can never index outside it, even in an unverified program. Memory
 * accesses check the stack, then a local copy of the last region hit, then
 * fall back to the binary search in mem.c. All arithmetic is done on unsigned
 * types; signed semantics are derived explicitly, so there is no C undefined
 * behaviour whatever the program does.
 */
#include "internal.h"

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
 * table) pays off on CPUs that predict indirect branches per site. A
 * Cortex-M4 predicts none, so the compact build uses the switch: one shared
 * dispatch, no 1 KiB label table, about 1.8 KiB less code. */
#define THREADED (MBPF_USE_COMPUTED_GOTO && !MBPF_INTERP_COMPACT)

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

/* The last region hit, copied into locals of the run loop. */
typedef struct mem_cache {
    uint64_t stack_lo, stack_span; /* whole stack area */
    uint64_t lo, span;             /* last region; span 0 = none */
    uint32_t flags;
} mem_cache;

static inline int mem_fast(const mem_cache *mc, uint64_t addr, uint64_t size, uint32_t need)
{
    return mbpf_range_in(addr, size, mc->stack_lo, mc->stack_span) ||
           ((mc->flags & need) == need && mbpf_range_in(addr, size, mc->lo, mc->span));
}

/* Binary search; refreshes the cache on a hit. Kept out of line: it is the
 * rare path and inlining it into every access would bloat the handlers. */
static int mem_slow(mbpf_vm *vm, mem_cache *mc, uint64_t addr, uint64_t size, uint32_t need)
{
    const mbpf_region *r = mbpf_vm_find_region(vm, addr, size, need);
    if (!r)
        return 0;
    mc->lo = (uint64_t)r->start;
    mc->span = r->len;
    mc->flags = r->flags;
    return 1;
}

#if MBPF_INTERP_COMPACT
static int mem_ok(mbpf_vm *vm, mem_cache *mc, uint64_t addr, uint64_t size, uint32_t need)
{
    return mem_fast(mc, addr, size, need) || mem_slow(vm, mc, addr, size, need);
}
#endif

int mbpf_interp_run(mbpf_vm *vm, uint64_t r1, uint64_t r2, void *user, mbpf_result *res)
{
    const mbpf_insn *const code = vm->insns;
    const mbpf_insn *ip = code; /* the program counter */
    const uint64_t budget = vm->cfg.budget;
    uint64_t used = 0;
    uint64_t reg[16] = {0};
    uint32_t depth = 1; /* frames live */
    mem_cache mc = {(uint64_t)(uintptr_t)vm->stack, mbpf_stack_bytes(vm), 0, 0, 0};
    int status;
    const char *msg;
    uint64_t fault_addr = 0, fault_size = 0, helper_id = 0;

    reg[1] = r1;
    reg[2] = r2;
    reg[10] = mbpf_frame_top(vm, 0);

/* Fields of the current instruction, read where a handler needs them:
 * immediate and offset sign-extended to 64 bits. */
#define DST (ip->regs & 0x0fu)
#define SRC ((unsigned)ip->regs >> 4)
#define OFF ((uint64_t)(int64_t)ip->off)
#define IMM ((uint64_t)(int64_t)ip->imm)
#define PC ((uint32_t)(ip - code))

#if THREADED
    /* Label table: constant, inside the function, so no mutable global state.
     * GNU range initialisers are fine here: computed goto is GNU C already. */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Winitializer-overrides"
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
#endif
#define L(c) [c] = &&L_##c
    static const void *const dispatch[256] = {
        [0 ... 255] = &&L_invalid,
        /* ALU64 */
        L(0x07), L(0x0f), L(0x17), L(0x1f), L(0x27), L(0x2f), L(0x37), L(0x3f), L(0x47),
        L(0x4f), L(0x57), L(0x5f), L(0x67), L(0x6f), L(0x77), L(0x7f), L(0x87), L(0x97),
        L(0x9f), L(0xa7), L(0xaf), L(0xb7), L(0xbf), L(0xc7), L(0xcf), L(0xd7),
        /* ALU32 */
        L(0x04), L(0x0c), L(0x14), L(0x1c), L(0x24), L(0x2c), L(0x34), L(0x3c), L(0x44),
        L(0x4c), L(0x54), L(0x5c), L(0x64), L(0x6c), L(0x74), L(0x7c), L(0x84), L(0x94),
        L(0x9c), L(0xa4), L(0xac), L(0xb4), L(0xbc), L(0xc4), L(0xcc), L(0xd4), L(0xdc),
        /* JMP */
        L(0x05), L(0x15), L(0x1d), L(0x25), L(0x2d), L(0x35), L(0x3d), L(0x45), L(0x4d),
        L(0x55), L(0x5d), L(0x65), L(0x6d), L(0x75), L(0x7d), L(0x85), L(0x8d), L(0x95),
        L(0xa5), L(0xad), L(0xb5), L(0xbd), L(0xc5), L(0xcd), L(0xd5), L(0xdd),
        /* JMP32 */
        L(0x06), L(0x16), L(0x1e), L(0x26), L(0x2e), L(0x36), L(0x3e), L(0x46), L(0x4e),
        L(0x56), L(0x5e), L(0x66), L(0x6e), L(0x76), L(0x7e), L(0xa6), L(0xae), L(0xb6),
        L(0xbe), L(0xc6), L(0xce), L(0xd6), L(0xde),
        /* loads, stores, atomics, lddw */
        L(0x18), L(0x61), L(0x69), L(0x71), L(0x79), L(0x81), L(0x89), L(0x91), L(0x62),
        L(0x6a), L(0x72), L(0x7a), L(0x63), L(0x6b), L(0x73), L(0x7b), L(0xc3), L(0xdb),
    };
#undef L
#if defined(__clang__)
#pragma clang diagnostic pop
#else
#pragma GCC diagnostic pop
#endif
#define vmdispatch(o) goto *dispatch[o];
#define vmcase(c) L_##c:
#define vmdefault L_invalid:
#define vmbreak goto *dispatch[ip->code]
#else
#define vmdispatch(o) switch (o)
#define vmcase(c) case c:
#define vmdefault default:
#define vmbreak goto next_insn
#endif

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
            if (used == budget)                                                          \
                goto out_of_budget;                                                      \
            used++;                                                                      \
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

/* The fast path is inlined into every access of the fast build; the compact
 * build calls it out of line. */
#if MBPF_INTERP_COMPACT
#define MEM_OK(a, size, need) mem_ok(vm, &mc, (a), (size), (need))
#else
#define MEM_OK(a, size, need)                                                            \
    (mem_fast(&mc, (a), (size), (need)) || mem_slow(vm, &mc, (a), (size), (need)))
#endif
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

/* Loads and stores through memcpy: the address may be unaligned, and a
 * constant-size memcpy compiles to single loads/stores. */
#define LOADX(T, extend)                                                                 \
    do {                                                                                 \
        T v_;                                                                            \
        uint64_t a_ = reg[SRC] + OFF;                                                    \
        CHECK(a_, sizeof(T), MBPF_MEM_READ, MBPF_MSG_LOAD);                              \
        memcpy(&v_, PTR(a_), sizeof(T));                                                 \
        reg[DST] = extend;                                                               \
        NEXT();                                                                          \
    } while (0)
#define STORE(T, value)                                                                  \
    do {                                                                                 \
        T v_ = (T)(value);                                                               \
        uint64_t a_ = reg[DST] + OFF;                                                    \
        CHECK(a_, sizeof(T), MBPF_MEM_WRITE, MBPF_MSG_STORE);                            \
        memcpy(PTR(a_), &v_, sizeof(T));                                                 \
        NEXT();                                                                          \
    } while (0)

/* ALU and jump handlers come in K (imm, sign-extended; truncated for 32-bit
 * forms) and X (src register) pairs. The fast build gives each its own
 * handler; the compact build (default with -Os) lets the pair share one body
 * that picks the operand at run time, halving the handler count for flash. */
#if MBPF_INTERP_COMPACT
#define PAIR(k, x, T, a_init, b_imm, stmt)                                               \
    vmcase(k) vmcase(x) {                                                                \
        unsigned d = DST;                                                                \
        T a = (T)(a_init), b = (ip->code & MBPF_X) ? (T)reg[SRC] : (T)(b_imm);           \
        stmt;                                                                            \
    }
#else
#define PAIR(k, x, T, a_init, b_imm, stmt)                                               \
    vmcase(k) { unsigned d = DST; T a = (T)(a_init), b = (T)(b_imm); stmt; }             \
    vmcase(x) { unsigned d = DST; T a = (T)(a_init), b = (T)reg[SRC]; stmt; }
#endif
/* ALU32 results are stored zero-extended. */
#define A64(k, x, expr) PAIR(k, x, uint64_t, reg[d], IMM, reg[d] = (expr); NEXT())
#define A32(k, x, expr) PAIR(k, x, uint32_t, reg[d], ip->imm, reg[d] = (uint32_t)(expr); NEXT())
/* Conditional jumps: signed order is unsigned order with the sign bit flipped. */
#define J64(k, x, cond) PAIR(k, x, uint64_t, reg[d], IMM, COND(cond))
#define J32(k, x, cond) PAIR(k, x, uint32_t, reg[d], ip->imm, COND(cond))

/* Atomic read-modify-write of a T (one VM runs on one thread, so a plain
 * read and write is atomic with respect to the program). */
#define ATOMIC_RMW(T)                                                                    \
    do {                                                                                 \
        T old, v, s = (T)reg[SRC];                                                       \
        uint64_t a_ = reg[DST] + OFF;                                                    \
        CHECK(a_, sizeof(T), MBPF_MEM_RW, MBPF_MSG_ATOMIC);                              \
        memcpy(&old, PTR(a_), sizeof(T));                                                \
        switch (ip->imm) {                                                               \
        case MBPF_ADD: case MBPF_ADD | MBPF_FETCH: v = old + s; break;                   \
        case MBPF_OR: case MBPF_OR | MBPF_FETCH: v = old | s; break;                     \
        case MBPF_AND: case MBPF_AND | MBPF_FETCH: v = old & s; break;                   \
        case MBPF_XOR: case MBPF_XOR | MBPF_FETCH: v = old ^ s; break;                   \
        case MBPF_XCHG: v = s; break;                                                    \
        case MBPF_CMPXCHG: v = (T)reg[0] == old ? s : old; break;                        \
        default: goto invalid;                                                           \
        }                                                                                \
        memcpy(PTR(a_), &v, sizeof(T));                                                  \
        if (ip->imm == MBPF_CMPXCHG)                                                     \
            reg[0] = old;                                                                \
        else if (ip->imm & MBPF_FETCH)                                                   \
            reg[SRC] = old;                                                              \
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
            vmcase(0x87) { unsigned d = DST; reg[d] = 0u - reg[d]; NEXT(); }
            vmcase(0xb7) { reg[DST] = IMM; NEXT(); }
            vmcase(0xbf) { /* mov, or movsx with off 8/16/32 */
                uint64_t v = reg[SRC];
                reg[DST] = ip->off ? sext(v, (unsigned)ip->off) : v;
                NEXT();
            }
            vmcase(0xd7) { unsigned d = DST; reg[d] = swap_bits(reg[d], ip->imm); NEXT(); }

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
            vmcase(0x84) { unsigned d = DST; reg[d] = (uint32_t)(0u - (uint32_t)reg[d]); NEXT(); }
            vmcase(0xb4) { reg[DST] = (uint32_t)ip->imm; NEXT(); }
            vmcase(0xbc) {
                uint64_t v = reg[SRC];
                reg[DST] = (uint32_t)(ip->off ? sext(v, (unsigned)ip->off) : v);
                NEXT();
            }
            vmcase(0xd4) { unsigned d = DST; reg[d] = trunc_bits(reg[d], ip->imm); NEXT(); }
            vmcase(0xdc) { unsigned d = DST; reg[d] = swap_bits(reg[d], ip->imm); NEXT(); }

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
                    if (used == budget)
                        goto out_of_budget;
                    used++;
                    mbpf_frame *f = &vm->frames[depth - 1u];
                    f->saved[0] = reg[6];
                    f->saved[1] = reg[7];
                    f->saved[2] = reg[8];
                    f->saved[3] = reg[9];
                    f->fp = reg[10];
                    f->ret_pc = PC + 1u;
                    reg[10] = mbpf_frame_top(vm, depth);
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
                helper_id = (uint32_t)reg[DST];
                goto helper_call;
            }
            vmcase(0x95) {
                if (depth == 1u)
                    goto done;
                depth--;
                const mbpf_frame *f = &vm->frames[depth - 1u];
                reg[6] = f->saved[0];
                reg[7] = f->saved[1];
                reg[8] = f->saved[2];
                reg[9] = f->saved[3];
                reg[10] = f->fp;
                ip = code + f->ret_pc;
                vmbreak;
            }

            /* The helper may change the region table, so the cached region is
             * dropped afterwards. Arguments are copied so that reg[] never
             * escapes (it can stay in registers around memory accesses). */
        helper_call: {
            uint64_t args[5] = {reg[1], reg[2], reg[3], reg[4], reg[5]}, ret = 0;
            res->pc = PC;
            res->budget_used = used;
            int st = mbpf_vm_call_helper(vm, (uint32_t)helper_id, args, user, &ret, res);
            mc.span = 0;
            if (st != MBPF_OK) {
                res->r0 = 0;
                return st; /* call_helper filled status, msg, helper_id, fault */
            }
            reg[0] = ret;
            NEXT();
        }

            /* ---- lddw ---- */
            vmcase(0x18) {
                if (SRC != MBPF_LDDW_IMM64)
                    goto invalid;
                reg[DST] = (uint64_t)(uint32_t)ip->imm | ((uint64_t)(uint32_t)ip[1].imm << 32);
                ip += 2;
                vmbreak;
            }

            /* ---- loads and stores ---- */
            vmcase(0x61) { LOADX(uint32_t, v_); }
            vmcase(0x69) { LOADX(uint16_t, v_); }
            vmcase(0x71) { LOADX(uint8_t, v_); }
            vmcase(0x79) { LOADX(uint64_t, v_); }
            vmcase(0x81) { LOADX(uint32_t, sext(v_, 32)); }
            vmcase(0x89) { LOADX(uint16_t, sext(v_, 16)); }
            vmcase(0x91) { LOADX(uint8_t, sext(v_, 8)); }
#if MBPF_INTERP_COMPACT
#define STORE_VALUE (MBPF_CLASS(ip->code) == MBPF_STX ? reg[SRC] : IMM)
            vmcase(0x62) vmcase(0x63) { STORE(uint32_t, STORE_VALUE); }
            vmcase(0x6a) vmcase(0x6b) { STORE(uint16_t, STORE_VALUE); }
            vmcase(0x72) vmcase(0x73) { STORE(uint8_t, STORE_VALUE); }
            vmcase(0x7a) vmcase(0x7b) { STORE(uint64_t, STORE_VALUE); }
#else
            vmcase(0x62) { STORE(uint32_t, ip->imm); }
            vmcase(0x6a) { STORE(uint16_t, ip->imm); }
            vmcase(0x72) { STORE(uint8_t, ip->imm); }
            vmcase(0x7a) { STORE(uint64_t, IMM); }
            vmcase(0x63) { STORE(uint32_t, reg[SRC]); }
            vmcase(0x6b) { STORE(uint16_t, reg[SRC]); }
            vmcase(0x73) { STORE(uint8_t, reg[SRC]); }
            vmcase(0x7b) { STORE(uint64_t, reg[SRC]); }
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
    res->budget_used = used;
    return status;
done:
    res->status = MBPF_OK;
    res->msg = NULL;
    res->r0 = reg[0];
    res->budget_used = used;
    return MBPF_OK;
}
