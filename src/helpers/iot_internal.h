/* Shared by the IoT helper files (not part of the API). */
#ifndef MBPF_IOT_INTERNAL_H
#define MBPF_IOT_INTERNAL_H

#include "mbpf/iot.h"

/* The platform of the running program (env->user is an mbpf_iot_env), or NULL. */
const mbpf_platform *mbpf_iot_platform(mbpf_env *env);

/* An mbpf_fmt_put that drops the text (to measure or validate first). */
void mbpf_iot_discard(void *ctx, const char *s, size_t n);

uint64_t mbpf_iot_coap_resp_init(uint64_t ctx, uint64_t code, uint64_t a3, uint64_t a4,
                                 uint64_t a5, mbpf_env *env);
uint64_t mbpf_iot_coap_opt_finish(uint64_t ctx, uint64_t flags, uint64_t a3, uint64_t a4,
                                  uint64_t a5, mbpf_env *env);
uint64_t mbpf_iot_coap_add_format(uint64_t ctx, uint64_t format, uint64_t a3, uint64_t a4,
                                  uint64_t a5, mbpf_env *env);
uint64_t mbpf_iot_coap_get_pdu(uint64_t ctx, uint64_t a2, uint64_t a3, uint64_t a4,
                               uint64_t a5, mbpf_env *env);

#endif /* MBPF_IOT_INTERNAL_H */
