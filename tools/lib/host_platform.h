/* The host's mbpf_platform for the IoT helpers: printf goes to a FILE,
 * now_ms/ztimer read the monotonic clock (plus time "slept" by
 * ztimer_periodic_wakeup, which advances a virtual offset instead of
 * blocking), and the sensors and GPIO are simulated deterministically:
 *
 *   saul_reg_find_nth(0..3) -> devices 1..4:
 *     1 "temp"   SAUL_SENSE_TEMP  read k (k = 0, 1, ...): host_temp_reading(k)
 *                                 centi-degrees C (scale -2, unit TEMP_C)
 *     2 "hum"    SAUL_SENSE_HUM   4500 + 100 * (k % 8), scale -2, PERCENT
 *     3 "button" SAUL_SENSE_BTN   k % 2
 *     4 "switch" SAUL_ACT_SWITCH  the last value written (initially 0)
 *   gpio ports 0..7, pins 0..31: the value last written, else (port + pin) & 1;
 *   raw reads return the same level. Other ports/pins: -1.
 */
#ifndef MBPF_TOOLS_HOST_PLATFORM_H
#define MBPF_TOOLS_HOST_PLATFORM_H

#include <stdio.h>

#include "mbpf/iot.h"
#include "sim_devices.h"

#define HOST_KV_CAPACITY 256u

typedef struct host_platform {
    sim_devices sim; /* first: the shared device callbacks take it as ctx */
    mbpf_platform pf;
    mbpf_iot_env env; /* pass &env as mbpf_vm_run's user */
    mbpf_kv local, global;
    mbpf_kv_entry local_store[HOST_KV_CAPACITY], global_store[HOST_KV_CAPACITY];
    FILE *out;
    uint64_t slept_us; /* virtual time added by ztimer_periodic_wakeup */
} host_platform;

/* Sets everything up; out receives printf output (NULL: stdout). */
void host_platform_init(host_platform *hp, FILE *out);


#endif /* MBPF_TOOLS_HOST_PLATFORM_H */
