/* String formatting: WL_N readings rendered as "id=<u> t=<-d.dd> C\n" into a
 * buffer on the stack (hand-written decimal conversion, as a printf would do
 * it), with a running hash of the text produced. */
#include "workload.h"

#ifndef WL_N
#define WL_N 32
#endif

static const uint8_t input[160] = {WL_BYTES(160)};

static uint32_t put_str(char *out, uint32_t at, const char *s)
{
    while (*s)
        out[at++] = *s++;
    return at;
}

static uint32_t put_udec(char *out, uint32_t at, uint32_t v, uint32_t min_digits)
{
    char tmp[10];
    uint32_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v && n < sizeof tmp);
    while (n < min_digits)
        tmp[n++] = '0';
    while (n)
        out[at++] = tmp[--n];
    return at;
}

static uint32_t format_all(const uint8_t *data, uint32_t count)
{
    char line[48];
    uint32_t hash = 2166136261u;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t id = (uint32_t)data[4 * i] | (uint32_t)data[4 * i + 1] << 8;
        int32_t centi = (int16_t)(uint16_t)((uint32_t)data[4 * i + 2] |
                                            (uint32_t)data[4 * i + 3] << 8);
        centi >>= 3; /* arithmetic shift: eBPF v3 has no signed division */
        uint32_t at = put_str(line, 0, "id=");
        at = put_udec(line, at, id, 1);
        at = put_str(line, at, " t=");
        if (centi < 0) {
            line[at++] = '-';
            centi = -centi;
        }
        at = put_udec(line, at, (uint32_t)centi / 100u, 1);
        line[at++] = '.';
        at = put_udec(line, at, (uint32_t)centi % 100u, 2);
        at = put_str(line, at, " C\n");
        for (uint32_t k = 0; k < at; k++)
            hash = (hash ^ (uint8_t)line[k]) * 16777619u;
    }
    return hash;
}

WL_MAIN
{
    const uint8_t *p = input;
    uint32_t n = WL_N;
    WL_HIDE(p);
    WL_HIDE(n);
    return format_all(p, n);
}
