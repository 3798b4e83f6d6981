/* See board_platform.h. */
#include <stdio.h>

#include "board_platform.h"
#include "fw_config.h"
#include "sim_devices.h"
#include "board.h"
#include "systick.h"

static sim_devices devices; /* first: the sim callbacks take it as ctx */
static mbpf_kv global_kv;
static mbpf_kv_entry global_entries[FW_KV_ENTRIES];
static mbpf_platform platform;

static void bp_write(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    fwrite(s, 1, n, stdout);
}

static uint32_t bp_now_ms(void *ctx)
{
    (void)ctx;
    return systick_ms();
}

static uint32_t bp_ztimer_now(void *ctx)
{
    (void)ctx;
    return (uint32_t)(systick_ticks() / (BOARD_TICKS_PER_US));
}

static void bp_sleep_until(void *ctx, uint32_t when)
{
    while ((int32_t)(when - bp_ztimer_now(ctx)) > 0)
        __asm__ volatile("wfi");
}

const mbpf_platform *board_platform(void)
{
    if (!platform.write) {
        sim_devices_init(&devices);
        mbpf_kv_init(&global_kv, global_entries, FW_KV_ENTRIES);
        platform = (mbpf_platform){
            .ctx = &devices,
            .write = bp_write,
            .now_ms = bp_now_ms,
            .ztimer_now = bp_ztimer_now,
            .ztimer_sleep_until = bp_sleep_until,
            .saul_find_nth = sim_saul_find_nth,
            .saul_find_type = sim_saul_find_type,
            .saul_read = sim_saul_read,
            .saul_write = sim_saul_write,
            .gpio_read = sim_gpio_read,
            .gpio_write = sim_gpio_write,
        };
    }
    return &platform;
}

mbpf_kv *board_global_kv(void)
{
    board_platform();
    return &global_kv;
}

void board_platform_reset(void)
{
    board_platform();
    sim_devices_init(&devices);
    mbpf_kv_init(&global_kv, global_entries, FW_KV_ENTRIES);
}
