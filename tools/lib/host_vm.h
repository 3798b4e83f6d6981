/* The host embedding of the VM, shared by `mbpf`, the conformance runner and
 * plugin, and the tests: configuration, test helpers, program files, running
 * on a memory buffer, and error messages in one format.
 *
 * Test helpers (registered by host_vm_create and host_register_test_helpers):
 *   id 5  identity(a1) -> a1                      (the conformance plugin needs it)
 *   id 6  sum_bytes(ptr MEM_R len=a2, len) -> sum of the bytes
 *   id 7  fill(ptr MEM_W len=a2, len, byte) -> len; writes byte (low 8 bits of a3)
 *   id 8  strlen(ptr STR) -> length of the NUL-terminated string
 *   id 9  fail() -> stops the program: MBPF_E_HELPER "test helper failed"
 *   id 10 load_u64(ptr MEM_R len=8 constant) -> the little-endian u64 at ptr
 *   id 11 sum_or_null(ptr MEM_R_OR_NULL len=a2, len) -> byte sum, 0 for NULL
 *
 * Messages (no "error: " prefix; tools add it):
 *   verifier: insn 3: jump out of range
 *   out-of-bounds store at pc 7: address 0x1000 size 4
 *   bad helper pointer argument at pc 2: helper 6, address 0x0 size 4
 *   execution budget exhausted at pc 5 (budget 100)
 *   helper 9 failed at pc 1: test helper failed
 *   unknown helper at pc 3: helper 99
 *   call depth exceeded at pc 4
 */
#ifndef MBPF_TOOLS_HOST_VM_H
#define MBPF_TOOLS_HOST_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mbpf/mbpf.h"

#define HOST_HELPER_IDENTITY 5u
#define HOST_HELPER_SUM_BYTES 6u
#define HOST_HELPER_FILL 7u
#define HOST_HELPER_STRLEN 8u
#define HOST_HELPER_FAIL 9u
#define HOST_HELPER_LOAD_U64 10u
#define HOST_HELPER_SUM_OR_NULL 11u

#define HOST_VM_MAX_HELPERS 32u
#define HOST_VM_MAX_REGIONS 16u

typedef struct host_vm_opts {
    uint32_t stack_size; /* bytes per frame: a positive multiple of 8 */
    uint32_t max_depth;  /* frames, 1..MBPF_MAX_CALL_DEPTH */
    uint64_t budget;     /* backward jumps + local calls per run */
    uint32_t isa;        /* 1..4 */
    bool allow_callx;
    uint32_t max_insns;
} host_vm_opts;

/* 512-byte frames, depth 8, the default budget, ISA v4, callx allowed. */
void host_vm_opts_default(host_vm_opts *o);

/* Checks the ranges above; 0, or -1 with a message naming the option. */
int host_vm_opts_check(const host_vm_opts *o, char *err, size_t errlen);

enum host_stage {
    HOST_STAGE_OK = 0,
    HOST_STAGE_LOAD = 1, /* the verifier (or the load call) refused the program */
    HOST_STAGE_RUN = 2,  /* the program stopped with a runtime error */
};

/* What happened to a load or a run. */
typedef struct host_outcome {
    int stage;              /* enum host_stage */
    int status;             /* MBPF_OK or the mbpf_status of the failure */
    mbpf_verify_error verr; /* stage LOAD */
    mbpf_result res;        /* stage RUN or OK */
    char msg[256];          /* formatted error (see the list above), "" when OK */
} host_outcome;

typedef struct host_vm {
    mbpf_vm vm;
    mbpf_config cfg;
    mbpf_helpers helpers;
    mbpf_helper helper_storage[HOST_VM_MAX_HELPERS];
    void *mem;     /* mbpf_vm_init's memory (host_low_alloc, mem_len bytes) */
    size_t mem_len;
    void *scratch; /* verifier scratch of the last load */
} host_vm;

/* Configures a VM with the test helpers. Returns 0, or -1 with err filled. */
int host_vm_create(host_vm *h, const host_vm_opts *o, char *err, size_t errlen);
void host_vm_destroy(host_vm *h);

/* Verifies and binds insns (kept by pointer: keep them alive). Returns status. */
int host_vm_load(host_vm *h, const mbpf_insn *insns, uint32_t n, host_outcome *out);

/* Runs the loaded program with r1 = mem, r2 = len (mem may be NULL with len
 * 0); ctx_flags are MBPF_MEM_* for the buffer. Returns status. */
int host_vm_run(host_vm *h, void *mem, uint32_t len, uint32_t ctx_flags, host_outcome *out);

/* create + load + run + destroy. A configuration error is reported as stage
 * LOAD with status MBPF_E_ARG. */
int host_vm_exec(const host_vm_opts *o, const mbpf_insn *insns, uint32_t n, void *mem,
                 uint32_t len, uint32_t ctx_flags, host_outcome *out);

/* Adds ids 5-11 to set. Returns MBPF_OK or the mbpf_helpers_add status. */
int host_register_test_helpers(mbpf_helpers *set);

void host_format_verify_error(const mbpf_verify_error *e, char *buf, size_t len);
void host_format_run_error(const mbpf_result *r, uint64_t budget, char *buf, size_t len);

/* ---- Program files ----------------------------------------------------- */

typedef enum host_program_kind {
    HOST_PROGRAM_BYTECODE, /* raw little-endian instructions (.bin, anything else) */
    HOST_PROGRAM_ASM,      /* .s / .asm: assembled with the conformance syntax */
} host_program_kind;

/* A program in memory, ready for host_vm_load. */
typedef struct host_program {
    host_program_kind kind;
    mbpf_insn *insns; /* malloc'd */
    uint32_t n;
} host_program;

/* Kind from the file name: .s and .asm are assembly, everything else bytecode. */
host_program_kind host_program_kind_of(const char *path);

/* Reads path (assembling .s/.asm). 0, or -1 with "path:line: reason" in err. */
int host_program_load(const char *path, host_program *p, char *err, size_t errlen);
void host_program_free(host_program *p);

#endif /* MBPF_TOOLS_HOST_VM_H */
