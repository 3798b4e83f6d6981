/* Private state of the ARMv7-M JIT compiler, shared by its passes.
 *
 * ARM register use (docs/jit-armv7m.md):
 *   r0-r3   scratch: A pair r0:r1 (spilled destination), B pair r2:r3
 *           (spilled source / immediates), routine and helper arguments
 *   ip, lr  scratch (addresses, temporaries)
 *   r4-r11  eBPF register halves chosen by weighted use count (each half
 *           alone; r10 and zero-upper registers have no high half)
 *   sp      native frame, fixed for the whole run (local calls keep their
 *           records inside it), 8-byte aligned
 */
#ifndef MBPF_JIT_INTERNAL_H
#define MBPF_JIT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "jit/armv7m/jit_loop.h"
#include "jit/armv7m/thumb2_emit.h"
#include "mbpf/jit.h"
#include "mbpf/mbpf.h"

#define JIT_NOREG 0xffu
#define JIT_LABEL 0x80000000u /* bit of insn_offsets[i]: a jump target */
/* More bits of insn_offsets[i] while compiling (jit_compile.c: the sizing
 * pass decides every layout-dependent branch once, the emitting pass reads
 * the decisions): */
#define JIT_BR0 0x40000000u    /* first branch via jit_branch is 16-bit */
#define JIT_BR1 0x20000000u    /* second one */
#define JIT_FWD 0x10000000u    /* a forward branch to the jump target (or exit) */
#define JIT_FWD_AL 0x08000000u /* ... unconditional */
#define JIT_FWD16 0x04000000u  /* ... decided 16-bit */
#define JIT_CBZ 0x02000000u    /* ... `cmp lo, #0; b.w` that may become cbz/cbnz */
#define JIT_OFF 0x01ffffffu    /* the code offset */

/* The shared range routine's write-cache entry lies this many bytes before
 * its table entry (the read-cache one), jit_shared.c. */
#define RANGE_W_BACK 6u

/* Native frame, offsets from sp after the prologue. */
enum {
    F_OUT = 0,   /* helper arguments 3..5 (8 bytes each) */
    F_CTX = 24,  /* context block address = helper routine argument 6 */
    F_ID = 28,   /* helper id = helper routine argument 7 */
    F_REC = 32,  /* next free local-call record */
    F_SB = 36,   /* stack area base (copy, for the inline stack check) */
    F_BLO = 40,  /* budget units left, low word */
    F_CODE = 44, /* the program's header address (run; the exits, deopt read it) */
    F_R10 = 48,  /* eBPF r10 when not in a register */
    F_CALL_LR = 52, /* the helper-call routine's return address */
    F_SLOT = 56, /* eBPF r0..r9 when not in registers: 8 bytes each */
    F_CR_START = 136, /* copies of the context block's region caches */
    F_CR_LIM = 140,
    F_CW_START = 144,
    F_CW_LIM = 148,
    F_RT = 152,       /* copies of the context block's rt[] (shared routines' addresses) */
    /* the shared run routine pushes rt[], a pad word when needed (8-byte
     * alignment) and the shared error exit's address */
    F_RT_PAD = MBPF_JIT_RT_COUNT % 2 == 0 ? 4 : 0,
    F_EXIT_ERR = F_RT + 4 * MBPF_JIT_RT_COUNT + F_RT_PAD, /* error exit's address (Thumb
                                                             bit): shared routines leave by it */
    F_PUSH = F_EXIT_ERR + 4, /* run's push of r4-r11, ip (5 x the local-call
                                depth), lr: the runner's registers */
    F_RECS = F_PUSH + 40,    /* local-call records (only with local calls): REC_SIZE bytes each */
};
_Static_assert(F_RT == MBPF_JIT_FRAME_RT, "frame layout: rt[] copies");
_Static_assert(F_CW_LIM + 4 == F_RT && F_RECS % 8 == 0 && MBPF_JIT_RT_COUNT <= 10,
               "frame layout: run pushes the caches, then rt[], pad (ip), the error exit");
enum {
    REC_SIZE = 40, /* r6..r9 (lo, hi), r10, return address */
    REC_R10 = 32,
    REC_RET = 36,
    PUSH_BYTES = 40, /* r4-r11, ip, lr */
};
_Static_assert(F_RECS == F_PUSH + PUSH_BYTES, "frame layout: the records above run's push");
#define JIT_PUSH_LIST 0x5FF0u /* r4-r11, ip, lr */
#define JIT_POP_LIST 0x9FF0u  /* r4-r11, ip, pc */

enum { RA0 = 0, RA1 = 1, RB0 = 2, RB1 = 3 };

/* Memory access kinds and the region flags they need. */
enum { NEED_READ = 1, NEED_WRITE = 2 };
enum { COPY_SB = 1, COPY_CR = 2, COPY_CW = 4 };

typedef struct jit_range {
    int32_t lo, hi; /* checked offsets [lo, hi) from the register; empty if lo >= hi */
} jit_range;

typedef struct jit {
    t2_buf b;
    mbpf_vm *vm;
    const mbpf_insn *insns;
    uint32_t n;
    uint32_t *offs; /* n+1 entries: code offset | JIT_LABEL */
    uint32_t pc;    /* instruction being translated */

    uint8_t lo[11], hi[11]; /* ARM register of each half, or JIT_NOREG */
    uint8_t breg;           /* ARM register holding the budget's low word, or JIT_NOREG */
    uint16_t hz;            /* bit r: upper half of eBPF r known to be 0 */
    uint16_t fpd;           /* bit r: value derived from r10 by additions (a stack
                               pointer, likely: the memory check's inline test
                               is the stack's) */
    uint16_t zhi;           /* bit r: every write to r zero-extends: its upper
                               half is 0 everywhere and has no storage */
    uint16_t noinit;        /* bit r: written before any read on every path:
                               the prologue leaves it alone */
    jit_range rd_ok[11], wr_ok[11];
    uint8_t zf;      /* eBPF register whose low word the Z flag reflects, or JIT_NOREG */
    uint8_t zf_next; /* set by the instruction being translated */

    uint32_t stack_size, max_depth, stack_total, frame;
    bool final;     /* emit pass: decisions of the sizing pass, range errors */
    uint8_t nbr;    /* jit_branch calls so far in this instruction */
    bool fwd_seen;  /* jit_branch_insn forward call seen in this instruction */
    bool head;      /* emitting a loop head (guard, fast copy): every branch
                       wide, no decision recorded (jit_loop.c) */
    /* an IT block in progress (jit_compile.c, it_begin): it ends at
     * instruction it_end (0: none); its `it` (or b<cond>) is at it_at and
     * predicates on it_cond */
    uint32_t it_end, it_at;
    uint8_t it_cond;
    bool use_div64, use_sdiv64;
    bool use_calls, use_trap, use_budget, use_mem; /* routines needed (scan_features) */
    bool use_rt;     /* some shared routine may be called: the prologue copies rt[] */
    bool use_helpers; /* call imm / callx: the helper-call routine */
    bool exit_inline; /* the one exit instruction is the final exit itself
                         (no local calls): no exit routine */
    bool use_r10; /* some instruction names r10, or local calls move it */
    /* frame copies the prologue makes (bit 0: stack base, 1: readable region
     * cache, 2: writable): those the previous pass's inline checks used */
    uint8_t copies, copies_used;

    /* Routine offsets (emitting pass: exact, from a sizing run of the routines):
     * exit (returns from local calls, or the final exit) is the program's
     * own; the others are veneers
     * `ldr.w pc, [sp, #F_RT + 4k]` into the shared runtime (jit_shared.c;
     * r_trap, r_budget, r_range: the runtime's own while it is emitted,
     * programs call those directly). */
    uint32_t r_exit, r_trap, r_mem, r_budget, r_udiv64, r_sdiv64, r_call;
    uint32_t main_end;

    /* counted loops with a fast copy (jit_loop.c) */
    jit_loop loops[JIT_MAX_LOOPS];
    uint8_t nloops;
    uint8_t fast;   /* 1 + loop whose fast copy is being emitted, or 0 */
    bool cold;      /* translating a loop's checked copy, which runs only when
                       its guard failed: memory checks go for size (jit_mem.c) */
    bool use_range; /* a loop guard may call the range routine */
    bool deopt;     /* no local calls: a failing guard leaves for the
                       interpreter (jit_deopt.c), no checked copies */
    uint64_t post_done; /* fast copy: bit pc - h: a pointer step that a
                           post-indexed access already did */
    uint32_t r_range;

    int32_t err_status;
    uint32_t err_pc;
    const char *err_msg;
} jit;

void jit_fail(jit *j, int status, const char *msg);

/* jit_regs.c: register choice and operand access. */
void jit_alloc_regs(jit *j);
void jit_find_noinit(jit *j);
int32_t jit_slot(unsigned r, bool high);
unsigned jit_src_lo(jit *j, unsigned r, unsigned tmp);
unsigned jit_src_hi(jit *j, unsigned r, unsigned tmp);
unsigned jit_dst_lo(const jit *j, unsigned r);
unsigned jit_dst_hi(const jit *j, unsigned r);
void jit_load_dst(jit *j, unsigned r, bool lo, bool hi);
void jit_store_dst(jit *j, unsigned r, bool lo, bool hi);
void jit_set_hi_zero(jit *j, unsigned r);
void jit_clobber(jit *j, unsigned r);
void jit_forget_all(jit *j);

/* jit_alu.c */
void jit_alu(jit *j, const mbpf_insn *in);
bool jit_alu_pair(jit *j, const mbpf_insn *in);     /* mov32 a, b; op32 a, c -> one op */
bool jit_alu_pair_imm(jit *j, const mbpf_insn *in); /* mov32 a, b; shift or and32 a, imm */
bool jit_alu_triple(jit *j, const mbpf_insn *in);   /* mov32; lsh32 k; and32 0xff << k */
void jit_alu32_result(jit *j, unsigned d);
/* d = x op y (ALU32 add/sub/or/and/xor), all three in ARM registers */
void jit_alu3(jit *j, unsigned op, unsigned d, unsigned x, unsigned y); /* d's low word written by ALU32: store, knowledge */ /* mov32 a, b; op32 a, c -> one op */
bool jit_flag_neutral(const jit *j, const mbpf_insn *in, uint32_t bytes);
void jit_lddw(jit *j, const mbpf_insn *in);

/* jit_mem.c */
void jit_ldx(jit *j, const mbpf_insn *in);
void jit_store(jit *j, const mbpf_insn *in);
void jit_atomic(jit *j, const mbpf_insn *in);

/* jit_compile.c: branches to code offsets and out-of-line routines. */
void jit_branch(jit *j, unsigned cond, uint32_t target); /* target already emitted */
void jit_branch_insn(jit *j, unsigned cond, uint32_t t); /* to instruction t (n: exit) */
void jit_bl(jit *j, uint32_t target);
void jit_call_rt(jit *j, unsigned k, unsigned scratch); /* ldr + blx, no veneer */
void jit_desc(jit *j, uint32_t desc);
uint32_t jit_fwd_begin(jit *j);                /* 16-bit B<cond> placeholder */
void jit_fwd_end_cbz(jit *j, uint32_t at, bool nz, unsigned rn); /* patch as CB(N)Z */
void jit_fwd_end(jit *j, uint32_t at, unsigned cond); /* patch it to here */

/* jit_it.c: a conditional forward jump over a few ALU instructions as an IT
 * block (or a 16-bit branch); run_pass ends the block at it_end. */
bool jit_it_begin(jit *j, unsigned cond, uint32_t target);
void jit_it_finish(jit *j);

/* jit_compile.c: the translation switch (used by the fast loop copies). */
void jit_translate(jit *j, const mbpf_insn *in);

/* jit_loop_find.c, jit_loop.c: counted-loop fast path. */
void jit_loop_find(jit *j);                     /* after the labels are marked */
bool jit_loop_add_imm(const mbpf_insn *in, int32_t *step, bool *is64); /* add/sub imm */
unsigned jit_loop_sinks(const jit *j, const jit_loop *L, jit_sink *out, unsigned max);
uint32_t jit_loop_head(jit *j, uint32_t i); /* guard and fast copy at a head; returns
                                               the loop's end when no checked copy follows, else i */
bool jit_loop_back(jit *j, unsigned cond, bool backward, uint32_t *to); /* loop jumps */
bool jit_loop_ptr_add(jit *j, const mbpf_insn *in);     /* fast copy: pointer step */
uint32_t jit_loop_relayout(jit *j, jit_loop *L, uint32_t at); /* head's shrink */
bool jit_loop_cold(const jit *j, uint32_t i); /* i in a loop's checked copy */
void jit_loop_fold(jit *j);               /* after jit_deopt_plan: J into the guards */
bool jit_loop_fold_jump(jit *j, unsigned cond, uint32_t to); /* J: a branch to the guard */
bool jit_loop_folded(const jit *j, uint32_t i); /* i is some loop's folded J */
bool jit_loop_post(jit *j, const mbpf_insn *in, unsigned t, bool store, unsigned rt,
                   unsigned rn); /* fast copy: post-indexed load / store */

/* jit_routines.c: the program's prologue, exits and veneers */
void jit_prologue(jit *j);
void jit_routines(jit *j);
void jit_final_exit(jit *j); /* r0's high word, then the shared leave */
/* jit_entry.c: the program header; the shared run / leave / error exit */
uint32_t jit_header_len(const jit *j);
void jit_header(jit *j);
void jit_entry_routines(jit *j, uint32_t *entry);
/* jit_shared.c, jit_div64.c, jit_call.c: the shared runtime's routines
 * (j->b only) */
void jit_shared_routines(jit *j, uint32_t *entry);
void jit_div64_routines(jit *j);
void jit_call_core(jit *j);      /* shared runtime, after the trap */
void jit_call_marshal(jit *j);   /* the program's part, before its veneer */
/* jit_deopt.c: the program's register map (in its header; the deopt map),
 * the shared routine the trap sends kind DEOPT to */
void jit_deopt_plan(jit *j); /* after jit_loop_find: j->deopt, use_mem without the loops */
void jit_deopt_map(jit *j);
uint32_t jit_deopt_map_len(const jit *j);
void jit_deopt_routine(jit *j);

#endif /* MBPF_JIT_INTERNAL_H */
