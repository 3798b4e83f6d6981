/* Counted-loop fast path, part 3: copies sunk out of the unchecked copy.
 *
 * clang keeps accumulators as `mov32 b, x; add32 b, y; ...; mov32 a, b`
 * (b a temporary, a the accumulator). In the fast copy, which is straight
 * line and cannot fail, the pair may compute into a directly (one
 * three-operand instruction) and the final copy vanish, when
 *   - a and b are not mentioned between the pair and the copy (writing a
 *     early is then invisible), nor written after the copy;
 *   - b is not read after the copy, and the body's first mention of b is a
 *     write that reads nothing of b (b is dead on the back-edge);
 *   - a, b, x, y live in ARM registers, y != b, x != b, and neither a nor b
 *     is the counter, the limit or a base of the loop.
 * At the loop's exit b must hold what the copy gave it, the value of a
 * (neither changed after the copy): one `mov b, a` on the exit path.
 */
#include "jit/armv7m/jit_internal.h"

static bool is_mov32_reg(const mbpf_insn *in)
{
    return in->code == (MBPF_ALU | MBPF_MOV | MBPF_X) && in->off == 0;
}

/* Does the instruction name r in any register field (or implicitly: r0 of
 * atomics, calls)? Conservative. */
static bool mentions(const mbpf_insn *in, unsigned r)
{
    unsigned cls = MBPF_CLASS(in->code);
    bool jmp = cls == MBPF_JMP || cls == MBPF_JMP32;
    if (jmp && (MBPF_OP(in->code) == MBPF_CALL || MBPF_OP(in->code) == MBPF_EXIT))
        return true;
    if (in->code == MBPF_OP_LDDW || (jmp && MBPF_OP(in->code) == MBPF_JA))
        return MBPF_INSN_DST(in) == r && in->code == MBPF_OP_LDDW;
    if (MBPF_INSN_DST(in) == r)
        return true;
    /* the source field names a register only for these */
    bool src = cls == MBPF_LDX || cls == MBPF_STX ||
               ((cls == MBPF_ALU || cls == MBPF_ALU64 || jmp) && MBPF_SRCBIT(in->code));
    if (src && MBPF_INSN_SRC(in) == r)
        return true;
    return cls == MBPF_STX && MBPF_MODE(in->code) == MBPF_ATOMIC && r == 0;
}

/* Does the instruction write r without reading it? */
static bool pure_write(const mbpf_insn *in, unsigned r)
{
    unsigned cls = MBPF_CLASS(in->code), s = MBPF_INSN_SRC(in);
    if (MBPF_INSN_DST(in) != r)
        return false;
    if (cls == MBPF_LDX)
        return s != r;
    if (cls == MBPF_LD)
        return in->code == MBPF_OP_LDDW;
    if ((cls == MBPF_ALU || cls == MBPF_ALU64) && MBPF_OP(in->code) == MBPF_MOV)
        return !MBPF_SRCBIT(in->code) || s != r;
    return false;
}

static bool loop_reg(const jit_loop *L, unsigned r)
{
    if (r == L->creg || r == L->lreg)
        return true;
    for (unsigned k = 0; k < L->nbases; k++)
        if (L->bases[k].reg == r || L->bases[k].t2 == r)
            return true;
    return false;
}

static bool in_arm(const jit *j, unsigned r) { return r < 10 && j->lo[r] != JIT_NOREG; }

unsigned jit_loop_sinks(const jit *j, const jit_loop *L, jit_sink *out, unsigned max)
{
    const mbpf_insn *ins = j->insns;
    unsigned n = 0;
    for (uint32_t p = L->h; p + 2 < L->e && n < max; p++) {
        const mbpf_insn *mv = &ins[p], *op = &ins[p + 1];
        unsigned b = MBPF_INSN_DST(mv), x = MBPF_INSN_SRC(mv), y = MBPF_INSN_SRC(op);
        unsigned o = MBPF_OP(op->code);
        if (!is_mov32_reg(mv) || MBPF_CLASS(op->code) != MBPF_ALU || !MBPF_SRCBIT(op->code) ||
            op->off != 0 || MBPF_INSN_DST(op) != b || y == b || x == b)
            continue;
        if (o != MBPF_ADD && o != MBPF_SUB && o != MBPF_OR && o != MBPF_AND && o != MBPF_XOR)
            continue;
        if (!in_arm(j, b) || !in_arm(j, x) || !in_arm(j, y) || loop_reg(L, b))
            continue;
        /* the copy `mov32 a, b`: the first mention of b after the pair */
        uint32_t q = p + 2;
        while (q <= L->e && !mentions(&ins[q], b))
            q++;
        if (q > L->e || !is_mov32_reg(&ins[q]) || MBPF_INSN_SRC(&ins[q]) != b)
            continue;
        unsigned a = MBPF_INSN_DST(&ins[q]);
        if (a == b || !in_arm(j, a) || loop_reg(L, a))
            continue;
        bool ok = true;
        for (uint32_t k = p + 2; k < q && ok; k++)
            ok = !mentions(&ins[k], a);
        for (uint32_t k = q + 1; k <= L->e && ok; k++) /* b unread, a and b unwritten */
            ok = !mentions(&ins[k], b) && MBPF_INSN_DST(&ins[k]) != a &&
                 !(MBPF_CLASS(ins[k].code) == MBPF_STX && MBPF_MODE(ins[k].code) == MBPF_ATOMIC);
        /* b dead on the back-edge: its first mention in the body writes it */
        uint32_t f = L->h;
        while (ok && f < p && !mentions(&ins[f], b))
            f++;
        if (!ok || (f < p && !pure_write(&ins[f], b)))
            continue;
        out[n++] = (jit_sink){p - L->h, q - L->h, (uint8_t)a, (uint8_t)b};
        p++; /* pairs do not overlap */
    }
    return n;
}
