/* Counters in .data (initialised) and .bss (zeroed): every run of a fresh
 * instance starts from these values. Returns data + bss*1000 + big[1]*100000
 * = 130 + 10000 + 1500000 = 1510130. */
#include <mbpf_helpers.h>

int total_calls = 100;    /* .data */
static uint32_t hits;     /* .bss */
static uint64_t big[4];   /* .bss */

static __noinline void count(uint32_t i)
{
    total_calls += 3;
    hits++;
    big[i & 3] += i;
}

int counters(void *ctx)
{
    (void)ctx;
    for (uint32_t i = 0; i < 10; i++)
        count(i);
    return (int)(total_calls + hits * 1000 + big[1] * 100000);
}
