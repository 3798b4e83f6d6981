/* The region table: the areas besides the stack that a program may touch.
 *
 * Regions are kept sorted by start and never overlap, so an address belongs
 * to at most one region and a binary search finds it. Programs tend to hit
 * the same region again and again (a packet, a map value), so the index of
 * the last hit is cached and checked first: the common case is O(1).
 */
#include "internal.h"

/* Index of the first region whose start is > addr (0..num_regions). */
static uint16_t upper_bound(const mbpf_vm *vm, uint64_t addr)
{
    uint16_t lo = 0, hi = vm->num_regions;
    while (lo < hi) {
        uint16_t mid = (uint16_t)(lo + (hi - lo) / 2u);
        if ((uint64_t)vm->regions[mid].start <= addr)
            lo = (uint16_t)(mid + 1u);
        else
            hi = mid;
    }
    return lo;
}

int mbpf_vm_add_region(mbpf_vm *vm, const void *start, uint32_t len, uint32_t flags)
{
    if (!vm || !vm->regions || !start || len == 0 || (flags & ~(uint32_t)MBPF_MEM_RW) != 0)
        return MBPF_E_ARG;
    uintptr_t s = (uintptr_t)start;
    if (len > UINTPTR_MAX - s) /* the region would wrap around the address space */
        return MBPF_E_ARG;
    uint16_t i = upper_bound(vm, s);
    /* Only the neighbours can overlap: the table is sorted and disjoint. */
    if (i > 0) {
        const mbpf_region *prev = &vm->regions[i - 1u];
        if (s - prev->start < prev->len)
            return MBPF_E_ARG;
    }
    if (i < vm->num_regions && vm->regions[i].start - s < len)
        return MBPF_E_ARG;
    if (vm->num_regions >= vm->cfg.max_regions)
        return MBPF_E_NOSPACE;
    for (uint16_t j = vm->num_regions; j > i; j--)
        vm->regions[j] = vm->regions[j - 1u];
    vm->regions[i].start = s;
    vm->regions[i].len = len;
    vm->regions[i].flags = flags;
    vm->num_regions++;
    vm->last_region = i;
    return MBPF_OK;
}

int mbpf_vm_remove_region(mbpf_vm *vm, const void *start)
{
    if (!vm || !vm->regions)
        return MBPF_E_ARG;
    uintptr_t s = (uintptr_t)start;
    uint16_t i = upper_bound(vm, s);
    if (i == 0 || vm->regions[i - 1u].start != s)
        return MBPF_E_ARG;
    for (uint16_t j = i; j < vm->num_regions; j++)
        vm->regions[j - 1u] = vm->regions[j];
    vm->num_regions--;
    vm->last_region = 0; /* the cached index may now name another region */
    return MBPF_OK;
}

static int region_fits(const mbpf_region *r, uint64_t addr, uint64_t size, uint32_t need)
{
    return (r->flags & need) == need && mbpf_range_in(addr, size, (uint64_t)r->start, r->len);
}

const mbpf_region *mbpf_vm_find_region(mbpf_vm *vm, uint64_t addr, uint64_t size,
                                       uint32_t need)
{
    if (vm->last_region < vm->num_regions) {
        const mbpf_region *r = &vm->regions[vm->last_region];
        if (region_fits(r, addr, size, need))
            return r;
    }
    /* The only candidate is the last region starting at or below addr. */
    uint16_t i = upper_bound(vm, addr);
    if (i == 0)
        return NULL;
    const mbpf_region *r = &vm->regions[i - 1u];
    if (!region_fits(r, addr, size, need))
        return NULL;
    vm->last_region = (uint16_t)(i - 1u);
    return r;
}

bool mbpf_vm_check_mem(mbpf_vm *vm, uint64_t addr, uint64_t size, uint32_t need)
{
    if (mbpf_range_in(addr, size, (uint64_t)(uintptr_t)vm->stack, mbpf_stack_bytes(vm)))
        return true;
    return mbpf_vm_find_region(vm, addr, size, need) != NULL;
}
