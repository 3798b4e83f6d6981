/* Firmware test: hands memcpy a destination outside its memory. The VM checks
 * helper pointers before the call, so this is the program's memory error. */
#include "mbpf_helpers.h"

uint64_t fw_bad_helper(uint8_t *ctx)
{
    bpf_memcpy((void *)0x20000000, ctx, 16); /* firmware RAM: not the program's */
    return 1;
}
