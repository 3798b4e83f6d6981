/* The shape of a CoAP response formatter: r1 is an mbpf_coap_ctx whose
 * buffer the program fills. The helpers write header, token and the
 * Content-Format option; the program writes the payload "hello=1234" and
 * returns the response length (run with `mbpf run coap_format.mbpf --coap 64`). */
#include <mbpf_helpers.h>

static const char prefix[] = "hello=";

int coap_format(bpf_coap_ctx_t *ctx)
{
    if (bpf_gcoap_resp_init(ctx, COAP_CODE_CONTENT) < 0)
        return -1;
    bpf_coap_add_format(ctx, COAP_FORMAT_TEXT);
    long hdr = bpf_coap_opt_finish(ctx, COAP_OPT_FINISH_PAYLOAD);
    if (hdr < 0 || ctx->payload_len < sizeof(prefix) - 1 + 10)
        return -1;
    char *payload = (char *)(uintptr_t)ctx->payload;
    bpf_memcpy(payload, prefix, sizeof(prefix) - 1);
    uint32_t n = sizeof(prefix) - 1;
    n += bpf_fmt_u32_dec(payload + n, 1234);
    return (int)(hdr + n);
}
