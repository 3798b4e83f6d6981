/* Running code that might fault (JIT'd programs) so that a fault becomes an
 * error return: the fault handler rewrites the exception frame to resume at a
 * recovery point, which longjmps back into fault_guard_call. */
#ifndef FAULT_GUARD_H
#define FAULT_GUARD_H

#include <stdint.h>

typedef struct fault_info {
    uint32_t vector; /* 3 = HardFault, 4 = MemManage, 5 = BusFault, 6 = UsageFault */
    uint32_t pc;     /* faulting instruction */
    uint32_t cfsr;   /* configurable fault status */
    uint32_t addr;   /* BFAR/MMFAR when valid, else 0 */
} fault_info;

/* Calls fn(arg). Returns 0 when it returned normally, or 1 after a fault
 * (then *info says what happened). */
int fault_guard_call(void (*fn)(void *), void *arg, fault_info *info);

/* Faults seen since boot (guarded or not). */
uint32_t fault_guard_count(void);

#endif
