/* `mbpf verify prog`: the verifier's verdict, exit 0 (accepted) or 1. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: mbpf verify PROG [options]\n\n"
    "Runs the load-time verifier on PROG (raw bytecode, or .s/.asm) with the\n"
    "test helpers (ids 5-11) registered, and prints the verdict.\n"
    "Exit status: 0 accepted, 1 rejected, 2 usage or input error.\n\n"
    "options:\n"
    "  -q, --quiet      print nothing, only set the exit status\n"
    "  -h, --help       this text\n";

int cmd_verify(int argc, char **argv)
{
    host_vm_opts opts;
    const char *in = NULL;
    bool quiet = false;
    host_vm_opts_default(&opts);
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            fputs(cli_vm_options_help, stdout);
            return CLI_OK;
        }
        int rc = cli_vm_option("verify", argc, argv, &i, &opts);
        if (rc < 0)
            return CLI_USAGE;
        if (rc > 0)
            continue;
        if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
            quiet = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("verify", "unknown option '%s'", argv[i]);
        else if (in)
            return cli_usage_error("verify", "more than one program ('%s')", argv[i]);
        else
            in = argv[i];
    }
    if (!in)
        return cli_usage_error("verify", "missing program file");

    char err[300];
    host_program prog;
    if (host_program_load(in, &prog, err, sizeof err)) {
        fprintf(stderr, "mbpf verify: %s\n", err);
        return CLI_USAGE;
    }
    host_vm vm;
    if (host_vm_create(&vm, &opts, err, sizeof err)) {
        host_program_free(&prog);
        return cli_usage_error("verify", "%s", err);
    }
    host_outcome out;
    int rc = host_vm_load(&vm, prog.insns, prog.n, &out);
    if (!quiet) {
        if (rc == MBPF_OK)
            printf("%s: OK (%u instruction slots, ISA v%u%s)\n", in, prog.n, opts.isa,
                   opts.allow_callx ? ", callx allowed" : "");
        else
            printf("%s: rejected: %s\n", in, out.msg);
    }
    host_vm_destroy(&vm);
    host_program_free(&prog);
    return rc == MBPF_OK ? CLI_OK : CLI_FAILED;
}
