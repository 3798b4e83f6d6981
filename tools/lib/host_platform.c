/* Host implementation of the IoT platform callbacks (see host_platform.h). */
#include "host_platform.h"

#include <string.h>
#include <time.h>

/* A warm-up curve, then cooling: crosses 30.00 C for a few reads. */
static const int16_t temp_curve[16] = {2150, 2175, 2210, 2260, 2330, 2420, 2530, 2660,
                                       2810, 2960, 3090, 3180, 3220, 3200, 3120, 2990};

int16_t host_temp_reading(uint32_t k)
{
    return temp_curve[k % 16u];
}

static uint64_t mono_us(const host_platform *hp)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u + hp->slept_us;
}

static void hp_write(void *ctx, const char *s, size_t n)
{
    host_platform *hp = ctx;
    fwrite(s, 1, n, hp->out ? hp->out : stdout);
}

static uint32_t hp_now_ms(void *ctx)
{
    return (uint32_t)(mono_us(ctx) / 1000u);
}

static uint32_t hp_ztimer_now(void *ctx)
{
    return (uint32_t)mono_us(ctx);
}

static void hp_sleep_until(void *ctx, uint32_t when)
{
    host_platform *hp = ctx;
    int32_t ahead = (int32_t)(when - (uint32_t)mono_us(hp));
    if (ahead > 0)
        hp->slept_us += (uint64_t)ahead;
}

static const uint8_t saul_types[HOST_SAUL_DEVICES] = {MBPF_SAUL_SENSE_TEMP, MBPF_SAUL_SENSE_HUM,
                                                      MBPF_SAUL_SENSE_BTN, MBPF_SAUL_ACT_SWITCH};

static uint32_t hp_saul_find_nth(void *ctx, uint32_t pos)
{
    (void)ctx;
    return pos < HOST_SAUL_DEVICES ? pos + 1u : 0u;
}

static uint32_t hp_saul_find_type(void *ctx, uint32_t type)
{
    (void)ctx;
    for (uint32_t i = 0; i < HOST_SAUL_DEVICES; i++)
        if (saul_types[i] == type)
            return i + 1u;
    return 0;
}

static int hp_saul_read(void *ctx, uint32_t dev, mbpf_phydat *out)
{
    host_platform *hp = ctx;
    if (dev == 0 || dev > HOST_SAUL_DEVICES)
        return -1;
    uint32_t k = hp->reads[dev - 1]++;
    memset(out, 0, sizeof(*out));
    switch (dev) {
    case 1:
        out->val[0] = host_temp_reading(k);
        out->scale = -2;
        out->unit = MBPF_UNIT_TEMP_C;
        break;
    case 2:
        out->val[0] = (int16_t)(4500 + 100 * (int)(k % 8u));
        out->scale = -2;
        out->unit = MBPF_UNIT_PERCENT;
        break;
    case 3:
        out->val[0] = (int16_t)(k % 2u);
        out->unit = MBPF_UNIT_NONE;
        break;
    default:
        *out = hp->switch_state;
        break;
    }
    return 1;
}

static int hp_saul_write(void *ctx, uint32_t dev, const mbpf_phydat *in)
{
    host_platform *hp = ctx;
    if (dev != 4)
        return -1; /* only the switch is an actuator */
    hp->switch_state = *in;
    return 1;
}

static int hp_gpio_read(void *ctx, uint32_t port, uint32_t pin, bool raw)
{
    host_platform *hp = ctx;
    (void)raw;
    if (port >= 8 || pin >= 32)
        return -1;
    if (hp->gpio_written[port] >> pin & 1u)
        return (int)(hp->gpio_level[port] >> pin & 1u);
    return (int)((port + pin) & 1u);
}

static int hp_gpio_write(void *ctx, uint32_t port, uint32_t pin, uint32_t value)
{
    host_platform *hp = ctx;
    if (port >= 8 || pin >= 32)
        return -1;
    hp->gpio_written[port] |= 1u << pin;
    if (value)
        hp->gpio_level[port] |= 1u << pin;
    else
        hp->gpio_level[port] &= ~(1u << pin);
    return 0;
}

void host_platform_init(host_platform *hp, FILE *out)
{
    memset(hp, 0, sizeof(*hp));
    hp->out = out;
    hp->pf.ctx = hp;
    hp->pf.write = hp_write;
    hp->pf.now_ms = hp_now_ms;
    hp->pf.ztimer_now = hp_ztimer_now;
    hp->pf.ztimer_sleep_until = hp_sleep_until;
    hp->pf.saul_find_nth = hp_saul_find_nth;
    hp->pf.saul_find_type = hp_saul_find_type;
    hp->pf.saul_read = hp_saul_read;
    hp->pf.saul_write = hp_saul_write;
    hp->pf.gpio_read = hp_gpio_read;
    hp->pf.gpio_write = hp_gpio_write;
    mbpf_kv_init(&hp->local, hp->local_store, HOST_KV_CAPACITY);
    mbpf_kv_init(&hp->global, hp->global_store, HOST_KV_CAPACITY);
    hp->env.platform = &hp->pf;
    hp->env.local = &hp->local;
    hp->env.global = &hp->global;
}
