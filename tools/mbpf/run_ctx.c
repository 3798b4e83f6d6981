/* Input buffer options of `mbpf run` and `mbpf jit --run` (see run_ctx.h). */
#include "run_ctx.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datafile.h"
#include "host_image.h"
#include "host_lowmem.h"

#define MAX_CTX (64u << 20)

/* n bytes below 4 GiB holding a copy of src (zeroes when src is NULL). */
static uint8_t *low_copy(const uint8_t *src, uint32_t n)
{
    uint8_t *p = host_low_alloc(n);
    if (p && src && n)
        memcpy(p, src, n);
    return p;
}

/* Takes a malloc'd buffer (freed) as the context. */
static int take(run_ctx *c, uint8_t *data, uint32_t n, const char *cmd)
{
    c->buf = n ? low_copy(data, n) : NULL;
    c->len = n;
    free(data);
    if (n && !c->buf)
        return cli_usage_error(cmd, "out of memory"), -1;
    return 1;
}

static int coap_ctx(run_ctx *c, uint32_t n, const char *cmd)
{
    c->coap = true;
    c->coap_len = n;
    c->coap_buf = host_low_alloc(n);
    c->buf = host_low_alloc(sizeof(mbpf_coap_ctx));
    c->len = sizeof(mbpf_coap_ctx);
    if (!c->coap_buf || !c->buf)
        return cli_usage_error(cmd, "out of memory"), -1;
    host_coap_ctx_init((mbpf_coap_ctx *)(void *)c->buf, c->coap_buf, n);
    return 1;
}

static int mem_option(const char *cmd, const char *name, const char *v, run_ctx *c)
{
    char err[300];
    uint8_t *data = NULL;
    uint32_t n = 0;
    if (strcmp(name, "--mem") == 0) {
        if (mbpf_parse_hex_bytes(v, &data, &n, err, sizeof err))
            return cli_usage_error(cmd, "--mem: %s", err), -1;
    } else if (strcmp(name, "--mem-file") == 0) {
        size_t len;
        data = (uint8_t *)mbpf_read_file(v, &len, err, sizeof err);
        if (!data)
            return cli_usage_error(cmd, "--mem-file: %s", err), -1;
        if (len > MAX_CTX) {
            free(data);
            return cli_usage_error(cmd, "--mem-file: %s is larger than %u bytes", v, MAX_CTX),
                   -1;
        }
        n = (uint32_t)len;
    } else {
        uint64_t k;
        if (cli_number(cmd, "--mem-size", v, MAX_CTX, &k))
            return -1;
        n = (uint32_t)k;
    }
    return take(c, data, n, cmd);
}

static int image_option(const char *cmd, const char *name, const char *v, run_ctx *c)
{
    char err[300];
    uint8_t *data = NULL;
    uint32_t n = 0;
    uint64_t k;
    if (strcmp(name, "--ctx-file") == 0) {
        size_t len;
        data = (uint8_t *)mbpf_read_file(v, &len, err, sizeof err);
        if (!data || len > MAX_CTX) {
            free(data);
            return cli_usage_error(cmd, "--ctx-file: %s", data ? "file too large" : err), -1;
        }
        n = (uint32_t)len;
    } else if (strcmp(name, "--ctx-hex") == 0) {
        if (mbpf_parse_hex_bytes(v, &data, &n, err, sizeof err))
            return cli_usage_error(cmd, "--ctx-hex: %s", err), -1;
    } else if (strcmp(name, "--ctx-size") == 0) {
        if (cli_number(cmd, "--ctx-size", v, MAX_CTX, &k))
            return -1;
        n = (uint32_t)k;
    } else {
        if (cli_number(cmd, "--coap", v, MAX_CTX, &k))
            return -1;
        return coap_ctx(c, (uint32_t)k, cmd);
    }
    return take(c, data, n, cmd);
}

int run_ctx_option(const char *cmd, unsigned which, int argc, char **argv, int *i, run_ctx *c)
{
    static const char *const mem_opts[] = {"--mem", "--mem-file", "--mem-size"};
    static const char *const img_opts[] = {"--ctx-file", "--ctx-hex", "--ctx-size", "--coap"};
    if ((which & RUN_CTX_MEM) && strcmp(argv[*i], "--mem-ro") == 0) {
        c->ro = true;
        return 1;
    }
    for (unsigned set = 0; set < 2; set++) {
        if (!(which & (set ? RUN_CTX_IMAGE : RUN_CTX_MEM)))
            continue;
        const char *const *names = set ? img_opts : mem_opts;
        unsigned count = set ? 4u : 3u;
        for (unsigned k = 0; k < count; k++) {
            const char *v = NULL;
            int m = cli_opt_value(cmd, argc, argv, i, names[k], &v);
            if (m < 0)
                return -1;
            if (m == 0)
                continue;
            if (c->set)
                return cli_usage_error(cmd, set ? "only one of --ctx-file, --ctx-hex, "
                                                  "--ctx-size, --coap"
                                                : "only one of --mem, --mem-file, --mem-size"),
                       -1;
            c->set = true;
            return set ? image_option(cmd, names[k], v, c) : mem_option(cmd, names[k], v, c);
        }
    }
    return 0;
}

int run_ctx_copy(run_ctx *dst, const run_ctx *src)
{
    *dst = *src;
    dst->buf = NULL;
    dst->coap_buf = NULL;
    if (src->coap) {
        dst->coap_buf = low_copy(src->coap_buf, src->coap_len);
        dst->buf = low_copy(src->buf, src->len);
        if (!dst->coap_buf || !dst->buf)
            return -1;
        ((mbpf_coap_ctx *)(void *)dst->buf)->buf = (uint64_t)(uintptr_t)dst->coap_buf;
        return 0;
    }
    if (src->buf && !(dst->buf = low_copy(src->buf, src->len)))
        return -1;
    return 0;
}

void run_ctx_free(run_ctx *c)
{
    /* the reverse of the allocation order: host_lowmem reuses the place */
    host_low_free(c->buf, c->len);
    host_low_free(c->coap_buf, c->coap_len);
    c->buf = NULL;
    c->coap_buf = NULL;
}
