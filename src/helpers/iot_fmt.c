/* Freestanding number formatting and a small printf for the IoT helpers.
 *
 * The format string and every %s argument come from an eBPF program, so they
 * are never handed to a C library printf: this formatter understands a fixed
 * subset, bounds every width, and fetches strings through a callback that
 * checks them against the VM's memory.
 */
#include "mbpf/iot.h"

#define FMT_MAX_WIDTH 64u

/* Digits of v in base (10 or 16), most significant first; returns the count. */
static unsigned utoa(uint64_t v, unsigned base, bool upper, char *out)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[20];
    unsigned n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    for (unsigned i = 0; i < n; i++)
        out[i] = tmp[n - 1u - i];
    return n;
}

size_t mbpf_fmt_u32_dec(char *out, uint32_t val)
{
    char tmp[10];
    unsigned n = utoa(val, 10, false, tmp);
    if (out)
        for (unsigned i = 0; i < n; i++)
            out[i] = tmp[i];
    return n;
}

size_t mbpf_fmt_s16_dfp(char *out, int16_t val, int digits)
{
    char tmp[MBPF_FMT_S16_DFP_MAX];
    size_t n = 0;
    if (digits < -7 || digits > 7)
        return 0;
    uint32_t mag = val < 0 ? (uint32_t)(-(int32_t)val) : (uint32_t)val;
    if (val < 0)
        tmp[n++] = '-';
    if (digits >= 0) {
        uint64_t v = mag;
        for (int i = 0; i < digits; i++)
            v *= 10u;
        n += utoa(v, 10, false, tmp + n);
    } else {
        uint32_t div = 1;
        for (int i = 0; i < -digits; i++)
            div *= 10u;
        n += utoa(mag / div, 10, false, tmp + n);
        tmp[n++] = '.';
        uint32_t frac = mag % div;
        for (uint32_t d = div / 10u; d > 0; d /= 10u) {
            tmp[n++] = (char)('0' + frac / d);
            frac %= d;
        }
    }
    if (out)
        for (size_t i = 0; i < n; i++)
            out[i] = tmp[i];
    return n;
}

static void pad(mbpf_fmt_put put, void *ctx, char c, unsigned n, long *total)
{
    char buf[16];
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = c;
    *total += (long)n;
    while (n) {
        unsigned k = n < sizeof(buf) ? n : (unsigned)sizeof(buf);
        put(ctx, buf, k);
        n -= k;
    }
}

/* Emits s (len bytes) in a field of width: left or right aligned; zero
 * padding goes after a sign or 0x prefix of length prefix. */
static void field(mbpf_fmt_put put, void *ctx, const char *s, size_t len, size_t prefix,
                  unsigned width, bool left, bool zero, long *total)
{
    unsigned fill = width > len ? (unsigned)(width - len) : 0;
    if (!left && !zero)
        pad(put, ctx, ' ', fill, total);
    if (prefix) {
        put(ctx, s, prefix);
        *total += (long)prefix;
    }
    if (!left && zero)
        pad(put, ctx, '0', fill, total);
    if (len > prefix) {
        put(ctx, s + prefix, len - prefix);
        *total += (long)(len - prefix);
    }
    if (left)
        pad(put, ctx, ' ', fill, total);
}

long mbpf_format(mbpf_fmt_put put, void *put_ctx, mbpf_fmt_str str, void *str_ctx,
                 const char *fmt, const uint64_t *args, unsigned nargs)
{
    long total = 0;
    unsigned next = 0;
    const char *lit = fmt;
    while (*fmt) {
        if (*fmt != '%') {
            fmt++;
            continue;
        }
        if (fmt > lit) {
            put(put_ctx, lit, (size_t)(fmt - lit));
            total += (long)(fmt - lit);
        }
        const char *spec = fmt++;
        bool left = false, zero = false;
        for (;; fmt++) {
            if (*fmt == '-')
                left = true;
            else if (*fmt == '0')
                zero = true;
            else if (*fmt != '+' && *fmt != ' ' && *fmt != '#')
                break;
        }
        unsigned width = 0, prec = UINT32_MAX;
        while (*fmt >= '0' && *fmt <= '9') {
            width = width * 10u + (unsigned)(*fmt++ - '0');
            if (width > FMT_MAX_WIDTH)
                width = FMT_MAX_WIDTH;
        }
        if (*fmt == '.') {
            prec = 0;
            for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
                prec = prec < 100000u ? prec * 10u + (unsigned)(*fmt - '0') : prec;
        }
        int size = 0; /* -2 hh, -1 h, 0 int, 1 64-bit */
        for (;; fmt++) {
            if (*fmt == 'h')
                size--;
            else if (*fmt == 'l' || *fmt == 'z' || *fmt == 'j' || *fmt == 't')
                size = 1;
            else
                break;
        }
        char conv = *fmt;
        if (conv == 0) {
            lit = spec; /* a lone trailing '%...' is printed as it is */
            break;
        }
        fmt++;
        lit = fmt;
        uint64_t v = 0;
        if (conv != '%')
            v = next < nargs ? args[next] : 0;
        char buf[24];
        size_t n = 0, prefix = 0;
        switch (conv) {
        case '%':
            field(put, put_ctx, "%", 1, 0, 0, false, false, &total);
            continue;
        case 'd':
        case 'i': {
            int64_t s = size > 0    ? (int64_t)v
                        : size == 0 ? (int64_t)(int32_t)(uint32_t)v
                        : size == -1 ? (int64_t)(int16_t)(uint16_t)v
                                     : (int64_t)(int8_t)(uint8_t)v;
            uint64_t mag = s < 0 ? 0u - (uint64_t)s : (uint64_t)s;
            if (s < 0)
                buf[n++] = '-';
            prefix = n;
            n += utoa(mag, 10, false, buf + n);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t u = size > 0 ? v : size == 0 ? (uint32_t)v
                                    : size == -1 ? (uint16_t)v : (uint8_t)v;
            n = utoa(u, conv == 'u' ? 10u : 16u, conv == 'X', buf);
            break;
        }
        case 'p':
            buf[0] = '0';
            buf[1] = 'x';
            prefix = 2;
            n = 2 + utoa(v, 16, false, buf + 2);
            break;
        case 'c':
            buf[n++] = (char)(uint8_t)v;
            break;
        case 's': {
            size_t len = 0;
            const char *s = str ? str(str_ctx, v, &len) : NULL;
            if (!s)
                return -1;
            if (prec < len)
                len = prec;
            next++;
            field(put, put_ctx, s, len, 0, width, left, false, &total);
            continue;
        }
        default: /* unknown conversion: print it as written */
            put(put_ctx, spec, (size_t)(fmt - spec));
            total += (long)(fmt - spec);
            continue;
        }
        next++;
        field(put, put_ctx, buf, n, prefix, width, left, zero && !left && conv != 'c',
              &total);
    }
    if (*lit) {
        size_t n = 0;
        while (lit[n])
            n++;
        put(put_ctx, lit, n);
        total += (long)n;
    }
    return total;
}
