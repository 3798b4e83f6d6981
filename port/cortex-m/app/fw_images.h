/* Program images embedded at build time (generated fw_images.c), each with
 * the outcome the test run expects. */
#ifndef FW_IMAGES_H
#define FW_IMAGES_H

#include <stdint.h>

typedef struct fw_image {
    const char *name;
    const uint8_t *data;
    uint32_t len;
    int32_t expect_status; /* mbpf_status the run must end with */
    uint64_t expect_r0;    /* checked when expect_status is MBPF_OK */
} fw_image;

extern const fw_image fw_images[];
extern const uint32_t fw_num_images;

#endif
