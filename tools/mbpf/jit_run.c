/* `mbpf jit PROG --run`: the program on the interpreter and through the JIT
 * under Unicorn, each on a fresh load (images keep state in maps) and a
 * fresh copy of the input, compared as the differential tester compares
 * (jit_diff_compare). Everything a program can point at is below 4 GiB
 * (host_lowmem.h) and freed in reverse order, so both runs see the same
 * addresses and the JIT'd code uses them as 32-bit pointers, as on a device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jit_cmd.h"
#include "jit_diff.h"
#include "jit_uc.h"

/* One run's final state. */
typedef struct run_state {
    mbpf_result res;
    uint8_t *ctx, *coap, *stack; /* copies (malloc) */
    const void *stack_at;
    size_t stack_len;
    uint64_t insns, tramp;
    size_t code_len;
} run_state;

static void state_free(run_state *s)
{
    free(s->ctx);
    free(s->coap);
    free(s->stack);
}

static uint8_t *dup_bytes(const void *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

/* A clock that only sleeps advance (from 1 s): both runs see the same
 * times, so time values a program keeps (on its stack) compare equal. */
static uint64_t virtual_us(const host_platform *hp)
{
    return 1000000u + hp->slept_us;
}

static uint32_t virtual_now_ms(void *ctx)
{
    return (uint32_t)(virtual_us(ctx) / 1000u);
}

static uint32_t virtual_ztimer_now(void *ctx)
{
    return (uint32_t)virtual_us(ctx);
}

static void virtual_sleep_until(void *ctx, uint32_t when)
{
    host_platform *hp = ctx;
    int32_t ahead = (int32_t)(when - (uint32_t)virtual_us(hp));
    if (ahead > 0)
        hp->slept_us += (uint64_t)ahead;
}

/* Loads, runs once (jit: compiled, under Unicorn), keeps the final state.
 * CLI_OK when the run happened (whatever its status), else an exit code
 * after printing why. */
static int run_once(const jit_args *a, bool jit, run_state *st)
{
    run_ctx c;
    loaded l;
    memset(st, 0, sizeof *st);
    if (run_ctx_copy(&c, &a->ctx)) {
        run_ctx_free(&c);
        fprintf(stderr, "mbpf jit: out of memory\n");
        return CLI_FAILED;
    }
    int rc = jit_cmd_load(a, &l);
    if (rc != CLI_OK) {
        run_ctx_free(&c);
        return rc;
    }
    void *user = l.image ? &l.hi.platform.env : NULL;
    if (l.image) {
        l.hi.platform.pf.now_ms = virtual_now_ms;
        l.hi.platform.pf.ztimer_now = virtual_ztimer_now;
        l.hi.platform.pf.ztimer_sleep_until = virtual_sleep_until;
    }
    uint32_t flags = c.ro ? MBPF_MEM_READ : MBPF_MEM_RW;
    if (c.coap && c.coap_len && mbpf_vm_add_region(l.vm, c.coap_buf, c.coap_len, MBPF_MEM_RW)) {
        fprintf(stderr, "mbpf jit: cannot add the CoAP buffer region\n");
        rc = CLI_FAILED;
    } else if (!jit) {
        fflush(stdout);
        mbpf_vm_run(l.vm, c.buf, c.len, flags, user, &st->res);
    } else {
        uint8_t *code = NULL;
        uint32_t *offsets = calloc((size_t)l.vm->num_insns + 1, sizeof *offsets);
        rc = offsets ? jit_cmd_compile(l.vm, &code, &st->code_len, offsets) : CLI_FAILED;
        jit_uc *uc = rc == CLI_OK ? jit_uc_open() : NULL;
        jit_uc_stats stats;
        memset(&stats, 0, sizeof stats);
        fflush(stdout);
        if (rc == CLI_OK && (!uc || jit_uc_run(uc, l.vm, code, st->code_len, c.buf, c.len,
                                               flags, user, &st->res, &stats) != JIT_UC_OK)) {
            fprintf(stderr, "error: jit: harness: %s\n", uc ? jit_uc_error(uc) : "no engine");
            rc = CLI_FAILED;
        }
        st->insns = stats.insns;
        st->tramp = stats.tramp;
        jit_uc_close(uc);
        free(code);
        free(offsets);
    }
    if (l.image && l.hi.platform.out)
        fflush(l.hi.platform.out);
    st->stack_len = (size_t)l.vm->cfg.max_depth * l.vm->cfg.stack_size;
    st->stack_at = l.vm->stack;
    st->stack = dup_bytes(l.vm->stack, st->stack_len);
    st->ctx = dup_bytes(c.buf, c.len);
    st->coap = dup_bytes(c.coap_buf, c.coap_len);
    if (!st->stack || !st->ctx || !st->coap) {
        fprintf(stderr, "mbpf jit: out of memory\n");
        rc = CLI_FAILED;
    }
    jit_cmd_unload(&l);
    run_ctx_free(&c);
    return rc;
}

int jit_cmd_run(const jit_args *a)
{
    jit_diff_report r;
    run_state in, jt;
    memset(&r, 0, sizeof r);
    int rc = run_once(a, false, &in);
    if (rc == CLI_OK)
        rc = run_once(a, true, &jt);
    else
        memset(&jt, 0, sizeof jt);
    if (rc != CLI_OK) {
        state_free(&in);
        state_free(&jt);
        return rc;
    }
    r.interp = in.res;
    r.jit = jt.res;
    /* stack bytes hold pointers into it: compared when both loads put it at
     * the same address (always, unless host_lowmem fell back) */
    bool same_stack = in.stack_at == jt.stack_at && in.stack_len == jt.stack_len;
    jit_diff_compare(&r, in.ctx, jt.ctx, a->ctx.len, in.stack, jt.stack,
                     same_stack ? in.stack_len : 0);
    if (a->ctx.coap && memcmp(in.coap, jt.coap, a->ctx.coap_len) != 0) {
        size_t used = strlen(r.why);
        snprintf(r.why + used, sizeof r.why - used, "coap response buffer differs; ");
        r.verdict = JIT_DIFF_MISMATCH;
    }
    printf("program:           %s\n", a->path);
    jit_diff_print_result(stdout, "interpreter", &r.interp);
    jit_diff_print_result(stdout, "jit", &r.jit);
    printf("code bytes:        %zu\n", jt.code_len);
    printf("arm instructions:  %llu\n", (unsigned long long)jt.insns);
    printf("calls out:         %llu\n", (unsigned long long)jt.tramp);
    if (!same_stack)
        printf("note:              stack not compared (the loads got different addresses)\n");
    if (r.verdict == JIT_DIFF_SAME) {
        printf("verdict:           same\n");
    } else {
        printf("verdict:           DIFFERENT: %s\n", r.why);
        rc = CLI_FAILED;
    }
    state_free(&in);
    state_free(&jt);
    return rc;
}
