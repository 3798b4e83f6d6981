/* Device side of the JIT: builds the context block, provides the memory
 * check and helper-call routines the generated code calls, runs the code and
 * fills mbpf_result exactly like the interpreter. Only on ARMv7-M; other
 * hosts run JIT output through tools/lib/jit_uc.c.
 */
#include "jit/armv7m/jit_internal.h"
#include "internal.h"

const char *mbpf_jit_kind_msg(uint32_t kind)
{
    switch (kind) {
    case MBPF_JIT_KIND_LOAD: return MBPF_MSG_LOAD;
    case MBPF_JIT_KIND_STORE: return MBPF_MSG_STORE;
    case MBPF_JIT_KIND_ATOMIC: return MBPF_MSG_ATOMIC;
    case MBPF_JIT_KIND_BUDGET: return MBPF_MSG_BUDGET;
    case MBPF_JIT_KIND_DEPTH: return MBPF_MSG_DEPTH;
    default: return NULL;
    }
}

uint32_t mbpf_jit_native_stack(const mbpf_vm *vm)
{
    uint32_t depth = vm && vm->cfg.max_depth ? vm->cfg.max_depth : 1u;
    /* frame (with the shared routines' slots and run's push) + records +
     * the deepest shared routine (sdiv64 -> udiv64: 64 bytes; a veneer
     * pushes nothing; the exits' register image: 36) */
    return F_RECS + REC_SIZE * depth + 64u;
}

void mbpf_jit_set_runtime(mbpf_vm *vm, const mbpf_jit_runtime *rt)
{
    if (vm)
        vm->jit_rt = rt;
}

#if defined(__thumb2__) && (defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__))

typedef struct jit_run {
    mbpf_jit_ctx c; /* first: the routines get &c and find the rest */
    mbpf_vm *vm;
    void *user;
    mbpf_result hres; /* filled by a failing helper call */
} jit_run;

/* c[] = the region caches (read start, lim, write start, lim): reg becomes
 * the cache of each need it allows. */
static void pick_cache(uint32_t c[4], const mbpf_region *reg)
{
    uint32_t lim = mbpf_jit_cache_lim(reg->len);
    if (reg->flags & MBPF_MEM_READ) {
        c[0] = (uint32_t)reg->start;
        c[1] = lim;
    }
    if (reg->flags & MBPF_MEM_WRITE) {
        c[2] = (uint32_t)reg->start;
        c[3] = lim;
    }
}

/* The region an access just passed becomes the cache of each need it
 * allows (the code's inline check reads copies of these). */
static void cache_region(mbpf_jit_ctx *c, const mbpf_region *reg)
{
    uint32_t v[4] = {c->cr_start, c->cr_lim, c->cw_start, c->cw_lim};
    pick_cache(v, reg);
    c->cr_start = v[0];
    c->cr_lim = v[1];
    c->cw_start = v[2];
    c->cw_lim = v[3];
}

static uint32_t check_mem(uint32_t lo, uint32_t hi, uint32_t desc, mbpf_jit_ctx *c)
{
    jit_run *r = (jit_run *)(void *)c;
    uint32_t kind = MBPF_JIT_DESC_KIND(desc), size = MBPF_JIT_DESC_SIZE(desc);
    uint32_t need = kind == MBPF_JIT_KIND_LOAD    ? MBPF_MEM_READ
                    : kind == MBPF_JIT_KIND_STORE ? MBPF_MEM_WRITE
                                                  : MBPF_MEM_RW;
    uint64_t addr = (uint64_t)hi << 32 | lo;
    uint64_t stack = (uint64_t)(uintptr_t)r->vm->stack;
    if (mbpf_range_in(addr, size, stack, mbpf_stack_bytes(r->vm)))
        return 0;
    const mbpf_region *reg = mbpf_vm_find_region(r->vm, addr, size, need);
    if (reg) {
        cache_region(c, reg);
        return 0;
    }
    c->status = (uint32_t)MBPF_E_MEM;
    c->pc = MBPF_JIT_DESC_PC(desc);
    c->fault_lo = lo;
    c->fault_hi = hi;
    c->fault_size = size;
    c->kind = kind;
    return 1;
}

/* Loop guards: is all of [start, start + len) allowed (no error recorded)? */
static uint32_t check_range(uint32_t start, uint32_t len, uint32_t desc, mbpf_jit_ctx *c)
{
    jit_run *r = (jit_run *)(void *)c;
    uint32_t kind = MBPF_JIT_DESC_KIND(desc);
    uint32_t need = kind == MBPF_JIT_KIND_LOAD    ? MBPF_MEM_READ
                    : kind == MBPF_JIT_KIND_STORE ? MBPF_MEM_WRITE
                                                  : MBPF_MEM_RW;
    uint64_t stack = (uint64_t)(uintptr_t)r->vm->stack;
    if (len == 0)
        return 1;
    if (mbpf_range_in(start, len, stack, mbpf_stack_bytes(r->vm)))
        return 0;
    const mbpf_region *reg = mbpf_vm_find_region(r->vm, start, len, need);
    if (!reg)
        return 1;
    cache_region(c, reg);
    return 0;
}

static uint64_t call_helper(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                            mbpf_jit_ctx *c, uint32_t id)
{
    jit_run *r = (jit_run *)(void *)c;
    uint64_t args[5] = {a1, a2, a3, a4, a5}, ret = 0;
    int st = mbpf_vm_call_helper(r->vm, id, args, r->user, &ret, &r->hres);
    c->cr_lim = c->cw_lim = 0; /* the helper may have changed the regions */
    if (st != MBPF_OK) {
        c->status = (uint32_t)st;
        c->kind = MBPF_JIT_KIND_HELPER;
        c->helper_id = id;
        return 0;
    }
    return ret;
}

static int run_refused(mbpf_result *res, int status, const char *msg)
{
    res->status = status;
    res->msg = msg;
    return status;
}

int mbpf_jit_run(mbpf_vm *vm, const void *code, void *ctx, uint32_t ctx_len,
                 uint32_t ctx_flags, void *user, mbpf_result *res)
{
    if (!res)
        return MBPF_E_ARG;
    mbpf_result_clear(res); /* what a run does not set stays 0 */
    if (!vm || !code || (ctx_len != 0 && !ctx))
        return run_refused(res, MBPF_E_ARG, "bad argument");
    if (!vm->loaded || !vm->insns || vm->pad || !vm->jit_rt)
        return run_refused(res, MBPF_E_STATE,
                           vm->pad                      ? "VM is already running"
                           : !vm->loaded || !vm->insns ? "no program loaded"
                                                        : "no JIT runtime: call mbpf_jit_set_runtime");
    /* The caches start with real regions of the table (exact: any region is
     * a valid cache), the likely ones: the region the VM found last (a
     * previous run's loop data, e.g. the image's .rodata), then ctx for the
     * needs it allows, so that loop guards over them hit at once. */
    uint32_t cache[4] = {0, 0, 0, 0};
    if (vm->last_region < vm->num_regions)
        pick_cache(cache, &vm->regions[vm->last_region]);
    if (ctx_len != 0) {
        int st = mbpf_vm_add_region(vm, ctx, ctx_len, ctx_flags);
        if (st != MBPF_OK)
            return run_refused(res, st, st == MBPF_E_NOSPACE ? "region table full: no room for ctx"
                                                             : "ctx overlaps a region or is invalid");
        const mbpf_region reg = {(uintptr_t)ctx, ctx_len, ctx_flags};
        pick_cache(cache, &reg);
    }
    /* field by field, not `= {0}`: see mbpf_result_clear. r.hres: only a
     * failing helper call fills it (see below); reserved0, reserved: never
     * read. */
    jit_run r;
    r.vm = vm;
    r.user = user;
    r.c.status = r.c.pc = r.c.r0_lo = r.c.r0_hi = 0;
    r.c.fault_lo = r.c.fault_hi = r.c.fault_size = r.c.kind = r.c.helper_id = 0;
    r.c.cr_start = cache[0];
    r.c.cr_lim = cache[1];
    r.c.cw_start = cache[2];
    r.c.cw_lim = cache[3];
    r.c.stack_base = (uint32_t)(uintptr_t)vm->stack;
    r.c.stack_end = (uint32_t)(uintptr_t)(vm->stack + mbpf_stack_bytes(vm));
    r.c.arg_ctx = (uint32_t)(uintptr_t)ctx;
    r.c.arg_ctx_len = ctx_len;
    r.c.budget_lo = (uint32_t)vm->cfg.budget;
    r.c.budget_hi = (uint32_t)(vm->cfg.budget >> 32);
    r.c.check_mem = (uint32_t)(uintptr_t)&check_mem;
    r.c.call_helper = (uint32_t)(uintptr_t)&call_helper;
    r.c.check_range = (uint32_t)(uintptr_t)&check_range;
    r.c.env = (uint32_t)(uintptr_t)&r;
    r.c.rt = (uint32_t)(uintptr_t)vm->jit_rt->addr; /* the table, built once */
    vm->pad = 1;
    /* the shared run routine enters the code past its header */
    void (*run)(mbpf_jit_ctx *, const void *) =
        (void (*)(mbpf_jit_ctx *, const void *))(uintptr_t)vm->jit_rt->addr[MBPF_JIT_RT_RUN];
    run(&r.c, code);
    if (r.c.kind == MBPF_JIT_KIND_DEOPT) {
        /* a loop guard failed: the interpreter goes on from the loop head
         * (still running, ctx still a region); the map is in the code */
        uint64_t regs[11];
        mbpf_jit_deopt_regs(&r.c, (const uint8_t *)(uintptr_t)r.c.deopt_map, regs);
        res->msg = NULL;
        res->pc = r.c.pc; /* the last helper call's */
        int st = mbpf_interp_resume(vm, regs, r.c.deopt_pc, mbpf_jit_budget_left(&r.c), user,
                                    res);
        vm->pad = 0;
        if (ctx_len != 0)
            (void)mbpf_vm_remove_region(vm, ctx);
        return st;
    }
    vm->pad = 0;
    if (ctx_len != 0)
        (void)mbpf_vm_remove_region(vm, ctx);
    /* left = 0 after MBPF_E_BUDGET (mbpf_jit_budget_left), decided on the
     * error path below: nothing more on the successful one */
    res->budget_used = vm->cfg.budget - ((uint64_t)r.c.budget_hi << 32 | r.c.budget_lo);
    res->status = (int32_t)r.c.status;
    if (res->status == MBPF_OK) { /* (msg stays NULL) */
        res->r0 = (uint64_t)r.c.r0_hi << 32 | r.c.r0_lo;
        res->pc = r.c.pc; /* last helper call, as the interpreter reports */
        return MBPF_OK;
    }
    res->pc = r.c.pc;
    if (r.c.kind == MBPF_JIT_KIND_HELPER) {
        /* mbpf_vm_call_helper's failure sets status, msg and the id, the
         * fault only for a bad pointer argument (MBPF_E_MEM): hres is read
         * no further, so it needs no clearing per run */
        res->msg = r.hres.msg;
        res->helper_id = r.hres.helper_id;
        if (r.hres.status == MBPF_E_MEM) {
            res->fault_addr = r.hres.fault_addr;
            res->fault_size = r.hres.fault_size;
        }
    } else {
        if (r.c.kind == MBPF_JIT_KIND_BUDGET)
            res->budget_used = vm->cfg.budget - mbpf_jit_budget_left(&r.c);
        res->msg = mbpf_jit_kind_msg(r.c.kind);
        if (res->status == MBPF_E_MEM) {
            res->fault_addr = (uint64_t)r.c.fault_hi << 32 | r.c.fault_lo;
            res->fault_size = r.c.fault_size;
        }
    }
    return res->status;
}

#else

int mbpf_jit_run(mbpf_vm *vm, const void *code, void *ctx, uint32_t ctx_len,
                 uint32_t ctx_flags, void *user, mbpf_result *res)
{
    (void)vm, (void)code, (void)ctx, (void)ctx_len, (void)ctx_flags, (void)user;
    if (res) {
        *res = (mbpf_result){0};
        res->status = MBPF_E_STATE;
        res->msg = "JIT code runs only on ARMv7-M (use the Unicorn harness on the host)";
    }
    return MBPF_E_STATE;
}

#endif
