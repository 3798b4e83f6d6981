/* SYS_EXIT_EXTENDED (0x20) carries the exit code to QEMU's process status
 * (SYS_EXIT only knows success/failure). */
#include "semihost.h"

__attribute__((noreturn)) void semihost_exit(uint32_t code)
{
    static uint32_t block[2];
    block[0] = 0x20026u; /* ADP_Stopped_ApplicationExit */
    block[1] = code;
    register uint32_t r0 __asm__("r0") = 0x20u;
    register uint32_t r1 __asm__("r1") = (uint32_t)(uintptr_t)block;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    for (;;) {
    }
}
