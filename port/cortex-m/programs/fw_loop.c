/* Firmware test: never ends. The execution budget must stop it. */
#include "mbpf_helpers.h"

uint64_t fw_loop(volatile uint32_t *ctx)
{
    for (;;)
        ctx[0]++;
    return 0;
}
