/* Shared frame of the benchmark workloads: each workload is one C file
 * written once and compiled twice, by clang -target bpf (`mbpf build`: an
 * image whose entry is wl_main) and by arm-none-eabi-gcc -O2 (a native
 * function native_<WL_NAME>). WL_MAIN declares the entry; the result is
 * compared as 32 bits across native, interpreter and JIT.
 *
 * Both builds see the same constant input in .rodata. WL_HIDE stops the
 * compilers from folding a computation over constant data at compile time
 * (which would benchmark nothing): it makes a pointer opaque, for free. */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include "bench_data.h"

#define WL_CAT2(a, b) a##b
#define WL_CAT(a, b) WL_CAT2(a, b)
/* Input bytes: WL_BYTES(640) is the first 640 bytes of bench_data.h. */
#define WL_BYTES(n) WL_CAT(BENCH_BYTES_, n)

#define WL_HIDE(p) __asm__ volatile("" : "+r"(p))

#if defined(__bpf__)
#include <mbpf_helpers.h>
#define WL_MAIN SEC("bench") uint64_t wl_main(void *ctx __attribute__((unused)))
#else
#include <stdint.h>
#ifndef WL_NAME
#error "WL_NAME (the workload's name) must be defined for the native build"
#endif
#define WL_MAIN uint32_t WL_CAT(native_, WL_NAME)(void)
WL_MAIN;
#endif

#define WL_NOINLINE __attribute__((noinline))

#endif
