/* Device test of a deopt (docs/jit-armv7m.md, Deopt): a counted loop whose
 * ordered test starts past its limit runs once; its guard cannot take the
 * fast copy, the code leaves for the interpreter at the loop head
 * (mbpf_jit_run: mbpf_interp_resume) and the result must be the
 * interpreter's and the host's. No local calls (those keep the checked copy). */
#include "mbpf_helpers.h"

uint64_t jit_deopt_once(uint8_t *ctx, uint64_t len)
{
    uint64_t acc = 0x9e3779b97f4a7c15ull ^ len;
    const uint8_t *p = ctx;
    uint32_t i = (uint32_t)len;
    do {
        acc = acc * 31u + *p++;
        i++;
    } while (i < 10u);
    return acc ^ (uint64_t)(uintptr_t)(p - ctx) << 40;
}
