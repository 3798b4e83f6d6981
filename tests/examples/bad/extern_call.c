/* Calls a function that is not defined anywhere. */
#include <mbpf_helpers.h>

extern int platform_magic(int x);

int prog(void *ctx)
{
    (void)ctx;
    return platform_magic(3);
}
