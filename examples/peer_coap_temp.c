/* A CoAP temperature responder (the peers' CoAP example, written afresh):
 * answers with 2.05 Content, text/plain, and the temperature as "21.50".
 * Run with `mbpf run peer_coap_temp.mbpf --coap 64`. */
#include <mbpf_helpers.h>

int coap_temp(bpf_coap_ctx_t *gcoap)
{
    phydat_t t;
    uint64_t dev = bpf_saul_reg_find_type(SAUL_SENSE_TEMP);
    if (!dev || bpf_saul_reg_read(dev, &t) < 1)
        return -1;
    bpf_gcoap_resp_init(gcoap, COAP_CODE_CONTENT);
    bpf_coap_add_format(gcoap, COAP_FORMAT_TEXT);
    long pdu_len = bpf_coap_opt_finish(gcoap, COAP_OPT_FINISH_PAYLOAD);
    if (pdu_len < 0 || gcoap->payload_len < 16)
        return -1;
    uint32_t n = bpf_fmt_s16_dfp((char *)(uintptr_t)gcoap->payload, t.val[0], t.scale);
    return (int)(pdu_len + n);
}
