/* Fletcher-32 over WL_N bytes of .rodata, read as little-endian 16-bit words
 * (sums reduced every 359 words, the usual bound that keeps them in 32 bits). */
#include "workload.h"

#ifndef WL_N
#define WL_N 640
#endif

static const uint8_t input[WL_N] = {WL_BYTES(WL_N)};

static uint32_t fletcher32(const uint8_t *data, uint32_t words)
{
    uint32_t sum1 = 0xffff, sum2 = 0xffff;
    while (words) {
        uint32_t tlen = words > 359 ? 359 : words;
        words -= tlen;
        do {
            sum1 += (uint32_t)data[0] | (uint32_t)data[1] << 8;
            sum2 += sum1;
            data += 2;
        } while (--tlen);
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    return sum2 << 16 | sum1;
}

WL_MAIN
{
    const uint8_t *p = input;
    uint32_t words = WL_N / 2;
    WL_HIDE(p);
    WL_HIDE(words);
    return fletcher32(p, words);
}
