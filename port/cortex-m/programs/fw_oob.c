/* Firmware test: writes past the end of its context on purpose. It must stop
 * with a memory error and leave the firmware running. */
#include "mbpf_helpers.h"

uint64_t fw_oob(uint8_t *ctx, uint64_t len)
{
    for (uint64_t i = 0; i <= len + 64; i++)
        ctx[i] = (uint8_t)i;
    return 0;
}
