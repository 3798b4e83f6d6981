/* Recursion: the verifier refuses any call cycle (the stack of a
 * microcontroller cannot be sized for it), with a clear message. */
#include <mbpf_helpers.h>

static __noinline uint64_t fib(uint64_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

int recursion(void *ctx)
{
    (void)ctx;
    return (int)fib(10);
}
