/* CMSDK UART0 as picolibc's stdout/stdin. */
#include <stdio.h>

#include "board.h"

#define UART_REG(off) (*(volatile uint32_t *)(UART0_BASE + (off)))

void uart_init(void);
void uart_init(void)
{
    UART_REG(UART_BAUDDIV) = 16;
    UART_REG(UART_CTRL) = 3;
}

static int uart_putc(char c, FILE *f)
{
    (void)f;
    while (UART_REG(UART_STATE) & 1u) {
    }
    UART_REG(UART_DATA) = (uint8_t)c;
    return (unsigned char)c;
}

static FILE uart_stdio = FDEV_SETUP_STREAM(uart_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &uart_stdio;
FILE *const stderr = &uart_stdio;
