/* mbpf-conformance: runs .data conformance tests on the interpreter.
 *
 *   mbpf-conformance [--verbose] [--isa N] [--no-callx] FILE_OR_DIR...
 *
 * For each test: take `-- raw` if present, else assemble `-- asm`; run it with
 * `-- mem` (and `-- options`, a microbpf extension, see datafile.h); compare
 * r0 as a 64-bit value with `-- result`, or expect a load or run error whose
 * message contains the `-- error` text (case-insensitive). One line per
 * failing test, then "N passed, N failed[, N skipped]". A test that only
 * loads at a higher ISA than --isa is skipped, as the official runner does.
 *
 * Exit status: 0 all passed, 1 a test failed, 2 usage error, 77 nothing to
 * run because every path was absent (CTest's SKIP_RETURN_CODE). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datafile.h"
#include "host_vm.h"
#include "mbpf_asm.h"

enum { EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_SKIPPED = 77 };

static const char usage[] =
    "usage: mbpf-conformance [--verbose] [--isa N] [--no-callx] FILE_OR_DIR...\n\n"
    "Runs .data conformance tests (directories: every *.data inside, sorted).\n"
    "  --verbose   also print passing and skipped tests\n"
    "  --isa N     highest ISA version, 1..4 (default 4); tests needing more are skipped\n"
    "  --no-callx  reject callx (default: allowed)\n";

typedef struct runner {
    bool verbose;
    host_vm_opts base;
    unsigned passed, failed, skipped, absent, files;
} runner;

typedef enum verdict { PASS, FAIL, SKIP } verdict;

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

/* Runs one parsed test; why is filled when the verdict is FAIL or SKIP. */
static verdict run_test(const runner *r, const mbpf_datafile *df, char *why, size_t len)
{
    mbpf_insn *owned = NULL;
    const mbpf_insn *insns = df->raw;
    uint32_t n = df->raw_n;
    if (!df->has_raw) {
        mbpf_asm_error aerr;
        memset(&aerr, 0, sizeof aerr);
        if (mbpf_assemble(df->asm_text, &owned, &n, &aerr) != 0) {
            snprintf(why, len, "assembler: line %d: %s", df->asm_line + aerr.line - 1,
                     aerr.msg);
            return FAIL;
        }
        insns = owned;
    }

    host_vm_opts o = r->base;
    if (df->has_budget)
        o.budget = df->budget;
    if (df->has_depth)
        o.max_depth = df->depth;
    if (df->has_stack)
        o.stack_size = df->stack;
    if (df->has_isa)
        o.isa = df->isa;
    if (df->no_callx)
        o.allow_callx = false;

    /* The test gets its own copy of the memory: programs write to it. */
    uint8_t *mem = NULL;
    if (df->mem_len) {
        mem = malloc(df->mem_len);
        if (!mem) {
            free(owned);
            snprintf(why, len, "out of memory");
            return FAIL;
        }
        memcpy(mem, df->mem, df->mem_len);
    }
    host_outcome out;
    uint32_t flags = df->mem_ro ? MBPF_MEM_READ : MBPF_MEM_RW;
    host_vm_exec(&o, insns, n, mem, df->mem_len, flags, &out);

    verdict v = PASS;
    if (out.stage == HOST_STAGE_LOAD && out.status == MBPF_E_VERIFY && o.isa < 4 &&
        !df->has_isa) {
        host_outcome at4;
        host_vm_opts o4 = o;
        o4.isa = 4;
        if (df->mem_len)
            memcpy(mem, df->mem, df->mem_len);
        host_vm_exec(&o4, insns, n, mem, df->mem_len, flags, &at4);
        if (at4.stage != HOST_STAGE_LOAD) {
            snprintf(why, len, "needs a higher ISA version than v%u (%s)", o.isa, out.msg);
            v = SKIP;
        }
    }
    if (v == SKIP) {
        /* reported by the caller */
    } else if (df->error) {
        if (out.stage == HOST_STAGE_OK) {
            snprintf(why, len, "expected error '%s', got r0 = 0x%llx", df->error,
                     (unsigned long long)out.res.r0);
            v = FAIL;
        } else if (!contains_nocase(out.msg, df->error)) {
            snprintf(why, len, "expected error '%s', got: %s", df->error, out.msg);
            v = FAIL;
        }
    } else if (out.stage != HOST_STAGE_OK) {
        snprintf(why, len, "expected r0 = 0x%llx, got error: %s",
                 (unsigned long long)df->result, out.msg);
        v = FAIL;
    } else if (out.res.r0 != df->result) {
        snprintf(why, len, "expected r0 = 0x%llx, got 0x%llx", (unsigned long long)df->result,
                 (unsigned long long)out.res.r0);
        v = FAIL;
    }
    free(mem);
    free(owned);
    return v;
}

static void run_file(runner *r, const char *path)
{
    mbpf_datafile df;
    char why[600];
    verdict v;
    r->files++;
    if (mbpf_datafile_load(path, &df, why, sizeof why)) {
        printf("FAIL %s: %s\n", path, why);
        r->failed++;
        return;
    }
    v = run_test(r, &df, why, sizeof why);
    mbpf_datafile_free(&df);
    if (v == PASS) {
        r->passed++;
        if (r->verbose)
            printf("PASS %s\n", path);
    } else if (v == SKIP) {
        r->skipped++;
        if (r->verbose)
            printf("SKIP %s: %s\n", path, why);
    } else {
        r->failed++;
        printf("FAIL %s: %s\n", path, why);
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_data_file(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".data") == 0;
}

static int run_dir(runner *r, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "mbpf-conformance: cannot open %s: %s\n", dir, strerror(errno));
        r->failed++;
        return -1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (!is_data_file(e->d_name))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **bigger = realloc(names, cap * sizeof *names);
            if (!bigger) {
                rc = -1;
                break;
            }
            names = bigger;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        names[count] = malloc(len);
        if (!names[count]) {
            rc = -1;
            break;
        }
        snprintf(names[count++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (rc == 0) {
        qsort(names, count, sizeof *names, by_name);
        for (size_t i = 0; i < count; i++)
            run_file(r, names[i]);
        if (count == 0)
            printf("note: no .data files in %s\n", dir);
    } else {
        fprintf(stderr, "mbpf-conformance: out of memory\n");
        r->failed++;
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    runner r;
    int npaths = 0;
    memset(&r, 0, sizeof r);
    host_vm_opts_default(&r.base);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            r.verbose = true;
        } else if (strcmp(a, "--no-callx") == 0) {
            r.base.allow_callx = false;
        } else if (strcmp(a, "--isa") == 0 || strncmp(a, "--isa=", 6) == 0) {
            const char *v = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            uint64_t isa;
            char err[160];
            if (!v) {
                fprintf(stderr, "mbpf-conformance: --isa needs a value\n");
                return EXIT_USAGE;
            }
            if (mbpf_parse_u64(v, 4, "--isa", &isa, err, sizeof err) || isa < 1) {
                fprintf(stderr, "mbpf-conformance: --isa: '%s' is not in 1..4\n", v);
                return EXIT_USAGE;
            }
            r.base.isa = (uint32_t)isa;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "mbpf-conformance: unknown option '%s'\n%s", a, usage);
            return EXIT_USAGE;
        } else {
            npaths++;
        }
    }
    if (npaths == 0) {
        fprintf(stderr, "mbpf-conformance: no test file or directory given\n%s", usage);
        return EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        const char *a = argv[i];
        if (a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "--isa") == 0)
                i++;
            continue;
        }
        if (stat(a, &st) != 0) {
            printf("skipped: %s not found (absent)\n", a);
            r.absent++;
        } else if (S_ISDIR(st.st_mode)) {
            run_dir(&r, a);
        } else {
            run_file(&r, a);
        }
    }
    printf("%u passed, %u failed", r.passed, r.failed);
    if (r.skipped)
        printf(", %u skipped", r.skipped);
    printf("\n");
    if (r.failed)
        return EXIT_FAILED;
    if (r.files == 0 && r.absent > 0)
        return EXIT_SKIPPED;
    return 0;
}
