/* The board's mbpf_platform: printf to the UART, time from SysTick, the
 * simulated devices of port/sim, and the global KV store. */
#ifndef BOARD_PLATFORM_H
#define BOARD_PLATFORM_H

#include "mbpf/iot.h"

const mbpf_platform *board_platform(void);
mbpf_kv *board_global_kv(void);
/* Back to the power-on state (sensor read counters, GPIO, global KV), so that
 * every run of a program sees the same simulated world. */
void board_platform_reset(void);

#endif
