/* microbpf SDK: everything a program includes.
 *
 *   #include <mbpf_helpers.h>
 *   int prog(void *ctx) { bpf_printf("hello %d\n", 42); return 0; }
 *
 * Helpers are called through pointers whose value is the helper id (the
 * libbpf convention): clang turns each call into `call <id>`. The ids come
 * from include/mbpf/helper_ids.h, the one list shared with the runtime.
 * docs/helpers.md documents every helper: prototype, checks and errors.
 */
#ifndef MBPF_SDK_HELPERS_H
#define MBPF_SDK_HELPERS_H

#include "mbpf_types.h"
#include "../../include/mbpf/helper_ids.h"

/* ---- Sections and map definitions (libbpf style) ------------------------ */

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
#define __array(name, val) __typeof__(val) *name[]
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif

/* Map types (Linux numbers; microbpf implements these two). */
#define BPF_MAP_TYPE_HASH 1
#define BPF_MAP_TYPE_ARRAY 2

/* bpf_map_update_elem flags. */
#define BPF_ANY 0     /* create or update */
#define BPF_NOEXIST 1 /* create only */
#define BPF_EXIST 2   /* update only */

/* ---- Map helpers --------------------------------------------------------- */

/* Pointer to the value for key (readable and writable), or NULL. */
static void *(*const bpf_map_lookup_elem)(void *map, const void *key) =
    (void *)MBPF_HELPER_MAP_LOOKUP;
/* 0, or a negative error (-ENOENT -2, -EEXIST -17, -E2BIG -7, -EINVAL -22). */
static long (*const bpf_map_update_elem)(void *map, const void *key, const void *value,
                                         uint64_t flags) = (void *)MBPF_HELPER_MAP_UPDATE;
static long (*const bpf_map_delete_elem)(void *map, const void *key) =
    (void *)MBPF_HELPER_MAP_DELETE;

/* ---- Output and memory --------------------------------------------------- */

/* printf with %d %i %u %x %X %p %s %c %% (flags '-' '0', width, l/ll/h);
 * at most 4 arguments. Returns the number of characters written. */
static long (*const bpf_printf)(const char *fmt, ...) = (void *)MBPF_HELPER_PRINTF;
/* Copies n bytes; both ranges are checked. Returns dst. */
static void *(*const bpf_memcpy)(void *dst, const void *src, uint32_t n) =
    (void *)MBPF_HELPER_MEMCPY;
/* Prints "debug: <signed> (0x<hex>)". */
static long (*const bpf_print_debug)(uint64_t value) = (void *)MBPF_HELPER_PRINT_DEBUG;

/* ---- Key-value store (u32 -> u32) ------------------------------------------
 * local: this program instance's; global: shared by all programs.
 * store returns 0, or -1 when the store is full. fetch returns 0 and the value,
 * or -1 and 0 when the key is absent. */
static long (*const bpf_store_local)(uint32_t key, uint32_t value) =
    (void *)MBPF_HELPER_STORE_LOCAL;
static long (*const bpf_store_global)(uint32_t key, uint32_t value) =
    (void *)MBPF_HELPER_STORE_GLOBAL;
static long (*const bpf_fetch_local)(uint32_t key, uint32_t *value) =
    (void *)MBPF_HELPER_FETCH_LOCAL;
static long (*const bpf_fetch_global)(uint32_t key, uint32_t *value) =
    (void *)MBPF_HELPER_FETCH_GLOBAL;

/* ---- Time ------------------------------------------------------------------ */

static uint32_t (*const bpf_now_ms)(void) = (void *)MBPF_HELPER_NOW_MS;
/* Microseconds since boot (wraps). */
static uint32_t (*const bpf_ztimer_now)(void) = (void *)MBPF_HELPER_ZTIMER_NOW;
/* Sleeps until *last + period (microseconds) and sets *last to that time. */
static long (*const bpf_ztimer_periodic_wakeup)(uint32_t *last, uint32_t period) =
    (void *)MBPF_HELPER_ZTIMER_PERIODIC_WAKEUP;

/* ---- Sensors and actuators (SAUL registry) ----------------------------------
 * Devices are handles (0 = none). read/write return the number of values
 * (1..3) or a negative error. */
static uint64_t (*const bpf_saul_reg_find_nth)(int pos) = (void *)MBPF_HELPER_SAUL_FIND_NTH;
static uint64_t (*const bpf_saul_reg_find_type)(uint8_t type) =
    (void *)MBPF_HELPER_SAUL_FIND_TYPE;
static long (*const bpf_saul_reg_read)(uint64_t dev, phydat_t *out) =
    (void *)MBPF_HELPER_SAUL_READ;
static long (*const bpf_saul_reg_write)(uint64_t dev, const phydat_t *in) =
    (void *)MBPF_HELPER_SAUL_WRITE;
/* Temperature of dev in centi-degrees Celsius into *out; 0 or negative error. */
static long (*const bpf_saul_read_temp)(uint64_t dev, uint32_t *out) =
    (void *)MBPF_HELPER_SAUL_READ_TEMP;

/* ---- CoAP (response building on a mbpf_coap_ctx) ----------------------------- */

/* Writes the response header (code e.g. COAP_CODE_CONTENT) and the token. */
static long (*const bpf_gcoap_resp_init)(bpf_coap_ctx_t *ctx, uint32_t code) =
    (void *)MBPF_HELPER_COAP_RESP_INIT;
/* Adds a Content-Format option. Returns bytes written or a negative error. */
static long (*const bpf_coap_add_format)(bpf_coap_ctx_t *ctx, uint32_t format) =
    (void *)MBPF_HELPER_COAP_ADD_FORMAT;
/* Ends the options (COAP_OPT_FINISH_PAYLOAD adds the payload marker and sets
 * ctx->payload / payload_len). Returns the header length. */
static long (*const bpf_coap_opt_finish)(bpf_coap_ctx_t *ctx, uint32_t flags) =
    (void *)MBPF_HELPER_COAP_OPT_FINISH;
/* Start of the response buffer. */
static uint8_t *(*const bpf_coap_get_pdu)(bpf_coap_ctx_t *ctx) =
    (void *)MBPF_HELPER_COAP_GET_PDU;

/* ---- Formatting (RIOT fmt semantics: no NUL is written) ---------------------- */

/* val * 10^digits in decimal ("-35.48" for -3548, -2); digits in -7..7.
 * out needs 13 bytes. Returns the length. */
static uint32_t (*const bpf_fmt_s16_dfp)(char *out, int16_t val, int digits) =
    (void *)MBPF_HELPER_FMT_S16_DFP;
/* Decimal; out needs 10 bytes. Returns the length. */
static uint32_t (*const bpf_fmt_u32_dec)(char *out, uint32_t val) =
    (void *)MBPF_HELPER_FMT_U32_DEC;
static uint32_t (*const bpf_strlen)(const char *s) = (void *)MBPF_HELPER_STRLEN;

/* ---- GPIO ---------------------------------------------------------------------- */

static long (*const bpf_gpio_read_input)(uint32_t port, uint32_t pin) =
    (void *)MBPF_HELPER_GPIO_READ_INPUT;
static long (*const bpf_gpio_read_raw)(uint32_t port, uint32_t pin) =
    (void *)MBPF_HELPER_GPIO_READ_RAW;
static long (*const bpf_gpio_write)(uint32_t port, uint32_t pin, uint32_t value) =
    (void *)MBPF_HELPER_GPIO_WRITE;

#endif /* MBPF_SDK_HELPERS_H */
