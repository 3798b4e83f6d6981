/* Option parsing shared by the `mbpf` subcommands (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "datafile.h"

const char cli_vm_options_help[] =
    "\nVM options:\n"
    "  --budget N       taken backward jumps + local calls allowed (default 10000000)\n"
    "  --stack N        stack bytes per call frame, multiple of 8 (default 512)\n"
    "  --depth N        call frames, 1..64 (default 8)\n"
    "  --isa N          highest ISA version accepted, 1..4 (default 4)\n"
    "  --no-callx       reject callx (opcode 0x8d)\n"
    "  --max-insns N    largest program accepted, in slots (default 65536)\n";

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mbpf %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'mbpf %s --help')\n", cmd);
    return CLI_USAGE;
}

bool cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_opt_value(const char *cmd, int argc, char **argv, int *i, const char *name,
                  const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "%s needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int cli_number(const char *cmd, const char *name, const char *value, uint64_t max,
               uint64_t *out)
{
    char err[200];
    if (mbpf_parse_u64(value, max, name, out, err, sizeof err)) {
        cli_usage_error(cmd, "%s", err);
        return -1;
    }
    return 0;
}

int cli_vm_option(const char *cmd, int argc, char **argv, int *i, host_vm_opts *o)
{
    static const struct {
        const char *name;
        uint64_t min, max;
    } nums[] = {
        {"--budget", 0, UINT64_MAX},
        {"--stack", 8, 1u << 20},
        {"--depth", 1, MBPF_MAX_CALL_DEPTH},
        {"--isa", 1, 4},
        {"--max-insns", 1, UINT32_MAX},
    };
    if (strcmp(argv[*i], "--no-callx") == 0) {
        o->allow_callx = false;
        return 1;
    }
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
        const char *value;
        uint64_t v;
        int rc = cli_opt_value(cmd, argc, argv, i, nums[k].name, &value);
        if (rc <= 0) {
            if (rc < 0)
                return -1;
            continue;
        }
        if (cli_number(cmd, nums[k].name, value, nums[k].max, &v))
            return -1;
        if (v < nums[k].min) {
            cli_usage_error(cmd, "%s: %s is below the minimum %llu", nums[k].name, value,
                            (unsigned long long)nums[k].min);
            return -1;
        }
        switch (k) {
        case 0: o->budget = v; break;
        case 1:
            if (v % 8) {
                cli_usage_error(cmd, "--stack: %s is not a multiple of 8", value);
                return -1;
            }
            o->stack_size = (uint32_t)v;
            break;
        case 2: o->max_depth = (uint32_t)v; break;
        case 3: o->isa = (uint32_t)v; break;
        default: o->max_insns = (uint32_t)v; break;
        }
        return 1;
    }
    return 0;
}

void cli_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}
