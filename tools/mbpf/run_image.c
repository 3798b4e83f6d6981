/* `mbpf run prog.mbpf`: the image path of `mbpf run` (cmd_run.c hands over
 * when the file starts with the image magic). Same output contract: program
 * output (printf) first, then the last line `r0 = <dec> (0x<hex>)`, or the
 * error on stderr and exit status 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datafile.h"
#include "host_image.h"
#include "run_ctx.h"

int cmd_run_image(int argc, char **argv);

static const char help[] =
    "usage: mbpf run PROG.mbpf [--ctx-file F | --ctx-hex HEX | --ctx-size N | --coap N]\n"
    "                          [--dump-ctx] [--json] [options]\n\n"
    "Loads a microbpf image (maps, global data, the map and IoT helpers with the\n"
    "host platform: printf to stdout, simulated sensors and GPIO, in-memory\n"
    "key-value store) and runs it with r1 = the context, r2 = its length.\n\n"
    "  --ctx-file F   context bytes from a file (read-write)\n"
    "  --ctx-hex HEX  context bytes as hex\n"
    "  --ctx-size N   N zero bytes of context\n"
    "  --coap N       a CoAP request context (mbpf_coap_ctx) with an N-byte response\n"
    "                 buffer; prints `coap = <hex>` (the first r0 bytes) after the run\n"
    "  --dump-ctx     print the context after the run (`ctx = <hex>`)\n"
    "  --json         one JSON object as the last line\n";

static void hex_line(const char *label, const uint8_t *b, size_t n)
{
    printf("%s = ", label);
    for (size_t i = 0; i < n; i++)
        printf(i ? " %02x" : "%02x", b[i]);
    putchar('\n');
}

int cmd_run_image(int argc, char **argv)
{
    host_vm_opts opts;
    host_vm_opts_default(&opts);
    const char *path = NULL;
    run_ctx c;
    memset(&c, 0, sizeof c);
    bool json = false, dump = false;
    int rc = CLI_USAGE;
    char err[300];
    for (int i = 1; i < argc; i++) {
        int m;
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            fputs(cli_vm_options_help, stdout);
            rc = CLI_OK;
            goto out;
        }
        if ((m = run_ctx_option("run", RUN_CTX_IMAGE, argc, argv, &i, &c)) != 0) {
            if (m < 0)
                goto out;
        } else if ((m = cli_vm_option("run", argc, argv, &i, &opts)) != 0) {
            if (m < 0)
                goto out;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--dump-ctx")) {
            dump = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_usage_error("run", "unknown option '%s' for an image", argv[i]);
            goto out;
        } else if (path) {
            cli_usage_error("run", "more than one program ('%s')", argv[i]);
            goto out;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        cli_usage_error("run", "missing program file");
        goto out;
    }
    size_t len;
    char *bytes = mbpf_read_file(path, &len, err, sizeof(err));
    if (!bytes) {
        fprintf(stderr, "mbpf run: %s\n", err);
        goto out;
    }
    host_image h;
    host_outcome o;
    int st = host_image_open(&h, &opts, (const uint8_t *)bytes, len, stdout, &o);
    free(bytes);
    if (st == MBPF_OK && c.coap && c.coap_len &&
        host_image_add_region(&h, c.coap_buf, c.coap_len, MBPF_MEM_RW) != MBPF_OK) {
        fprintf(stderr, "mbpf run: cannot add the CoAP buffer region\n");
        host_image_close(&h);
        goto out;
    }
    if (st == MBPF_OK)
        host_image_run(&h, c.buf, c.len, &o);
    if (o.stage == HOST_STAGE_OK && c.coap) {
        uint64_t n = o.res.r0 <= c.coap_len ? o.res.r0 : 0;
        hex_line("coap", c.coap_buf, (size_t)n);
    }
    if (dump && o.stage != HOST_STAGE_LOAD)
        hex_line("ctx", c.buf, c.len);
    if (json) {
        printf("{\"program\": ");
        cli_json_string(path);
        if (o.stage == HOST_STAGE_OK) {
            printf(", \"status\": \"ok\", \"r0\": %llu, \"r0_hex\": \"0x%llx\", "
                   "\"budget_used\": %llu}\n", (unsigned long long)o.res.r0,
                   (unsigned long long)o.res.r0, (unsigned long long)o.res.budget_used);
        } else {
            printf(", \"status\": \"error\", \"stage\": \"%s\", \"code\": %d, \"error\": ",
                   o.stage == HOST_STAGE_LOAD ? "load" : "run", o.status);
            cli_json_string(o.msg);
            printf("}\n");
        }
    } else if (o.stage == HOST_STAGE_OK) {
        printf("r0 = %llu (0x%llx)\n", (unsigned long long)o.res.r0,
               (unsigned long long)o.res.r0);
    } else {
        fprintf(stderr, "error: %s\n", o.msg);
    }
    host_image_close(&h);
    rc = o.stage == HOST_STAGE_OK ? CLI_OK : CLI_FAILED;
    goto out;
out:
    run_ctx_free(&c);
    return rc;
}
