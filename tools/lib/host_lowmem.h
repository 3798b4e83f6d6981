/* Host memory below 4 GiB, like a 32-bit device's (host only).
 *
 * Everything whose address a program can hold (the VM memory with its eBPF
 * stack, the loader arena with map values and global data, the image, the
 * ctx buffers of the runners) is allocated here, so that those addresses fit
 * in 32 bits as they do on the device. The JIT'd code under Unicorn
 * (jit_uc.c) then sees the very addresses the interpreter uses: jit_uc maps
 * buffers that lie in [HOST_LOW_BASE, HOST_LOW_END) at their own address.
 * The window sits below jit_uc's data area (0x60000000 minus its
 * translation slack) and above its code, stack, context block and
 * trampolines (0x0F000000..0x30001000).
 *
 * mmap with an address hint (never MAP_FIXED): when the kernel does not
 * honour the hint the memory is wherever mmap put it, and everything works
 * as with malloc (jit_uc then maps an alias at the low 32 bits, or not).
 */
#ifndef MBPF_TOOLS_HOST_LOWMEM_H
#define MBPF_TOOLS_HOST_LOWMEM_H

#include <stdbool.h>
#include <stddef.h>

#define HOST_LOW_BASE 0x40000000ull
#define HOST_LOW_END 0x5E000000ull

/* len bytes (at least 1), zeroed, page aligned; NULL when out of memory. */
void *host_low_alloc(size_t len);
/* Frees what host_low_alloc(len) returned (NULL is ignored). */
void host_low_free(void *p, size_t len);
/* True when [p, p + len) lies in the window. */
bool host_low_contains(const void *p, size_t len);

#endif /* MBPF_TOOLS_HOST_LOWMEM_H */
