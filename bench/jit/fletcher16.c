/* Fletcher-16 (RFC 1146 checksum, with the usual deferred reduction: sums
 * are folded every 20 bytes). The benchmark compiles this very function
 * natively for Cortex-M4 and, as eBPF, through the JIT (fletcher16.s is
 * clang's output for it). */
#define FLETCHER16_LINKAGE /* external: called from bench_jit.c */
#include "../workloads/fletcher16_fn.h"
