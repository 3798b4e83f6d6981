/* The standard IoT helpers: their prototypes (which the VM checks before the
 * call) and bodies. Pointer arguments have been checked against the program's
 * memory by then; anything a helper reads beyond them (printf's %s strings,
 * the CoAP buffer) it checks itself. Values in eBPF memory may be unaligned,
 * so they are read and written with memcpy.
 */
#include "internal.h"
#include "iot_internal.h"

#define RET_ERR ((uint64_t)(int64_t)-1)

bool mbpf_iot_string_ok(mbpf_vm *vm, uint64_t addr, size_t *len)
{
    uint64_t lo = (uint64_t)(uintptr_t)vm->stack, end;
    if (mbpf_range_in(addr, 1, lo, mbpf_stack_bytes(vm))) {
        end = lo + mbpf_stack_bytes(vm);
    } else {
        const mbpf_region *r = mbpf_vm_find_region(vm, addr, 1, MBPF_MEM_READ);
        if (!r)
            return false;
        end = (uint64_t)r->start + r->len;
    }
    const char *p = (const char *)(uintptr_t)addr;
    for (uint64_t i = 0; i < end - addr; i++)
        if (p[i] == 0) {
            *len = (size_t)i;
            return true;
        }
    return false;
}

const mbpf_platform *mbpf_iot_platform(mbpf_env *env)
{
    const mbpf_iot_env *e = env->user;
    return e ? e->platform : NULL;
}

/* ---- Output ------------------------------------------------------------- */

typedef struct out_buf {
    const mbpf_platform *pf;
    char buf[96];
    size_t len;
} out_buf;

static void out_flush(out_buf *o)
{
    if (o->len && o->pf && o->pf->write)
        o->pf->write(o->pf->ctx, o->buf, o->len);
    o->len = 0;
}

static void out_put(void *ctx, const char *s, size_t n)
{
    out_buf *o = ctx;
    while (n) {
        if (o->len == sizeof(o->buf))
            out_flush(o);
        size_t k = sizeof(o->buf) - o->len;
        if (k > n)
            k = n;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
    }
}

static const char *vm_string(void *ctx, uint64_t addr, size_t *len)
{
    return mbpf_iot_string_ok(ctx, addr, len) ? (const char *)(uintptr_t)addr : NULL;
}

static uint64_t h_printf(uint64_t fmt, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                         mbpf_env *env)
{
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->write)
        return mbpf_helper_fail(env, "printf: the platform has no console");
    /* Format everything first, so a refused %s prints nothing at all. */
    const uint64_t args[4] = {a2, a3, a4, a5};
    long n = mbpf_format(mbpf_iot_discard, NULL, vm_string, env->vm,
                         (const char *)(uintptr_t)fmt, args, 4);
    if (n < 0)
        return mbpf_helper_fail(env, "printf: a %s argument is not a readable string");
    out_buf o;
    o.pf = pf;
    o.len = 0;
    mbpf_format(out_put, &o, vm_string, env->vm, (const char *)(uintptr_t)fmt, args, 4);
    out_flush(&o);
    return (uint64_t)n;
}

static uint64_t h_print_debug(uint64_t v, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                              mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->write)
        return mbpf_helper_fail(env, "print_debug: the platform has no console");
    const uint64_t args[2] = {v, v};
    out_buf o;
    o.pf = pf;
    o.len = 0;
    long n = mbpf_format(out_put, &o, NULL, NULL, "debug: %lld (0x%llx)\n", args, 2);
    out_flush(&o);
    return (uint64_t)n;
}

/* ---- Memory and strings --------------------------------------------------- */

static uint64_t h_memcpy(uint64_t dst, uint64_t src, uint64_t n, uint64_t a4, uint64_t a5,
                         mbpf_env *env)
{
    (void)a4, (void)a5, (void)env;
    uint8_t *d = (uint8_t *)(uintptr_t)dst;
    const uint8_t *s = (const uint8_t *)(uintptr_t)src;
    /* Overlap is allowed: copy in the direction that does not clobber. */
    if (d < s)
        for (uint64_t i = 0; i < n; i++)
            d[i] = s[i];
    else if (d > s)
        for (uint64_t i = n; i > 0; i--)
            d[i - 1] = s[i - 1];
    return dst;
}

static uint64_t h_strlen(uint64_t s, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                         mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    size_t len = 0;
    if (!mbpf_iot_string_ok(env->vm, s, &len)) /* already checked: cannot happen */
        return mbpf_helper_fail(env, "strlen: not a string");
    return len;
}

static uint64_t h_fmt_u32_dec(uint64_t out, uint64_t val, uint64_t a3, uint64_t a4,
                              uint64_t a5, mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5, (void)env;
    return mbpf_fmt_u32_dec((char *)(uintptr_t)out, (uint32_t)val);
}

static uint64_t h_fmt_s16_dfp(uint64_t out, uint64_t val, uint64_t digits, uint64_t a4,
                              uint64_t a5, mbpf_env *env)
{
    (void)a4, (void)a5;
    int32_t d = (int32_t)(uint32_t)digits;
    if (d < -7 || d > 7)
        return mbpf_helper_fail(env, "fmt_s16_dfp: digits must be in -7..7");
    return mbpf_fmt_s16_dfp((char *)(uintptr_t)out, (int16_t)(uint16_t)val, (int)d);
}

/* ---- Key-value store ---------------------------------------------------- */

static mbpf_kv *kv_of(mbpf_env *env, bool global)
{
    const mbpf_iot_env *e = env->user;
    return e ? (global ? e->global : e->local) : NULL;
}

static uint64_t kv_store(uint64_t key, uint64_t value, mbpf_env *env, bool global)
{
    mbpf_kv *kv = kv_of(env, global);
    if (!kv)
        return mbpf_helper_fail(env, "store: no key-value store configured");
    return mbpf_kv_store(kv, (uint32_t)key, (uint32_t)value) == MBPF_OK ? 0 : RET_ERR;
}

static uint64_t kv_fetch(uint64_t key, uint64_t ptr, mbpf_env *env, bool global)
{
    mbpf_kv *kv = kv_of(env, global);
    if (!kv)
        return mbpf_helper_fail(env, "fetch: no key-value store configured");
    uint32_t v;
    bool found = mbpf_kv_fetch(kv, (uint32_t)key, &v);
    memcpy((void *)(uintptr_t)ptr, &v, sizeof(v));
    return found ? 0 : RET_ERR;
}

static uint64_t h_store_local(uint64_t k, uint64_t v, uint64_t a3, uint64_t a4, uint64_t a5,
                              mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    return kv_store(k, v, env, false);
}

static uint64_t h_store_global(uint64_t k, uint64_t v, uint64_t a3, uint64_t a4, uint64_t a5,
                               mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    return kv_store(k, v, env, true);
}

static uint64_t h_fetch_local(uint64_t k, uint64_t p, uint64_t a3, uint64_t a4, uint64_t a5,
                              mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    return kv_fetch(k, p, env, false);
}

static uint64_t h_fetch_global(uint64_t k, uint64_t p, uint64_t a3, uint64_t a4, uint64_t a5,
                               mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    return kv_fetch(k, p, env, true);
}

/* ---- Time ------------------------------------------------------------------ */

static uint64_t h_now_ms(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                         mbpf_env *env)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->now_ms)
        return mbpf_helper_fail(env, "now_ms: the platform has no clock");
    return pf->now_ms(pf->ctx);
}

static uint64_t h_ztimer_now(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                             mbpf_env *env)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->ztimer_now)
        return mbpf_helper_fail(env, "ztimer_now: the platform has no timer");
    return pf->ztimer_now(pf->ctx);
}

static uint64_t h_ztimer_periodic_wakeup(uint64_t last, uint64_t period, uint64_t a3,
                                         uint64_t a4, uint64_t a5, mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->ztimer_sleep_until)
        return mbpf_helper_fail(env, "ztimer_periodic_wakeup: the platform has no timer");
    uint32_t t;
    memcpy(&t, (const void *)(uintptr_t)last, sizeof(t));
    t += (uint32_t)period; /* wraps like the timer */
    pf->ztimer_sleep_until(pf->ctx, t);
    memcpy((void *)(uintptr_t)last, &t, sizeof(t));
    return 0;
}

/* ---- Sensors and GPIO ------------------------------------------------------ */

static uint64_t h_saul_find_nth(uint64_t pos, uint64_t a2, uint64_t a3, uint64_t a4,
                                uint64_t a5, mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->saul_find_nth)
        return 0; /* no registry: no device */
    return pf->saul_find_nth(pf->ctx, (uint32_t)pos);
}

static uint64_t h_saul_find_type(uint64_t type, uint64_t a2, uint64_t a3, uint64_t a4,
                                 uint64_t a5, mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->saul_find_type)
        return 0;
    return pf->saul_find_type(pf->ctx, (uint32_t)(uint8_t)type);
}

static int saul_read(mbpf_env *env, uint64_t dev, mbpf_phydat *d)
{
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->saul_read || dev == 0 || dev > UINT32_MAX)
        return -1;
    return pf->saul_read(pf->ctx, (uint32_t)dev, d);
}

static uint64_t h_saul_read(uint64_t dev, uint64_t out, uint64_t a3, uint64_t a4, uint64_t a5,
                            mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    mbpf_phydat d = {{0, 0, 0}, 0, 0};
    int rc = saul_read(env, dev, &d);
    if (rc > 0)
        memcpy((void *)(uintptr_t)out, &d, sizeof(d));
    return (uint64_t)(int64_t)rc;
}

static uint64_t h_saul_write(uint64_t dev, uint64_t in, uint64_t a3, uint64_t a4, uint64_t a5,
                             mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->saul_write || dev == 0 || dev > UINT32_MAX)
        return RET_ERR;
    mbpf_phydat d;
    memcpy(&d, (const void *)(uintptr_t)in, sizeof(d));
    return (uint64_t)(int64_t)pf->saul_write(pf->ctx, (uint32_t)dev, &d);
}

/* Temperature in centi-degrees Celsius: val[0] * 10^(scale + 2). */
static uint64_t h_saul_read_temp(uint64_t dev, uint64_t out, uint64_t a3, uint64_t a4,
                                 uint64_t a5, mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    mbpf_phydat d = {{0, 0, 0}, 0, 0};
    int rc = saul_read(env, dev, &d);
    if (rc <= 0)
        return RET_ERR;
    int64_t v = d.val[0];
    int e = d.scale + 2;
    for (; e > 0 && e < 10; e--)
        v *= 10;
    for (; e < 0 && e > -10; e++)
        v /= 10;
    int32_t c = (int32_t)(v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v);
    uint32_t u = (uint32_t)c;
    memcpy((void *)(uintptr_t)out, &u, sizeof(u));
    return 0;
}

static uint64_t gpio_read(uint64_t port, uint64_t pin, mbpf_env *env, bool raw)
{
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->gpio_read)
        return RET_ERR;
    return (uint64_t)(int64_t)pf->gpio_read(pf->ctx, (uint32_t)port, (uint32_t)pin, raw);
}

static uint64_t h_gpio_read_input(uint64_t port, uint64_t pin, uint64_t a3, uint64_t a4,
                                  uint64_t a5, mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    return gpio_read(port, pin, env, false);
}

static uint64_t h_gpio_read_raw(uint64_t port, uint64_t pin, uint64_t a3, uint64_t a4,
                                uint64_t a5, mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    return gpio_read(port, pin, env, true);
}

static uint64_t h_gpio_write(uint64_t port, uint64_t pin, uint64_t value, uint64_t a4,
                             uint64_t a5, mbpf_env *env)
{
    (void)a4, (void)a5;
    const mbpf_platform *pf = mbpf_iot_platform(env);
    if (!pf || !pf->gpio_write)
        return RET_ERR;
    return (uint64_t)(int64_t)pf->gpio_write(pf->ctx, (uint32_t)port, (uint32_t)pin,
                                             (uint32_t)value);
}

/* ---- The table ------------------------------------------------------------- */

#define NONE {MBPF_ARG_SCALAR, 0, 0}
#define MEM(kind, len) {kind, 0, len}
#define MEM_BY(kind, arg) {kind, arg, 0}

static const mbpf_helper iot_helpers[MBPF_IOT_NUM_HELPERS] = {
    {MBPF_HELPER_PRINTF, h_printf, "printf", {{MBPF_ARG_STR, 0, 0}, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_MEMCPY, h_memcpy, "memcpy",
     {MEM_BY(MBPF_ARG_MEM_W, 3), MEM_BY(MBPF_ARG_MEM_R, 3), NONE, NONE, NONE}},
    {MBPF_HELPER_PRINT_DEBUG, h_print_debug, "print_debug", {NONE, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_STORE_LOCAL, h_store_local, "store_local", {NONE, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_STORE_GLOBAL, h_store_global, "store_global", {NONE, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_FETCH_LOCAL, h_fetch_local, "fetch_local",
     {NONE, MEM(MBPF_ARG_MEM_W, 4), NONE, NONE, NONE}},
    {MBPF_HELPER_FETCH_GLOBAL, h_fetch_global, "fetch_global",
     {NONE, MEM(MBPF_ARG_MEM_W, 4), NONE, NONE, NONE}},
    {MBPF_HELPER_NOW_MS, h_now_ms, "now_ms", {NONE, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_SAUL_FIND_NTH, h_saul_find_nth, "saul_reg_find_nth",
     {NONE, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_SAUL_FIND_TYPE, h_saul_find_type, "saul_reg_find_type",
     {NONE, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_SAUL_READ, h_saul_read, "saul_reg_read",
     {NONE, MEM(MBPF_ARG_MEM_W, sizeof(mbpf_phydat)), NONE, NONE, NONE}},
    {MBPF_HELPER_SAUL_WRITE, h_saul_write, "saul_reg_write",
     {NONE, MEM(MBPF_ARG_MEM_R, sizeof(mbpf_phydat)), NONE, NONE, NONE}},
    {MBPF_HELPER_SAUL_READ_TEMP, h_saul_read_temp, "saul_read_temp",
     {NONE, MEM(MBPF_ARG_MEM_W, 4), NONE, NONE, NONE}},
    {MBPF_HELPER_COAP_RESP_INIT, mbpf_iot_coap_resp_init, "gcoap_resp_init",
     {MEM(MBPF_ARG_MEM_RW, sizeof(mbpf_coap_ctx)), NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_COAP_OPT_FINISH, mbpf_iot_coap_opt_finish, "coap_opt_finish",
     {MEM(MBPF_ARG_MEM_RW, sizeof(mbpf_coap_ctx)), NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_COAP_ADD_FORMAT, mbpf_iot_coap_add_format, "coap_add_format",
     {MEM(MBPF_ARG_MEM_RW, sizeof(mbpf_coap_ctx)), NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_COAP_GET_PDU, mbpf_iot_coap_get_pdu, "coap_get_pdu",
     {MEM(MBPF_ARG_MEM_R, sizeof(mbpf_coap_ctx)), NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_FMT_S16_DFP, h_fmt_s16_dfp, "fmt_s16_dfp",
     {MEM(MBPF_ARG_MEM_W, MBPF_FMT_S16_DFP_MAX), NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_FMT_U32_DEC, h_fmt_u32_dec, "fmt_u32_dec",
     {MEM(MBPF_ARG_MEM_W, MBPF_FMT_U32_DEC_MAX), NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_STRLEN, h_strlen, "strlen", {{MBPF_ARG_STR, 0, 0}, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_ZTIMER_NOW, h_ztimer_now, "ztimer_now", {NONE, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_ZTIMER_PERIODIC_WAKEUP, h_ztimer_periodic_wakeup, "ztimer_periodic_wakeup",
     {MEM(MBPF_ARG_MEM_RW, 4), NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_GPIO_READ_INPUT, h_gpio_read_input, "gpio_read_input",
     {NONE, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_GPIO_READ_RAW, h_gpio_read_raw, "gpio_read_raw",
     {NONE, NONE, NONE, NONE, NONE}},
    {MBPF_HELPER_GPIO_WRITE, h_gpio_write, "gpio_write", {NONE, NONE, NONE, NONE, NONE}},
};

int mbpf_iot_register(mbpf_helpers *set)
{
    for (unsigned i = 0; i < MBPF_IOT_NUM_HELPERS; i++) {
        int rc = mbpf_helpers_add(set, &iot_helpers[i]);
        if (rc != MBPF_OK)
            return rc;
    }
    return MBPF_OK;
}
