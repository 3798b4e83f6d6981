/* A data section microbpf cannot load. */
#include <mbpf_helpers.h>

int config SEC(".myconfig") = 5;

int prog(void *ctx)
{
    (void)ctx;
    return config;
}
