/* `mbpf fuzz`: replay the differential test (interpreter vs JIT under
 * Unicorn) on the random programs of a seed, or print one of them. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "jit_diff.h"
#include "progen.h"

static const char help[] =
    "usage: mbpf fuzz [--seed N] [--count K] [--index I] [--print] [--keep-going]\n\n"
    "Generates random valid programs from seed N (default 1), runs each on the\n"
    "interpreter and through the JIT under Unicorn (Cortex-M4), and compares r0,\n"
    "status, pc, fault address/size, helper id, budget used and the final ctx and\n"
    "stack bytes. Exit status 1 on any difference.\n\n"
    "options:\n"
    "  --seed N      the run's seed (as printed by the differential test)\n"
    "  --count K     programs 0..K-1 (default 1000)\n"
    "  --index I     only program I (what a failure report names)\n"
    "  --print       print each program (configuration, ctx, disassembly) and both\n"
    "                results\n"
    "  --no-jit      only generate (with --print: list the programs)\n"
    "  --keep-going  report every difference instead of stopping at the first\n"
    "  -h, --help    this text\n";

int cmd_fuzz(int argc, char **argv)
{
    uint64_t seed = 1, count = 1000, index = 0;
    bool one = false, print = false, keep_going = false, no_jit = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return CLI_OK;
        }
        if (strcmp(argv[i], "--print") == 0) {
            print = true;
        } else if (strcmp(argv[i], "--keep-going") == 0) {
            keep_going = true;
        } else if (strcmp(argv[i], "--no-jit") == 0) {
            no_jit = true;
        } else if ((m = cli_opt_value("fuzz", argc, argv, &i, "--seed", &v)) != 0) {
            if (m < 0 || cli_number("fuzz", "--seed", v, UINT64_MAX, &seed))
                return CLI_USAGE;
        } else if ((m = cli_opt_value("fuzz", argc, argv, &i, "--count", &v)) != 0) {
            if (m < 0 || cli_number("fuzz", "--count", v, UINT32_MAX, &count))
                return CLI_USAGE;
        } else if ((m = cli_opt_value("fuzz", argc, argv, &i, "--index", &v)) != 0) {
            if (m < 0 || cli_number("fuzz", "--index", v, UINT32_MAX, &index))
                return CLI_USAGE;
            one = true;
        } else {
            return cli_usage_error("fuzz", "unknown argument '%s'", argv[i]);
        }
    }
    uint64_t first = one ? index : 0, end = one ? index + 1 : count;

    jit_diff *d = no_jit ? NULL : jit_diff_open();
    if (!no_jit && !d) {
        fprintf(stderr, "mbpf fuzz: cannot open the Unicorn engine\n");
        return CLI_FAILED;
    }
    static progen_program p;
    jit_diff_report r;
    uint64_t bad = 0;
    printf("fuzz: seed %" PRIu64 ", programs %" PRIu64 "..%" PRIu64 "\n", seed, first,
           end ? end - 1 : 0);
    for (uint64_t k = first; k < end; k++) {
        progen_generate(seed, (uint32_t)k, &p);
        if (print)
            jit_diff_print_program(stdout, &p);
        if (no_jit)
            continue;
        int verdict = jit_diff_program(d, &p, &r);
        if (print) {
            jit_diff_print_result(stdout, "interp", &r.interp);
            jit_diff_print_result(stdout, "jit   ", &r.jit);
            printf("code %zu bytes, %" PRIu64 " ARM instructions\n", r.code_len, r.arm_insns);
        }
        if (verdict == JIT_DIFF_SAME)
            continue;
        bad++;
        printf("DIFF seed %" PRIu64 " index %" PRIu64 ": %s\n", seed, k, r.why);
        if (!print) {
            jit_diff_print_result(stdout, "  interp", &r.interp);
            jit_diff_print_result(stdout, "  jit   ", &r.jit);
            printf("  replay: mbpf fuzz --seed %" PRIu64 " --index %" PRIu64 " --print\n",
                   seed, k);
        }
        if (!keep_going)
            break;
    }
    jit_diff_close(d);
    if (!no_jit)
        printf("fuzz: %" PRIu64 " difference%s\n", bad, bad == 1 ? "" : "s");
    return bad ? CLI_FAILED : CLI_OK;
}
