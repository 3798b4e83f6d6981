/* CRC-32 (IEEE 802.3, reflected, as zlib) over WL_N bytes of .rodata with a
 * 16-entry table, one nibble at a time: the usual choice on a small MCU
 * (64 bytes of table instead of 1 KiB). */
#include "workload.h"

#ifndef WL_N
#define WL_N 640
#endif

static const uint8_t input[WL_N] = {WL_BYTES(WL_N)};

static const uint32_t nibble_table[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
    0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

static uint32_t crc32(const uint8_t *data, uint32_t len, const uint32_t *table)
{
    uint32_t crc = 0xffffffffu;
    for (uint32_t i = 0; i < len; i++) {
        crc ^= data[i];
        crc = (crc >> 4) ^ table[crc & 15u];
        crc = (crc >> 4) ^ table[crc & 15u];
    }
    return crc ^ 0xffffffffu;
}

WL_MAIN
{
    const uint8_t *p = input;
    const uint32_t *t = nibble_table;
    uint32_t len = WL_N;
    WL_HIDE(p);
    WL_HIDE(t);
    WL_HIDE(len);
    return crc32(p, len, t);
}
