/* Device test of two slow paths of mbpf_jit_run: a counted loop over the
 * stack through a pointer (the stack is never in the region caches, so its
 * guard asks the device's check_range, which allows the stack area), then a
 * helper call with a bad pointer argument: the helper-call routine stops
 * with MBPF_E_MEM and the fault address and size the helper check found
 * (scripts/firmware.sh: expected status -4; the firmware compares every
 * field of the result with the interpreter's). */
#include "mbpf_helpers.h"

uint64_t jit_helper_fault(uint8_t *ctx, uint64_t len)
{
    uint8_t buf[48];
    if (len < 48)
        return 1;
    for (int i = 0; i < 48; i++)
        buf[i] = (uint8_t)(ctx[i] ^ (uint8_t)i);
    uint32_t sum = 0, n = 48;
    const uint8_t *p = buf;
    do
        sum = sum * 31u + *p++;
    while (--n != 0);
    bpf_memcpy((void *)(uintptr_t)(0x40u + (sum & 0xf0u)), buf, 12);
    return sum;
}
