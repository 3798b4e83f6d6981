/* Vector table and reset handler for the mps2-an386 board.
 *
 * The reset handler copies .data (with the TLS template) from flash, clears
 * .bss, points picolibc's thread pointer at the TLS block and calls main.
 * Every fault vector goes to fault_dispatch (common/fault_guard.c), which
 * turns a fault inside a guarded program run into an error return instead of
 * taking the firmware down.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[], __stack_top[], __tls_base[];
extern void _set_tls(void *tls);
extern int main(void);
extern void fault_entry(void);   /* common/fault_guard.c (naked) */
extern void systick_isr(void);   /* common/systick.c */

void reset_handler(void);
static void default_isr(void);

__attribute__((noreturn)) void reset_handler(void)
{
    memcpy(__data_start, __data_load, (uintptr_t)__data_end - (uintptr_t)__data_start);
    memset(__bss_start, 0, (uintptr_t)__bss_end - (uintptr_t)__bss_start);
    _set_tls(__tls_base);
    /* Report MemManage, BusFault and UsageFault on their own vectors (they all
     * reach fault_entry), and trap unaligned LDM/STM/LDRD/STRD as hardware does. */
    SCS_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18);
    main();
    for (;;) {
    }
}

static void default_isr(void)
{
    for (;;) {
    }
}

__attribute__((section(".vectors"), used)) static void (*const vector_table[16 + 32])(void) = {
    (void (*)(void))(uintptr_t)__stack_top,
    reset_handler,
    fault_entry, /* NMI */
    fault_entry, /* HardFault */
    fault_entry, /* MemManage */
    fault_entry, /* BusFault */
    fault_entry, /* UsageFault */
    0, 0, 0, 0,
    default_isr, /* SVCall */
    default_isr, /* DebugMon */
    0,
    default_isr, /* PendSV */
    systick_isr,
    [16 ... 47] = default_isr,
};
