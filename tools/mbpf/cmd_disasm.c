/* `mbpf disasm prog`: bytecode to text that `mbpf asm` turns back into the
 * same bytes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mbpf_asm.h"

static const char help[] =
    "usage: mbpf disasm PROG [-o OUT.s] [--pc] [--no-labels]\n\n"
    "Disassembles PROG (raw bytecode, or .s/.asm which is assembled first).\n"
    "By default jump targets are labels and the listing assembles back to the\n"
    "same bytes.\n\n"
    "options:\n"
    "  -o, --output FILE  write the listing to FILE instead of stdout\n"
    "  --pc               prefix each line with its instruction index\n"
    "  --no-labels        write jump targets as signed offsets (+3, -2)\n"
    "  -h, --help         this text\n";

int cmd_disasm(int argc, char **argv)
{
    const char *in = NULL, *out = NULL;
    unsigned flags = MBPF_DISASM_LABELS;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return CLI_OK;
        }
        int rc = cli_opt_value("disasm", argc, argv, &i, "--output", &v);
        if (rc == 0)
            rc = cli_opt_value("disasm", argc, argv, &i, "-o", &v);
        if (rc < 0)
            return CLI_USAGE;
        if (rc > 0) {
            if (out)
                return cli_usage_error("disasm", "-o given twice");
            out = v;
        } else if (strcmp(argv[i], "--pc") == 0) {
            flags |= MBPF_DISASM_PC;
        } else if (strcmp(argv[i], "--no-labels") == 0) {
            flags &= ~(unsigned)MBPF_DISASM_LABELS;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error("disasm", "unknown option '%s'", argv[i]);
        } else if (in) {
            return cli_usage_error("disasm", "more than one input file ('%s')", argv[i]);
        } else {
            in = argv[i];
        }
    }
    if (!in)
        return cli_usage_error("disasm", "missing input file");

    host_program prog;
    char err[300];
    if (host_program_load(in, &prog, err, sizeof err)) {
        fprintf(stderr, "mbpf disasm: %s\n", err);
        return CLI_USAGE;
    }
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        fprintf(stderr, "mbpf disasm: cannot write %s: %s\n", out, strerror(errno));
        host_program_free(&prog);
        return CLI_USAGE;
    }
    mbpf_disasm(f, prog.insns, prog.n, flags);
    int status = CLI_OK;
    if ((out ? fclose(f) : fflush(f)) != 0) {
        fprintf(stderr, "mbpf disasm: cannot write %s: %s\n", out ? out : "stdout",
                strerror(errno));
        status = CLI_USAGE;
    }
    host_program_free(&prog);
    return status;
}
