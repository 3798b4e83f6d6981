/* Internals of the random program generator (progen.c, progen_stmt.c): the
 * generator state and the statements it is built from. See progen.c for
 * how registers are tracked. Host only, not part of any API. */
#ifndef MBPF_TOOLS_PROGEN_GEN_H
#define MBPF_TOOLS_PROGEN_GEN_H

#include "progen.h"

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
    uint16_t narrow;   /* r6-r9 written only by zero-extending operations (pg_gen_narrow) */
    uint32_t forbidden; /* helper left out of the allowed list (0: none); only callx uses it */
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

#define M_SCALAR (1u << K_SCALAR)
#define M_PTR ((1u << K_CTX) | (1u << K_STACK))

uint64_t pg_rnd(gen *g);
uint32_t pg_below(gen *g, uint32_t n);
int pg_chance(gen *g, uint32_t pct);
int pg_permille(gen *g, uint32_t pm);
int pg_room(const gen *g);
uint32_t pg_emit(gen *g, uint8_t code, unsigned dst, unsigned src, int16_t off, int32_t imm);
void pg_emit_lddw(gen *g, unsigned dst, uint64_t v);
void pg_land_here(gen *g, uint32_t pc);
void pg_set_scalar(gen *g, unsigned r);
int pg_is_ptr(uint8_t k);
void pg_meet(state *a, const state *b);
int32_t pg_imm32(gen *g);
uint64_t pg_imm64(gen *g);
int pg_writable(const gen *g, unsigned r);
int pg_pick_dst_avoid(gen *g, uint16_t avoid);
int pg_pick_dst(gen *g);
int pg_pick_kind(gen *g, unsigned mask);
int pg_pick_ptr_source(gen *g);
int pg_need_scalar(gen *g, uint16_t avoid);
void pg_gen_alu(gen *g);
void pg_gen_edge_alu(gen *g);
void pg_gen_ptr_arith(gen *g);
void pg_gen_load(gen *g);
void pg_gen_store(gen *g);
void pg_gen_atomic(gen *g);
void pg_gen_burst(gen *g);
void pg_gen_lddw(gen *g);
void pg_gen_helper_call(gen *g);
void pg_gen_callx(gen *g);
void pg_gen_narrow(gen *g);
void pg_gen_ptr_loop(gen *g); /* progen_loop.c */
/* Leaves one helper (never PROGEN_H_MIX) out of p's allowed list. */
void pg_forbid_one(gen *g, progen_program *p);

#endif /* MBPF_TOOLS_PROGEN_GEN_H */
