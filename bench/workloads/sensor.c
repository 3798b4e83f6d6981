/* Sensor processing: WL_N signed 16-bit samples (little-endian in .rodata)
 * through an 8-tap moving average, with min, max, mean, integer variance and
 * the number of upward threshold crossings of the filtered signal, folded
 * into one word. */
#include "workload.h"

#ifndef WL_N
#define WL_N 160
#endif

static const uint8_t input[2 * WL_N] = {WL_BYTES(320)};

static uint32_t process(const uint8_t *raw, uint32_t n)
{
    int32_t window[8] = {0};
    int32_t acc = 0, lo = 32767, hi = -32768, sum = 0, prev = 0;
    uint32_t sumsq = 0, crossings = 0;
    for (uint32_t i = 0; i < n; i++) {
        int32_t s = (int16_t)(uint16_t)((uint32_t)raw[2 * i] | (uint32_t)raw[2 * i + 1] << 8);
        s >>= 4; /* 12-bit ADC in the high bits */
        acc += s - window[i & 7u];
        window[i & 7u] = s;
        int32_t f = acc >> 3; /* arithmetic shift: eBPF v3 has no signed division */
        if (f < lo)
            lo = f;
        if (f > hi)
            hi = f;
        sum += f;
        sumsq += (uint32_t)(f * f);
        if (prev < 100 && f >= 100)
            crossings++;
        prev = f;
    }
    int32_t mean = (int32_t)((uint32_t)(sum + 32768 * (int32_t)n) / n) - 32768;
    uint32_t var = sumsq / n - (uint32_t)(mean * mean);
    return (uint32_t)(hi - lo) << 20 ^ var << 4 ^ (uint32_t)mean << 12 ^ crossings;
}

WL_MAIN
{
    const uint8_t *p = input;
    uint32_t n = WL_N;
    WL_HIDE(p);
    WL_HIDE(n);
    return process(p, n);
}
