/* Benchmark firmware (`make bench`): for every workload, the executed
 * instructions of the native function, the interpreter, the JIT'd code, the
 * JIT compiler and the image loader (parse + verify), measured on the device
 * with SysTick under QEMU -icount (docs/benchmarks.md explains the method).
 *
 * Output on the UART, one line per figure, parsed by bench/run.sh:
 *   overhead,<ticks>
 *   result,<workload>,<mode>,<instructions>,<ticks>
 *   size,<workload>,<ebpf insns>,<image bytes>,<arena bytes>,<vm bytes>
 *   jitsize,<workload>,<jit code bytes>,<jit native stack bytes>
 *   jitruntime,<bytes of the JIT's shared runtime, once for all workloads>
 *   micro,<what>,<instructions>
 *   calib,<instructions executed by the loop>,<instructions measured>
 *   missing,<workload>,jit                              (no JIT in the core)
 *   check,<workload>,<native r0>,<interp r0>,<jit r0>   (all must be equal)
 *   error,<workload>,<what>,<status>,<pc>,<msg>
 *   done,<errors>
 * then exits through semihosting with the number of errors.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bench_fw.h"
#include "bench_table.h"
#include "fault_guard.h"
#include "mbpf/image.h"
#include "mbpf/jit.h"
#include "mbpf/maps.h"
#include "mbpf/mbpf.h"
#include "semihost.h"
#include "systick.h"

void uart_init(void);

#define BENCH_VM_BYTES (16u * 1024u)
#define BENCH_ARENA_BYTES (16u * 1024u)
#define BENCH_JIT_BYTES (32u * 1024u)
#define BENCH_MAX_REGIONS 16u
#define BENCH_NUM_HELPERS 8u
#define BENCH_MAX_INSNS 2048u

static uint8_t vm_mem[BENCH_VM_BYTES] __attribute__((aligned(8)));
static uint8_t arena[BENCH_ARENA_BYTES] __attribute__((aligned(8)));
static uint8_t jit_code[BENCH_JIT_BYTES] __attribute__((aligned(8)));
static uint32_t insn_offsets[BENCH_MAX_INSNS + 1u]; /* JIT compiler workspace */
static mbpf_helper helper_storage[BENCH_NUM_HELPERS];
static mbpf_helpers helpers;
static mbpf_vm vm;
static unsigned errors;

static void report_error(const char *wl, const char *what, int status, uint32_t pc,
                         const char *msg)
{
    printf("error,%s,%s,%d,%lu,%s\n", wl, what, status, (unsigned long)pc,
           msg ? msg : mbpf_strerror(status));
    errors++;
}

static void report(const char *wl, const char *mode, uint64_t ticks)
{
    printf("result,%s,%s,%lu,%lu\n", wl, mode, (unsigned long)ticks_to_insns(ticks),
           (unsigned long)ticks);
}

/* Parses the image (not measured) to size the VM exactly for it, as a
 * device would, then measures mbpf_image_load: parse, CRC, layout, verify. */
static mbpf_program *load(const bench_workload *w, uint64_t *ticks)
{
    mbpf_image_info info;
    mbpf_image_error ierr;
    size_t len = (size_t)(w->image_end - w->image);
    if (mbpf_image_parse(w->image, len, &info, &ierr) != MBPF_OK) {
        report_error(w->name, "parse", ierr.status, ierr.pc, ierr.msg);
        return NULL;
    }
    mbpf_config cfg;
    mbpf_config_default(&cfg);
    cfg.stack_size = info.stack_size ? (info.stack_size + 7u) & ~7u : 8u;
    cfg.max_depth = (uint8_t)(info.max_depth ? info.max_depth : 1u);
    cfg.max_regions = BENCH_MAX_REGIONS;
    int st = mbpf_vm_init(&vm, &cfg, vm_mem, sizeof vm_mem);
    if (st != MBPF_OK) {
        report_error(w->name, "vm_init", st, 0, NULL);
        return NULL;
    }
    mbpf_load_opts opts = {.helpers = &helpers};
    mbpf_program *prog = NULL;
    uint64_t t0 = systick_ticks();
    st = mbpf_image_load(&vm, w->image, len, &opts, arena, sizeof arena, &prog, &ierr);
    uint64_t t1 = systick_ticks();
    if (st != MBPF_OK) {
        report_error(w->name, "load", st, ierr.pc,
                     st == MBPF_E_VERIFY ? ierr.verify.msg : ierr.msg);
        return NULL;
    }
    *ticks = t1 - t0;
    printf("size,%s,%lu,%lu,%lu,%lu\n", w->name, (unsigned long)info.num_insns,
           (unsigned long)len, (unsigned long)info.arena_needed,
           (unsigned long)mbpf_vm_mem_size(&cfg));
    return prog;
}

/* Calibration of the method: a loop of exactly 2n + 1 instructions
 * (subs/bne n times, then bx lr); the call adds the argument move and bl. */
__attribute__((naked, noinline)) static void calib_loop(uint32_t n)
{
    (void)n;
    __asm__ volatile("1: subs r0, r0, #1\n"
                     "   bne 1b\n"
                     "   bx lr\n");
}

static void calibrate(uint64_t overhead)
{
    const uint32_t n = 100000u;
    uint64_t t0 = systick_ticks();
    calib_loop(n);
    uint64_t t1 = systick_ticks();
    printf("calib,%lu,%lu\n", (unsigned long)(2u * n + 1u),
           (unsigned long)ticks_to_insns(t1 - t0 - overhead));
}

/* The JIT'd code runs under the board's fault guard, so that a fault in
 * generated code is reported instead of stopping the benchmark; the clock is
 * read inside, around the run alone. */
typedef struct jit_call {
    mbpf_result *res;
    int status;
    uint64_t t0, t1;
} jit_call;

const mbpf_jit_runtime *bench_jit_runtime(void)
{
    static uint8_t rt_code[1024] __attribute__((aligned(8)));
    static mbpf_jit_runtime rt;
    static int state; /* 0 not yet, 1 ok, -1 failed */
    size_t len = 0;
    if (state == 0)
        state = mbpf_jit_runtime_emit(rt_code, sizeof rt_code, &len, &rt) == MBPF_OK ? 1 : -1;
    return state > 0 ? &rt : NULL;
}

static void run_jit_timed(void *arg)
{
    jit_call *c = arg;
    c->t0 = systick_ticks();
    c->status = mbpf_jit_run(&vm, jit_code, NULL, 0, 0, NULL, c->res);
    c->t1 = systick_ticks();
}

/* The building block of every checked access outside the JIT's inline stack
 * check, measured alone: one mbpf_vm_check_mem on the program's .rodata (a
 * region of the table) and on its stack. */
static void micro_check_mem(const mbpf_program *prog, uint64_t overhead)
{
    uint64_t rodata = (uintptr_t)prog->rodata, stack = (uintptr_t)vm.stack;
    uint64_t t0 = systick_ticks();
    bool ok1 = mbpf_vm_check_mem(&vm, rodata, 1, MBPF_MEM_READ);
    uint64_t t1 = systick_ticks();
    bool ok2 = mbpf_vm_check_mem(&vm, stack, 1, MBPF_MEM_READ);
    uint64_t t2 = systick_ticks();
    if (ok1 && ok2) {
        printf("micro,check_mem_region,%lu\n", (unsigned long)ticks_to_insns(t1 - t0 - overhead));
        printf("micro,check_mem_stack,%lu\n",
               (unsigned long)ticks_to_insns(t2 - t1 - overhead));
    }
}

static void bench_one(const bench_workload *w, uint64_t overhead)
{
    uint64_t t0, t1, load_ticks = 0;
    uint32_t r_native, r_interp = 0, r_jit = 0;

    t0 = systick_ticks();
    r_native = w->native();
    t1 = systick_ticks();
    report(w->name, "native", t1 - t0 - overhead);

    mbpf_program *prog = load(w, &load_ticks);
    if (!prog)
        return;
    report(w->name, "load_verify", load_ticks - overhead);
    if (!strcmp(w->name, "fletcher16_640"))
        micro_check_mem(prog, overhead);

    mbpf_result res;
    mbpf_program_reset(prog);
    t0 = systick_ticks();
    int st = mbpf_vm_run(&vm, NULL, 0, 0, NULL, &res);
    t1 = systick_ticks();
    if (st != MBPF_OK)
        report_error(w->name, "interp", st, res.pc, res.msg);
    else
        report(w->name, "interp", t1 - t0 - overhead);
    r_interp = (uint32_t)res.r0;

    bool jit_ok = false;
    if (bench_have_jit()) {
        size_t code_len = 0;
        mbpf_jit_error jerr;
        t0 = systick_ticks();
        uint32_t *offsets = vm.num_insns < BENCH_MAX_INSNS ? insn_offsets : NULL;
        st = mbpf_jit_compile(&vm, jit_code, sizeof jit_code, &code_len, offsets, &jerr);
        t1 = systick_ticks();
        if (st != MBPF_OK) {
            report_error(w->name, "jit_compile", st, jerr.pc, jerr.msg);
        } else {
            report(w->name, "jit_compile", t1 - t0 - overhead);
            printf("jitsize,%s,%lu,%lu\n", w->name, (unsigned long)code_len,
                   (unsigned long)(mbpf_jit_native_stack ? mbpf_jit_native_stack(&vm) : 0));
            mbpf_program_reset(prog);
            mbpf_jit_set_runtime(&vm, bench_jit_runtime());
            jit_call call = {.res = &res};
            fault_info fi;
            if (fault_guard_call(run_jit_timed, &call, &fi)) {
                printf("error,%s,jit,fault,vector %lu pc 0x%08lx addr 0x%08lx\n", w->name,
                       (unsigned long)fi.vector, (unsigned long)fi.pc, (unsigned long)fi.addr);
                errors++;
                st = MBPF_E_JIT;
                res.pc = 0;
                res.msg = "the JIT'd code faulted";
            } else {
                st = call.status;
                t0 = call.t0;
                t1 = call.t1;
            }
            if (st != MBPF_OK) {
                report_error(w->name, "jit", st, res.pc, res.msg);
            } else {
                report(w->name, "jit", t1 - t0 - overhead);
                r_jit = (uint32_t)res.r0;
                jit_ok = true;
            }
        }
    } else {
        printf("missing,%s,jit\n", w->name);
    }
    printf("check,%s,%lu,%lu,%lu\n", w->name, (unsigned long)r_native,
           (unsigned long)r_interp, (unsigned long)r_jit);
    if (r_interp != r_native || (jit_ok && r_jit != r_native))
        report_error(w->name, "result mismatch", 0, 0, "native/interp/jit differ");
}

int main(void)
{
    uart_init();
    systick_init();
    mbpf_helpers_init(&helpers, helper_storage, BENCH_NUM_HELPERS);
    if (mbpf_maps_register_helpers(&helpers) != MBPF_OK)
        report_error("-", "helpers", MBPF_E_NOSPACE, 0, "cannot register map helpers");

    printf("bench,start\n");
    /* The cost of the measurement itself: two reads back to back. */
    uint64_t t0 = systick_ticks();
    uint64_t t1 = systick_ticks();
    uint64_t overhead = t1 - t0;
    printf("overhead,%lu\n", (unsigned long)overhead);
    if (bench_have_jit() && bench_jit_runtime())
        printf("jitruntime,%lu\n", (unsigned long)bench_jit_runtime()->size);
    calibrate(overhead);
    bench_insn_costs(overhead);

    for (uint32_t i = 0; i < bench_num_workloads; i++)
        bench_one(&bench_workloads[i], overhead);
    printf("done,%u\n", errors);
    semihost_exit(errors);
}
