/* `mbpf`: one command-line tool, one subcommand per file (commands.def). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
#define MBPF_COMMAND(name, fn, summary) {#name, fn, summary},
#include "commands.def"
#undef MBPF_COMMAND
};

#define NUM_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: mbpf COMMAND [ARGS...]\n"
                 "       mbpf help COMMAND | mbpf COMMAND --help\n\n"
                 "microbpf host tool (version %s).\n\ncommands:\n",
            MBPF_TOOL_VERSION);
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nPrograms are raw bytecode (.bin) or assembly (.s, .asm).\n"
                 "Exit status: 0 success, 1 program rejected or failed, 2 usage or input error.\n");
}

static const command *find(const char *name)
{
    for (size_t i = 0; i < NUM_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int unknown(const char *name)
{
    fprintf(stderr, "mbpf: unknown command '%s' (see 'mbpf --help')\n", name);
    return CLI_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (cli_is_help(name)) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("mbpf %s\n", MBPF_TOOL_VERSION);
        return CLI_OK;
    }
    if (strcmp(name, "help") == 0) {
        if (argc == 2) {
            usage(stdout);
            return CLI_OK;
        }
        if (argc > 3) {
            fprintf(stderr, "mbpf help: expected one command name\n");
            return CLI_USAGE;
        }
        const command *c = find(argv[2]);
        if (!c)
            return unknown(argv[2]);
        char help[] = "--help";
        char *args[] = {argv[2], help, NULL};
        return c->fn(2, args);
    }
    if (name[0] == '-') {
        fprintf(stderr, "mbpf: unknown option '%s' (see 'mbpf --help')\n", name);
        return CLI_USAGE;
    }
    const command *c = find(name);
    if (!c)
        return unknown(name);
    return c->fn(argc - 1, argv + 1);
}
