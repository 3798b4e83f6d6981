/* String handling on .rodata: length (helper and by hand), vowels, the
 * longest word, and a reversed copy on the stack compared with a literal.
 * Returns vowels * 10000 + longest * 100 + (reverse matched ? 1 : 0). */
#include <mbpf_helpers.h>

static const char text[] = "microbpf runs eBPF programs on small microcontrollers";

static __noinline int is_vowel(char c)
{
    c = (char)(c | 0x20);
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static __noinline int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

int strings(void *ctx)
{
    uint32_t len = bpf_strlen(text), vowels = 0, longest = 0, run = 0, i;
    char rev[16];
    (void)ctx;
    for (i = 0; text[i]; i++) {
        vowels += is_vowel(text[i]);
        run = text[i] == ' ' ? 0 : run + 1;
        if (run > longest)
            longest = run;
    }
    if (i != len)
        return -1;
    for (i = 0; i < 8; i++) /* "microbpf" backwards */
        rev[i] = text[7 - i];
    rev[8] = 0;
    int same = str_eq(rev, "fpborcim");
    bpf_printf("%u chars, %u vowels, longest word %u, reversed '%s'\n", len, vowels, longest,
               rev);
    return (int)(vowels * 10000 + longest * 100 + (uint32_t)same);
}
