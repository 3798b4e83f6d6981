/* Entry and exits in the shared runtime, and the program header they read.
 *
 * A compiled program starts with a header (data, never executed; the
 * program's code follows it):
 *   byte 0  bits 0-2: the header's bytes / 2; bits 3-7: where the budget's
 *           low word lives (1-8: r4-r11, HDR_BLO_FRAME: the frame word F_BLO)
 *   byte 1  local-call depth the frame holds records for (0: no local calls)
 *   byte 2- the register map (jit_deopt.c): per eBPF register r0.. a byte,
 *           low nibble its low half's home (0 slot, 1-8 r4-r11), high nibble
 *           its high half's; at least r0-r2.
 * The runner calls the shared `run` (r0 = context block, r1 = the header):
 * it builds the frame, puts the budget's low word and the initial r1, r2
 * where the header says, zeroes r4-r11 otherwise, and enters the code. The
 * final exit is `ldr.w pc, [sp, #F_RT + 4 * LEAVE]`; shared routines fail
 * through the shared error exit (F_EXIT_ERR). Both read eBPF r0 and the
 * budget back from their homes. Registers chosen at run time are reached
 * through an image of r3-r11 pushed below the frame: image word k is r(3+k)
 * (word 0 a scratch word) and word HDR_BLO_FRAME is F_BLO.
 */
#include "jit/armv7m/jit_internal.h"

enum {
    IMG = 36,           /* push {r3-r11} */
    HDR_BLO_FRAME = 19, /* image word that is the frame's F_BLO */
    IMG_LIST = 0x0FF8u, /* r3-r11 */
};
_Static_assert(4 * HDR_BLO_FRAME - IMG == F_BLO, "image word 19 is F_BLO");
_Static_assert(MBPF_JIT_RT_COUNT == 9, "run loads rt[] into r3-r11");
_Static_assert(MBPF_JIT_CTX_STATUS + 4 * 9 <= MBPF_JIT_CTX_CR_START,
               "nine output words that start as 0");

/* ldr.w / str.w rt, [rn, rm, lsl #2] */
static void ldst_idx(t2_buf *b, bool load, unsigned rt, unsigned rn, unsigned rm)
{
    t2_w32(b, (uint16_t)((load ? 0xF850u : 0xF840u) | rn), (uint16_t)(rt << 12 | 2u << 4 | rm));
}

uint32_t jit_header_len(const jit *j) { return 2u + jit_deopt_map_len(j); }

void jit_header(jit *j)
{
    uint32_t len = jit_header_len(j);
    unsigned blo = j->use_budget && j->breg != JIT_NOREG ? j->breg - 3u : HDR_BLO_FRAME;
    unsigned depth = j->use_calls ? j->max_depth : 0u;
    if (len > 14 || depth > 0xffu)
        jit_fail(j, MBPF_E_JIT, "internal: header");
    t2_hw(&j->b, (uint16_t)(len / 2u | blo << 3 | depth << 8));
    jit_deopt_map(j);
}

_Static_assert(REC_SIZE == 40, "records: 5 x depth x 8");

/* leave (final exit, sp = the frame), then the tail both exits share, then
 * the error exit (F_EXIT_ERR; r0 is ignored after an error). Returns the
 * error exit's offset. */
static uint32_t leave_routines(jit *j, uint32_t *entry)
{
    t2_buf *b = &j->b;
    entry[MBPF_JIT_RT_LEAVE] = b->pos;
    t2_ldr(b, T2_W, 3, T2_SP, F_SLOT, JIT_NOREG); /* r0's slot: image word 0 */
    t2_push(b, IMG_LIST);
    t2_ldr(b, T2_W, 1, T2_SP, IMG + F_CODE, JIT_NOREG);
    t2_ldr(b, T2_W, 2, 1, 0, JIT_NOREG);
    t2_ubfx(b, 0, 2, 16, 4); /* map[0] low nibble: r0's low half */
    ldst_idx(b, true, 0, T2_SP, 0);
    uint32_t tail = b->pos; /* r0, r1 = header, r2 = its first word */
    t2_ubfx(b, 3, 2, 3, 5);
    ldst_idx(b, true, 3, T2_SP, 3);
    t2_ldr(b, T2_W, T2_IP, T2_SP, IMG + F_CTX, JIT_NOREG);
    t2_str(b, T2_W, 0, T2_IP, MBPF_JIT_CTX_R0_LO, JIT_NOREG);
    t2_str(b, T2_W, 3, T2_IP, MBPF_JIT_CTX_BUDGET_LO, JIT_NOREG);
    t2_add_sp(b, IMG + F_PUSH);
    t2_pop(b, JIT_PUSH_LIST); /* ip = 5 x the local-call depth */
    t2_dp_reg(b, T2_ADD, false, T2_SP, T2_SP, T2_IP, T2_LSL, 3); /* the records */
    t2_bx(b, T2_LR);
    uint32_t err = b->pos;
    t2_push(b, IMG_LIST);
    t2_ldr(b, T2_W, 1, T2_SP, IMG + F_CODE, JIT_NOREG);
    t2_ldr(b, T2_W, 2, 1, 0, JIT_NOREG);
    t2_b(b, (int32_t)tail - (int32_t)b->pos, false);
    return err;
}

/* run: r0 = the context block, r1 = the program (its header), lr = the
 * runner's return address. */
static void run_routine(jit *j, uint32_t *entry, uint32_t err)
{
    t2_buf *b = &j->b;
    entry[MBPF_JIT_RT_RUN] = b->pos;
    /* the local-call records, then the runner's registers with ip = 5 x
     * the depth, which leave reads back to unwind them */
    t2_ldr(b, T2_B, T2_IP, 1, 1, JIT_NOREG);
    t2_dp_reg(b, T2_ADD, false, T2_IP, T2_IP, T2_IP, T2_LSL, 2);
    t2_dp_reg(b, T2_SUB, false, T2_SP, T2_SP, T2_IP, T2_LSL, 3);
    t2_push(b, JIT_PUSH_LIST);
    t2_ldr(b, T2_W, 3, 0, MBPF_JIT_CTX_RT, JIT_NOREG);
    t2_w32(b, 0xE893u, IMG_LIST); /* ldm.w r3, {r3-r11}: rt[] */
    /* adr lr, error exit | 1 (backward, from Align(pc, 4)) */
    t2_adr(b, T2_LR, (int32_t)(err + 1u) - (int32_t)((b->pos + 4u) & ~3u));
    t2_push(b, (uint16_t)(IMG_LIST | (F_RT_PAD ? 1u << T2_IP : 0u) | 1u << T2_LR));
    t2_dp_imm(b, T2_ADD, false, 3, 0, MBPF_JIT_CTX_CR_START);
    t2_w32(b, 0xE893u, 0x0078u); /* ldm.w r3, {r3-r6}: the region caches */
    t2_push(b, 0x0078u);
    t2_add_sp(b, -F_CR_START);
    t2_str(b, T2_W, 0, T2_SP, F_CTX, JIT_NOREG);
    t2_str(b, T2_W, 1, T2_SP, F_CODE, JIT_NOREG);
    /* the image: nine zeros (outputs the runner starts as 0), then the
     * budget's low word, eBPF r1 and r2 into their words */
    t2_dp_imm(b, T2_ADD, false, 3, 0, MBPF_JIT_CTX_STATUS);
    t2_w32(b, 0xE893u, IMG_LIST);
    t2_push(b, IMG_LIST);
    t2_ldrd(b, 2, 3, 1, 0); /* the header's first 8 bytes (the code may follow) */
    t2_ubfx(b, 4, 2, 3, 5);
    t2_ldr(b, T2_W, T2_IP, 0, MBPF_JIT_CTX_BUDGET_LO, JIT_NOREG);
    ldst_idx(b, false, T2_IP, T2_SP, 4);
    t2_ldrd(b, T2_IP, T2_LR, 0, MBPF_JIT_CTX_ARG_CTX);
    t2_ubfx(b, 4, 2, 24, 4); /* map[1] low nibble */
    ldst_idx(b, false, T2_IP, T2_SP, 4);
    t2_dp_imm(b, T2_AND, false, 4, 3, 15); /* map[2] */
    ldst_idx(b, false, T2_LR, T2_SP, 4);
    t2_pop(b, IMG_LIST); /* r4-r11 = their homes' initial values */
    _Static_assert(MBPF_JIT_HDR_MAP + 2 == 4, "map[2] in the header's second word");
    /* into the code after the header (Thumb bit) */
    t2_dp_imm(b, T2_AND, false, 2, 2, 7);
    t2_dp_reg(b, T2_ADD, false, 2, 1, 2, T2_LSL, 1);
    t2_hw(b, 0x3201u); /* adds r2, #1 */
    t2_bx(b, 2);
}

void jit_entry_routines(jit *j, uint32_t *entry)
{
    uint32_t err = leave_routines(j, entry);
    run_routine(j, entry, err);
}
