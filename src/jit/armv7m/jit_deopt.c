/* Deopt: a loop guard that fails hands the run over to the interpreter.
 *
 * In a program without local calls, a counted loop with a fast path has no
 * checked copy: when its guard fails (the loop would fault, run out of
 * budget, or the guard cannot prove the range), the code leaves at the loop
 * head h, where nothing of the loop has run yet, and the interpreter goes
 * on from h with the same registers, memory and budget (jit_loop.c emits the
 * stub, a call of the trap + descriptor (h or the folded J, kind DEOPT), in
 * the guard).
 *
 * - the trap routine (jit_shared.c) sends kind DEOPT here: the routine
 *   copies r4-r11 and the frame's eBPF register slots into the context
 *   block, stores h and the address of the program's deopt map, sets the
 *   status MBPF_JIT_STATUS_DEOPT and leaves through the shared error exit
 *   (which writes the budget's low word back);
 * - the deopt map (at most MBPF_JIT_DEOPT_MAP bytes, in the program's
 *   header, whose address the frame holds: F_CODE) says where each
 *   half of the registers the program names lives: part of the code, so cached or flashed code stays
 *   self-describing;
 * - mbpf_jit_deopt_regs decodes block + map into r0-r10; the runner then
 *   calls mbpf_interp_resume.
 * See docs/jit-armv7m.md, "Deopt".
 */
#include <stddef.h>

#include "jit/armv7m/jit_internal.h"

_Static_assert(offsetof(mbpf_jit_ctx, deopt_pc) == MBPF_JIT_CTX_DEOPT_PC &&
                   offsetof(mbpf_jit_ctx, deopt_map) == MBPF_JIT_CTX_DEOPT_MAP &&
                   offsetof(mbpf_jit_ctx, deopt_r) == MBPF_JIT_CTX_DEOPT_R &&
                   offsetof(mbpf_jit_ctx, deopt_slot) == MBPF_JIT_CTX_DEOPT_SLOT &&
                   sizeof(mbpf_jit_ctx) == MBPF_JIT_CTX_SIZE,
               "context block layout: deopt fields appended at 0x68");
_Static_assert(MBPF_JIT_KIND_DEOPT < 16, "descriptor kind is 4 bits");

enum { MAP_SLOT = 0, MAP_ZERO = 15 };

/* Programs without local calls deopt (the interpreter cannot rebuild the
 * native call records): their loops have no checked copy, so an access in
 * a loop body needs no slow memory check (the fast copy checks nothing, the
 * guard asks the range routine): the mem_slow veneer only for accesses elsewhere
 * (scan_features' rule). */
void jit_deopt_plan(jit *j)
{
    j->deopt = j->nloops && !j->use_calls && j->use_trap;
    if (!j->deopt || !j->use_mem)
        return;
    j->use_mem = false;
    for (uint32_t i = 0; i < j->n; i++) {
        const mbpf_insn *in = &j->insns[i];
        bool in_loop = false;
        for (unsigned k = 0; k < j->nloops; k++)
            in_loop |= j->loops[k].h <= i && i <= j->loops[k].e;
        unsigned cls = MBPF_CLASS(in->code);
        if (in->code == MBPF_OP_LDDW)
            i++;
        if (in_loop || (cls != MBPF_LDX && cls != MBPF_ST && cls != MBPF_STX))
            continue;
        unsigned base = cls == MBPF_LDX ? MBPF_INSN_SRC(in) : MBPF_INSN_DST(in);
        bool in_frame = base == 10 && in->off < 0 && (uint32_t)-in->off <= j->stack_size;
        if (!in_frame || MBPF_MODE(in->code) == MBPF_ATOMIC)
            j->use_mem = true;
    }
}

/* Code of one half: its ARM register (1-8 = r4-r11), its slot, or 0. */
static unsigned home(const jit *j, unsigned r, bool high)
{
    if (high && ((j->zhi >> r) & 1u))
        return MAP_ZERO;
    unsigned a = high ? j->hi[r] : j->lo[r];
    return a == JIT_NOREG ? MAP_SLOT : a - 3u;
}

/* Registers r0..k-1 cover every register the program names (a field that
 * is no register, e.g. a pseudo source of lddw, only makes k larger) and
 * r1-r5 when it calls a helper: the interpreter resuming the same program
 * never reads the others. At least r0-r2: run reads r1's and r2's homes,
 * leave r0's (jit_entry.c). */
static unsigned named_regs(const jit *j)
{
    unsigned k = 3;
    for (uint32_t i = 0; i < j->n; i++) {
        const mbpf_insn *in = &j->insns[i];
        unsigned d = MBPF_INSN_DST(in) + 1u, s = MBPF_INSN_SRC(in) + 1u;
        if (in->code == MBPF_OP_CALL || in->code == MBPF_OP_CALLX)
            s = 6;
        k = d > k ? d : k;
        k = s > k ? s : k;
    }
    return k > 10 ? 10 : k;
}

/* The map's bytes: one per named register, then MAP_END (a low half is
 * never "always 0", so 0xff is no entry) up to an even length; 10 bytes
 * (no end) when r8 or r9 is named. */
uint32_t jit_deopt_map_len(const jit *j)
{
    unsigned k = named_regs(j);
    return k >= 9 ? MBPF_JIT_DEOPT_MAP : (k + 2u) & ~1u;
}

void jit_deopt_map(jit *j)
{
    unsigned k = named_regs(j), len = jit_deopt_map_len(j);
    for (unsigned r = 0; r < len; r += 2) {
        unsigned b0 = r < k ? home(j, r, false) | home(j, r, true) << 4 : 0xffu;
        unsigned b1 = r + 1 < k ? home(j, r + 1, false) | home(j, r + 1, true) << 4 : 0xffu;
        t2_hw(&j->b, (uint16_t)(b0 | b1 << 8));
    }
}

/* Shared runtime, from the trap: r0 = descriptor, r1 = its kind (DEOPT),
 * r2 = the context block, r3 = the pc; sp = the program's frame. */
void jit_deopt_routine(jit *j)
{
    t2_buf *b = &j->b;
    t2_str(b, T2_W, 3, 2, MBPF_JIT_CTX_DEOPT_PC, JIT_NOREG);
    t2_str(b, T2_W, 1, 2, MBPF_JIT_CTX_KIND, JIT_NOREG);
    t2_mov_imm(b, 0, MBPF_JIT_STATUS_DEOPT);
    t2_str(b, T2_W, 0, 2, MBPF_JIT_CTX_STATUS, JIT_NOREG);
    t2_ldr(b, T2_W, 0, T2_SP, F_CODE, JIT_NOREG);
    t2_hw(b, 0x3000u | MBPF_JIT_HDR_MAP); /* adds r0, #: the map in the header */
    t2_str(b, T2_W, 0, 2, MBPF_JIT_CTX_DEOPT_MAP, JIT_NOREG);
    t2_dp_imm(b, T2_ADD, false, 0, 2, MBPF_JIT_CTX_DEOPT_R);
    t2_w32(b, 0xE8A0u, 0x0FF0u); /* stm.w r0!, {r4-r11}: then deopt_slot */
    t2_add_rd_sp(b, 1, F_SLOT);
    for (unsigned k = 0; k < 5; k++) { /* 20 words, r4-r11 stay (the budget) */
        t2_w32(b, 0xE8B1u, 0x500Cu); /* ldm.w r1!, {r2, r3, ip, lr} */
        t2_w32(b, 0xE8A0u, 0x500Cu); /* stm.w r0!, {r2, r3, ip, lr} */
    }
    t2_ldr(b, T2_W, T2_PC, T2_SP, F_EXIT_ERR, JIT_NOREG);
}

void mbpf_jit_deopt_regs(const mbpf_jit_ctx *c, const uint8_t map[MBPF_JIT_DEOPT_MAP],
                         uint64_t regs[11])
{
    unsigned end = 0;
    while (end < MBPF_JIT_DEOPT_MAP && map[end] != 0xffu)
        end++;
    for (unsigned r = 0; r < 10; r++) {
        uint32_t half[2];
        if (r >= end) { /* past the end: a register the program never names */
            regs[r] = 0;
            continue;
        }
        for (unsigned h = 0; h < 2; h++) {
            unsigned code = h ? map[r] >> 4 : map[r] & 15u;
            half[h] = code == MAP_ZERO ? 0u
                      : code == MAP_SLOT ? c->deopt_slot[2 * r + h]
                      : code <= 8u       ? c->deopt_r[code - 1u]
                                         : 0u;
        }
        regs[r] = (uint64_t)half[1] << 32 | half[0];
    }
    regs[10] = c->stack_end; /* no local calls: always the first frame's top */
}
