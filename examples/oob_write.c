/* Writes past the end of its context on purpose: the VM must stop it with
 * MBPF_E_MEM ("out-of-bounds store") before anything is written. */
#include <mbpf_helpers.h>

int oob_write(uint8_t *ctx, uint64_t len)
{
    for (uint64_t i = 0; i < len; i++)
        ctx[i] = (uint8_t)i; /* fine */
    ctx[len + 4096] = 0xff; /* not fine */
    return 0;
}
