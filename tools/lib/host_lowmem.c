/* Host memory below 4 GiB (see host_lowmem.h). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS (glibc hides it under strict POSIX) */
#include "host_lowmem.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* Next hint: allocations follow each other (one jit_uc cluster), and freeing
 * the last one gives its place back, so a program loaded, freed and loaded
 * again gets the same addresses (the interpreter run and the JIT'd run of
 * `mbpf jit --run` see the same pointers). Host tool state. */
static uintptr_t next_hint = (uintptr_t)HOST_LOW_BASE;

/* Unmapped space after each allocation: a pointer a little out of one buffer
 * (e.g. examples/oob_write.c: ctx + len + 4096) does not land in the next,
 * as it would not with malloc. Well below jit_uc's cluster gap (1 MiB). */
#define GAP 0x10000u

static size_t round_len(size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (len == 0)
        len = 1;
    return (len + page - 1) / page * page;
}

bool host_low_contains(const void *p, size_t len)
{
    uintptr_t a = (uintptr_t)p;
    return a >= HOST_LOW_BASE && a <= HOST_LOW_END && len <= HOST_LOW_END - a;
}

void *host_low_alloc(size_t len)
{
    size_t n = round_len(len);
    if (n > HOST_LOW_END - HOST_LOW_BASE)
        return NULL;
    if (next_hint + n + GAP > HOST_LOW_END)
        next_hint = (uintptr_t)HOST_LOW_BASE;
    void *p = mmap((void *)next_hint, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (host_low_contains(p, n))
        next_hint = (uintptr_t)p + n + GAP;
    return p;
}

void host_low_free(void *p, size_t len)
{
    if (!p)
        return;
    size_t n = round_len(len);
    munmap(p, n);
    if ((uintptr_t)p + n + GAP == next_hint)
        next_hint = (uintptr_t)p;
}
