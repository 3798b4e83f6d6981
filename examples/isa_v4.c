/* Built with --isa v4 (clang 18+): signed division and modulo, sign-extending
 * loads and moves, and byte swaps come out as ISA v4 instructions. The
 * inputs live in .data so that the compiler cannot fold them away. Returns
 * a mix that only comes out right if each instruction does. */
#include <mbpf_helpers.h>

int8_t small[4] = {-100, 50, -3, 7};
int16_t mid[2] = {-30000, 12345};
int64_t num = -7777, den = 33;
uint32_t word = 0x11223344u;
uint16_t half = 0xabcdu;

static __noinline int64_t mix(int64_t a, int64_t b)
{
    int64_t q = a / b; /* sdiv */
    int64_t r = a % b; /* smod */
    int32_t q32 = (int32_t)a / (int32_t)b;
    return q * 1000 + r * 10 + q32;
}

uint64_t isa_v4(void *ctx)
{
    (void)ctx;
    int64_t acc = 0;
    for (int i = 0; i < 4; i++)
        acc += small[i]; /* ldxsb */
    acc += mid[0] + mid[1]; /* ldxsh */
    int64_t m = mix(num, den);
    uint32_t swapped = __builtin_bswap32(word);
    uint16_t h = __builtin_bswap16(half);
    return (uint64_t)(acc + m) ^ ((uint64_t)swapped << 16) ^ h;
}
