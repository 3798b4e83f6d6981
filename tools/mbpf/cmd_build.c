/* `mbpf build prog.c -o prog.mbpf`: C -> clang -target bpf -> image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "elf_build.h"

static const char help[] =
    "usage: mbpf build PROG.c -o PROG.mbpf [options]\n\n"
    "Compiles PROG.c with the newest clang found (clang-19, clang-18, ... clang;\n"
    "$MBPF_CLANG overrides) for -target bpf, resolves every relocation and writes\n"
    "a microbpf image. A .o input (BPF ELF object) skips the compiler. The SDK\n"
    "(sdk/include, mbpf_helpers.h) is on the include path. The entry point is the\n"
    "first global function in .text (if none, in the first SEC(\"...\") code\n"
    "section). Ends with a one-line summary.\n\n"
    "options:\n"
    "  -o FILE          output image (required)\n"
    "  -I DIR           add an include directory\n"
    "  -D NAME[=V]      define a macro\n"
    "  --isa v3|v4      target ISA (default v3; v4 needs clang 18+)\n"
    "  -O2 | -Os        optimisation (default -O2)\n"
    "  --entry NAME     entry function instead of the first global one\n"
    "  --debug          keep a line table (file:line per instruction) in the image\n"
    "  -q, --quiet      no summary\n"
    "  -h, --help       this text\n";

/* -X VALUE or -XVALUE. */
static int short_opt(int argc, char **argv, int *i, const char *flag, const char **value)
{
    const char *a = argv[*i];
    if (strncmp(a, flag, 2) != 0)
        return 0;
    if (a[2]) {
        *value = a + 2;
        return 1;
    }
    if (*i + 1 >= argc) {
        cli_usage_error("build", "%s needs a value", flag);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int cmd_build(int argc, char **argv)
{
    elf_build_opts o;
    memset(&o, 0, sizeof(o));
    o.isa = 3;
    const char **inc = calloc((size_t)argc, sizeof(char *));
    const char **def = calloc((size_t)argc, sizeof(char *));
    int rc = CLI_USAGE;
    if (!inc || !def)
        goto out;
    o.incdirs = inc;
    o.defines = def;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            rc = CLI_OK;
            goto out;
        }
        if ((m = short_opt(argc, argv, &i, "-o", &v)) != 0) {
            if (m < 0)
                goto out;
            o.output = v;
        } else if ((m = short_opt(argc, argv, &i, "-I", &v)) != 0) {
            if (m < 0)
                goto out;
            inc[o.num_incdirs++] = v;
        } else if ((m = short_opt(argc, argv, &i, "-D", &v)) != 0) {
            if (m < 0)
                goto out;
            def[o.num_defines++] = v;
        } else if ((m = cli_opt_value("build", argc, argv, &i, "--isa", &v)) != 0) {
            if (m < 0)
                goto out;
            if (!strcmp(v, "v3") || !strcmp(v, "3"))
                o.isa = 3;
            else if (!strcmp(v, "v4") || !strcmp(v, "4"))
                o.isa = 4;
            else {
                cli_usage_error("build", "--isa must be v3 or v4, not '%s'", v);
                goto out;
            }
        } else if ((m = cli_opt_value("build", argc, argv, &i, "--entry", &v)) != 0) {
            if (m < 0)
                goto out;
            o.entry = v;
        } else if (!strcmp(argv[i], "-O2") || !strcmp(argv[i], "-Os")) {
            o.opt = argv[i];
        } else if (!strcmp(argv[i], "--debug") || !strcmp(argv[i], "-g")) {
            o.debug = true;
        } else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
            o.quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_usage_error("build", "unknown option '%s'", argv[i]);
            goto out;
        } else if (o.input) {
            cli_usage_error("build", "more than one input ('%s')", argv[i]);
            goto out;
        } else {
            o.input = argv[i];
        }
    }
    if (!o.input) {
        cli_usage_error("build", "missing input file");
        goto out;
    }
    if (!o.output) {
        cli_usage_error("build", "missing -o OUTPUT");
        goto out;
    }
    rc = elf_build_run(&o) == 0 ? CLI_OK : CLI_FAILED;
out:
    free(inc);
    free(def);
    return rc;
}
