/* `mbpf import FILE -o prog.mbpf [--format auto|fc|ubpf|raw] [--name NAME]`:
 * converts a Femto-Containers .rbf, a µBPF extended-header image or raw
 * bytecode into a microbpf image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datafile.h"
#include "import.h"
#include "mbpf/image.h"

static const char help[] =
    "usage: mbpf import FILE -o OUT.mbpf [--format auto|fc|ubpf|raw] [--name NAME]\n\n"
    "Converts a peer program into a microbpf image:\n"
    "  fc    Femto-Containers .rbf (LDDWD/LDDWR become lddw src=6 on .data/.rodata)\n"
    "  ubpf  uBPF extended header (relocated calls become local calls, the helper\n"
    "        id bytes become the image's helper list)\n"
    "  raw   .text-only bytecode, one function at instruction 0\n"
    "  auto  (default) rBPF magic: fc if the sizes add up exactly, else ubpf;\n"
    "        anything else: raw\n\n"
    "options:\n"
    "  -o, --output FILE  where to write the image (required)\n"
    "  --format F         input format (default auto)\n"
    "  --name NAME        program name (default: FILE's base name)\n"
    "  -h, --help         this text\n";

/* "dir/prog.rbf" -> "prog" (malloc'd). */
static char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot > b ? (size_t)(dot - b) : strlen(b);
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, b, n);
        s[n] = 0;
    }
    return s;
}

int cmd_import(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *name = NULL;
    mbpf_import_format fmt = MBPF_IMPORT_AUTO;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return CLI_OK;
        }
        int rc = cli_opt_value("import", argc, argv, &i, "--output", &v);
        if (rc == 0)
            rc = cli_opt_value("import", argc, argv, &i, "-o", &v);
        if (rc > 0) {
            out = v;
            continue;
        }
        if (rc == 0 && (rc = cli_opt_value("import", argc, argv, &i, "--name", &v)) > 0) {
            name = v;
            continue;
        }
        if (rc == 0 && (rc = cli_opt_value("import", argc, argv, &i, "--format", &v)) > 0) {
            if (strcmp(v, "auto") == 0)
                fmt = MBPF_IMPORT_AUTO;
            else if (strcmp(v, "fc") == 0)
                fmt = MBPF_IMPORT_FC;
            else if (strcmp(v, "ubpf") == 0)
                fmt = MBPF_IMPORT_UBPF;
            else if (strcmp(v, "raw") == 0)
                fmt = MBPF_IMPORT_RAW;
            else
                return cli_usage_error("import", "unknown format '%s' (auto, fc, ubpf, raw)", v);
            continue;
        }
        if (rc < 0)
            return CLI_USAGE;
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("import", "unknown option '%s'", argv[i]);
        if (in)
            return cli_usage_error("import", "more than one input file ('%s')", argv[i]);
        in = argv[i];
    }
    if (!in)
        return cli_usage_error("import", "missing input file");
    if (!out)
        return cli_usage_error("import", "missing -o OUT.mbpf");

    char err[300];
    size_t len;
    char *bytes = mbpf_read_file(in, &len, err, sizeof err);
    if (!bytes) {
        fprintf(stderr, "mbpf import: %s\n", err);
        return CLI_USAGE;
    }
    char *stem = name ? NULL : base_name(in);
    uint8_t *img = NULL;
    size_t img_len = 0;
    mbpf_import_format used;
    int rc = mbpf_import((const uint8_t *)bytes, len, fmt, name ? name : stem, &img, &img_len,
                         &used, err, sizeof err);
    free(bytes);
    free(stem);
    if (rc != MBPF_OK) {
        fprintf(stderr, "%s: error: %s\n", in, err);
        return CLI_FAILED;
    }
    FILE *f = fopen(out, "wb");
    int wrote = f && fwrite(img, 1, img_len, f) == img_len;
    if (f && fclose(f) != 0)
        wrote = 0;
    if (!wrote) {
        fprintf(stderr, "mbpf import: cannot write '%s'\n", out);
        free(img);
        return CLI_USAGE;
    }
    mbpf_image_info info;
    mbpf_image_parse(img, img_len, &info, NULL);
    printf("%s: %s -> %s: %u instructions, %u functions, %u helpers, %u bytes .data, "
           "%u bytes .rodata, image %zu bytes\n",
           in, mbpf_import_format_name(used), out, info.num_insns, info.num_funcs,
           info.num_helpers, info.sec[MBPF_SEC_DATA].len, info.sec[MBPF_SEC_RODATA].len,
           img_len);
    free(img);
    return CLI_OK;
}
