/* Many local calls: WL_N rounds of a small mixing function split into
 * noinline pieces (three levels deep), i.e. 4 * WL_N calls, the shape of code
 * that factors work into helpers of its own. In eBPF these are bpf-to-bpf
 * calls (each one costs a unit of budget and a frame). */
#include "workload.h"

#ifndef WL_N
#define WL_N 64
#endif

static const uint8_t input[80] = {WL_BYTES(80)};

static WL_NOINLINE uint32_t rotl(uint32_t v, uint32_t r)
{
    r &= 31u;
    return r ? v << r | v >> (32u - r) : v;
}

static WL_NOINLINE uint32_t mix_byte(uint32_t h, uint32_t b)
{
    return rotl(h ^ b, 5) * 0x9e3779b1u;
}

static WL_NOINLINE uint32_t round_fn(uint32_t h, const uint8_t *data, uint32_t i)
{
    h = mix_byte(h, data[i % 80u]);
    return h ^ rotl(h, i);
}

static uint32_t run_rounds(const uint8_t *data, uint32_t rounds)
{
    uint32_t h = 0x811c9dc5u;
    for (uint32_t i = 0; i < rounds; i++)
        h = round_fn(h, data, i);
    return h;
}

WL_MAIN
{
    const uint8_t *p = input;
    uint32_t n = WL_N;
    WL_HIDE(p);
    WL_HIDE(n);
    return run_rounds(p, n);
}
