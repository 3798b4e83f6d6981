/* Shared pieces of the `mbpf` subcommands: their entry points (from
 * commands.def), option parsing with range checks, and exit codes. */
#ifndef MBPF_TOOLS_CLI_H
#define MBPF_TOOLS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "host_vm.h"

#define MBPF_TOOL_VERSION "0.1.0"

/* Exit codes of every subcommand. */
enum {
    CLI_OK = 0,     /* success / the program was accepted */
    CLI_FAILED = 1, /* the program was rejected or failed at run time */
    CLI_USAGE = 2,  /* bad command line, unreadable or malformed input file */
};

#define MBPF_COMMAND(name, fn, summary) int fn(int argc, char **argv);
#include "commands.def"
#undef MBPF_COMMAND

/* Prints "mbpf CMD: message" and a hint to stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* True for -h / --help. */
bool cli_is_help(const char *arg);

/* Matches argv[*i] against `--name VALUE` or `--name=VALUE`. Returns 1 and
 * sets *value (advancing *i past a separate value), 0 if argv[*i] is another
 * option, -1 (message printed) if the value is missing. */
int cli_opt_value(const char *cmd, int argc, char **argv, int *i, const char *name,
                  const char **value);

/* Parses a number in 0..max for option `name`; prints an error on failure. */
int cli_number(const char *cmd, const char *name, const char *value, uint64_t max,
               uint64_t *out);

/* The VM options shared by run and verify: --budget N, --stack N, --depth N,
 * --isa N, --no-callx, --max-insns N. Returns 1 when argv[*i] was one of them,
 * 0 when not, -1 on a bad value (message printed). */
int cli_vm_option(const char *cmd, int argc, char **argv, int *i, host_vm_opts *o);

/* Help text for the options above. */
extern const char cli_vm_options_help[];

/* s as a JSON string literal on stdout (quotes, escapes). */
void cli_json_string(const char *s);

#endif /* MBPF_TOOLS_CLI_H */
