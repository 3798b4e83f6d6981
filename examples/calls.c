/* Several functions calling each other (kept as real calls by __noinline):
 * lcm -> gcd, and three more. Returns lcm(12, 18) + power(3, 5) +
 * collatz_steps(27) + digit_sum(98765) = 36 + 243 + 111 + 35 = 425. */
#include <mbpf_helpers.h>

static __noinline uint32_t gcd(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static __noinline uint32_t lcm(uint32_t a, uint32_t b)
{
    return a / gcd(a, b) * b;
}

static __noinline uint32_t power(uint32_t base, uint32_t exp)
{
    uint32_t r = 1;
    while (exp--)
        r *= base;
    return r;
}

static __noinline uint32_t collatz_steps(uint64_t n)
{
    uint32_t steps = 0;
    while (n != 1) {
        n = n & 1 ? 3 * n + 1 : n / 2;
        steps++;
    }
    return steps;
}

static __noinline uint32_t digit_sum(uint32_t n)
{
    uint32_t s = 0;
    for (; n; n /= 10)
        s += n % 10;
    return s;
}

int calls(void *ctx)
{
    (void)ctx;
    return (int)(lcm(12, 18) + power(3, 5) + collatz_steps(27) + digit_sum(98765));
}
