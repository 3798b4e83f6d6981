/* Does not compile: the diagnostic must reach the user with file:line. */
#include <mbpf_helpers.h>

int prog(void *ctx)
{
    return undeclared_thing + 1;
}
