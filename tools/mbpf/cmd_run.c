/* `mbpf run prog`: load a program, run it on a memory buffer, report r0.
 *
 * Three steps, each replaceable on its own: load_program (file -> program in
 * memory), execute (program + memory -> outcome), and the report (text or
 * JSON). Other program formats or engines plug into the first two. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datafile.h"
#include "host_image.h"
#include "run_ctx.h"

int cmd_run_image(int argc, char **argv); /* run_image.c: microbpf images */

static const char help[] =
    "usage: mbpf run PROG [--mem HEX | --mem-file FILE | --mem-size N] [options]\n\n"
    "Runs PROG (raw bytecode, or .s/.asm) on the interpreter with r1 = the memory\n"
    "buffer, r2 = its length, r10 = top of the stack. The last line printed is\n"
    "  r0 = <unsigned decimal> (0x<hex>)\n"
    "On a load or run error the error (with its pc) goes to stderr and the exit\n"
    "status is 1. Test helpers 5-11 are available (see docs/cli.md).\n\n"
    "options:\n"
    "  --mem HEX        memory bytes as hex: \"01 02 ff\" or 0102ff\n"
    "  --mem-file FILE  memory bytes from a binary file\n"
    "  --mem-size N     N zero bytes of memory\n"
    "  --mem-ro         map the memory read-only\n"
    "  --dump-mem       print the memory after the run (line `mem = ...`)\n"
    "  --json           print one JSON object instead of text\n"
    "  -h, --help       this text\n";

typedef struct run_args {
    const char *path;
    host_vm_opts opts;
    run_ctx mem; /* --mem, --mem-file, --mem-size, --mem-ro */
    bool dump_mem, json;
} run_args;

/* Loading step: a file into an in-memory program. */
static int load_program(const char *path, host_program *prog, char *err, size_t errlen)
{
    return host_program_load(path, prog, err, errlen);
}

/* Execution step: the interpreter. */
static int execute(const run_args *a, const host_program *prog, host_outcome *out)
{
    uint32_t flags = a->mem.ro ? MBPF_MEM_READ : MBPF_MEM_RW;
    return host_vm_exec(&a->opts, prog->insns, prog->n, a->mem.buf, a->mem.len, flags, out);
}

static int parse_args(int argc, char **argv, run_args *a)
{
    memset(a, 0, sizeof *a);
    host_vm_opts_default(&a->opts);
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            fputs(cli_vm_options_help, stdout);
            return -1;
        }
        int rc = run_ctx_option("run", RUN_CTX_MEM, argc, argv, &i, &a->mem);
        if (rc == 0)
            rc = cli_vm_option("run", argc, argv, &i, &a->opts);
        if (rc < 0)
            return CLI_USAGE;
        if (rc > 0)
            continue;
        if (strcmp(argv[i], "--dump-mem") == 0)
            a->dump_mem = true;
        else if (strcmp(argv[i], "--json") == 0)
            a->json = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("run", "unknown option '%s'", argv[i]);
        else if (a->path)
            return cli_usage_error("run", "more than one program ('%s')", argv[i]);
        else
            a->path = argv[i];
    }
    if (!a->path)
        return cli_usage_error("run", "missing program file");
    return CLI_OK;
}

static void print_mem_hex(const run_args *a)
{
    for (uint32_t i = 0; i < a->mem.len; i++)
        printf(i ? " %02x" : "%02x", a->mem.buf[i]);
}

static void report_json(const run_args *a, const host_outcome *out)
{
    const mbpf_result *r = &out->res;
    printf("{\"program\": ");
    cli_json_string(a->path);
    if (out->stage == HOST_STAGE_OK) {
        printf(", \"status\": \"ok\", \"r0\": %llu, \"r0_hex\": \"0x%llx\", \"budget_used\": %llu",
               (unsigned long long)r->r0, (unsigned long long)r->r0,
               (unsigned long long)r->budget_used);
    } else {
        printf(", \"status\": \"error\", \"stage\": \"%s\", \"code\": %d, \"error\": ",
               out->stage == HOST_STAGE_LOAD ? "load" : "run", out->status);
        cli_json_string(out->msg);
        if (out->stage == HOST_STAGE_LOAD)
            printf(", \"pc\": %u", out->verr.pc);
        else
            printf(", \"pc\": %u, \"budget_used\": %llu", r->pc,
                   (unsigned long long)r->budget_used);
        if (out->status == MBPF_E_MEM)
            printf(", \"fault_addr\": \"0x%llx\", \"fault_size\": %u",
                   (unsigned long long)r->fault_addr, r->fault_size);
        if (out->status == MBPF_E_HELPER || out->status == MBPF_E_BAD_HELPER)
            printf(", \"helper_id\": %u", r->helper_id);
    }
    if (a->dump_mem) {
        printf(", \"mem\": \"");
        print_mem_hex(a);
        putchar('"');
    }
    printf("}\n");
}

static void report_text(const run_args *a, const host_outcome *out)
{
    if (a->dump_mem && out->stage != HOST_STAGE_LOAD) {
        printf("mem = ");
        print_mem_hex(a);
        putchar('\n');
    }
    if (out->stage == HOST_STAGE_OK)
        printf("r0 = %llu (0x%llx)\n", (unsigned long long)out->res.r0,
               (unsigned long long)out->res.r0);
    else
        fprintf(stderr, "error: %s\n", out->msg);
}

int cmd_run(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) /* an image (magic "MBPF") has its own options */
        if (argv[i][0] != '-' && host_image_is_image(argv[i]))
            return cmd_run_image(argc, argv);
    run_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_OK) {
        run_ctx_free(&a.mem);
        return rc < 0 ? CLI_OK : rc;
    }
    host_program prog;
    char err[300];
    if (load_program(a.path, &prog, err, sizeof err)) {
        fprintf(stderr, "mbpf run: %s\n", err);
        run_ctx_free(&a.mem);
        return CLI_USAGE;
    }
    host_outcome out;
    execute(&a, &prog, &out);
    if (a.json)
        report_json(&a, &out);
    else
        report_text(&a, &out);
    host_program_free(&prog);
    run_ctx_free(&a.mem);
    return out.stage == HOST_STAGE_OK ? CLI_OK : CLI_FAILED;
}
