/* The standard IoT helpers (ids in helper_ids.h, ABI in docs/helpers.md).
 *
 * Pure helpers (memcpy, strlen, fmt_*, printf formatting, the key-value
 * store, CoAP response building) live in the freestanding core. Everything
 * that touches the device (console output, clocks, sensors, GPIO) goes
 * through an mbpf_platform the embedder fills in; a NULL callback makes that
 * helper fail with a clear message instead of crashing.
 *
 * The helpers find their state through the `user` pointer of mbpf_vm_run,
 * which must point at an mbpf_iot_env (or be NULL: then only the pure,
 * stateless helpers work). Nothing here is global: two VMs with two
 * mbpf_iot_env values never share anything but what the embedder shares.
 */
#ifndef MBPF_IOT_H
#define MBPF_IOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mbpf/helper_ids.h"
#include "mbpf/iot_types.h"
#include "mbpf/mbpf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Key-value store (u32 -> u32) in caller storage ---------------------- */

typedef struct mbpf_kv_entry {
    uint32_t key;
    uint32_t value;
} mbpf_kv_entry;

typedef struct mbpf_kv {
    mbpf_kv_entry *entries; /* sorted by key */
    uint16_t count;
    uint16_t capacity;
} mbpf_kv;

void mbpf_kv_init(mbpf_kv *kv, mbpf_kv_entry *storage, uint16_t capacity);
/* Inserts or replaces. MBPF_OK, or MBPF_E_NOSPACE when full. */
int mbpf_kv_store(mbpf_kv *kv, uint32_t key, uint32_t value);
/* True and *value when present; false and *value = 0 when not. */
bool mbpf_kv_fetch(const mbpf_kv *kv, uint32_t key, uint32_t *value);

/* ---- Platform callbacks -------------------------------------------------- */

typedef struct mbpf_platform {
    void *ctx; /* first argument of every callback */
    /* Console output for printf / print_debug (n bytes, not NUL-terminated). */
    void (*write)(void *ctx, const char *s, size_t n);
    uint32_t (*now_ms)(void *ctx);
    uint32_t (*ztimer_now)(void *ctx);                   /* microseconds */
    void (*ztimer_sleep_until)(void *ctx, uint32_t when); /* microseconds */
    /* Sensor registry: handles are non-zero, 0 = no such device. */
    uint32_t (*saul_find_nth)(void *ctx, uint32_t pos);
    uint32_t (*saul_find_type)(void *ctx, uint32_t type);
    /* Number of values (1..3) or a negative error. */
    int (*saul_read)(void *ctx, uint32_t dev, mbpf_phydat *out);
    int (*saul_write)(void *ctx, uint32_t dev, const mbpf_phydat *in);
    /* Pin level 0/1 (raw: the register bit, before any inversion) or negative. */
    int (*gpio_read)(void *ctx, uint32_t port, uint32_t pin, bool raw);
    int (*gpio_write)(void *ctx, uint32_t port, uint32_t pin, uint32_t value);
} mbpf_platform;

/* What the `user` argument of mbpf_vm_run must point at. */
typedef struct mbpf_iot_env {
    const mbpf_platform *platform;
    mbpf_kv *local;  /* this program instance's store (store/fetch_local) */
    mbpf_kv *global; /* shared by all programs (store/fetch_global) */
} mbpf_iot_env;

/* Number of helpers mbpf_iot_register adds. */
#define MBPF_IOT_NUM_HELPERS 25u

/* Adds every helper of helper_ids.h from 0x01 to 0x72 to set. Returns
 * MBPF_OK, or the mbpf_helpers_add status (e.g. MBPF_E_NOSPACE). */
int mbpf_iot_register(mbpf_helpers *set);

/* ---- Formatting (also usable by the embedder) ------------------------------ */

/* RIOT fmt semantics: no NUL is written; out may be NULL to get the length. */
size_t mbpf_fmt_u32_dec(char *out, uint32_t val);
/* val * 10^digits, digits in -7..7 ("-35.48" for -3548, -2). 0 if out of range. */
size_t mbpf_fmt_s16_dfp(char *out, int16_t val, int digits);
#define MBPF_FMT_U32_DEC_MAX 10u
#define MBPF_FMT_S16_DFP_MAX 13u

/* Where formatted text goes: put(ctx, chunk, n) for each piece. */
typedef void (*mbpf_fmt_put)(void *ctx, const char *s, size_t n);

/* Reads a %s argument: the string at addr or NULL if it is not a readable
 * NUL-terminated string (sets *len). */
typedef const char *(*mbpf_fmt_str)(void *ctx, uint64_t addr, size_t *len);

/* Small printf: %d %i %u %x %X %p %s %c %% with flags '-' '0', a width, a
 * precision for %s, and h/hh/l/ll/z/j/t length modifiers (l and ll are 64-bit).
 * args are the values in order (at most nargs are used; missing ones are 0).
 * Returns the characters produced, or -1 if a %s argument was refused. */
long mbpf_format(mbpf_fmt_put put, void *put_ctx, mbpf_fmt_str str, void *str_ctx,
                 const char *fmt, const uint64_t *args, unsigned nargs);

/* A NUL-terminated string starting at addr inside the VM's stack or one
 * readable region: its length in *len, or false. */
bool mbpf_iot_string_ok(mbpf_vm *vm, uint64_t addr, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* MBPF_IOT_H */
