/* Integer matrix multiply: C = A * B with WL_N x WL_N matrices of signed
 * bytes from .rodata, 32-bit accumulators, C on the stack; returns a hash of C. */
#include "workload.h"

#ifndef WL_N
#define WL_N 8
#endif

static const uint8_t input[160] = {WL_BYTES(160)};

static uint32_t matmul(const int8_t *a, const int8_t *b, uint32_t n)
{
    int32_t c[WL_N * WL_N];
    if (n > WL_N)
        n = WL_N;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            int32_t s = 0;
            for (uint32_t k = 0; k < n; k++)
                s += (int32_t)a[i * n + k] * (int32_t)b[k * n + j];
            c[i * n + j] = s;
        }
    uint32_t h = 0;
    for (uint32_t i = 0; i < n * n; i++)
        h = (h << 5 | h >> 27) ^ (uint32_t)c[i];
    return h;
}

WL_MAIN
{
    const uint8_t *p = input;
    uint32_t n = WL_N;
    WL_HIDE(p);
    WL_HIDE(n);
    return matmul((const int8_t *)p, (const int8_t *)(p + WL_N * WL_N), n);
}
