/* Host loading and running of images (see host_image.h). */
#include "host_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_lowmem.h"
#include "mbpf/maps.h"

bool host_image_is_image(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    uint8_t m[4] = {0};
    size_t n = fread(m, 1, 4, f);
    fclose(f);
    uint32_t magic = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 |
                     (uint32_t)m[3] << 24;
    return n == 4 && magic == MBPF_IMAGE_MAGIC;
}

void host_format_image_error(const mbpf_image_error *e, char *buf, size_t len)
{
    if (e->status == MBPF_E_VERIFY) {
        host_format_verify_error(&e->verify, buf, len);
        return;
    }
    const char *msg = e->msg ? e->msg : mbpf_strerror(e->status);
    if (e->pc != MBPF_IMAGE_NO_PC)
        snprintf(buf, len, "image: %s (insn %u)", msg, e->pc);
    else if (e->status == MBPF_E_NOSPACE)
        snprintf(buf, len, "image: %s (needs %u)", msg, e->needed);
    else
        snprintf(buf, len, "image: %s (offset 0x%x)", msg, e->offset);
    if (e->helper_id && e->status == MBPF_E_IMAGE) {
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, " [helper 0x%x]", e->helper_id);
    }
}

static int load_fail(host_outcome *out, int status, const char *msg)
{
    out->stage = HOST_STAGE_LOAD;
    out->status = status;
    snprintf(out->msg, sizeof(out->msg), "%s", msg);
    return status;
}

int host_image_open(host_image *h, const host_vm_opts *o, const uint8_t *image, size_t len,
                    FILE *console, host_outcome *out)
{
    memset(h, 0, sizeof(*h));
    memset(out, 0, sizeof(*out));
    char err[256];
    if (host_vm_opts_check(o, err, sizeof(err)))
        return load_fail(out, MBPF_E_ARG, err);
    mbpf_config_default(&h->cfg);
    h->cfg.stack_size = o->stack_size;
    h->cfg.max_depth = (uint8_t)o->max_depth;
    h->cfg.budget = o->budget;
    h->cfg.isa = (uint8_t)o->isa;
    h->cfg.allow_callx = o->allow_callx;
    h->cfg.max_insns = o->max_insns;
    h->cfg.max_regions = HOST_IMAGE_MAX_REGIONS;
    size_t need = mbpf_vm_mem_size(&h->cfg);
    /* below 4 GiB like a device's RAM (see host_lowmem.h) */
    h->mem_len = need;
    h->mem = host_low_alloc(need);
    h->image = host_low_alloc(len);
    h->image_len = len;
    if (!h->mem || !h->image)
        return load_fail(out, MBPF_E_NOSPACE, "out of memory");
    memcpy(h->image, image, len);
    int rc = mbpf_vm_init(&h->vm, &h->cfg, h->mem, need);
    if (rc != MBPF_OK)
        return load_fail(out, rc, "cannot create the VM");
    host_platform_init(&h->platform, console);
    mbpf_helpers_init(&h->helpers, h->helper_storage, HOST_IMAGE_MAX_HELPERS);
    if (mbpf_maps_register_helpers(&h->helpers) != MBPF_OK ||
        mbpf_iot_register(&h->helpers) != MBPF_OK)
        return load_fail(out, MBPF_E_ARG, "cannot register the helpers");
    mbpf_vm_set_helpers(&h->vm, &h->helpers, NULL, 0);

    mbpf_image_info info;
    mbpf_image_error ierr;
    memset(&ierr, 0, sizeof(ierr));
    ierr.pc = MBPF_IMAGE_NO_PC;
    rc = mbpf_image_parse(h->image, len, &info, &ierr);
    if (rc != MBPF_OK) {
        host_format_image_error(&ierr, err, sizeof(err));
        return load_fail(out, rc, err);
    }
    /* The program, plus room for the verifier's scratch. */
    size_t arena_len = (size_t)info.arena_needed + mbpf_verify_scratch_size(NULL, 0) +
                       (size_t)info.num_insns * 64u + 4096u;
    h->arena = host_low_alloc(arena_len);
    h->arena_len = arena_len;
    if (!h->arena)
        return load_fail(out, MBPF_E_NOSPACE, "out of memory");
    mbpf_load_opts lo = {&h->helpers, NULL, 0, 0};
    memset(&ierr, 0, sizeof(ierr));
    rc = mbpf_image_load(&h->vm, h->image, len, &lo, h->arena, arena_len, &h->prog, &ierr);
    if (rc != MBPF_OK) {
        out->verr = ierr.verify;
        host_format_image_error(&ierr, err, sizeof(err));
        return load_fail(out, rc, err);
    }
    return MBPF_OK;
}

int host_image_add_region(host_image *h, void *start, uint32_t len, uint32_t flags)
{
    return mbpf_vm_add_region(&h->vm, start, len, flags);
}

int host_image_run(host_image *h, void *ctx, uint32_t ctx_len, host_outcome *out)
{
    memset(out, 0, sizeof(*out));
    fflush(stdout);
    int rc = mbpf_vm_run(&h->vm, ctx_len ? ctx : NULL, ctx_len, MBPF_MEM_RW, &h->platform.env,
                         &out->res);
    if (h->platform.out)
        fflush(h->platform.out);
    out->status = rc;
    if (rc == MBPF_OK) {
        out->stage = HOST_STAGE_OK;
    } else {
        out->stage = HOST_STAGE_RUN;
        host_format_run_error(&out->res, h->cfg.budget, out->msg, sizeof(out->msg));
    }
    return rc;
}

void host_image_close(host_image *h)
{
    /* in reverse order: host_lowmem gives the place to the next load */
    host_low_free(h->arena, h->arena_len);
    host_low_free(h->image, h->image_len);
    host_low_free(h->mem, h->mem_len);
    memset(h, 0, sizeof(*h));
}

void host_coap_ctx_init(mbpf_coap_ctx *ctx, uint8_t *buf, uint32_t buf_len)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->buf = (uint64_t)(uintptr_t)buf;
    ctx->buf_len = buf_len;
    ctx->msg_id = 0x1234;
    ctx->type = 0; /* CON */
    ctx->token_len = 2;
    ctx->token[0] = 0xca;
    ctx->token[1] = 0xfe;
    ctx->req_code = 1; /* GET */
}
