/* Types the IoT helpers share with programs (included by the SDK too, so it
 * must stay plain C types: no functions, nothing host specific). */
#ifndef MBPF_IOT_TYPES_H
#define MBPF_IOT_TYPES_H

#include <stdint.h>

/* RIOT's sensor value (8 bytes): val[i] * 10^scale in unit. */
typedef struct mbpf_phydat {
    int16_t val[3];
    uint8_t unit;
    int8_t scale;
} mbpf_phydat;

/* What r1 points at in a CoAP request handler (48 bytes). Addresses are
 * 64-bit so that the layout is the same on the host and on a 32-bit device.
 * The helpers write the response header into buf; the program writes the
 * payload and returns the response length. */
typedef struct mbpf_coap_ctx {
    uint64_t buf;         /* response buffer (must be writable) */
    uint32_t buf_len;     /* its size in bytes */
    uint32_t pdu_len;     /* bytes of header, token and options written so far */
    uint64_t payload;     /* after coap_opt_finish(.., PAYLOAD): where the payload goes */
    uint32_t payload_len; /* room left for the payload */
    uint16_t msg_id;      /* of the request (echoed in the response) */
    uint8_t type;         /* of the request: 0 CON, 1 NON */
    uint8_t token_len;    /* 0..8 */
    uint8_t token[8];     /* of the request (echoed) */
    uint16_t last_opt;    /* number of the last option written (options go in order) */
    uint16_t req_code;    /* the request's code, e.g. 1 = GET */
    uint32_t reserved;
} mbpf_coap_ctx;

/* Units (RIOT phydat numbers) and SAUL classes used by the host simulation. */
#define MBPF_UNIT_NONE 1
#define MBPF_UNIT_TEMP_C 2
#define MBPF_UNIT_PERCENT 27
#define MBPF_SAUL_ACT_SWITCH 0x44
#define MBPF_SAUL_SENSE_BTN 0x81
#define MBPF_SAUL_SENSE_TEMP 0x82
#define MBPF_SAUL_SENSE_HUM 0x83

/* CoAP constants the helpers use. */
#define MBPF_COAP_OPT_CONTENT_FORMAT 12u
#define MBPF_COAP_OPT_FINISH_PAYLOAD 0x1u

#endif /* MBPF_IOT_TYPES_H */
