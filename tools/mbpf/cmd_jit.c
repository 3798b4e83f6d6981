/* `mbpf jit PROG`: compile a program for ARMv7-M and show what came out:
 * sizes, and with --disasm the Thumb-2 code annotated with eBPF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jit_listing.h"
#include "mbpf/jit.h"

static const char help[] =
    "usage: mbpf jit PROG [--disasm] [--out FILE] [options]\n\n"
    "Verifies PROG (raw bytecode, or .s/.asm) and compiles it to Thumb-2 for\n"
    "ARMv7-M (Cortex-M3/M4/M7). Prints the number of eBPF instructions, the\n"
    "bytes of generated code and the bytes per eBPF instruction. The test\n"
    "helpers 5-11 are registered (see docs/cli.md); stack size, depth and budget\n"
    "are compiled into the code.\n\n"
    "options:\n"
    "  --disasm      list the code (capstone, Thumb, M-class); each block is\n"
    "                preceded by the eBPF instruction it came from\n"
    "  --out FILE    write the raw code bytes to FILE\n"
    "  -h, --help    this text\n";

typedef struct jit_args {
    const char *path, *out;
    bool disasm;
    host_vm_opts opts;
} jit_args;

static int parse_args(int argc, char **argv, jit_args *a)
{
    memset(a, 0, sizeof *a);
    host_vm_opts_default(&a->opts);
    for (int i = 1; i < argc; i++) {
        const char *v;
        int rc;
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            fputs(cli_vm_options_help, stdout);
            return -1;
        }
        if ((rc = cli_opt_value("jit", argc, argv, &i, "--out", &v)) != 0) {
            if (rc < 0)
                return CLI_USAGE;
            a->out = v;
            continue;
        }
        rc = cli_vm_option("jit", argc, argv, &i, &a->opts);
        if (rc < 0)
            return CLI_USAGE;
        if (rc > 0)
            continue;
        if (strcmp(argv[i], "--disasm") == 0)
            a->disasm = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("jit", "unknown option '%s'", argv[i]);
        else if (a->path)
            return cli_usage_error("jit", "more than one program ('%s')", argv[i]);
        else
            a->path = argv[i];
    }
    if (!a->path)
        return cli_usage_error("jit", "missing program file");
    return CLI_OK;
}

static int write_code(const char *path, const uint8_t *code, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(code, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "mbpf jit: cannot write %s\n", path);
        if (f)
            fclose(f);
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* Compiles the loaded program (size pass, then into a buffer of that size). */
static int compile(host_vm *h, uint8_t **code, size_t *len, uint32_t *offsets)
{
    mbpf_jit_error err = {0, 0, NULL};
    int rc = mbpf_jit_compile(&h->vm, NULL, 0, len, offsets, &err);
    if (rc == MBPF_E_NOSPACE && *len) {
        *code = aligned_alloc(8, (*len + 7u) & ~(size_t)7u);
        if (!*code) {
            fprintf(stderr, "mbpf jit: out of memory\n");
            return CLI_FAILED;
        }
        rc = mbpf_jit_compile(&h->vm, *code, *len, len, offsets, &err);
    }
    if (rc != MBPF_OK) {
        fprintf(stderr, "error: jit: insn %u: %s (%s)\n", err.pc, err.msg ? err.msg : "failed",
                mbpf_strerror(rc));
        return CLI_FAILED;
    }
    return CLI_OK;
}

int cmd_jit(int argc, char **argv)
{
    jit_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;

    char err[300];
    host_program prog;
    if (host_program_load(a.path, &prog, err, sizeof err)) {
        fprintf(stderr, "mbpf jit: %s\n", err);
        return CLI_USAGE;
    }
    host_vm h;
    if (host_vm_create(&h, &a.opts, err, sizeof err)) {
        host_program_free(&prog);
        return cli_usage_error("jit", "%s", err);
    }
    host_outcome out;
    uint8_t *code = NULL;
    size_t len = 0;
    uint32_t *offsets = calloc((size_t)prog.n + 1, sizeof *offsets);
    if (!offsets) {
        rc = CLI_FAILED;
    } else if (host_vm_load(&h, prog.insns, prog.n, &out) != MBPF_OK) {
        fprintf(stderr, "error: %s\n", out.msg);
        rc = CLI_FAILED;
    } else {
        rc = compile(&h, &code, &len, offsets);
    }
    if (rc == CLI_OK) {
        jit_sizes s;
        jit_listing_sizes(prog.insns, prog.n, len, offsets, &s);
        printf("program:           %s\n", a.path);
        jit_listing_print_sizes(stdout, &s);
        if (a.disasm && jit_listing_disasm(stdout, prog.insns, prog.n, code, len, offsets, 0)) {
            fprintf(stderr, "mbpf jit: cannot open capstone\n");
            rc = CLI_FAILED;
        }
        if (rc == CLI_OK && a.out)
            rc = write_code(a.out, code, len);
    }
    free(code);
    free(offsets);
    host_vm_destroy(&h);
    host_program_free(&prog);
    return rc;
}
