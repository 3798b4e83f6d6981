/* Fletcher-16 (RFC 1146 style: two running sums modulo 255) over a message
 * in .rodata. Expected: 0x9071 for this text (see tests/examples). */
#include <mbpf_helpers.h>

static const char message[] =
    "The quick brown fox jumps over the lazy dog. microbpf checks every byte.";

int fletcher16(void *ctx)
{
    uint32_t sum1 = 0, sum2 = 0;
    const char *p = message;
    (void)ctx;
    /* An empty asm hides the buffer's contents from the optimiser: without it
     * clang computes the checksum at compile time and the program is 2 insns. */
    __asm__ volatile("" : "+r"(p));
    for (uint32_t i = 0; i < sizeof(message) - 1; i++) {
        sum1 = (sum1 + (uint8_t)p[i]) % 255;
        sum2 = (sum2 + sum1) % 255;
    }
    return (int)(sum2 << 8 | sum1);
}
