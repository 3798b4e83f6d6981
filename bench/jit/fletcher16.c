/* Fletcher-16 (RFC 1146 checksum, with the usual deferred reduction: sums
 * are folded every 20 bytes). The benchmark compiles this very function
 * natively for Cortex-M4 and, as eBPF, through the JIT (fletcher16.s is
 * clang's output for it). */
#include <stdint.h>

uint32_t fletcher16(const uint8_t *data, uint32_t len)
{
    uint32_t sum1 = 0xff, sum2 = 0xff;
    while (len) {
        uint32_t tlen = len > 20 ? 20 : len;
        len -= tlen;
        do {
            sum1 += *data++;
            sum2 += sum1;
        } while (--tlen);
        sum1 = (sum1 & 0xff) + (sum1 >> 8);
        sum2 = (sum2 & 0xff) + (sum2 >> 8);
    }
    sum1 = (sum1 & 0xff) + (sum1 >> 8);
    sum2 = (sum2 & 0xff) + (sum2 >> 8);
    return (sum2 << 8) | sum1;
}
