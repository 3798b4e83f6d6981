/* Sort: WL_N 32-bit words from .rodata copied to the stack and sorted with
 * insertion sort (what small firmware uses for short arrays); the result is
 * a position-weighted sum, so a wrong order shows. */
#include "workload.h"

#ifndef WL_N
#define WL_N 80
#endif

static const uint8_t input[4 * WL_N] = {WL_BYTES(320)};

static uint32_t sort_words(const uint8_t *data, uint32_t n)
{
    uint32_t a[WL_N];
    if (n > WL_N)
        n = WL_N;
    for (uint32_t i = 0; i < n; i++)
        a[i] = (uint32_t)data[4 * i] | (uint32_t)data[4 * i + 1] << 8 |
               (uint32_t)data[4 * i + 2] << 16 | (uint32_t)data[4 * i + 3] << 24;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t v = a[i], j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
    uint32_t h = 0;
    for (uint32_t i = 0; i < n; i++)
        h += (a[i] >> 8) * (i + 1);
    return h;
}

WL_MAIN
{
    const uint8_t *p = input;
    uint32_t n = WL_N;
    WL_HIDE(p);
    WL_HIDE(n);
    return sort_words(p, n);
}
