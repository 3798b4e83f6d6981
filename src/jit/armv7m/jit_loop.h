/* Counted-loop fast path (jit_loop.c): the facts found once per compile
 * about each innermost counted loop, kept in a small array of the jit struct
 * (no heap). See docs/jit-armv7m.md, "Loop fast path".
 */
#ifndef MBPF_JIT_LOOP_H
#define MBPF_JIT_LOOP_H

#include <stdint.h>

#define JIT_MAX_LOOPS 8 /* 116 bytes each in the jit struct (compiler stack) */
#define JIT_LOOP_BASES 4
#define JIT_LOOP_BODY 48 /* instruction slots (<= 64: jit.post_done), bounds the code growth */

typedef struct jit_loop_base {
    uint8_t reg;    /* eBPF base register; derived: the first term */
    uint8_t t2;     /* derived: the second term, or 0xff */
    uint8_t derived; /* the base is computed in the body from terms: the
                        entry values of registers invariant or stepped once
                        (P0 = reg + t2 at the iteration's entry) */
    uint8_t need;   /* NEED_READ | NEED_WRITE */
    int16_t step;   /* added once per iteration (0: not written in the body) */
    int32_t lo, hi; /* accessed bytes relative to the iteration's entry value:
                       every access of iteration i lies in
                       [P0 + i*step + lo, P0 + i*step + hi) */
} jit_loop_base;

typedef struct jit_loop {
    uint32_t h, e;   /* head (the jump target) and the backward jump */
    int32_t k;       /* the immediate the counter is compared with */
    uint8_t creg;    /* counter register */
    uint8_t lreg;    /* limit register (not written in the body), or 0xff: k */
    uint8_t order;   /* loop goes on while: 0 counter != limit, 1 unsigned
                        before it (< for +1, > for -1), 2 signed before it */
    int8_t cstep;    /* +-1 per iteration (+-2, 4, 8 with a != test) */
    uint8_t wide;    /* trip count from the whole 64-bit counter */
    uint8_t nbases;
    jit_loop_base bases[JIT_LOOP_BASES];
    uint32_t fast;   /* code offset of the fast copy (this pass) */
    uint32_t slow;   /* code offset of the normal copy (this pass) */
    uint32_t slow_rel; /* its distance from the head (sizing pass; the
                          emitting pass's after relayout) */
    uint32_t after_rel; /* the fast copy's exit branch from the head (sizing) */
    uint8_t nslow;   /* the guard's conditional branches to the checked copy */
    uint8_t ncbz;    /* ... of them, tests of a low register against 0 */
    uint8_t narrow;  /* relayout's decisions: JIT_LOOP_NARROW_* */
    uint8_t nslow_pre; /* ... of them, before the first deopt stub (they move it) */
    uint8_t stubbed; /* this pass: a stub of the guard is emitted (no cbnz after it) */
    uint32_t span;   /* the guard's bytes (sizing pass): bounds its branches */
    uint32_t fold;   /* the backward jump J > e whose budget unit the guard
                        charges (jit_loop_fold.c), or 0 */
} jit_loop;

/* The head's layout-dependent branches, decided by relayout (jit_compile.c)
 * from the sizing pass's wide layout (distances only shrink): */
#define JIT_LOOP_NARROW_SLOW 1u  /* guard -> checked copy: 16-bit B<cond> */
#define JIT_LOOP_NARROW_CBZ 2u   /* ... `cmp rl, #0; bne` as `cbnz rl` */
#define JIT_LOOP_NARROW_AFTER 4u /* fast copy's exit: 16-bit B */

/* A copy sunk out of the fast copy (jit_loop_sink.c): the pair at body
 * index p computes into a, the copy `mov32 a, b` at q emits nothing, the
 * exit path sets b = a. */
typedef struct jit_sink {
    uint8_t p, q; /* relative to the head */
    uint8_t a, b;
} jit_sink;
#define JIT_LOOP_SINKS 4

#endif /* MBPF_JIT_LOOP_H */
