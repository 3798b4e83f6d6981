/* Sensor processing: 16 temperature readings, a moving average over the last
 * 4 kept in the key-value store (a ring of 4 slots plus a counter), and an
 * alarm counted whenever the average is above 30.00 C. Returns
 * alarms * 10000 + the last average (centi-degrees). */
#include <mbpf_helpers.h>

#define WINDOW 4u
#define THRESHOLD 3000u /* 30.00 C in centi-degrees */
#define KEY_COUNT 1u
#define KEY_ALARMS 2u
#define KEY_RING 16u /* 16..19 */

static __noinline uint32_t moving_average(uint32_t reading)
{
    uint32_t count, sum = 0, n;
    bpf_fetch_local(KEY_COUNT, &count); /* 0 when absent */
    bpf_store_local(KEY_RING + count % WINDOW, reading);
    bpf_store_local(KEY_COUNT, count + 1);
    n = count + 1 < WINDOW ? count + 1 : WINDOW;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v;
        bpf_fetch_local(KEY_RING + i, &v);
        sum += v;
    }
    return sum / n;
}

int sensor_avg(void *ctx)
{
    uint64_t dev = bpf_saul_reg_find_type(SAUL_SENSE_TEMP);
    uint32_t avg = 0, alarms = 0;
    (void)ctx;
    if (!dev)
        return -1;
    for (int k = 0; k < 16; k++) {
        phydat_t t;
        if (bpf_saul_reg_read(dev, &t) < 1 || t.scale != -2)
            return -2;
        avg = moving_average((uint32_t)t.val[0]);
        if (avg > THRESHOLD) {
            bpf_fetch_local(KEY_ALARMS, &alarms);
            bpf_store_local(KEY_ALARMS, ++alarms);
        }
    }
    char text[16];
    uint32_t n = bpf_fmt_s16_dfp(text, (int16_t)avg, -2);
    text[n] = 0;
    bpf_printf("average %s C, %u alarms\n", text, alarms);
    return (int)(alarms * 10000 + avg);
}
