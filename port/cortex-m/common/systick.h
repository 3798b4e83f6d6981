/* SysTick time base: a millisecond clock, and a raw tick counter used to
 * count instructions under QEMU's -icount (see docs/benchmarks.md). */
#ifndef SYSTICK_H
#define SYSTICK_H
#include <stdint.h>

void systick_init(void);
uint32_t systick_ms(void);
/* 64-bit count of SysTick input clocks since systick_init (monotonic). */
uint64_t systick_ticks(void);
#endif
