/* Never returns: the execution budget (taken backward jumps and calls) stops
 * it with MBPF_E_BUDGET. */
#include <mbpf_helpers.h>

int infinite_loop(void *ctx)
{
    volatile uint32_t n = 0;
    (void)ctx;
    for (;;)
        n++;
    return 0;
}
