/* printf and the fmt helpers: widths, padding, signs, hex, strings from
 * .rodata and from the stack. Returns the characters printed. */
#include <mbpf_helpers.h>

int printf_fmt(void *ctx)
{
    char num[16], fix[16];
    long total = 0;
    (void)ctx;
    num[bpf_fmt_u32_dec(num, 4294967295u)] = 0;
    fix[bpf_fmt_s16_dfp(fix, -3548, -2)] = 0;
    total += bpf_printf("int %d, negative %d, unsigned %u\n", 42, -7, 3000000000u);
    total += bpf_printf("hex %x %X, padded [%5d] [%-5d]\n", 0xbeef, 0xbeef, 42, -42);
    total += bpf_printf("zeros [%05d] [%08x] [%-6u]\n", -42, 0xbeef, 7);
    total += bpf_printf("64-bit %lld and %llx\n", -1234567890123ll, 0x123456789abcull);
    total += bpf_printf("strings [%s] [%8s] [%.3s]\n", "rodata", num, fix);
    total += bpf_printf("char %c%c, percent 100%%, fix %s\n", 'o', 'k', fix);
    bpf_print_debug(total);
    return (int)total;
}
