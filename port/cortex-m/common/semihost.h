/* ARM semihosting: the exit status of a test firmware (QEMU -semihosting). */
#ifndef SEMIHOST_H
#define SEMIHOST_H
#include <stdint.h>
__attribute__((noreturn)) void semihost_exit(uint32_t code);
#endif
