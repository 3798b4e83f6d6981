/* GPIO and timers, as the µBPF examples use them: toggle pin 5 of port 0
 * four times on a 1 ms period (host: virtual time, no real sleep), reading
 * the level back each time, and count the levels that match. The switch
 * actuator gets the final level. Returns matches * 100 + final level. */
#include <mbpf_helpers.h>

int gpio_blink(void *ctx)
{
    uint32_t last = bpf_ztimer_now(), matches = 0, level = 0;
    (void)ctx;
    for (int i = 0; i < 4; i++) {
        level = !level;
        bpf_gpio_write(0, 5, level);
        if (bpf_gpio_read_input(0, 5) == (long)level)
            matches++;
        bpf_ztimer_periodic_wakeup(&last, 1000);
    }
    phydat_t sw = {{(int16_t)level, 0, 0}, UNIT_NONE, 0};
    uint64_t dev = bpf_saul_reg_find_type(SAUL_ACT_SWITCH);
    if (!dev || bpf_saul_reg_write(dev, &sw) < 0)
        return -1;
    bpf_printf("pin 5 toggled, %u reads matched, pin 6 idles at %ld\n", matches,
               bpf_gpio_read_raw(0, 6));
    return (int)(matches * 100 + level);
}
