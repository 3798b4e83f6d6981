/* Firmware test: several functions calling each other (local calls) with
 * state in .data and .bss. */
#include "mbpf_helpers.h"

static uint32_t calls;          /* .bss */
static uint32_t scale = 3;      /* .data */

static __noinline uint32_t square(uint32_t x)
{
    calls++;
    return x * x;
}

static __noinline uint32_t poly(uint32_t x)
{
    calls++;
    return scale * square(x) + 2 * x + 1;
}

uint64_t fw_calls(void *ctx)
{
    (void)ctx;
    uint32_t total = 0;
    for (uint32_t i = 0; i < 10; i++)
        total += poly(i);
    return ((uint64_t)calls << 32) | total;
}
