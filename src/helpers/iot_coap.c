/* CoAP response building (RFC 7252) on an mbpf_coap_ctx: the embedder
 * passes the request's id, type and token and a response buffer; the
 * helpers write the header, token and options into the buffer, and the
 * program writes the payload after them. The context is program memory
 * (checked by the VM as an argument); the buffer it names is checked here on
 * every call, since the program could have changed the pointer. */
#include "internal.h"
#include "iot_internal.h"

#define RET_ERR ((uint64_t)(int64_t)-1)
#define COAP_TYPE_CON 0u
#define COAP_TYPE_NON 1u
#define COAP_TYPE_ACK 2u
#define COAP_PAYLOAD_MARKER 0xffu

void mbpf_iot_discard(void *ctx, const char *s, size_t n)
{
    (void)ctx, (void)s, (void)n;
}

/* Loads the context and checks its buffer; NULL (after failing the helper)
 * when the buffer is not writable program memory. */
static uint8_t *coap_load(mbpf_env *env, uint64_t ctx, mbpf_coap_ctx *c)
{
    memcpy(c, (const void *)(uintptr_t)ctx, sizeof(*c));
    if (c->buf_len == 0 || !mbpf_vm_check_mem(env->vm, c->buf, c->buf_len, MBPF_MEM_WRITE)) {
        mbpf_helper_fail(env, "coap: ctx->buf is not a writable buffer of ctx->buf_len bytes");
        return NULL;
    }
    if (c->token_len > 8 || c->pdu_len > c->buf_len) {
        mbpf_helper_fail(env, "coap: inconsistent context (token_len or pdu_len)");
        return NULL;
    }
    return (uint8_t *)(uintptr_t)c->buf;
}

static void coap_save(uint64_t ctx, const mbpf_coap_ctx *c)
{
    memcpy((void *)(uintptr_t)ctx, c, sizeof(*c));
}

uint64_t mbpf_iot_coap_resp_init(uint64_t ctx, uint64_t code, uint64_t a3, uint64_t a4,
                                 uint64_t a5, mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    mbpf_coap_ctx c;
    uint8_t *buf = coap_load(env, ctx, &c);
    if (!buf)
        return 0;
    uint32_t need = 4u + c.token_len;
    if (c.buf_len < need)
        return RET_ERR;
    uint32_t type = c.type == COAP_TYPE_CON ? COAP_TYPE_ACK : COAP_TYPE_NON;
    buf[0] = (uint8_t)(0x40u | type << 4 | c.token_len); /* version 1 */
    buf[1] = (uint8_t)code;
    buf[2] = (uint8_t)(c.msg_id >> 8);
    buf[3] = (uint8_t)c.msg_id;
    for (uint32_t i = 0; i < c.token_len; i++)
        buf[4 + i] = c.token[i];
    c.pdu_len = need;
    c.last_opt = 0;
    c.payload = 0;
    c.payload_len = 0;
    coap_save(ctx, &c);
    return 0;
}

/* Option header nibble and extension bytes for a delta or length. */
static uint32_t opt_ext(uint32_t v, uint8_t *nibble, uint8_t ext[2])
{
    if (v < 13) {
        *nibble = (uint8_t)v;
        return 0;
    }
    if (v < 269) {
        *nibble = 13;
        ext[0] = (uint8_t)(v - 13u);
        return 1;
    }
    *nibble = 14;
    ext[0] = (uint8_t)((v - 269u) >> 8);
    ext[1] = (uint8_t)(v - 269u);
    return 2;
}

uint64_t mbpf_iot_coap_add_format(uint64_t ctx, uint64_t format, uint64_t a3, uint64_t a4,
                                  uint64_t a5, mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    mbpf_coap_ctx c;
    uint8_t *buf = coap_load(env, ctx, &c);
    if (!buf)
        return 0;
    if (c.pdu_len < 4 || c.last_opt > MBPF_COAP_OPT_CONTENT_FORMAT || c.payload)
        return RET_ERR; /* no header yet, options out of order, or already finished */
    uint16_t f = (uint16_t)format;
    uint8_t val[2] = {0, 0};
    uint32_t vlen = f == 0 ? 0 : f < 256 ? 1 : 2;
    if (vlen == 1)
        val[0] = (uint8_t)f;
    else if (vlen == 2) {
        val[0] = (uint8_t)(f >> 8);
        val[1] = (uint8_t)f;
    }
    uint8_t dn, ln, dext[2] = {0, 0}, lext[2] = {0, 0};
    uint32_t dl = opt_ext(MBPF_COAP_OPT_CONTENT_FORMAT - c.last_opt, &dn, dext);
    uint32_t ll = opt_ext(vlen, &ln, lext);
    uint32_t n = 1 + dl + ll + vlen;
    if (c.buf_len - c.pdu_len < n)
        return RET_ERR;
    uint8_t *p = buf + c.pdu_len;
    *p++ = (uint8_t)(dn << 4 | ln);
    for (uint32_t i = 0; i < dl; i++)
        *p++ = dext[i];
    for (uint32_t i = 0; i < ll; i++)
        *p++ = lext[i];
    for (uint32_t i = 0; i < vlen; i++)
        *p++ = val[i];
    c.pdu_len += n;
    c.last_opt = MBPF_COAP_OPT_CONTENT_FORMAT;
    coap_save(ctx, &c);
    return n;
}

uint64_t mbpf_iot_coap_opt_finish(uint64_t ctx, uint64_t flags, uint64_t a3, uint64_t a4,
                                  uint64_t a5, mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5;
    mbpf_coap_ctx c;
    uint8_t *buf = coap_load(env, ctx, &c);
    if (!buf)
        return 0;
    if (c.pdu_len < 4)
        return RET_ERR;
    if (flags & MBPF_COAP_OPT_FINISH_PAYLOAD) {
        if (!c.payload) {
            if (c.pdu_len >= c.buf_len)
                return RET_ERR;
            buf[c.pdu_len++] = COAP_PAYLOAD_MARKER;
        }
        c.payload = c.buf + c.pdu_len;
        c.payload_len = c.buf_len - c.pdu_len;
    } else {
        c.payload = 0;
        c.payload_len = 0;
    }
    coap_save(ctx, &c);
    return c.pdu_len;
}

uint64_t mbpf_iot_coap_get_pdu(uint64_t ctx, uint64_t a2, uint64_t a3, uint64_t a4,
                               uint64_t a5, mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5, (void)env;
    mbpf_coap_ctx c;
    memcpy(&c, (const void *)(uintptr_t)ctx, sizeof(c));
    return c.buf;
}
