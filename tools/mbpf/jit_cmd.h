/* Pieces of `mbpf jit` (cmd_jit.c) shared with its --run mode (jit_run.c). */
#ifndef MBPF_TOOLS_JIT_CMD_H
#define MBPF_TOOLS_JIT_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host_image.h"
#include "host_vm.h"
#include "run_ctx.h"

typedef struct jit_args {
    const char *path, *out;
    bool disasm, run, runtime;
    host_vm_opts opts;
    run_ctx ctx; /* --run: the input buffer (run_ctx.h) */
} jit_args;

/* A verified program bound to a VM: bytecode or assembly on a host_vm with
 * the test helpers, or an image (maps, globals, IoT helpers) on a host_image. */
typedef struct loaded {
    int image;
    host_vm hv;
    host_image hi;
    host_program prog;
    mbpf_vm *vm;
} loaded;

/* CLI_OK, or an exit code after printing why. */
int jit_cmd_load(const jit_args *a, loaded *l);
void jit_cmd_unload(loaded *l);
/* Compiles the loaded program into *code (aligned_alloc'd, *len bytes);
 * offsets has num_insns + 1 entries. CLI_OK or CLI_FAILED (printed). */
int jit_cmd_compile(mbpf_vm *vm, uint8_t **code, size_t *len, uint32_t *offsets);

/* `mbpf jit PROG --run`: jit_run.c. */
int jit_cmd_run(const jit_args *a);

#endif /* MBPF_TOOLS_JIT_CMD_H */
