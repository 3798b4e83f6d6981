/* microbpf SDK: the types programs share with the helpers and the host.
 *
 * Compiled by clang -target bpf -ffreestanding (mbpf build passes both), so
 * only the compiler's own freestanding headers are used.
 */
#ifndef MBPF_SDK_TYPES_H
#define MBPF_SDK_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One definition of the shared layouts, also used by the runtime. */
#include "../../include/mbpf/iot_types.h"

/* The Linux/libbpf spellings, for programs written against libbpf headers. */
typedef uint8_t __u8;
typedef int8_t __s8;
typedef uint16_t __u16;
typedef int16_t __s16;
typedef uint32_t __u32;
typedef int32_t __s32;
typedef uint64_t __u64;
typedef int64_t __s64;

/* RIOT / Femto-Containers spellings. */
typedef mbpf_phydat phydat_t;
typedef mbpf_coap_ctx bpf_coap_ctx_t;

#define UNIT_NONE MBPF_UNIT_NONE
#define UNIT_TEMP_C MBPF_UNIT_TEMP_C
#define UNIT_PERCENT MBPF_UNIT_PERCENT
#define SAUL_ACT_SWITCH MBPF_SAUL_ACT_SWITCH
#define SAUL_SENSE_BTN MBPF_SAUL_SENSE_BTN
#define SAUL_SENSE_TEMP MBPF_SAUL_SENSE_TEMP
#define SAUL_SENSE_HUM MBPF_SAUL_SENSE_HUM

#define COAP_CODE(cls, detail) (((cls) << 5) | (detail))
#define COAP_CODE_CONTENT COAP_CODE(2, 5)
#define COAP_CODE_NOT_FOUND COAP_CODE(4, 4)
#define COAP_FORMAT_TEXT 0
#define COAP_FORMAT_JSON 50
#define COAP_FORMAT_CBOR 60
#define COAP_OPT_FINISH_NONE 0x0
#define COAP_OPT_FINISH_PAYLOAD MBPF_COAP_OPT_FINISH_PAYLOAD

#endif /* MBPF_SDK_TYPES_H */
