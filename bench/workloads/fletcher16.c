/* Fletcher-16 over WL_N bytes of .rodata (the peers' benchmark: the sums are
 * reduced every 20 bytes, as in RIOT's fletcher16). WL_N is one of 80, 160,
 * 320, 640, 1280, 2560. */
#include "workload.h"

#ifndef WL_N
#define WL_N 640
#endif

static const uint8_t input[WL_N] = {WL_BYTES(WL_N)};

static uint32_t fletcher16(const uint8_t *data, uint32_t len)
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

WL_MAIN
{
    const uint8_t *p = input;
    uint32_t len = WL_N;
    WL_HIDE(p);
    WL_HIDE(len);
    return fletcher16(p, len);
}
