/* See fw_runtime.h. */
#include <string.h>

#include "board_platform.h"
#include "fault_guard.h"
#include "fw_config.h"
#include "fw_runtime.h"
#include "mbpf/maps.h"
#include "systick.h"

struct fw_slot {
    mbpf_vm vm;
    mbpf_program *prog;
    mbpf_kv local;
    mbpf_iot_env env;
    size_t code_len;
    bool loaded;
    mbpf_kv_entry local_entries[FW_KV_ENTRIES];
    uint8_t ctx[FW_CTX_BYTES] __attribute__((aligned(8)));
    uint8_t vm_mem[FW_VM_MEM_BYTES] __attribute__((aligned(8)));
    uint8_t arena[FW_ARENA_BYTES] __attribute__((aligned(8)));
    uint32_t insn_offsets_unused;
    uint8_t code[FW_JIT_BYTES] __attribute__((aligned(8)));
};

static fw_slot slots[FW_MAX_PROGRAMS];
/* The JIT's shared runtime: emitted once, used by every slot's code. */
static uint8_t jit_rt_code[FW_JIT_RT_BYTES] __attribute__((aligned(8)));
static mbpf_jit_runtime jit_rt;
static bool jit_rt_ok;
static mbpf_helper helper_storage[FW_NUM_HELPERS];
static mbpf_helpers helpers;

static uint64_t cost_begin(void) { return systick_ticks(); }

static void cost_end(fw_cost *cost, uint64_t start)
{
    if (!cost)
        return;
    cost->ticks = systick_ticks() - start;
    cost->instructions = cost->ticks * 5u / 16u; /* 3.2 ticks per instruction */
}

void fw_runtime_init(void)
{
    mbpf_helpers_init(&helpers, helper_storage, FW_NUM_HELPERS);
    mbpf_iot_register(&helpers);
    mbpf_maps_register_helpers(&helpers);
    size_t len = 0;
    jit_rt_ok = mbpf_jit_runtime_emit(jit_rt_code, sizeof jit_rt_code, &len, &jit_rt) == MBPF_OK;
}

fw_slot *fw_slot_get(uint32_t index)
{
    return index < FW_MAX_PROGRAMS ? &slots[index] : 0;
}

uint32_t fw_slot_num_insns(const fw_slot *slot)
{
    return slot->loaded ? slot->vm.num_insns : 0;
}

int fw_slot_load(fw_slot *slot, const void *image, uint32_t len, mbpf_image_error *err,
                 fw_cost *cost)
{
    mbpf_config cfg;
    mbpf_config_default(&cfg);
    cfg.stack_size = FW_STACK_SIZE;
    cfg.max_depth = FW_CALL_DEPTH;
    cfg.max_regions = FW_MAX_REGIONS;
    cfg.budget = FW_BUDGET;
    slot->loaded = false;
    slot->code_len = 0;
    int st = mbpf_vm_init(&slot->vm, &cfg, slot->vm_mem, sizeof slot->vm_mem);
    if (st != MBPF_OK) {
        *err = (mbpf_image_error){.status = st, .msg = "VM memory too small"};
        return st;
    }
    if (jit_rt_ok)
        mbpf_jit_set_runtime(&slot->vm, &jit_rt);
    mbpf_kv_init(&slot->local, slot->local_entries, FW_KV_ENTRIES);
    slot->env = (mbpf_iot_env){
        .platform = board_platform(), .local = &slot->local, .global = board_global_kv()};
    mbpf_load_opts opts = {.helpers = &helpers};
    uint64_t t0 = cost_begin();
    st = mbpf_image_load(&slot->vm, image, len, &opts, slot->arena, sizeof slot->arena,
                         &slot->prog, err);
    cost_end(cost, t0);
    slot->loaded = st == MBPF_OK;
    return st;
}

int fw_slot_jit(fw_slot *slot, mbpf_jit_error *err, uint32_t *code_bytes, fw_cost *cost)
{
    if (!slot->loaded) {
        *err = (mbpf_jit_error){.status = MBPF_E_STATE, .msg = "no program loaded"};
        return MBPF_E_STATE;
    }
    size_t len = 0;
    uint64_t t0 = cost_begin();
    int st = mbpf_jit_compile(&slot->vm, slot->code, sizeof slot->code, &len, 0, err);
    cost_end(cost, t0);
    slot->code_len = st == MBPF_OK ? len : 0;
    if (code_bytes)
        *code_bytes = (uint32_t)len;
    return st;
}

typedef struct jit_call {
    fw_slot *slot;
    uint32_t ctx_len;
    mbpf_result *res;
} jit_call;

static void run_jit_guarded(void *arg)
{
    jit_call *c = arg;
    mbpf_jit_run(&c->slot->vm, c->slot->code, c->slot->ctx, c->ctx_len, MBPF_MEM_RW,
                 &c->slot->env, c->res);
}

int fw_slot_run(fw_slot *slot, bool jit, const uint8_t *ctx, uint32_t ctx_len,
                mbpf_result *res, fw_cost *cost)
{
    memset(res, 0, sizeof *res);
    if (!slot->loaded || (jit && !slot->code_len) || ctx_len > sizeof slot->ctx) {
        res->status = MBPF_E_STATE;
        res->msg = "nothing to run";
        return res->status;
    }
    mbpf_program_reset(slot->prog);
    board_platform_reset();
    mbpf_kv_init(&slot->local, slot->local_entries, FW_KV_ENTRIES);
    memcpy(slot->ctx, ctx, ctx_len);
    uint64_t t0 = cost_begin();
    if (!jit) {
        mbpf_vm_run(&slot->vm, slot->ctx, ctx_len, MBPF_MEM_RW, &slot->env, res);
    } else {
        /* Code runs from RAM. A fault in it (which the JIT's own checks should make
         * impossible) ends this run only. */
        jit_call call = {slot, ctx_len, res};
        fault_info fi;
        if (fault_guard_call(run_jit_guarded, &call, &fi)) {
            res->status = MBPF_E_JIT;
            res->msg = "hardware fault in generated code";
            res->fault_addr = fi.addr;
            res->pc = fi.pc;
        }
    }
    cost_end(cost, t0);
    return res->status;
}
