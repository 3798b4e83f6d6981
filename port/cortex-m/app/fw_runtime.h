/* Program slots of the reference firmware: each slot holds one loaded
 * program (VM, loader arena, KV store, JIT code) in static memory, so a fault
 * or a bad image in one slot never touches another. */
#ifndef FW_RUNTIME_H
#define FW_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "mbpf/image.h"
#include "mbpf/iot.h"
#include "mbpf/jit.h"
#include "mbpf/mbpf.h"

typedef struct fw_cost {
    uint64_t ticks;        /* SysTick clocks spent */
    uint64_t instructions; /* ticks / 3.2: exact under QEMU -icount shift=7 */
} fw_cost;

typedef struct fw_slot fw_slot;

/* Registers the standard helpers once (IoT + maps). */
void fw_runtime_init(void);

/* The slot with this index (0 .. FW_MAX_PROGRAMS-1). */
fw_slot *fw_slot_get(uint32_t index);

/* Loads and verifies an image into the slot (replacing what was there). */
int fw_slot_load(fw_slot *slot, const void *image, uint32_t len, mbpf_image_error *err,
                 fw_cost *cost);

/* Compiles the loaded program to Thumb-2 into the slot's code buffer. */
int fw_slot_jit(fw_slot *slot, mbpf_jit_error *err, uint32_t *code_bytes, fw_cost *cost);

/* Runs the loaded program (interpreter, or the JIT'd code under the fault
 * guard) on a fresh copy of ctx; the program's .data/.bss/maps are reset
 * first so both modes see the same initial state. */
int fw_slot_run(fw_slot *slot, bool jit, const uint8_t *ctx, uint32_t ctx_len,
                mbpf_result *res, fw_cost *cost);

uint32_t fw_slot_num_insns(const fw_slot *slot);

#endif
