/* Fletcher-16 with the usual deferred reduction (sums folded every 20 bytes,
 * as in RIOT's fletcher16): shared by the fletcher16_<N> workloads and by
 * bench/jit, so both benchmarks measure the very same function. */
#ifndef BENCH_FLETCHER16_FN_H
#define BENCH_FLETCHER16_FN_H

#include <stdint.h>

#ifndef FLETCHER16_LINKAGE
#define FLETCHER16_LINKAGE static
#endif

FLETCHER16_LINKAGE uint32_t fletcher16(const uint8_t *data, uint32_t len)
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

#endif
