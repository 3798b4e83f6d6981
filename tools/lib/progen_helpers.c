/* The helpers random programs call (see progen.h): they compute only from
 * argument values and the bytes their checked pointer arguments reach, so the
 * interpreter and the JIT harness get the same results. */
#include "progen.h"

#include <string.h>

enum { H_MIX = PROGEN_H_MIX, H_SUM = PROGEN_H_SUM, H_FILL = PROGEN_H_FILL,
       H_STRLEN = PROGEN_H_STRLEN, H_FAIL = PROGEN_H_FAIL, H_SUM_OR_NULL = PROGEN_H_SUM_OR_NULL,
       H_INC64 = PROGEN_H_INC64 };

static uint64_t h_mix(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                      mbpf_env *env)
{
    (void)env;
    uint64_t h = a1 * 0x9e3779b97f4a7c15ull;
    h ^= (a2 << 7) | (a2 >> 57);
    h += a3 ^ 0x5555aaaa5555aaaaull;
    h ^= a4 * 31u + a5;
    return h;
}

static uint64_t h_sum(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                      mbpf_env *env)
{
    (void)a4, (void)a5, (void)env;
    const uint8_t *p = (const uint8_t *)(uintptr_t)a1;
    uint64_t s = a3 & 0xff;
    for (uint64_t i = 0; i < a2; i++)
        s = s * 3u + p[i];
    return s;
}

static uint64_t h_fill(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                       mbpf_env *env)
{
    (void)a4, (void)a5, (void)env;
    if (a2)
        memset((void *)(uintptr_t)a1, (int)(a3 & 0xff), (size_t)a2);
    return a2;
}

static uint64_t h_strlen(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                         mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5, (void)env;
    return strlen((const char *)(uintptr_t)a1);
}

static uint64_t h_fail(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                       mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    if ((a1 & 15) == 3)
        return mbpf_helper_fail(env, "progen helper failed");
    return a1 + a2;
}

static uint64_t h_sum_or_null(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                              mbpf_env *env)
{
    return a1 ? h_sum(a1, a2, a3, a4, a5, env) : 0x77;
}

static uint64_t h_inc64(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                        mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5, (void)env;
    uint64_t v;
    memcpy(&v, (void *)(uintptr_t)a1, 8);
    uint64_t nv = v + 1;
    memcpy((void *)(uintptr_t)a1, &nv, 8);
    return v;
}

int progen_helpers_init(mbpf_helpers *set, mbpf_helper storage[PROGEN_NUM_HELPERS])
{
    const mbpf_arg none = {MBPF_ARG_SCALAR, 0, 0};
    const mbpf_helper defs[PROGEN_NUM_HELPERS] = {
        {H_MIX, h_mix, "progen_mix", {none, none, none, none, none}},
        {H_SUM, h_sum, "progen_sum", {{MBPF_ARG_MEM_R, 2, 0}, none, none, none, none}},
        {H_FILL, h_fill, "progen_fill", {{MBPF_ARG_MEM_W, 2, 0}, none, none, none, none}},
        {H_STRLEN, h_strlen, "progen_strlen", {{MBPF_ARG_STR, 0, 0}, none, none, none, none}},
        {H_FAIL, h_fail, "progen_fail", {none, none, none, none, none}},
        {H_SUM_OR_NULL, h_sum_or_null, "progen_sum_or_null",
         {{MBPF_ARG_MEM_R_OR_NULL, 2, 0}, none, none, none, none}},
        {H_INC64, h_inc64, "progen_inc64", {{MBPF_ARG_MEM_RW, 0, 8}, none, none, none, none}},
    };
    mbpf_helpers_init(set, storage, PROGEN_NUM_HELPERS);
    for (unsigned i = 0; i < PROGEN_NUM_HELPERS; i++) {
        int rc = mbpf_helpers_add(set, &defs[i]);
        if (rc != MBPF_OK)
            return rc;
    }
    return MBPF_OK;
}
