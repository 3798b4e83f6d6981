/* The board's mbpf_platform: printf to the UART, time from SysTick, the
 * simulated devices of port/sim, and the global KV store. */
#ifndef BOARD_PLATFORM_H
#define BOARD_PLATFORM_H

#include "mbpf/iot.h"

const mbpf_platform *board_platform(void);
mbpf_kv *board_global_kv(void);

#endif
