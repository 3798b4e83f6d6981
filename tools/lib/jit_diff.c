/* Differential runs of the interpreter and the JIT (see jit_diff.h).
 *
 * Both runs use the same host buffers (the harness maps them into the
 * emulator), so each run starts by restoring the input, and the
 * interpreter's final memory is kept aside for the comparison. The ctx buffer
 * sits between guard bytes so that a pointer a little out of bounds on the
 * host cannot fall into another buffer. Three small decoy regions (read-only,
 * write-only, read-write) below and above the ctx make region lookups search
 * a real table, as on a device.
 */
#include "jit_diff.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "host_lowmem.h"
#include "jit_uc.h"
#include "mbpf/jit.h"
#include "mbpf_asm.h"

#define CTX_GUARD 512u
#define RELOCATED_BY 64u /* second JIT run: ctx this much higher (fits the guard) */
#define DECOY 64u        /* regions the program never points to: the table has several entries */
#define DECOY_GAP 4096u  /* between the ctx and the decoys, beyond any pointer's reach */

struct jit_diff {
    jit_uc *uc;
    mbpf_helpers helpers;
    mbpf_helper helper_storage[PROGEN_NUM_HELPERS];
    void *vm_mem;
    size_t vm_mem_len;
    void *scratch;
    size_t scratch_len;
    uint8_t *code;
    size_t code_cap;
    uint32_t *offsets;
    size_t offsets_cap;
    uint8_t *ctx_buf; /* guard decoy gap ctx gap decoy decoy guard */
    size_t ctx_cap;
    uint8_t *snap; /* the interpreter's final ctx then stack */
    const uint32_t *allowed; /* helper ids the program may call (NULL: all) */
    uint16_t num_allowed;
    size_t snap_cap;
};

/* buf if it holds len bytes, else a new zeroed 64-aligned block (buf is
 * freed); NULL when out of memory. */
static void *grow(void *buf, size_t *cap, size_t len)
{
    if (*cap >= len && buf)
        return buf;
    size_t sz = (len + 64u) & ~(size_t)63u;
    void *p = aligned_alloc(64, sz);
    free(buf);
    *cap = p ? sz : 0;
    if (p)
        memset(p, 0, sz);
    return p;
}

#define reserve(field, cap, len) (((field) = grow((field), (cap), (len))) == NULL)

/* The same below 4 GiB (host_lowmem.c) for what the program can point at
 * (VM memory with its stack, ctx and decoys): mapped at its own address
 * under Unicorn, as on a device, so that a loop guard that hands the run
 * over to the interpreter (deopt) leaves registers the host can use as
 * they are. */
static void *grow_low(void *buf, size_t *cap, size_t len)
{
    if (*cap >= len && buf)
        return buf;
    host_low_free(buf, *cap);
    void *p = host_low_alloc(len);
    *cap = p ? len : 0;
    return p;
}

#define reserve_low(field, cap, len) (((field) = grow_low((field), (cap), (len))) == NULL)

jit_diff *jit_diff_open(void)
{
    jit_diff *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->uc = jit_uc_open();
    if (!d->uc || progen_helpers_init(&d->helpers, d->helper_storage) != MBPF_OK) {
        jit_diff_close(d);
        return NULL;
    }
    jit_uc_set_insn_cap(d->uc, 50u * 1000u * 1000u);
    return d;
}

void jit_diff_close(jit_diff *d)
{
    if (!d)
        return;
    if (d->uc)
        jit_uc_close(d->uc);
    host_low_free(d->vm_mem, d->vm_mem_len);
    free(d->scratch);
    free(d->code);
    free(d->offsets);
    host_low_free(d->ctx_buf, d->ctx_cap);
    free(d->snap);
    free(d);
}

static void say(jit_diff_report *r, const char *fmt, ...)
{
    size_t used = strlen(r->why);
    if (used + 1 >= sizeof r->why)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why + used, sizeof r->why - used, fmt, ap);
    va_end(ap);
}

static int same_msg(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* Compares everything the contract fixes; appends each difference to why. */
static void compare(jit_diff_report *r, const uint8_t *ictx, const uint8_t *jctx,
                    uint32_t ctx_len, const uint8_t *istack, const uint8_t *jstack,
                    size_t stack_len)
{
    const mbpf_result *a = &r->interp, *b = &r->jit;
    if (a->status != b->status)
        say(r, "status %d vs %d; ", a->status, b->status);
    else if (a->status == MBPF_OK && a->r0 != b->r0)
        say(r, "r0 0x%" PRIx64 " vs 0x%" PRIx64 "; ", a->r0, b->r0);
    if (a->status == b->status && a->status != MBPF_OK) {
        if (a->pc != b->pc)
            say(r, "pc %u vs %u; ", a->pc, b->pc);
        if (!same_msg(a->msg, b->msg))
            say(r, "msg '%s' vs '%s'; ", a->msg ? a->msg : "(null)", b->msg ? b->msg : "(null)");
        if (a->status == MBPF_E_MEM &&
            (a->fault_addr != b->fault_addr || a->fault_size != b->fault_size))
            say(r, "fault 0x%" PRIx64 "/%u vs 0x%" PRIx64 "/%u; ", a->fault_addr, a->fault_size,
                b->fault_addr, b->fault_size);
        if ((a->status == MBPF_E_HELPER || a->status == MBPF_E_BAD_HELPER) &&
            a->helper_id != b->helper_id)
            say(r, "helper_id %u vs %u; ", a->helper_id, b->helper_id);
    }
    if (a->budget_used != b->budget_used)
        say(r, "budget_used %" PRIu64 " vs %" PRIu64 "; ", a->budget_used, b->budget_used);
    for (uint32_t i = 0; i < ctx_len; i++) {
        if (ictx[i] != jctx[i]) {
            say(r, "ctx[%u] 0x%02x vs 0x%02x; ", i, ictx[i], jctx[i]);
            break;
        }
    }
    for (size_t i = 0; i < stack_len; i++) {
        if (istack[i] != jstack[i]) {
            say(r, "stack[%zu] (r10%+ld of frame 0) 0x%02x vs 0x%02x; ", i,
                (long)i - (long)stack_len, istack[i], jstack[i]);
            break;
        }
    }
    r->verdict = r->why[0] ? JIT_DIFF_MISMATCH : JIT_DIFF_SAME;
}

int jit_diff_run(jit_diff *d, const mbpf_insn *insns, uint32_t n, const mbpf_config *cfg,
                 const uint8_t *ctx, uint32_t ctx_len, uint32_t ctx_flags, uint8_t stack_fill,
                 jit_diff_report *r)
{
    memset(r, 0, sizeof *r);
    r->verdict = JIT_DIFF_HARNESS;
    size_t stack_len = (size_t)cfg->stack_size * cfg->max_depth;
    size_t need = mbpf_vm_mem_size(cfg);
    size_t scratch = mbpf_verify_scratch_size(insns, n);
    if (!need || reserve_low(d->vm_mem, &d->vm_mem_len, need) ||
        reserve(d->scratch, &d->scratch_len, scratch + 8) ||
        reserve(d->offsets, &d->offsets_cap, ((size_t)n + 1) * sizeof(uint32_t)) ||
        reserve_low(d->ctx_buf, &d->ctx_cap, ctx_len + 2u * CTX_GUARD + 2u * DECOY_GAP + 5u * DECOY) ||
        reserve(d->snap, &d->snap_cap, ctx_len + stack_len)) {
        say(r, "out of memory or bad configuration");
        return r->verdict;
    }

    mbpf_vm vm;
    mbpf_verify_error verr;
    if (mbpf_vm_init(&vm, cfg, d->vm_mem, d->vm_mem_len) != MBPF_OK) {
        say(r, "mbpf_vm_init failed");
        return r->verdict;
    }
    mbpf_vm_set_helpers(&vm, &d->helpers, d->allowed, d->num_allowed);
    uint8_t *lo = d->ctx_buf + CTX_GUARD;
    uint8_t *c = lo + DECOY + DECOY_GAP;
    uint8_t *hi = c + ((ctx_len + DECOY_GAP + 7u) & ~7u);
    if (cfg->max_regions >= 4 &&
        (mbpf_vm_add_region(&vm, lo, DECOY, MBPF_MEM_READ) != MBPF_OK ||
         mbpf_vm_add_region(&vm, hi, DECOY, MBPF_MEM_WRITE) != MBPF_OK ||
         mbpf_vm_add_region(&vm, hi + 2u * DECOY, DECOY, MBPF_MEM_RW) != MBPF_OK)) {
        say(r, "cannot add the decoy regions");
        return r->verdict;
    }
    int rc = mbpf_vm_load(&vm, insns, n, d->scratch, d->scratch_len, &verr);
    if (rc != MBPF_OK) {
        r->verdict = JIT_DIFF_LOAD;
        say(r, "load: status %d at insn %u: %s", rc, verr.pc, verr.msg ? verr.msg : "?");
        return r->verdict;
    }

    size_t code_len = 0;
    mbpf_jit_error jerr = {0, 0, NULL};
    rc = mbpf_jit_compile(&vm, NULL, 0, &code_len, d->offsets, &jerr);
    if (rc == MBPF_E_NOSPACE && code_len && reserve(d->code, &d->code_cap, code_len) == 0)
        rc = mbpf_jit_compile(&vm, d->code, d->code_cap, &code_len, d->offsets, &jerr);
    if (rc != MBPF_OK) {
        say(r, "jit compile: status %d at insn %u: %s", rc, jerr.pc, jerr.msg ? jerr.msg : "?");
        return r->verdict;
    }
    r->code_len = code_len;

    uint8_t *run_ctx = ctx_len ? c : NULL;
    if (ctx_len)
        memcpy(c, ctx, ctx_len);
    memset(vm.stack, stack_fill, stack_len);
    mbpf_vm_run(&vm, run_ctx, ctx_len, ctx_flags, NULL, &r->interp);
    memcpy(d->snap, c, ctx_len);
    memcpy(d->snap + ctx_len, vm.stack, stack_len);

    if (ctx_len)
        memcpy(c, ctx, ctx_len);
    memset(vm.stack, stack_fill, stack_len);
    jit_uc_stats stats;
    memset(&stats, 0, sizeof stats);
    rc = jit_uc_run(d->uc, &vm, d->code, code_len, run_ctx, ctx_len, ctx_flags, NULL, &r->jit,
                    &stats);
    r->arm_insns = stats.insns;
    if (rc != JIT_UC_OK) {
        say(r, "harness: %d: %s", rc, jit_uc_error(d->uc));
        return r->verdict;
    }
    compare(r, d->snap, c, ctx_len, d->snap + ctx_len, vm.stack, stack_len);
    if (r->verdict != JIT_DIFF_SAME || !ctx_len)
        return r->verdict;

    /* The same code again with the ctx RELOCATED_BY bytes higher: the code is
     * position independent and regions may change between runs. */
    uint8_t *moved = c + RELOCATED_BY;
    memcpy(moved, ctx, ctx_len);
    memset(vm.stack, stack_fill, stack_len);
    mbpf_result again;
    rc = jit_uc_run(d->uc, &vm, d->code, code_len, moved, ctx_len, ctx_flags, NULL, &again,
                    &stats);
    if (rc != JIT_UC_OK) {
        say(r, "harness (second run, ctx moved): %d: %s", rc, jit_uc_error(d->uc));
        r->verdict = JIT_DIFF_HARNESS;
        return r->verdict;
    }
    uint64_t fa = r->interp.fault_addr;
    if (again.fault_addr == fa + RELOCATED_BY)
        again.fault_addr = fa; /* a fault through a ctx pointer moved with it */
    r->jit = again;
    compare(r, d->snap, moved, ctx_len, d->snap + ctx_len, vm.stack, stack_len);
    if (r->verdict != JIT_DIFF_SAME)
        say(r, "(second run of the same code with the ctx moved by %u bytes)", RELOCATED_BY);
    return r->verdict;
}

int jit_diff_program(jit_diff *d, const progen_program *p, jit_diff_report *r)
{
    d->allowed = p->num_allowed ? p->allowed : NULL;
    d->num_allowed = p->num_allowed;
    int v = jit_diff_run(d, p->insns, p->n, &p->cfg, p->ctx, p->ctx_len, p->ctx_flags,
                         p->stack_fill, r);
    d->allowed = NULL;
    d->num_allowed = 0;
    return v;
}

void jit_diff_print_result(FILE *out, const char *who, const mbpf_result *res)
{
    fprintf(out, "%s: status %d", who, res->status);
    if (res->status == MBPF_OK)
        fprintf(out, " r0 0x%" PRIx64, res->r0);
    else
        fprintf(out, " pc %u msg '%s'", res->pc, res->msg ? res->msg : "");
    if (res->status == MBPF_E_MEM)
        fprintf(out, " fault 0x%" PRIx64 " size %u", res->fault_addr, res->fault_size);
    if (res->status == MBPF_E_HELPER || res->status == MBPF_E_BAD_HELPER)
        fprintf(out, " helper %u", res->helper_id);
    fprintf(out, " budget_used %" PRIu64 "\n", res->budget_used);
}

void jit_diff_print_program(FILE *out, const progen_program *p)
{
    fprintf(out, "# seed %" PRIu64 " index %u: %u slots, stack %u x %u, budget %" PRIu64
                 ", ctx %u bytes (%s), stack fill 0x%02x\n",
            p->seed, p->index, p->n, p->cfg.stack_size, (unsigned)p->cfg.max_depth,
            p->cfg.budget, p->ctx_len, p->ctx_flags & MBPF_MEM_WRITE ? "rw" : "r",
            p->stack_fill);
    if (p->num_allowed) {
        fprintf(out, "# allowed helpers:");
        for (unsigned k = 0; k < p->num_allowed; k++)
            fprintf(out, " %u", p->allowed[k]);
        fprintf(out, "\n");
    }
    fprintf(out, "# ctx:");
    for (uint32_t i = 0; i < p->ctx_len; i++)
        fprintf(out, "%s%02x", (i % 32) ? " " : "\n#  ", p->ctx[i]);
    fprintf(out, "\n");
    mbpf_disasm(out, p->insns, p->n, MBPF_DISASM_PC);
}

int jit_diff_compare(jit_diff_report *r, const uint8_t *ictx, const uint8_t *jctx,
                     uint32_t ctx_len, const uint8_t *istack, const uint8_t *jstack,
                     size_t stack_len)
{
    compare(r, ictx, jctx, ctx_len, istack, jstack, stack_len);
    return r->verdict;
}
