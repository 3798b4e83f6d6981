/* Device test of JIT'd code on QEMU (Cortex-M4): atomics at aligned and
 * unaligned addresses (LDREX/STREX and the PRIMASK sequence; QEMU faults
 * where real hardware does), 64-bit division and shifts, a local call, and
 * a counted loop (the guarded fast copy).
 * The firmware compares the JIT's result with the interpreter's and the
 * host's (scripts/firmware.sh). */
#include "mbpf_helpers.h"

static __attribute__((noinline)) uint64_t mix(uint64_t a, uint64_t b)
{
    return (a ^ (b << 7)) * 0x100000001b3ull + (a >> 13);
}

uint64_t jit_ops(uint8_t *ctx, uint64_t len)
{
    uint64_t acc = 0x9e3779b97f4a7c15ull;
    if (len < 48)
        return 1;
    for (int i = 0; i < 8; i++) {
        uint32_t *w = (uint32_t *)(void *)(ctx + i);      /* aligned when i % 4 == 0 */
        uint64_t *d = (uint64_t *)(void *)(ctx + 16 + i); /* aligned when i == 0 */
        acc = mix(acc, __sync_fetch_and_add(w, (uint32_t)i + 1));
        acc = mix(acc, __sync_fetch_and_xor(d, acc));
        acc = mix(acc, __sync_val_compare_and_swap(w, *w, (uint32_t)acc));
        acc = mix(acc, __sync_lock_test_and_set(d, acc >> 3));
        uint64_t num = *d | 1;
        uint64_t den = (acc >> (i * 5)) | 3;
        acc = mix(acc, num / den);
        acc = mix(acc, num % den);
        acc = mix(acc, (uint64_t)((int64_t)num >> (i + 33)));
    }
    for (uint64_t i = 0; i < len; i++)
        acc = mix(acc, ctx[i]);
    /* a counted loop without calls: the JIT's guarded fast copy, whose
     * guard finds ctx in the region caches (the runner starts them with
     * it; jit_helper_fault.c makes a guard ask the device's check_range) */
    uint32_t sum = 0, n = (uint32_t)len;
    const uint8_t *p = ctx;
    do
        sum = sum * 31u + *p++;
    while (--n != 0);
    return acc ^ sum;
}
