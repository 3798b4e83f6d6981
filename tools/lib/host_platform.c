/* Host implementation of the IoT platform callbacks (see host_platform.h). */
#include "host_platform.h"

#include <string.h>
#include <time.h>

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

void host_platform_init(host_platform *hp, FILE *out)
{
    memset(hp, 0, sizeof(*hp));
    hp->out = out;
    hp->pf.ctx = hp;
    hp->pf.write = hp_write;
    hp->pf.now_ms = hp_now_ms;
    hp->pf.ztimer_now = hp_ztimer_now;
    hp->pf.ztimer_sleep_until = hp_sleep_until;
    /* Sensors and GPIO: the same simulation as the reference firmware (port/sim),
     * so a program gives the same result on the host and on the device. */
    sim_devices_init(&hp->sim);
    hp->pf.saul_find_nth = sim_saul_find_nth;
    hp->pf.saul_find_type = sim_saul_find_type;
    hp->pf.saul_read = sim_saul_read;
    hp->pf.saul_write = sim_saul_write;
    hp->pf.gpio_read = sim_gpio_read;
    hp->pf.gpio_write = sim_gpio_write;
    mbpf_kv_init(&hp->local, hp->local_store, HOST_KV_CAPACITY);
    mbpf_kv_init(&hp->global, hp->global_store, HOST_KV_CAPACITY);
    hp->env.platform = &hp->pf;
    hp->env.local = &hp->local;
    hp->env.global = &hp->global;
}
