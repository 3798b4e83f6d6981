/* Firmware test: reads the board's temperature sensor a few times through the
 * peer-compatible helpers and keeps a running maximum in the KV store. */
#include "mbpf_helpers.h"

uint64_t fw_sensor(void *ctx)
{
    (void)ctx;
    uint64_t dev = bpf_saul_reg_find_type(SAUL_SENSE_TEMP);
    if (!dev)
        return 0xdead;
    uint32_t max = 0, t = 0;
    for (int i = 0; i < 8; i++) {
        if (bpf_saul_read_temp(dev, &t) != 0)
            return 0xbad;
        if (t > max)
            max = t;
    }
    bpf_store_local(1, max);
    uint32_t back = 0;
    bpf_fetch_local(1, &back);
    bpf_printf("fw_sensor: max %u.%02u C\n", back / 100, back % 100);
    return back;
}
