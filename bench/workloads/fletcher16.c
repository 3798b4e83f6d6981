/* Fletcher-16 over WL_N bytes of .rodata (the peers' benchmark: the sums are
 * reduced every 20 bytes, as in RIOT's fletcher16). WL_N is one of 80, 160,
 * 320, 640, 1280, 2560. */
#include "workload.h"
#include "fletcher16_fn.h"

#ifndef WL_N
#define WL_N 640
#endif

static const uint8_t input[WL_N] = {WL_BYTES(WL_N)};

WL_MAIN
{
    const uint8_t *p = input;
    uint32_t len = WL_N;
    WL_HIDE(p);
    WL_HIDE(len);
    return fletcher16(p, len);
}
