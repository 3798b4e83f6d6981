/* `mbpf jit PROG`: compile a program for ARMv7-M and show what came out:
 * sizes, and with --disasm the Thumb-2 code annotated with eBPF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datafile.h"
#include "host_image.h"
#include "jit_cmd.h"
#include "jit_listing.h"
#include "mbpf/jit.h"

static const char help[] =
    "usage: mbpf jit PROG [--disasm] [--out FILE] [--run [INPUT]] [options]\n"
    "       mbpf jit --runtime\n\n"
    "Verifies PROG (raw bytecode, .s/.asm, or a .mbpf image) and compiles it to\n"
    "Thumb-2 for ARMv7-M (Cortex-M3/M4/M7). Prints the number of eBPF\n"
    "instructions, the bytes of generated code and the bytes per eBPF\n"
    "instruction (the program's own code), then the bytes of the shared runtime\n"
    "(emitted once per device for all programs). Bytecode and assembly get the test helpers 5-11 (see\n"
    "docs/cli.md), images their maps and the IoT helpers; stack size, depth and budget\n"
    "are compiled into the code.\n\n"
    "options:\n"
    "  --disasm      list the code (capstone, Thumb, M-class); each block is\n"
    "                preceded by the eBPF instruction it came from\n"
    "                (the veneers to the shared runtime are labelled)\n"
    "  --runtime     list the shared runtime (trap, budget refill, slow memory\n"
    "                check, range check, 64-bit division, entry `run` and the\n"
    "                exits); PROG is optional\n"
    "  --out FILE    write the raw code bytes to FILE\n"
    "  --run         run PROG on the interpreter and, loaded again, compiled\n"
    "                under Unicorn (Cortex-M4); print both outcomes; exit 1\n"
    "                when they differ (status, r0, pc, message, fault, helper,\n"
    "                budget used, final context and stack bytes)\n"
    "  --mem HEX, --mem-file F, --mem-size N, --mem-ro (bytecode) or\n"
    "  --ctx-file F, --ctx-hex HEX, --ctx-size N, --coap N (images)\n"
    "                the input of --run, as for `mbpf run`\n"
    "  -h, --help    this text\n";

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
        rc = run_ctx_option("jit", RUN_CTX_MEM | RUN_CTX_IMAGE, argc, argv, &i, &a->ctx);
        if (rc == 0)
            rc = cli_vm_option("jit", argc, argv, &i, &a->opts);
        if (rc < 0)
            return CLI_USAGE;
        if (rc > 0)
            continue;
        if (strcmp(argv[i], "--disasm") == 0)
            a->disasm = true;
        else if (strcmp(argv[i], "--run") == 0)
            a->run = true;
        else if (strcmp(argv[i], "--runtime") == 0)
            a->runtime = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage_error("jit", "unknown option '%s'", argv[i]);
        else if (a->path)
            return cli_usage_error("jit", "more than one program ('%s')", argv[i]);
        else
            a->path = argv[i];
    }
    if (!a->path && !(a->runtime && !a->run))
        return cli_usage_error("jit", "missing program file");
    if (a->ctx.set && !a->run)
        return cli_usage_error("jit", "an input buffer needs --run");
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

/* CLI_OK, or an exit code after printing why. */
int jit_cmd_load(const jit_args *a, loaded *l)
{
    char err[300];
    host_outcome out;
    memset(l, 0, sizeof *l);
    if (host_image_is_image(a->path)) {
        size_t len;
        uint8_t *bytes = (uint8_t *)mbpf_read_file(a->path, &len, err, sizeof err);
        if (!bytes) {
            fprintf(stderr, "mbpf jit: %s\n", err);
            return CLI_USAGE;
        }
        int rc = host_image_open(&l->hi, &a->opts, bytes, len, stdout, &out);
        free(bytes);
        if (rc != MBPF_OK) {
            fprintf(stderr, "error: %s\n", out.msg);
            host_image_close(&l->hi);
            return CLI_FAILED;
        }
        l->image = 1;
        l->vm = &l->hi.vm;
        return CLI_OK;
    }
    if (host_program_load(a->path, &l->prog, err, sizeof err)) {
        fprintf(stderr, "mbpf jit: %s\n", err);
        return CLI_USAGE;
    }
    if (host_vm_create(&l->hv, &a->opts, err, sizeof err)) {
        host_program_free(&l->prog);
        return cli_usage_error("jit", "%s", err);
    }
    if (host_vm_load(&l->hv, l->prog.insns, l->prog.n, &out) != MBPF_OK) {
        fprintf(stderr, "error: %s\n", out.msg);
        host_vm_destroy(&l->hv);
        host_program_free(&l->prog);
        return CLI_FAILED;
    }
    l->vm = &l->hv.vm;
    return CLI_OK;
}

void jit_cmd_unload(loaded *l)
{
    if (l->image) {
        host_image_close(&l->hi);
    } else {
        host_vm_destroy(&l->hv);
        host_program_free(&l->prog);
    }
}

/* Compiles the loaded program (size pass, then into a buffer of that size). */
int jit_cmd_compile(mbpf_vm *vm, uint8_t **code, size_t *len, uint32_t *offsets)
{
    mbpf_jit_error err = {0, 0, NULL};
    int rc = mbpf_jit_compile(vm, NULL, 0, len, offsets, &err);
    if (rc == MBPF_E_NOSPACE && *len) {
        *code = aligned_alloc(8, (*len + 7u) & ~(size_t)7u);
        if (!*code) {
            fprintf(stderr, "mbpf jit: out of memory\n");
            return CLI_FAILED;
        }
        rc = mbpf_jit_compile(vm, *code, *len, len, offsets, &err);
    }
    if (rc != MBPF_OK) {
        fprintf(stderr, "error: jit: insn %u: %s (%s)\n", err.pc, err.msg ? err.msg : "failed",
                mbpf_strerror(rc));
        return CLI_FAILED;
    }
    return CLI_OK;
}

static int jit_cmd_show(const jit_args *a);

/* The shared runtime into *code (aligned_alloc'd). CLI_OK or CLI_FAILED. */
static int runtime_emit(uint8_t **code, mbpf_jit_runtime *rt)
{
    size_t len = 0;
    *code = NULL;
    if (mbpf_jit_runtime_emit(NULL, 0, &len, rt) == MBPF_E_NOSPACE && len &&
        (*code = aligned_alloc(8, (len + 7u) & ~(size_t)7u)) &&
        mbpf_jit_runtime_emit(*code, len, &len, rt) == MBPF_OK)
        return CLI_OK;
    fprintf(stderr, "mbpf jit: cannot emit the shared runtime\n");
    free(*code);
    *code = NULL;
    return CLI_FAILED;
}

static int runtime_show(void)
{
    uint8_t *code;
    mbpf_jit_runtime rt;
    int rc = runtime_emit(&code, &rt);
    if (rc != CLI_OK)
        return rc;
    printf("shared runtime:    %u bytes (once per device)\n", rt.size);
    for (unsigned k = 0; k < MBPF_JIT_RT_COUNT; k++)
        printf("  %-9s at %u\n", jit_listing_rt_name(k), rt.entry[k]);
    if (jit_listing_runtime(stdout, code, rt.size, rt.entry, 0)) {
        fprintf(stderr, "mbpf jit: cannot open capstone\n");
        rc = CLI_FAILED;
    }
    free(code);
    return rc;
}

int cmd_jit(int argc, char **argv)
{
    jit_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc == CLI_OK && a.run)
        rc = jit_cmd_run(&a);
    else if (rc == CLI_OK && a.path)
        rc = jit_cmd_show(&a);
    if (rc == CLI_OK && a.runtime && !a.run)
        rc = runtime_show();
    run_ctx_free(&a.ctx);
    return rc < 0 ? CLI_OK : rc;
}

/* Compile and show (sizes, listing, code file). */
static int jit_cmd_show(const jit_args *a)
{
    int rc;
    loaded l;
    if ((rc = jit_cmd_load(a, &l)) != CLI_OK)
        return rc;
    const mbpf_insn *insns = l.vm->insns;
    uint32_t n = l.vm->num_insns;
    uint8_t *code = NULL;
    size_t len = 0;
    uint32_t *offsets = calloc((size_t)n + 1, sizeof *offsets);
    rc = offsets ? jit_cmd_compile(l.vm, &code, &len, offsets) : CLI_FAILED;
    if (rc == CLI_OK) {
        jit_sizes s;
        jit_listing_sizes(insns, n, len, offsets, &s);
        uint8_t *rt_code;
        mbpf_jit_runtime rt;
        rc = runtime_emit(&rt_code, &rt);
        free(rt_code);
        s.runtime_bytes = rt.size;
        if (rc == CLI_OK)
            printf("program:           %s\n", a->path);
        if (rc == CLI_OK)
            jit_listing_print_sizes(stdout, &s);
        if (rc == CLI_OK && a->disasm && jit_listing_disasm(stdout, insns, n, code, len, offsets, 0)) {
            fprintf(stderr, "mbpf jit: cannot open capstone\n");
            rc = CLI_FAILED;
        }
        if (rc == CLI_OK && a->out)
            rc = write_code(a->out, code, len);
    }
    free(code);
    free(offsets);
    jit_cmd_unload(&l);
    return rc;
}
