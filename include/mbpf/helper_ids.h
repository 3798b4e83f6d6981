/* Helper ids: one list for the SDK, the loader, the host tools and the firmware.
 *
 * 0x01-0x84 keep the Femto-Containers / uBPF-prototype ids for the same services so
 * that their programs run unchanged (facts from docs/helpers.md). Ids of our own start
 * at 0x100 so that they can never collide with theirs.
 */
#ifndef MBPF_HELPER_IDS_H
#define MBPF_HELPER_IDS_H

/* Peer-compatible ids. */
#define MBPF_HELPER_PRINTF 0x01u
#define MBPF_HELPER_MEMCPY 0x02u
#define MBPF_HELPER_PRINT_DEBUG 0x03u
#define MBPF_HELPER_STORE_LOCAL 0x10u
#define MBPF_HELPER_STORE_GLOBAL 0x11u
#define MBPF_HELPER_FETCH_LOCAL 0x12u
#define MBPF_HELPER_FETCH_GLOBAL 0x13u
#define MBPF_HELPER_NOW_MS 0x20u
#define MBPF_HELPER_SAUL_FIND_NTH 0x30u
#define MBPF_HELPER_SAUL_FIND_TYPE 0x31u
#define MBPF_HELPER_SAUL_READ 0x32u
#define MBPF_HELPER_SAUL_WRITE 0x33u
#define MBPF_HELPER_SAUL_READ_TEMP 0x34u
#define MBPF_HELPER_COAP_RESP_INIT 0x40u
#define MBPF_HELPER_COAP_OPT_FINISH 0x41u
#define MBPF_HELPER_COAP_ADD_FORMAT 0x42u
#define MBPF_HELPER_COAP_GET_PDU 0x43u
#define MBPF_HELPER_FMT_S16_DFP 0x50u
#define MBPF_HELPER_FMT_U32_DEC 0x51u
#define MBPF_HELPER_STRLEN 0x52u
#define MBPF_HELPER_ZTIMER_NOW 0x60u
#define MBPF_HELPER_ZTIMER_PERIODIC_WAKEUP 0x61u
#define MBPF_HELPER_GPIO_READ_INPUT 0x70u
#define MBPF_HELPER_GPIO_READ_RAW 0x71u
#define MBPF_HELPER_GPIO_WRITE 0x72u

/* microbpf's own. */
#define MBPF_HELPER_MAP_LOOKUP 0x100u /* void *bpf_map_lookup_elem(map, key) */
#define MBPF_HELPER_MAP_UPDATE 0x101u /* long bpf_map_update_elem(map, key, value, flags) */
#define MBPF_HELPER_MAP_DELETE 0x102u /* long bpf_map_delete_elem(map, key) */

#endif /* MBPF_HELPER_IDS_H */
