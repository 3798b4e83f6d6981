/* mbpf-conformance-plugin: the official bpf_conformance runner's plugin.
 *
 *   mbpf-conformance-plugin [MEMHEX] [--interpret | --jit] [--isa N] [--no-callx]
 *
 * The program arrives on stdin as hex bytes; MEMHEX (when the first argument
 * does not start with "--") is the memory r1 points to. On success r0 is
 * printed in hex and nothing else; on failure the error text is printed on
 * stdout and the exit status is non-zero (1: the program failed to load or
 * run, 2: bad input or options). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "host_vm.h"
#include "host_lowmem.h"
#include "jit_uc.h"

enum { EXIT_PROGRAM = 1, EXIT_USAGE = 2 };

static const char usage[] =
    "usage: mbpf-conformance-plugin [MEMHEX] [--interpret|--jit] [--isa N] [--no-callx]\n"
    "Reads the program as hex bytes on stdin, runs it, prints r0 in hex.\n";

typedef struct plugin_args {
    const char *memhex;
    bool jit;
    host_vm_opts opts;
} plugin_args;

static int usage_error(const char *msg, const char *arg)
{
    printf("error: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return EXIT_USAGE;
}

/* One option token; *i may advance past its value. Returns 0 or an exit code. */
static int option(plugin_args *a, char **toks, int ntoks, int *i)
{
    const char *t = toks[*i];
    if (strcmp(t, "--interpret") == 0) {
        a->jit = false;
    } else if (strcmp(t, "--jit") == 0) {
        a->jit = true;
    } else if (strcmp(t, "--no-callx") == 0) {
        a->opts.allow_callx = false;
    } else if (strcmp(t, "--isa") == 0 || strncmp(t, "--isa=", 6) == 0) {
        const char *v = t[5] == '=' ? t + 6 : (*i + 1 < ntoks ? toks[++*i] : NULL);
        uint64_t isa;
        char err[160];
        if (!v)
            return usage_error("--isa needs a value", NULL);
        if (mbpf_parse_u64(v, 4, "--isa", &isa, err, sizeof err) || isa < 1)
            return usage_error("--isa must be 1..4", v);
        a->opts.isa = (uint32_t)isa;
    } else if (strcmp(t, "-h") == 0 || strcmp(t, "--help") == 0) {
        fputs(usage, stdout);
        return -1;
    } else {
        return usage_error("unknown option", t);
    }
    return 0;
}

/* Options may arrive as one argument ("--jit --isa 3") when the runner passes
 * its --plugin_options string through: split on blanks. */
static int parse_args(int argc, char **argv, plugin_args *a, char *buf, size_t buflen)
{
    char *toks[64];
    int ntoks = 0;
    size_t used = 0;
    memset(a, 0, sizeof *a);
    host_vm_opts_default(&a->opts);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '\0')
            continue;
        if (i == 1 && strncmp(arg, "--", 2) != 0) {
            a->memhex = arg;
            continue;
        }
        size_t n = strlen(arg) + 1;
        if (used + n > buflen)
            return usage_error("options too long", NULL);
        char *copy = memcpy(buf + used, arg, n);
        used += n;
        char *save;
        for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
            if (ntoks == 64)
                return usage_error("too many options", NULL);
            toks[ntoks++] = t;
        }
    }
    for (int i = 0; i < ntoks; i++) {
        int rc = option(a, toks, ntoks, &i);
        if (rc)
            return rc;
    }
    return 0;
}

/* --jit: verify as the interpreter does, then compile and run the program
 * under Unicorn as a Cortex-M4 (tools/lib/jit_uc.h); same outcome format. */
static int exec_jit(const host_vm_opts *o, const mbpf_insn *insns, uint32_t n, uint8_t *mem,
                    uint32_t mem_len, host_outcome *out)
{
    host_vm h;
    memset(out, 0, sizeof *out);
    if (host_vm_create(&h, o, out->msg, sizeof out->msg)) {
        out->stage = HOST_STAGE_LOAD;
        return out->status = MBPF_E_ARG;
    }
    int rc = host_vm_load(&h, insns, n, out);
    if (rc == MBPF_OK) {
        /* the memory below 4 GiB, as the VM's: mapped at its own address
         * under Unicorn, where a deopt's interpreter continues on it */
        uint8_t *low = mem_len ? host_low_alloc(mem_len) : NULL;
        if (low)
            memcpy(low, mem, mem_len);
        int hrc = mem_len && !low ? JIT_UC_E_ENGINE
                                  : jit_uc_run_program_flags(&h.vm, low, mem_len, MBPF_MEM_RW,
                                                             NULL, &out->res, NULL);
        if (low)
            memcpy(mem, low, mem_len);
        host_low_free(low, mem_len);
        if (hrc != JIT_UC_OK) {
            rc = MBPF_E_JIT;
            snprintf(out->msg, sizeof out->msg, "JIT harness failure (details on stderr)");
        } else if ((rc = out->res.status) != MBPF_OK) {
            host_format_run_error(&out->res, h.cfg.budget, out->msg, sizeof out->msg);
        }
        out->stage = rc == MBPF_OK ? HOST_STAGE_OK : HOST_STAGE_RUN;
        out->status = rc;
    }
    host_vm_destroy(&h);
    return rc;
}

static char *read_stdin(void)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, stdin);
        if (n < cap - 1)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger)
            free(buf);
        buf = bigger;
        cap *= 2;
    }
    if (buf)
        buf[n] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    plugin_args a;
    char optbuf[4096], err[300];
    int rc = parse_args(argc, argv, &a, optbuf, sizeof optbuf);
    if (rc)
        return rc < 0 ? 0 : rc;

    uint8_t *mem = NULL, *code = NULL;
    uint32_t mem_len = 0, code_len = 0;
    mbpf_insn *insns = NULL;
    uint32_t n = 0;
    char *text = read_stdin();
    int status = EXIT_USAGE;
    if (!text) {
        printf("error: out of memory\n");
    } else if (a.memhex && mbpf_parse_hex_bytes(a.memhex, &mem, &mem_len, err, sizeof err)) {
        printf("error: memory: %s\n", err);
    } else if (mbpf_parse_hex_bytes(text, &code, &code_len, err, sizeof err)) {
        printf("error: program: %s\n", err);
    } else if (mbpf_decode_bytecode(code ? code : (const uint8_t *)"", code_len, &insns, &n, err,
                                    sizeof err)) {
        printf("error: program: %s\n", err);
    } else {
        host_outcome out;
        rc = a.jit ? exec_jit(&a.opts, insns, n, mem, mem_len, &out)
                   : host_vm_exec(&a.opts, insns, n, mem, mem_len, MBPF_MEM_RW, &out);
        if (rc == MBPF_OK) {
            printf("%llx\n", (unsigned long long)out.res.r0);
            status = 0;
        } else {
            printf("error: %s\n", out.msg);
            status = EXIT_PROGRAM;
        }
    }
    free(text);
    free(mem);
    free(code);
    free(insns);
    return status;
}
