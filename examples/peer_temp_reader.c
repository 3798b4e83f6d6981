/* A temperature sensor reader in the style of the Femto-Containers examples:
 * find the sensor by type through the SAUL registry, read it, print it with
 * fmt_s16_dfp, then read it again with saul_read_temp and return that value
 * in centi-degrees (the host's simulated sensor gives 21.50, then 21.75). */
#include <mbpf_helpers.h>

int temp_reader(void *ctx)
{
    phydat_t reading;
    char text[16];
    (void)ctx;
    uint64_t dev = bpf_saul_reg_find_type(SAUL_SENSE_TEMP);
    if (!dev) {
        bpf_printf("no temperature sensor\n");
        return -1;
    }
    if (bpf_saul_reg_read(dev, &reading) < 1)
        return -2;
    uint32_t n = bpf_fmt_s16_dfp(text, reading.val[0], reading.scale);
    text[n] = 0;
    bpf_printf("temperature: %s C (unit %u)\n", text, reading.unit);
    uint32_t centi;
    if (bpf_saul_read_temp(dev, &centi) != 0)
        return -3;
    return (int)centi;
}
