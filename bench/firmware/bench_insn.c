/* Cost of single eBPF instructions on the device, interpreter and JIT'd
 * code, for comparison with the per-instruction figures published for
 * Femto-Containers. Each kind runs in a loop of REPS copies x LOOPS
 * iterations; the same loop with no copies is subtracted, so
 *   per instruction = (insns(REPS copies) - insns(0 copies)) / (REPS * LOOPS).
 * Output: insncost,<kind>,<mode>,<instructions with copies>,
 *         <instructions without>,<executed copies>
 */
#include <stdio.h>

#include "bench_fw.h"
#include "fault_guard.h"
#include "mbpf/insn.h"
#include "systick.h"

#define REPS 16u
#define LOOPS 64u
#define MAX_PROG (REPS * 2u + 16u)

static uint8_t vm_mem[2048] __attribute__((aligned(8)));
static uint8_t code[4096] __attribute__((aligned(8)));
static uint32_t offsets[MAX_PROG + 1u];
static uint8_t ctx_bytes[16] __attribute__((aligned(8))) = {1, 2, 3, 4, 5, 6, 7, 8};

#define INSN(c, d, s, o, i) ((mbpf_insn){(uint8_t)(c), MBPF_REGS(d, s), (int16_t)(o), (int32_t)(i)})

typedef struct kind {
    const char *name;
    mbpf_insn body[2];
    uint8_t body_len; /* 1, or 2 for a pair whose first insn is measured apart */
} kind;

/* r0 accumulator, r1 = ctx, r3 = 1, r4 = 3, r5 = loop counter, r7 = a 64-bit
 * constant, [r10-8] = 7. */
static const kind kinds[] = {
    {"mov64_reg", {INSN(MBPF_ALU64 | MBPF_MOV | MBPF_X, 0, 7, 0, 0)}, 1},
    {"add64_reg", {INSN(MBPF_ALU64 | MBPF_ADD | MBPF_X, 0, 3, 0, 0)}, 1},
    {"add32_imm", {INSN(MBPF_ALU | MBPF_ADD | MBPF_K, 0, 0, 0, 1)}, 1},
    {"mul64_reg", {INSN(MBPF_ALU64 | MBPF_MUL | MBPF_X, 0, 4, 0, 0)}, 1},
    {"div64_reg+mov", {INSN(MBPF_ALU64 | MBPF_MOV | MBPF_X, 0, 7, 0, 0),
                       INSN(MBPF_ALU64 | MBPF_DIV | MBPF_X, 0, 4, 0, 0)}, 2},
    {"ldxdw_stack", {INSN(MBPF_LDX | MBPF_MEM | MBPF_DW, 0, 10, -8, 0)}, 1},
    {"stxdw_stack", {INSN(MBPF_STX | MBPF_MEM | MBPF_DW, 10, 0, -8, 0)}, 1},
    {"ldxb_region", {INSN(MBPF_LDX | MBPF_MEM | MBPF_B, 0, 1, 3, 0)}, 1},
    {"jeq_not_taken", {INSN(MBPF_JMP | MBPF_JEQ | MBPF_K, 3, 0, 0, 99)}, 1},
};

static uint32_t build(mbpf_insn *p, const kind *k, uint32_t reps)
{
    uint32_t n = 0;
    p[n++] = INSN(MBPF_ALU64 | MBPF_MOV | MBPF_K, 0, 0, 0, 0);
    p[n++] = INSN(MBPF_ALU64 | MBPF_MOV | MBPF_K, 3, 0, 0, 1);
    p[n++] = INSN(MBPF_ALU64 | MBPF_MOV | MBPF_K, 4, 0, 0, 3);
    p[n++] = INSN(MBPF_OP_LDDW, 7, 0, 0, (int32_t)0x89abcdefu);
    p[n++] = INSN(0, 0, 0, 0, 0x01234567);
    p[n++] = INSN(MBPF_ST | MBPF_MEM | MBPF_DW, 10, 0, -8, 7);
    p[n++] = INSN(MBPF_ALU64 | MBPF_MOV | MBPF_K, 5, 0, 0, (int32_t)LOOPS);
    uint32_t loop = n;
    for (uint32_t r = 0; r < reps; r++)
        for (uint32_t i = 0; i < k->body_len; i++)
            p[n++] = k->body[i];
    p[n++] = INSN(MBPF_ALU64 | MBPF_SUB | MBPF_K, 5, 0, 0, 1);
    p[n] = INSN(MBPF_JMP | MBPF_JNE | MBPF_K, 5, 0, (int32_t)loop - (int32_t)(n + 1u), 0);
    n++;
    p[n++] = INSN(MBPF_OP_EXIT, 0, 0, 0, 0);
    return n;
}

typedef struct jit_call {
    mbpf_vm *vm;
    mbpf_result res;
    uint64_t t0, t1;
    int status;
} jit_call;

static void run_jit(void *arg)
{
    jit_call *c = arg;
    c->t0 = systick_ticks();
    c->status = mbpf_jit_run(c->vm, code, ctx_bytes, sizeof ctx_bytes, MBPF_MEM_READ, NULL,
                             &c->res);
    c->t1 = systick_ticks();
}

/* Instructions of one interpreter run and one JIT'd run (0 on failure). */
static void measure(const kind *k, uint32_t reps, uint64_t overhead, uint32_t out[2])
{
    static mbpf_insn prog[MAX_PROG];
    mbpf_vm vm;
    mbpf_config cfg;
    mbpf_config_default(&cfg);
    cfg.max_depth = 1;
    cfg.max_regions = 4;
    out[0] = out[1] = 0;
    uint32_t n = build(prog, k, reps);
    mbpf_verify_error verr;
    if (mbpf_vm_init(&vm, &cfg, vm_mem, sizeof vm_mem) != MBPF_OK ||
        mbpf_vm_load(&vm, prog, n, NULL, 0, &verr) != MBPF_OK) {
        printf("error,insn_%s,load,%d,%lu,%s\n", k->name, (int)verr.status,
               (unsigned long)verr.pc, verr.msg ? verr.msg : "vm init failed");
        return;
    }
    mbpf_result res;
    uint64_t t0 = systick_ticks();
    int st = mbpf_vm_run(&vm, ctx_bytes, sizeof ctx_bytes, MBPF_MEM_READ, NULL, &res);
    uint64_t t1 = systick_ticks();
    if (st == MBPF_OK)
        out[0] = ticks_to_insns(t1 - t0 - overhead);
    if (!bench_have_jit())
        return;
    size_t len;
    mbpf_jit_error jerr;
    if (mbpf_jit_compile(&vm, code, sizeof code, &len, offsets, &jerr) != MBPF_OK)
        return;
    mbpf_jit_set_runtime(&vm, bench_jit_runtime());
    jit_call c = {.vm = &vm};
    fault_info fi;
    if (!fault_guard_call(run_jit, &c, &fi) && c.status == MBPF_OK &&
        c.res.r0 == res.r0)
        out[1] = ticks_to_insns(c.t1 - c.t0 - overhead);
}

void bench_insn_costs(uint64_t overhead)
{
    for (uint32_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        uint32_t with[2], without[2];
        measure(&kinds[i], REPS, overhead, with);
        measure(&kinds[i], 0, overhead, without);
        static const char *const modes[2] = {"interp", "jit"};
        for (unsigned m = 0; m < 2; m++)
            if (with[m] && without[m])
                printf("insncost,%s,%s,%lu,%lu,%lu\n", kinds[i].name, modes[m],
                       (unsigned long)with[m], (unsigned long)without[m],
                       (unsigned long)(REPS * LOOPS * kinds[i].body_len));
    }
}
