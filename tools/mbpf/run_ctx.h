/* The input buffer options of `mbpf run`, shared with `mbpf jit --run`:
 * what r1 / r2 point at. Buffers are allocated below 4 GiB (host_lowmem.h)
 * like a device's RAM. */
#ifndef MBPF_TOOLS_RUN_CTX_H
#define MBPF_TOOLS_RUN_CTX_H

#include <stdbool.h>
#include <stdint.h>

/* Option sets. */
#define RUN_CTX_MEM 1u   /* bytecode: --mem HEX, --mem-file F, --mem-size N, --mem-ro */
#define RUN_CTX_IMAGE 2u /* images: --ctx-file F, --ctx-hex HEX, --ctx-size N, --coap N */

typedef struct run_ctx {
    uint8_t *buf;      /* r1, NULL when there is no buffer */
    uint32_t len;      /* r2 */
    uint8_t *coap_buf; /* --coap: the response buffer (add it as a region) */
    uint32_t coap_len;
    bool coap;
    bool ro; /* --mem-ro: map the buffer read-only */
    bool set;
} run_ctx;

/* Matches argv[*i] against the options of the sets in `which`. Returns 1
 * when it was one (advancing *i past a separate value), 0 when not, -1 on a
 * bad value or a second buffer option (message printed). */
int run_ctx_option(const char *cmd, unsigned which, int argc, char **argv, int *i, run_ctx *c);

/* A copy of the buffers of src (also below 4 GiB; a CoAP context points at
 * its own copy of the response buffer). 0, or -1 when out of memory. */
int run_ctx_copy(run_ctx *dst, const run_ctx *src);

void run_ctx_free(run_ctx *c);

#endif /* MBPF_TOOLS_RUN_CTX_H */
