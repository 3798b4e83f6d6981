/* SysTick at 1 kHz: the interrupt counts wraps, the current value gives the
 * ticks inside a period, so systick_ticks() has the full clock resolution. */
#include "board.h"
#include "systick.h"

#define TICKS_PER_MS (BOARD_CPU_HZ / 1000u)

static volatile uint32_t wraps;

void systick_isr(void);
void systick_isr(void) { wraps++; }

void systick_init(void)
{
    SYST_RVR = TICKS_PER_MS - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* core clock, interrupt, enable */
}

uint32_t systick_ms(void) { return wraps; }

uint64_t systick_ticks(void)
{
    uint32_t w, v;
    do {
        w = wraps;
        v = SYST_CVR;
        /* If the counter wrapped between the two reads (COUNTFLAG or a changed
         * wrap count), read again. */
    } while (w != wraps);
    return (uint64_t)w * TICKS_PER_MS + (TICKS_PER_MS - 1u - v);
}
