/* Running microbpf images on the host: the VM configured from host_vm_opts,
 * the map helpers and the standard IoT helpers (with host_platform behind
 * them), the image loaded into an arena, and the program run on a context
 * buffer. Used by `mbpf run prog.mbpf` and the tests. */
#ifndef MBPF_TOOLS_HOST_IMAGE_H
#define MBPF_TOOLS_HOST_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host_platform.h"
#include "host_vm.h"
#include "mbpf/image.h"

#define HOST_IMAGE_MAX_HELPERS 64u
#define HOST_IMAGE_MAX_REGIONS 64u

typedef struct host_image {
    mbpf_vm vm;
    mbpf_config cfg;
    mbpf_helpers helpers;
    mbpf_helper helper_storage[HOST_IMAGE_MAX_HELPERS];
    host_platform platform;
    void *mem;   /* the VM's memory (host_low_alloc, mem_len bytes) */
    void *arena; /* the loaded program (host_low_alloc, arena_len bytes) */
    size_t mem_len, arena_len;
    uint8_t *image;
    size_t image_len;
    mbpf_program *prog;
} host_image;

/* True when the file starts with the image magic. */
bool host_image_is_image(const char *path);

/* Creates the VM and loads image bytes (copied). out->stage LOAD on error
 * with a message like "image: <reason> (offset 0x40)" or the verifier's. */
int host_image_open(host_image *h, const host_vm_opts *o, const uint8_t *image, size_t len,
                    FILE *console, host_outcome *out);
/* Runs with r1 = ctx, r2 = ctx_len (ctx_len 0: no context). */
int host_image_run(host_image *h, void *ctx, uint32_t ctx_len, host_outcome *out);
void host_image_close(host_image *h);

/* Text for an image load error. */
void host_format_image_error(const mbpf_image_error *e, char *buf, size_t len);

/* A CoAP request context for the responder examples: ctx->buf points at buf
 * (buf_len bytes); the request is a CON GET with id 0x1234 and token cafe.
 * Add buf as a region with host_image_add_region before running. */
void host_coap_ctx_init(mbpf_coap_ctx *ctx, uint8_t *buf, uint32_t buf_len);
int host_image_add_region(host_image *h, void *start, uint32_t len, uint32_t flags);

#endif /* MBPF_TOOLS_HOST_IMAGE_H */
