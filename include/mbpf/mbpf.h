/* microbpf public API: a freestanding eBPF virtual machine for microcontrollers.
 *
 * The embedder owns every byte: it hands mbpf_vm_init one block of memory for
 * the region table, the call records and the eBPF stack, keeps the bytecode
 * alive while the VM uses it, and provides the helper table. Nothing here
 * allocates, prints or calls the OS. Two mbpf_vm values never share state.
 */
#ifndef MBPF_MBPF_H
#define MBPF_MBPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mbpf/config.h"
#include "mbpf/insn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes ------------------------------------------------------ */

typedef enum mbpf_status {
    MBPF_OK = 0,
    MBPF_E_ARG = -1,        /* bad argument to an API call */
    MBPF_E_NOSPACE = -2,    /* caller-provided memory or buffer too small */
    MBPF_E_VERIFY = -3,     /* the verifier rejected the program */
    MBPF_E_MEM = -4,        /* load/store/atomic/helper pointer outside the regions */
    MBPF_E_BUDGET = -5,     /* execution budget exhausted */
    MBPF_E_HELPER = -6,     /* a helper reported an error */
    MBPF_E_BAD_HELPER = -7, /* callx to an unknown or forbidden helper id */
    MBPF_E_DEPTH = -8,      /* local call depth exceeded */
    MBPF_E_IMAGE = -9,      /* malformed program image */
    MBPF_E_STATE = -10,     /* API used in the wrong order (e.g. run before load) */
    MBPF_E_JIT = -11,       /* JIT compilation failed */
} mbpf_status;

/* Static, human-readable name of a status ("memory access out of bounds"). */
const char *mbpf_strerror(int status);

/* ---- Memory regions ---------------------------------------------------- */

enum {
    MBPF_MEM_READ = 1u,
    MBPF_MEM_WRITE = 2u,
    MBPF_MEM_RW = 3u,
};

/* One area a program may touch. The layout is {start, len, flags}; on a
 * 32-bit target that is three words, which the JIT reads directly. */
typedef struct mbpf_region {
    uintptr_t start;
    uint32_t len;
    uint32_t flags; /* MBPF_MEM_* */
} mbpf_region;

/* ---- Helpers ----------------------------------------------------------- */

typedef struct mbpf_vm mbpf_vm;

/* Passed to every helper as its sixth argument. */
typedef struct mbpf_env {
    void *user;      /* the embedder's pointer given to mbpf_vm_run */
    mbpf_vm *vm;     /* the calling VM */
    int32_t error;   /* set by mbpf_helper_fail: stops the program */
    const char *msg; /* static reason, reported in mbpf_result.msg */
} mbpf_env;

typedef uint64_t (*mbpf_helper_fn)(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                   uint64_t a5, mbpf_env *env);

/* Mark the current helper call as failed; the program stops with
 * MBPF_E_HELPER and msg. Returns 0 so helpers can `return mbpf_helper_fail(..)`. */
uint64_t mbpf_helper_fail(mbpf_env *env, const char *msg);

/* What one argument of a helper is. The VM checks pointer arguments against
 * the region table before the helper runs. */
typedef enum mbpf_arg_kind {
    MBPF_ARG_SCALAR = 0, /* any value, or unused */
    MBPF_ARG_MEM_R,      /* pointer to len readable bytes */
    MBPF_ARG_MEM_W,      /* pointer to len writable bytes */
    MBPF_ARG_MEM_RW,     /* pointer to len readable and writable bytes */
    MBPF_ARG_STR,        /* pointer to a NUL-terminated string inside one readable region */
    MBPF_ARG_MAP,        /* a map handle of the calling program (see mbpf_vm.map_check) */
    MBPF_ARG_MEM_R_OR_NULL, /* like MEM_R, or 0 */
    MBPF_ARG_MEM_W_OR_NULL, /* like MEM_W, or 0 */
    MBPF_ARG_MAP_KEY,    /* readable pointer, len = key size of the map in argument len_arg */
    MBPF_ARG_MAP_VALUE,  /* readable pointer, len = value size of the map in argument len_arg */
} mbpf_arg_kind;

typedef struct mbpf_arg {
    uint8_t kind;      /* mbpf_arg_kind */
    uint8_t len_arg;   /* 1..5: the length is that argument's value; 0: use len_const */
    uint16_t len_const;
} mbpf_arg;

typedef struct mbpf_helper {
    uint32_t id; /* sparse 32-bit id, as used by `call imm` and callx */
    mbpf_helper_fn fn;
    const char *name;
    mbpf_arg args[5];
} mbpf_helper;

/* A set of helpers sorted by id, in caller-owned storage; shareable by VMs. */
typedef struct mbpf_helpers {
    mbpf_helper *entries;
    uint16_t count;
    uint16_t capacity;
} mbpf_helpers;

void mbpf_helpers_init(mbpf_helpers *set, mbpf_helper *storage, uint16_t capacity);
/* Copies *def into the set. MBPF_E_ARG on a duplicate id or a bad prototype,
 * MBPF_E_NOSPACE when full. */
int mbpf_helpers_add(mbpf_helpers *set, const mbpf_helper *def);
const mbpf_helper *mbpf_helpers_find(const mbpf_helpers *set, uint32_t id);

/* ---- Configuration ----------------------------------------------------- */

typedef struct mbpf_config {
    uint32_t stack_size;   /* bytes per frame, multiple of 8, > 0 */
    uint32_t max_insns;    /* verifier size limit, in instruction slots */
    uint64_t budget;       /* taken backward jumps + local calls per run */
    uint16_t max_regions;  /* capacity of the region table */
    uint8_t max_depth;     /* frames: 1 = no local calls allowed to nest */
    uint8_t isa;           /* 1..4: highest RFC 9669 ISA version accepted */
    bool allow_callx;      /* accept opcode 0x8d */
} mbpf_config;

void mbpf_config_default(mbpf_config *cfg);

/* ---- Verifier ---------------------------------------------------------- */

typedef struct mbpf_verify_error {
    int32_t status;  /* MBPF_OK, MBPF_E_VERIFY or MBPF_E_NOSPACE */
    uint32_t pc;     /* instruction index the reason applies to */
    const char *msg; /* static text, e.g. "jump out of range" */
    uint32_t needed; /* for MBPF_E_NOSPACE: scratch bytes needed */
} mbpf_verify_error;

typedef struct mbpf_verify_opts {
    const mbpf_config *cfg;
    const mbpf_helpers *helpers;   /* NULL: no helper calls allowed */
    const uint32_t *allowed;       /* sorted helper ids this program may call; NULL = all */
    uint16_t num_allowed;
} mbpf_verify_opts;

/* Scratch bytes the verifier needs for a program of n slots (upper bound). */
size_t mbpf_verify_scratch_size(const mbpf_insn *insns, uint32_t n);

/* Structural verification in linear time. Returns MBPF_OK or the status in
 * err (which is always filled in). */
int mbpf_verify(const mbpf_verify_opts *opts, const mbpf_insn *insns, uint32_t n,
                void *scratch, size_t scratch_len, mbpf_verify_error *err);

/* ---- Virtual machine --------------------------------------------------- */

/* One live call record (return point and the caller's r6-r9 and r10). */
typedef struct mbpf_frame {
    uint64_t saved[4];
    uint64_t fp;
    uint32_t ret_pc;
    uint32_t pad;
} mbpf_frame;

/* Checks that a value is a map handle this VM's program owns and gives the
 * map's key and value sizes (set by the image loader; NULL rejects every
 * MBPF_ARG_MAP / MAP_KEY / MAP_VALUE argument). */
typedef bool (*mbpf_map_check_fn)(const mbpf_vm *vm, uint64_t handle, uint32_t *key_size,
                                  uint32_t *value_size);

struct mbpf_vm {
    /* Fields are private: use the functions below. */
    mbpf_config cfg;
    const mbpf_insn *insns;
    uint32_t num_insns;
    const mbpf_helpers *helpers;
    const uint32_t *allowed;
    uint16_t num_allowed;
    uint16_t num_regions; /* sorted by start, non-overlapping */
    mbpf_region *regions;
    mbpf_frame *frames; /* cfg.max_depth records */
    uint8_t *stack;     /* cfg.max_depth * cfg.stack_size bytes, 8-aligned; the
                           first frame is at the top, calls grow downwards */
    uint16_t last_region;
    uint8_t loaded;
    uint8_t pad;
    mbpf_map_check_fn map_check;
    void *loader_data; /* owned by the image loader */
    const struct mbpf_jit_runtime *jit_rt; /* shared JIT runtime (mbpf_jit_set_runtime) */
};

/* Bytes of memory mbpf_vm_init needs for this configuration. */
size_t mbpf_vm_mem_size(const mbpf_config *cfg);

/* Lays the region table, call records and stack out in mem (any alignment;
 * it is aligned internally). cfg is copied. */
int mbpf_vm_init(mbpf_vm *vm, const mbpf_config *cfg, void *mem, size_t mem_len);

/* Helpers available to the program, and optionally the sorted ids it may use. */
void mbpf_vm_set_helpers(mbpf_vm *vm, const mbpf_helpers *helpers, const uint32_t *allowed,
                         uint16_t num_allowed);

/* Adds a region (kept sorted). MBPF_E_ARG if it overlaps another or wraps,
 * MBPF_E_NOSPACE if the table is full. */
int mbpf_vm_add_region(mbpf_vm *vm, const void *start, uint32_t len, uint32_t flags);
/* Removes the region that starts at start. MBPF_E_ARG if there is none. */
int mbpf_vm_remove_region(mbpf_vm *vm, const void *start);

/* Verifies and binds a program (the VM keeps the pointer: keep it alive).
 * scratch may be NULL: the VM's stack memory is used if large enough. */
int mbpf_vm_load(mbpf_vm *vm, const mbpf_insn *insns, uint32_t n, void *scratch,
                 size_t scratch_len, mbpf_verify_error *err);

typedef struct mbpf_result {
    uint64_t r0;
    int32_t status;       /* MBPF_OK or a runtime mbpf_status */
    uint32_t pc;          /* instruction index where it stopped (on error) */
    const char *msg;      /* static text for the error, NULL on success */
    uint64_t fault_addr;  /* MBPF_E_MEM: the address */
    uint32_t fault_size;  /* MBPF_E_MEM: bytes accessed */
    uint32_t helper_id;   /* MBPF_E_HELPER / MBPF_E_BAD_HELPER: which helper */
    uint64_t budget_used; /* backward jumps + calls taken */
} mbpf_result;

/* Runs the loaded program: r1 = ctx, r2 = ctx_len, r10 = top of the first
 * frame. A ctx with ctx_len > 0 is a region with ctx_flags for this run only.
 * Returns res->status. Never aborts, never prints. */
int mbpf_vm_run(mbpf_vm *vm, void *ctx, uint32_t ctx_len, uint32_t ctx_flags, void *user,
                mbpf_result *res);

/* ---- Shared by the interpreter and the JIT runtime --------------------- */

/* Region of the table containing [addr, addr+size) with all `need` flags, or
 * NULL. Uses and updates the last-hit cache, then binary search. */
const mbpf_region *mbpf_vm_find_region(mbpf_vm *vm, uint64_t addr, uint64_t size,
                                       uint32_t need);

/* True when [addr, addr+size) may be accessed with `need`: inside the VM's
 * stack area (all frames, read/write) or inside one region of the table. */
bool mbpf_vm_check_mem(mbpf_vm *vm, uint64_t addr, uint64_t size, uint32_t need);

/* Checks a helper call's pointer arguments, then calls it. Fills res on error
 * (status MBPF_E_MEM / MBPF_E_HELPER / MBPF_E_BAD_HELPER) and returns the status. */
int mbpf_vm_call_helper(mbpf_vm *vm, uint32_t id, const uint64_t args[5], void *user,
                        uint64_t *ret, mbpf_result *res);

#ifdef __cplusplus
}
#endif

#endif /* MBPF_MBPF_H */
