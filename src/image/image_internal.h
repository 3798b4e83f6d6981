/* Private to the image parser and loader: little-endian field readers and
 * error reporting. Image bytes may sit at any address, so every multi-byte
 * field is assembled from bytes rather than read through a cast pointer. */
#ifndef MBPF_IMAGE_INTERNAL_H
#define MBPF_IMAGE_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "mbpf/image.h"

static inline uint16_t img_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)(p[1] << 8));
}

static inline uint32_t img_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline uint32_t img_align8(uint32_t v)
{
    return (v + 7u) & ~7u;
}

/* Fills err (which may be NULL) and returns status. */
static inline int img_fail(mbpf_image_error *err, int status, const char *msg,
                           uint32_t offset, uint32_t pc)
{
    if (err) {
        err->status = status;
        err->msg = msg;
        err->offset = offset;
        err->pc = pc;
    }
    return status;
}

/* Byte offset of instruction pc in a parsed image. */
static inline uint32_t img_insn_off(const mbpf_image_info *info, uint32_t pc)
{
    return info->sec[MBPF_SEC_CODE].off + pc * 8u;
}

/* Is id in the image's sorted helper list? */
int mbpf_image_lists_helper(const mbpf_image_info *info, uint32_t id);

#endif /* MBPF_IMAGE_INTERNAL_H */
