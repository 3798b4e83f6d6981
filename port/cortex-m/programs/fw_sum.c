/* Firmware test: sums the context bytes with a mix of 64-bit arithmetic. */
#include "mbpf_helpers.h"

uint64_t fw_sum(const uint8_t *ctx, uint64_t len)
{
    uint64_t acc = 0x9e3779b97f4a7c15ull;
    for (uint64_t i = 0; i < len; i++)
        acc = (acc ^ ctx[i]) * 0x100000001b3ull + (acc >> 29);
    return acc;
}
