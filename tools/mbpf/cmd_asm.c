/* `mbpf asm in.s [-o out.bin]`: assembly text to raw little-endian bytecode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datafile.h"
#include "mbpf_asm.h"

static const char help[] =
    "usage: mbpf asm IN.s [-o OUT.bin]\n\n"
    "Assembles conformance-syntax text (labels, `#` comments, `exit` as a jump\n"
    "target) into raw bytecode: 8 little-endian bytes per instruction slot.\n"
    "Without -o the output is IN with its extension replaced by .bin.\n\n"
    "options:\n"
    "  -o, --output FILE  where to write the bytecode\n"
    "  -h, --help         this text\n";

/* "dir/prog.s" -> "dir/prog.bin" (malloc'd). */
static char *default_output(const char *in)
{
    const char *slash = strrchr(in, '/');
    const char *dot = strrchr(in, '.');
    size_t stem = (dot && (!slash || dot > slash)) ? (size_t)(dot - in) : strlen(in);
    char *out = malloc(stem + 5);
    if (out) {
        memcpy(out, in, stem);
        memcpy(out + stem, ".bin", 5);
    }
    return out;
}

int cmd_asm(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return CLI_OK;
        }
        int rc = cli_opt_value("asm", argc, argv, &i, "--output", &v);
        if (rc == 0)
            rc = cli_opt_value("asm", argc, argv, &i, "-o", &v);
        if (rc < 0)
            return CLI_USAGE;
        if (rc > 0) {
            if (out)
                return cli_usage_error("asm", "-o given twice");
            out = v;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("asm", "unknown option '%s'", argv[i]);
        } else if (in) {
            return cli_usage_error("asm", "more than one input file ('%s')", argv[i]);
        } else {
            in = argv[i];
        }
    }
    if (!in)
        return cli_usage_error("asm", "missing input file");

    char err[300];
    size_t len;
    char *text = mbpf_read_file(in, &len, err, sizeof err);
    if (!text) {
        fprintf(stderr, "mbpf asm: %s\n", err);
        return CLI_USAGE;
    }
    mbpf_insn *insns = NULL;
    uint32_t n = 0;
    mbpf_asm_error aerr;
    memset(&aerr, 0, sizeof aerr);
    int rc = strlen(text) != len ? -1 : mbpf_assemble(text, &insns, &n, &aerr);
    free(text);
    if (rc != 0) {
        const char *reason = aerr.msg[0] ? aerr.msg : "NUL byte in the text";
        if (aerr.line > 0)
            fprintf(stderr, "%s:%d: error: %s\n", in, aerr.line, reason);
        else
            fprintf(stderr, "%s: error: %s\n", in, reason);
        return CLI_FAILED;
    }

    char *owned = out ? NULL : default_output(in);
    if (!out)
        out = owned;
    uint8_t *bytes = malloc(n ? (size_t)n * 8 : 1);
    FILE *f = bytes && out ? fopen(out, "wb") : NULL;
    int status = CLI_OK;
    if (!f) {
        fprintf(stderr, "mbpf asm: cannot write %s: %s\n", out ? out : "output",
                strerror(errno));
        status = CLI_USAGE;
    } else {
        mbpf_encode_bytecode(insns, n, bytes);
        if (fwrite(bytes, 8, n, f) != n || fclose(f) != 0) {
            fprintf(stderr, "mbpf asm: cannot write %s: %s\n", out, strerror(errno));
            status = CLI_USAGE;
        } else {
            printf("%s: %u instruction slots (%u bytes) -> %s\n", in, n, n * 8, out);
        }
    }
    free(bytes);
    free(insns);
    free(owned);
    return status;
}
