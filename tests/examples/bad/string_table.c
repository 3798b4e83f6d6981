/* A table of pointers in initialised data needs load-time relocation. */
#include <mbpf_helpers.h>

static const char *const names[] = {"zero", "one", "two"};

int prog(uint8_t *ctx)
{
    return (int)bpf_strlen(names[ctx[0] % 3]);
}
