/* Device test of a deopt that faults: the loop would read past ctx, its
 * guard fails, the interpreter goes on from the loop head and stops with
 * the interpreter's MBPF_E_MEM (scripts/firmware.sh: expected status -4). */
#include "mbpf_helpers.h"

uint64_t jit_deopt_oob(uint8_t *ctx, uint64_t len)
{
    uint32_t sum = 0, n = (uint32_t)len + 8u;
    const uint8_t *p = ctx;
    do
        sum = sum * 31u + *p++;
    while (--n != 0);
    return sum;
}
