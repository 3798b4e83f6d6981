/* Helper table and helper calls.
 *
 * A helper set is a sorted array in caller storage, so lookups are a binary
 * search and one set can serve many VMs. Before a helper runs, every pointer
 * argument is checked against the calling VM's memory exactly like a load or
 * store would be: a bad pointer is the program's memory error, and a helper
 * can trust the bytes it was promised.
 */
#include "internal.h"

void mbpf_helpers_init(mbpf_helpers *set, mbpf_helper *storage, uint16_t capacity)
{
    if (!set)
        return;
    set->entries = storage;
    set->count = 0;
    set->capacity = storage ? capacity : 0;
}

/* Index of the first entry with id >= the given id. */
static uint16_t lower_bound(const mbpf_helpers *set, uint32_t id)
{
    uint16_t lo = 0, hi = set->count;
    while (lo < hi) {
        uint16_t mid = (uint16_t)(lo + (hi - lo) / 2u);
        if (set->entries[mid].id < id)
            lo = (uint16_t)(mid + 1u);
        else
            hi = mid;
    }
    return lo;
}

static int needs_len(uint8_t kind)
{
    return kind == MBPF_ARG_MEM_R || kind == MBPF_ARG_MEM_W || kind == MBPF_ARG_MEM_RW ||
           kind == MBPF_ARG_MEM_R_OR_NULL || kind == MBPF_ARG_MEM_W_OR_NULL;
}

static int prototype_ok(const mbpf_helper *def)
{
    for (unsigned i = 0; i < 5; i++) {
        const mbpf_arg *a = &def->args[i];
        if (a->kind > MBPF_ARG_MAP_VALUE || a->len_arg > 5 || a->len_arg == i + 1u)
            return 0;
        if (needs_len(a->kind) && a->len_arg != 0 &&
            def->args[a->len_arg - 1u].kind != MBPF_ARG_SCALAR)
            return 0; /* a length must be a plain number */
        if ((a->kind == MBPF_ARG_MAP_KEY || a->kind == MBPF_ARG_MAP_VALUE) &&
            (a->len_arg == 0 || def->args[a->len_arg - 1u].kind != MBPF_ARG_MAP))
            return 0; /* key/value size comes from a map argument */
    }
    return 1;
}

int mbpf_helpers_add(mbpf_helpers *set, const mbpf_helper *def)
{
    if (!set || !def || !def->fn || !prototype_ok(def))
        return MBPF_E_ARG;
    uint16_t i = lower_bound(set, def->id);
    if (i < set->count && set->entries[i].id == def->id)
        return MBPF_E_ARG;
    if (set->count >= set->capacity)
        return MBPF_E_NOSPACE;
    for (uint16_t j = set->count; j > i; j--)
        set->entries[j] = set->entries[j - 1u];
    set->entries[i] = *def;
    set->count++;
    return MBPF_OK;
}

const mbpf_helper *mbpf_helpers_find(const mbpf_helpers *set, uint32_t id)
{
    if (!set || !set->entries)
        return NULL;
    uint16_t i = lower_bound(set, id);
    return i < set->count && set->entries[i].id == id ? &set->entries[i] : NULL;
}

int mbpf_id_allowed(const uint32_t *ids, uint16_t n, uint32_t id)
{
    if (!ids)
        return 1;
    uint16_t lo = 0, hi = n;
    while (lo < hi) {
        uint16_t mid = (uint16_t)(lo + (hi - lo) / 2u);
        if (ids[mid] == id)
            return 1;
        if (ids[mid] < id)
            lo = (uint16_t)(mid + 1u);
        else
            hi = mid;
    }
    return 0;
}

uint64_t mbpf_helper_fail(mbpf_env *env, const char *msg)
{
    if (env) {
        env->error = MBPF_E_HELPER;
        env->msg = msg;
    }
    return 0;
}

/* A NUL-terminated string starting at addr inside one readable region or the
 * stack. On failure *scanned is how many bytes were examined (at least 1). */
static int str_ok(mbpf_vm *vm, uint64_t addr, uint64_t *scanned)
{
    uint64_t lo = (uint64_t)(uintptr_t)vm->stack, end;
    *scanned = 1;
    if (mbpf_range_in(addr, 1, lo, mbpf_stack_bytes(vm))) {
        end = lo + mbpf_stack_bytes(vm);
    } else {
        const mbpf_region *r = mbpf_vm_find_region(vm, addr, 1, MBPF_MEM_READ);
        if (!r)
            return 0;
        end = (uint64_t)r->start + r->len;
    }
    const uint8_t *p = (const uint8_t *)(uintptr_t)addr;
    for (uint64_t i = 0; i < end - addr; i++)
        if (p[i] == 0)
            return 1;
    *scanned = end - addr;
    return 0;
}

/* Checks one argument; on failure reports the address and size. */
static int arg_ok(mbpf_vm *vm, const mbpf_arg *a, const uint64_t args[5], uint64_t v,
                  uint64_t *bad_size)
{
    uint64_t len = a->len_arg ? args[a->len_arg - 1u] : a->len_const;
    uint32_t need = MBPF_MEM_READ;
    *bad_size = 0;
    switch (a->kind) {
    case MBPF_ARG_SCALAR:
        return 1;
    case MBPF_ARG_STR:
        return str_ok(vm, v, bad_size);
    case MBPF_ARG_MAP: {
        uint32_t ks, vs;
        return vm->map_check && vm->map_check(vm, v, &ks, &vs);
    }
    case MBPF_ARG_MAP_KEY:
    case MBPF_ARG_MAP_VALUE: {
        uint32_t ks, vs;
        if (!vm->map_check || !vm->map_check(vm, args[a->len_arg - 1u], &ks, &vs))
            return 0;
        len = a->kind == MBPF_ARG_MAP_KEY ? ks : vs;
        break;
    }
    case MBPF_ARG_MEM_R_OR_NULL:
        if (v == 0)
            return 1;
        break;
    case MBPF_ARG_MEM_W_OR_NULL:
        if (v == 0)
            return 1;
        need = MBPF_MEM_WRITE;
        break;
    case MBPF_ARG_MEM_W:
        need = MBPF_MEM_WRITE;
        break;
    case MBPF_ARG_MEM_RW:
        need = MBPF_MEM_RW;
        break;
    default: /* MBPF_ARG_MEM_R */
        break;
    }
    *bad_size = len;
    return len == 0 || mbpf_vm_check_mem(vm, v, len, need);
}

static int helper_error(mbpf_result *res, int status, const char *msg, uint32_t id)
{
    res->status = status;
    res->msg = msg;
    res->helper_id = id;
    return status;
}

int mbpf_vm_call_helper(mbpf_vm *vm, uint32_t id, const uint64_t args[5], void *user,
                        uint64_t *ret, mbpf_result *res)
{
    const mbpf_helper *h = mbpf_helpers_find(vm->helpers, id);
    if (!h)
        return helper_error(res, MBPF_E_BAD_HELPER, MBPF_MSG_UNKNOWN_HELPER, id);
    if (!mbpf_id_allowed(vm->allowed, vm->num_allowed, id))
        return helper_error(res, MBPF_E_BAD_HELPER, MBPF_MSG_HELPER_NOT_ALLOWED, id);
    for (unsigned i = 0; i < 5; i++) {
        uint64_t size;
        if (!arg_ok(vm, &h->args[i], args, args[i], &size)) {
            res->fault_addr = args[i];
            res->fault_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
            return helper_error(res, MBPF_E_MEM, MBPF_MSG_HELPER_PTR, id);
        }
    }
    mbpf_env env = {user, vm, 0, NULL};
    uint64_t r = h->fn(args[0], args[1], args[2], args[3], args[4], &env);
    if (env.error != 0)
        return helper_error(res, MBPF_E_HELPER, env.msg ? env.msg : MBPF_MSG_HELPER_FAILED, id);
    *ret = r;
    return MBPF_OK;
}
