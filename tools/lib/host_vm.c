/* Host embedding of the VM: configuration, test helpers, program files and
 * error messages shared by every tool (see host_vm.h). */
#include "host_vm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "host_lowmem.h"
#include "mbpf_asm.h"

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- Test helpers ------------------------------------------------------ */

/* The VM has checked every pointer argument against the regions before the
 * call, so the helpers may dereference them. */
static const uint8_t *as_ptr(uint64_t v)
{
    return (const uint8_t *)(uintptr_t)v;
}

static uint64_t h_identity(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                           mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5, (void)env;
    return a1;
}

static uint64_t h_sum_bytes(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                            mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5, (void)env;
    uint64_t sum = 0;
    for (uint64_t i = 0; a1 && i < a2; i++)
        sum += as_ptr(a1)[i];
    return sum;
}

static uint64_t h_fill(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                       mbpf_env *env)
{
    (void)a4, (void)a5, (void)env;
    if (a2)
        memset((void *)(uintptr_t)a1, (int)(a3 & 0xff), (size_t)a2);
    return a2;
}

static uint64_t h_strlen(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                         mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5, (void)env;
    return strlen((const char *)as_ptr(a1));
}

static uint64_t h_fail(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                       mbpf_env *env)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return mbpf_helper_fail(env, "test helper failed");
}

static uint64_t h_load_u64(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                           mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5, (void)env;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | as_ptr(a1)[i];
    return v;
}

int host_register_test_helpers(mbpf_helpers *set)
{
    const mbpf_helper defs[] = {
        {HOST_HELPER_IDENTITY, h_identity, "identity", {{0}}},
        {HOST_HELPER_SUM_BYTES, h_sum_bytes, "sum_bytes", {{MBPF_ARG_MEM_R, 2, 0}}},
        {HOST_HELPER_FILL, h_fill, "fill", {{MBPF_ARG_MEM_W, 2, 0}}},
        {HOST_HELPER_STRLEN, h_strlen, "strlen", {{MBPF_ARG_STR, 0, 0}}},
        {HOST_HELPER_FAIL, h_fail, "fail", {{0}}},
        {HOST_HELPER_LOAD_U64, h_load_u64, "load_u64", {{MBPF_ARG_MEM_R, 0, 8}}},
        {HOST_HELPER_SUM_OR_NULL, h_sum_bytes, "sum_or_null", {{MBPF_ARG_MEM_R_OR_NULL, 2, 0}}},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        int rc = mbpf_helpers_add(set, &defs[i]);
        if (rc != MBPF_OK)
            return rc;
    }
    return MBPF_OK;
}

/* ---- Configuration ----------------------------------------------------- */

void host_vm_opts_default(host_vm_opts *o)
{
    o->stack_size = MBPF_DEFAULT_STACK_SIZE;
    o->max_depth = MBPF_DEFAULT_CALL_DEPTH;
    o->budget = MBPF_DEFAULT_BUDGET;
    o->isa = 4;
    o->allow_callx = true;
    o->max_insns = MBPF_DEFAULT_MAX_INSNS;
}

int host_vm_opts_check(const host_vm_opts *o, char *err, size_t errlen)
{
    if (o->stack_size == 0 || o->stack_size % 8 || o->stack_size > (1u << 20)) {
        fail(err, errlen, "stack: %u is not a multiple of 8 in 8..1048576", o->stack_size);
        return -1;
    }
    if (o->max_depth < 1 || o->max_depth > MBPF_MAX_CALL_DEPTH) {
        fail(err, errlen, "depth: %u is not in 1..%u", o->max_depth, MBPF_MAX_CALL_DEPTH);
        return -1;
    }
    if (o->isa < 1 || o->isa > 4) {
        fail(err, errlen, "isa: %u is not in 1..4", o->isa);
        return -1;
    }
    if (o->max_insns == 0) {
        fail(err, errlen, "max_insns must be positive");
        return -1;
    }
    return 0;
}

int host_vm_create(host_vm *h, const host_vm_opts *o, char *err, size_t errlen)
{
    memset(h, 0, sizeof *h);
    if (host_vm_opts_check(o, err, errlen))
        return -1;
    mbpf_config_default(&h->cfg);
    h->cfg.stack_size = o->stack_size;
    h->cfg.max_depth = (uint8_t)o->max_depth;
    h->cfg.budget = o->budget;
    h->cfg.isa = (uint8_t)o->isa;
    h->cfg.allow_callx = o->allow_callx;
    h->cfg.max_insns = o->max_insns;
    h->cfg.max_regions = HOST_VM_MAX_REGIONS;

    size_t need = mbpf_vm_mem_size(&h->cfg);
    h->mem = host_low_alloc(need); /* below 4 GiB like a device's RAM */
    h->mem_len = need;
    if (!h->mem) {
        fail(err, errlen, "out of memory (%zu bytes for the VM)", need);
        return -1;
    }
    int rc = mbpf_vm_init(&h->vm, &h->cfg, h->mem, need);
    if (rc != MBPF_OK) {
        fail(err, errlen, "cannot create the VM: %s", mbpf_strerror(rc));
        host_vm_destroy(h);
        return -1;
    }
    mbpf_helpers_init(&h->helpers, h->helper_storage, HOST_VM_MAX_HELPERS);
    rc = host_register_test_helpers(&h->helpers);
    if (rc != MBPF_OK) {
        fail(err, errlen, "cannot register the test helpers: %s", mbpf_strerror(rc));
        host_vm_destroy(h);
        return -1;
    }
    mbpf_vm_set_helpers(&h->vm, &h->helpers, NULL, 0);
    return 0;
}

void host_vm_destroy(host_vm *h)
{
    host_low_free(h->mem, h->mem_len);
    free(h->scratch);
    h->mem = NULL;
    h->scratch = NULL;
}

/* ---- Messages ---------------------------------------------------------- */

void host_format_verify_error(const mbpf_verify_error *e, char *buf, size_t len)
{
    if (e->status == MBPF_E_NOSPACE)
        snprintf(buf, len, "verifier: needs %u bytes of scratch memory", e->needed);
    else if (e->status == MBPF_E_VERIFY)
        snprintf(buf, len, "verifier: insn %u: %s", e->pc, e->msg ? e->msg : "rejected");
    else
        snprintf(buf, len, "load: %s%s%s", mbpf_strerror(e->status), e->msg ? ": " : "",
                 e->msg ? e->msg : "");
}

void host_format_run_error(const mbpf_result *r, uint64_t budget, char *buf, size_t len)
{
    const char *msg = r->msg ? r->msg : mbpf_strerror(r->status);
    switch (r->status) {
    case MBPF_E_MEM:
        if (strstr(msg, "helper"))
            snprintf(buf, len, "%s at pc %u: helper %u, address 0x%llx size %u", msg, r->pc,
                     r->helper_id, (unsigned long long)r->fault_addr, r->fault_size);
        else
            snprintf(buf, len, "%s at pc %u: address 0x%llx size %u", msg, r->pc,
                     (unsigned long long)r->fault_addr, r->fault_size);
        break;
    case MBPF_E_BUDGET:
        snprintf(buf, len, "%s at pc %u (budget %llu)", msg, r->pc, (unsigned long long)budget);
        break;
    case MBPF_E_HELPER:
        snprintf(buf, len, "helper %u failed at pc %u: %s", r->helper_id, r->pc, msg);
        break;
    case MBPF_E_BAD_HELPER:
        snprintf(buf, len, "%s at pc %u: helper %u", msg, r->pc, r->helper_id);
        break;
    default:
        snprintf(buf, len, "%s at pc %u", msg, r->pc);
        break;
    }
}

/* ---- Load and run ------------------------------------------------------ */

int host_vm_load(host_vm *h, const mbpf_insn *insns, uint32_t n, host_outcome *out)
{
    memset(out, 0, sizeof *out);
    free(h->scratch);
    size_t need = mbpf_verify_scratch_size(insns, n);
    h->scratch = malloc(need ? need : 1);
    if (!h->scratch) {
        out->stage = HOST_STAGE_LOAD;
        out->status = MBPF_E_NOSPACE;
        snprintf(out->msg, sizeof out->msg, "load: out of memory for the verifier");
        return out->status;
    }
    int rc = mbpf_vm_load(&h->vm, insns, n, h->scratch, need, &out->verr);
    if (rc != MBPF_OK) {
        out->stage = HOST_STAGE_LOAD;
        out->status = rc;
        if (out->verr.status == MBPF_OK)
            out->verr.status = rc;
        host_format_verify_error(&out->verr, out->msg, sizeof out->msg);
    }
    return rc;
}

int host_vm_run(host_vm *h, void *mem, uint32_t len, uint32_t ctx_flags, host_outcome *out)
{
    memset(out, 0, sizeof *out);
    int rc = mbpf_vm_run(&h->vm, len ? mem : NULL, len, ctx_flags, NULL, &out->res);
    out->status = rc;
    if (rc != MBPF_OK) {
        out->stage = HOST_STAGE_RUN;
        host_format_run_error(&out->res, h->cfg.budget, out->msg, sizeof out->msg);
    }
    return rc;
}

int host_vm_exec(const host_vm_opts *o, const mbpf_insn *insns, uint32_t n, void *mem,
                 uint32_t len, uint32_t ctx_flags, host_outcome *out)
{
    host_vm h;
    memset(out, 0, sizeof *out);
    if (host_vm_create(&h, o, out->msg, sizeof out->msg)) {
        out->stage = HOST_STAGE_LOAD;
        out->status = MBPF_E_ARG;
        return out->status;
    }
    int rc = host_vm_load(&h, insns, n, out);
    if (rc == MBPF_OK)
        rc = host_vm_run(&h, mem, len, ctx_flags, out);
    host_vm_destroy(&h);
    return rc;
}

/* ---- Program files ----------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

host_program_kind host_program_kind_of(const char *path)
{
    if (ends_with(path, ".s") || ends_with(path, ".S") || ends_with(path, ".asm"))
        return HOST_PROGRAM_ASM;
    return HOST_PROGRAM_BYTECODE;
}

int host_program_load(const char *path, host_program *p, char *err, size_t errlen)
{
    size_t len;
    char tmp[200];
    memset(p, 0, sizeof *p);
    p->kind = host_program_kind_of(path);
    char *data = mbpf_read_file(path, &len, err, errlen);
    if (!data)
        return -1;
    int rc = 0;
    if (p->kind == HOST_PROGRAM_ASM) {
        mbpf_asm_error aerr;
        memset(&aerr, 0, sizeof aerr);
        if (strlen(data) != len) {
            fail(err, errlen, "%s: NUL byte in assembly text", path);
            rc = -1;
        } else if (mbpf_assemble(data, &p->insns, &p->n, &aerr) != 0) {
            if (aerr.line > 0)
                fail(err, errlen, "%s:%d: %s", path, aerr.line, aerr.msg);
            else
                fail(err, errlen, "%s: %s", path, aerr.msg);
            p->insns = NULL;
            rc = -1;
        }
    } else if (mbpf_decode_bytecode((const uint8_t *)data, len, &p->insns, &p->n, tmp,
                                    sizeof tmp)) {
        fail(err, errlen, "%s: %s", path, tmp);
        rc = -1;
    }
    free(data);
    return rc;
}

void host_program_free(host_program *p)
{
    free(p->insns);
    p->insns = NULL;
    p->n = 0;
}
