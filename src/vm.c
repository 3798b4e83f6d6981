/* The VM object: configuration, memory layout, loading and running.
 *
 * The embedder gives one block of memory; it is carved into the eBPF stack
 * (first, so it is 8-aligned), the call records and the region table. No
 * pointer into the block is ever handed to another VM, which is what lets
 * two VMs run side by side.
 */
#include "internal.h"

void mbpf_config_default(mbpf_config *cfg)
{
    if (!cfg)
        return;
    cfg->stack_size = MBPF_DEFAULT_STACK_SIZE;
    cfg->max_insns = MBPF_DEFAULT_MAX_INSNS;
    cfg->budget = MBPF_DEFAULT_BUDGET;
    cfg->max_regions = 16;
    cfg->max_depth = MBPF_DEFAULT_CALL_DEPTH;
    cfg->isa = 4;
    cfg->allow_callx = true;
}

static int config_ok(const mbpf_config *cfg)
{
    if (!cfg || cfg->stack_size == 0 || cfg->stack_size % 8u != 0 || cfg->max_depth == 0 ||
        cfg->max_depth > MBPF_MAX_CALL_DEPTH || cfg->isa < 1 || cfg->isa > 4)
        return 0;
    /* The whole stack area must be addressable with 32-bit lengths. */
    return (uint64_t)cfg->stack_size * cfg->max_depth <= UINT32_MAX - 8u;
}

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

static size_t stack_part(const mbpf_config *cfg)
{
    return (size_t)cfg->stack_size * cfg->max_depth;
}

static size_t frames_part(const mbpf_config *cfg)
{
    return sizeof(mbpf_frame) * cfg->max_depth;
}

size_t mbpf_vm_mem_size(const mbpf_config *cfg)
{
    if (!config_ok(cfg))
        return 0;
    /* 7 spare bytes so any start address can be rounded up to 8. The sum is
     * done in 64 bits: on a 32-bit target a huge stack could wrap size_t. */
    uint64_t n = 7u + (uint64_t)cfg->stack_size * cfg->max_depth +
                 (uint64_t)sizeof(mbpf_frame) * cfg->max_depth +
                 (uint64_t)sizeof(mbpf_region) * cfg->max_regions;
    return n > SIZE_MAX ? 0 : (size_t)n;
}

int mbpf_vm_init(mbpf_vm *vm, const mbpf_config *cfg, void *mem, size_t mem_len)
{
    size_t need = mbpf_vm_mem_size(cfg);
    if (!vm || need == 0 || (!mem && mem_len != 0))
        return MBPF_E_ARG;
    if (mem_len < need)
        return MBPF_E_NOSPACE;
    uint8_t *base = (uint8_t *)mem;
    uint8_t *p = base + (ALIGN8((uintptr_t)base) - (uintptr_t)base);
    *vm = (mbpf_vm){0};
    vm->cfg = *cfg;
    vm->stack = p;
    p += stack_part(cfg); /* a multiple of 8: frames stay aligned */
    vm->frames = (mbpf_frame *)(void *)p;
    p += frames_part(cfg);
    vm->regions = (mbpf_region *)(void *)p;
    return MBPF_OK;
}

void mbpf_vm_set_helpers(mbpf_vm *vm, const mbpf_helpers *helpers, const uint32_t *allowed,
                         uint16_t num_allowed)
{
    if (!vm)
        return;
    vm->helpers = helpers;
    vm->allowed = allowed;
    vm->num_allowed = allowed ? num_allowed : 0;
}

int mbpf_vm_load(mbpf_vm *vm, const mbpf_insn *insns, uint32_t n, void *scratch,
                 size_t scratch_len, mbpf_verify_error *err)
{
    mbpf_verify_error local;
    if (!err)
        err = &local;
    *err = (mbpf_verify_error){MBPF_E_ARG, 0, "bad argument", 0};
    if (!vm || !vm->stack || (!insns && n != 0))
        return MBPF_E_ARG;
    if (vm->pad) { /* loading under a running program would pull its code away */
        err->status = MBPF_E_STATE;
        err->msg = "VM is running";
        return MBPF_E_STATE;
    }
    vm->loaded = 0;
    if (!scratch) {
        /* Before the first run the stack is idle memory: lend it to the verifier. */
        size_t need = mbpf_verify_scratch_size(insns, n);
        if (need > mbpf_stack_bytes(vm)) {
            *err = (mbpf_verify_error){MBPF_E_NOSPACE, 0, "verifier scratch too small",
                                       need > UINT32_MAX ? UINT32_MAX : (uint32_t)need};
            return MBPF_E_NOSPACE;
        }
        scratch = vm->stack;
        scratch_len = mbpf_stack_bytes(vm);
    }
    mbpf_verify_opts opts = {&vm->cfg, vm->helpers, vm->allowed, vm->num_allowed};
    int st = mbpf_verify(&opts, insns, n, scratch, scratch_len, err);
    if (st != MBPF_OK)
        return st;
    vm->insns = insns;
    vm->num_insns = n;
    vm->loaded = 1;
    return MBPF_OK;
}

int mbpf_vm_run(mbpf_vm *vm, void *ctx, uint32_t ctx_len, uint32_t ctx_flags, void *user,
                mbpf_result *res)
{
    if (!res)
        return MBPF_E_ARG;
    mbpf_result_clear(res);
    res->status = MBPF_E_ARG;
    res->msg = "bad argument";
    if (!vm || (ctx_len != 0 && !ctx))
        return MBPF_E_ARG;
    res->status = MBPF_E_STATE;
    if (!vm->loaded || !vm->insns) {
        res->msg = "no program loaded";
        return MBPF_E_STATE;
    }
    if (vm->pad) { /* a helper called run on its own VM: the stack is in use */
        res->msg = "VM is already running";
        return MBPF_E_STATE;
    }
    if (ctx_len != 0) {
        int st = mbpf_vm_add_region(vm, ctx, ctx_len, ctx_flags);
        if (st != MBPF_OK) {
            res->status = st;
            res->msg = st == MBPF_E_NOSPACE ? "region table full: no room for ctx"
                                            : "ctx overlaps a region or is invalid";
            return st;
        }
    }
    res->msg = NULL;
    vm->pad = 1; /* running */
    int st = mbpf_interp_run(vm, (uint64_t)(uintptr_t)ctx, ctx_len, user, res);
    vm->pad = 0;
    if (ctx_len != 0)
        (void)mbpf_vm_remove_region(vm, ctx);
    return st;
}
