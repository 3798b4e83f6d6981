/* QEMU's mps2-an386 board: Cortex-M4, code at 0, SRAM at 0x20000000, CMSDK UART0. */
#ifndef BOARD_H
#define BOARD_H

#include <stdint.h>

#define BOARD_NAME "mps2-an386 (Cortex-M4)"
#define BOARD_CPU_HZ 25000000u /* SysTick runs from the 25 MHz core clock */
#define BOARD_TICKS_PER_US (BOARD_CPU_HZ / 1000000u)

/* CMSDK APB UART0 */
#define UART0_BASE 0x40004000u
#define UART_DATA 0x00u
#define UART_STATE 0x04u /* bit 0: TX buffer full */
#define UART_CTRL 0x08u  /* bit 0: TX enable, bit 1: RX enable */
#define UART_BAUDDIV 0x10u

/* System control space */
#define SCS_SHCSR (*(volatile uint32_t *)0xE000ED24u)
#define SCS_CFSR (*(volatile uint32_t *)0xE000ED28u)
#define SCS_HFSR (*(volatile uint32_t *)0xE000ED2Cu)
#define SCS_MMFAR (*(volatile uint32_t *)0xE000ED34u)
#define SCS_BFAR (*(volatile uint32_t *)0xE000ED38u)
#define SCS_CCR (*(volatile uint32_t *)0xE000ED14u)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

#endif
