/* `mbpf build`: the compiler driver and the glue from object to image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf_build.h"

#ifndef MBPF_SOURCE_DIR
#define MBPF_SOURCE_DIR "."
#endif

static bool on_path(const char *prog)
{
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        char buf[4096];
        if (n > 0 && n + strlen(prog) + 2 < sizeof(buf)) {
            memcpy(buf, path, n);
            buf[n] = '/';
            strcpy(buf + n + 1, prog);
            if (access(buf, X_OK) == 0)
                return true;
        }
        path += n + (colon ? 1 : 0);
    }
    return false;
}

/* Major version from `clang -dumpversion` ("19.1.7" -> 19), 0 if unknown. */
static int clang_major(const char *clang)
{
    char cmd[512];
    if (strchr(clang, '\'') || snprintf(cmd, sizeof(cmd), "'%s' -dumpversion 2>/dev/null",
                                        clang) >= (int)sizeof(cmd))
        return 0;
    FILE *f = popen(cmd, "r");
    if (!f)
        return 0;
    int major = 0;
    if (fscanf(f, "%d", &major) != 1)
        major = 0;
    pclose(f);
    return major;
}

int elf_build_find_clang(char *name, size_t len, int *major)
{
    const char *env = getenv("MBPF_CLANG");
    if (env && *env) {
        if (!on_path(env))
            return -1;
        snprintf(name, len, "%s", env);
        *major = clang_major(env);
        return 0;
    }
    for (int v = 25; v >= 14; v--) {
        char cand[32];
        snprintf(cand, sizeof(cand), "clang-%d", v);
        if (on_path(cand)) {
            snprintf(name, len, "%s", cand);
            *major = v;
            return 0;
        }
    }
    if (on_path("clang")) {
        snprintf(name, len, "clang");
        *major = clang_major("clang");
        return 0;
    }
    return -1;
}

int elf_build_compile(const elf_build_opts *o, const char *clang, const char *obj, char *err,
                      size_t errlen)
{
    int n = 0, cap = 16 + 2 * (o->num_incdirs + o->num_defines);
    char **argv = calloc((size_t)cap, sizeof(char *));
    char **owned = calloc((size_t)cap, sizeof(char *));
    int nowned = 0;
    if (!argv || !owned) {
        free(argv);
        free(owned);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    argv[n++] = (char *)clang;
    argv[n++] = "-target";
    argv[n++] = "bpf";
    argv[n++] = o->isa == 4 ? "-mcpu=v4" : "-mcpu=v3";
    argv[n++] = (char *)(o->opt ? o->opt : "-O2");
    argv[n++] = "-g"; /* BTF: map definitions and the line table need it */
    argv[n++] = "-ffreestanding";
    argv[n++] = "-fno-common";
    for (int i = 0; i < o->num_incdirs; i++) {
        argv[n++] = "-I";
        argv[n++] = (char *)o->incdirs[i];
    }
    argv[n++] = "-I" MBPF_SOURCE_DIR "/sdk/include";
    for (int i = 0; i < o->num_defines; i++) {
        size_t l = strlen(o->defines[i]) + 3;
        char *d = malloc(l);
        if (!d)
            break;
        snprintf(d, l, "-D%s", o->defines[i]);
        owned[nowned++] = d;
        argv[n++] = d;
    }
    argv[n++] = "-c";
    argv[n++] = (char *)o->input;
    argv[n++] = "-o";
    argv[n++] = (char *)obj;
    argv[n] = NULL;

    int rc = -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        execvp(clang, argv);
        fprintf(stderr, "mbpf build: cannot run %s: %s\n", clang, strerror(errno));
        _exit(127);
    }
    int status = 0;
    if (pid < 0)
        snprintf(err, errlen, "cannot start %s: %s", clang, strerror(errno));
    else if (waitpid(pid, &status, 0) < 0)
        snprintf(err, errlen, "waiting for %s: %s", clang, strerror(errno));
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        snprintf(err, errlen, "compilation of %s failed (%s exited with %d)", o->input, clang,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    else
        rc = 0;
    for (int i = 0; i < nowned; i++)
        free(owned[i]);
    free(owned);
    free(argv);
    return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* "dir/prog.c" -> "prog". */
static void program_name(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(out, len, "%s", base);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = 0;
}

static int write_file(const char *path, const uint8_t *buf, size_t len, char *err,
                      size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (f)
            fclose(f);
        return -1;
    }
    if (fclose(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int elf_build_run(const elf_build_opts *o)
{
    char err[512] = "", clang[64] = "", obj[64] = "";
    int major = 0, rc = -1;
    bool compiled = !ends_with(o->input, ".o");
    elf_program p;
    memset(&p, 0, sizeof(p));
    uint8_t *image = NULL;
    size_t image_len = 0;

    if (access(o->input, R_OK) != 0) {
        fprintf(stderr, "mbpf build: error: %s: %s\n", o->input, strerror(errno));
        return -1;
    }
    if (compiled) {
        if (elf_build_find_clang(clang, sizeof(clang), &major)) {
            fprintf(stderr, "mbpf build: error: no clang found (install clang-19, or set "
                    "MBPF_CLANG)\n");
            return -1;
        }
        if (o->isa == 4 && major > 0 && major < 18) {
            fprintf(stderr, "mbpf build: error: --isa v4 needs clang 18 or newer (found %s)\n",
                    clang);
            return -1;
        }
        if (!o->quiet)
            printf("mbpf build: using %s (clang %d, -mcpu=v%d)\n", clang, major,
                   o->isa == 4 ? 4 : 3);
        snprintf(obj, sizeof(obj), "/tmp/mbpf-build-XXXXXX");
        int fd = mkstemp(obj);
        if (fd < 0) {
            fprintf(stderr, "mbpf build: error: cannot create a temporary file: %s\n",
                    strerror(errno));
            return -1;
        }
        close(fd);
        if (elf_build_compile(o, clang, obj, err, sizeof(err)))
            goto out;
    }
    elf_read_opts ro = {o->entry, o->debug, (uint8_t)(o->isa == 4 ? 4 : 3)};
    if (elf_program_read(compiled ? obj : o->input, &ro, &p, err, sizeof(err)))
        goto out;
    char name[128];
    program_name(o->input, name, sizeof(name));
    mbpf_image_desc desc;
    mbpf_image_write_stats st;
    elf_program_desc(&p, name, &desc);
    desc.stats = &st; /* the writer drops unreachable functions: report what it wrote */
    if (mbpf_image_write(&desc, &image, &image_len, err, sizeof(err)) != 0)
        goto out;
    if (p.recursive && st.max_depth == 0)
        fprintf(stderr, "mbpf build: warning: %s has recursive calls; the verifier will "
                "refuse it\n", o->input);
    if (write_file(o->output, image, image_len, err, sizeof(err)))
        goto out;
    if (!o->quiet) {
        printf("%s: %u instructions, %u functions, %u sections, %u maps, %u helpers, "
               "%zu bytes%s", o->output, st.num_insns, st.num_funcs, p.num_sections,
               p.num_maps, st.num_helpers, image_len, o->debug ? " (with line table)" : "");
        if (st.dropped_funcs)
            printf(" (%u unreachable function%s dropped)", st.dropped_funcs,
                   st.dropped_funcs == 1 ? "" : "s");
        printf("\n");
    }
    rc = 0;
out:
    if (rc && err[0])
        fprintf(stderr, "mbpf build: error: %s\n", err);
    if (obj[0])
        unlink(obj);
    free(image);
    elf_program_free(&p);
    return rc;
}
