/* Built with --debug -Os: the image keeps a line table (objdump shows
 * file:line and the source). Sums the squares 1..10 = 385. */
#include <mbpf_helpers.h>

static __noinline uint32_t square(uint32_t x)
{
    return x * x;
}

int debug_lines(void *ctx)
{
    uint32_t sum = 0;
    (void)ctx;
    for (uint32_t i = 1; i <= 10; i++)
        sum += square(i);
    return (int)sum;
}
