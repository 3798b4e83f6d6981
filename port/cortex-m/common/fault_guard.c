/* Fault containment: see fault_guard.h.
 *
 * A fault outside any guarded call is reported on the console and the board
 * stops (semihosting exit 3): the firmware itself is broken then. Inside a
 * guarded call the stacked PC is replaced by fault_recover, so returning from
 * the exception lands in thread mode there and longjmps out of the program.
 */
#include <setjmp.h>
#include <stdio.h>

#include "board.h"
#include "fault_guard.h"
#include "semihost.h"

static jmp_buf *volatile guard_env;
static fault_info *volatile guard_info;
static volatile uint32_t faults;

uint32_t fault_guard_count(void) { return faults; }

static __attribute__((noreturn, used)) void fault_recover(void)
{
    jmp_buf *env = guard_env;
    guard_env = 0;
    longjmp(*env, 1);
}

/* frame: r0, r1, r2, r3, r12, lr, pc, xpsr (basic frame, no FPU). */
void fault_dispatch(uint32_t *frame, uint32_t vector);
void fault_dispatch(uint32_t *frame, uint32_t vector)
{
    uint32_t cfsr = SCS_CFSR;
    uint32_t addr = 0;
    if (cfsr & (1u << 15)) /* BFARVALID */
        addr = SCS_BFAR;
    else if (cfsr & (1u << 7)) /* MMARVALID */
        addr = SCS_MMFAR;
    SCS_CFSR = cfsr; /* write-one-to-clear */
    SCS_HFSR = SCS_HFSR;
    faults++;
    if (guard_env && guard_info) {
        guard_info->vector = vector;
        guard_info->pc = frame[6];
        guard_info->cfsr = cfsr;
        guard_info->addr = addr;
        frame[6] = (uint32_t)(uintptr_t)fault_recover & ~1u;
        frame[7] = 1u << 24; /* xPSR: Thumb state, no IT block */
        return;
    }
    printf("\nFATAL: unguarded fault (vector %lu) at pc 0x%08lx, CFSR 0x%08lx\n",
           (unsigned long)vector, (unsigned long)frame[6], (unsigned long)cfsr);
    semihost_exit(3);
}

/* Entry for every fault vector: pass the exception frame and the vector number. */
__attribute__((naked)) void fault_entry(void)
{
    __asm__ volatile("tst lr, #4\n"
                     "ite eq\n"
                     "mrseq r0, msp\n"
                     "mrsne r0, psp\n"
                     "mrs r1, ipsr\n"
                     "ubfx r1, r1, #0, #9\n"
                     "push {r4, lr}\n"
                     "bl fault_dispatch\n"
                     "pop {r4, pc}\n");
}

int fault_guard_call(void (*fn)(void *), void *arg, fault_info *info)
{
    jmp_buf env;
    if (setjmp(env)) {
        guard_info = 0;
        return 1;
    }
    guard_info = info;
    guard_env = &env;
    fn(arg);
    guard_env = 0;
    guard_info = 0;
    return 0;
}
