/* Every .data conformance test (the shared bpf-conformance suite and ours in
 * tests/data) through the JIT under Unicorn: each must give exactly the
 * interpreter's result (r0, status, pc, message, fault, helper, budget) and
 * leave the same memory and stack bytes. Tests the verifier refuses are
 * counted and skipped (nothing to compile). MBPF_JIT_CONF_FILTER=substring
 * restricts the run to matching file names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "host_vm.h"
#include "jit_uc.h"
#include "mbpf_asm.h"

typedef struct conf_stats {
    unsigned pass, fail, skipped;
} conf_stats;

static bool results_equal(const mbpf_result *a, const mbpf_result *b)
{
    bool msg_eq = (a->msg == NULL) == (b->msg == NULL) && (!a->msg || !strcmp(a->msg, b->msg));
    return a->status == b->status && a->r0 == b->r0 && a->pc == b->pc && msg_eq &&
           a->fault_addr == b->fault_addr && a->fault_size == b->fault_size &&
           a->helper_id == b->helper_id && a->budget_used == b->budget_used;
}

static void show(const char *who, const mbpf_result *r)
{
    print_message("    %s: status %d r0 %#llx pc %u msg '%s' fault %#llx/%u helper %u budget "
                  "%llu\n",
                  who, (int)r->status, (unsigned long long)r->r0, (unsigned)r->pc,
                  r->msg ? r->msg : "(null)", (unsigned long long)r->fault_addr,
                  (unsigned)r->fault_size, (unsigned)r->helper_id,
                  (unsigned long long)r->budget_used);
}

static void run_file(const char *path, conf_stats *st)
{
    char why[512];
    mbpf_datafile df;
    if (mbpf_datafile_load(path, &df, why, sizeof why)) {
        print_message("  %s: cannot parse: %s\n", path, why);
        st->fail++;
        return;
    }
    mbpf_insn *owned = NULL;
    const mbpf_insn *insns = df.raw;
    uint32_t n = df.raw_n;
    if (!df.has_raw) {
        mbpf_asm_error aerr;
        memset(&aerr, 0, sizeof aerr);
        if (!df.asm_text || mbpf_assemble(df.asm_text, &owned, &n, &aerr) != 0) {
            st->skipped++; /* the conformance runner reports assembler problems */
            mbpf_datafile_free(&df);
            return;
        }
        insns = owned;
    }
    host_vm_opts o;
    host_vm_opts_default(&o);
    if (df.has_budget)
        o.budget = df.budget;
    if (df.has_depth)
        o.max_depth = df.depth;
    if (df.has_stack)
        o.stack_size = df.stack;
    if (df.has_isa)
        o.isa = df.isa;
    if (df.no_callx)
        o.allow_callx = false;
    host_vm h;
    host_outcome out;
    if (host_vm_create(&h, &o, why, sizeof why) != 0) {
        st->skipped++;
        free(owned);
        mbpf_datafile_free(&df);
        return;
    }
    if (host_vm_load(&h, insns, n, &out) != MBPF_OK) {
        st->skipped++; /* refused by the verifier: nothing to compile */
        host_vm_destroy(&h);
        free(owned);
        mbpf_datafile_free(&df);
        return;
    }
    uint32_t len = df.mem_len, flags = df.mem_ro ? MBPF_MEM_READ : MBPF_MEM_RW;
    uint32_t stack_bytes = (uint32_t)h.cfg.max_depth * h.cfg.stack_size;
    uint8_t *mem = malloc(len + 1), *mem_i = malloc(len + 1), *stack_i = malloc(stack_bytes);
    assert_non_null(mem);
    assert_non_null(mem_i);
    assert_non_null(stack_i);
    if (len)
        memcpy(mem, df.mem, len);
    memset(h.vm.stack, 0, stack_bytes);
    host_vm_run(&h, mem, len, flags, &out);
    mbpf_result ri = out.res;
    if (len)
        memcpy(mem_i, mem, len);
    memcpy(stack_i, h.vm.stack, stack_bytes);
    if (len)
        memcpy(mem, df.mem, len);
    memset(h.vm.stack, 0, stack_bytes);
    mbpf_result rj;
    uint64_t count = 0;
    int rc = jit_uc_run_program_flags(&h.vm, len ? mem : NULL, len, flags, NULL, &rj, &count);
    bool ok = rc == JIT_UC_OK && results_equal(&ri, &rj) && (!len || !memcmp(mem, mem_i, len)) &&
              !memcmp(stack_i, h.vm.stack, stack_bytes);
    if (ok) {
        st->pass++;
    } else {
        st->fail++;
        print_message("  FAIL %s (harness %d)\n", path, rc);
        show("interp", &ri);
        show("jit   ", &rj);
    }
    free(mem);
    free(mem_i);
    free(stack_i);
    host_vm_destroy(&h);
    free(owned);
    mbpf_datafile_free(&df);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir, conf_stats *st)
{
    DIR *d = opendir(dir);
    if (!d) {
        print_message("  (no directory %s)\n", dir);
        return;
    }
    const char *filter = getenv("MBPF_JIT_CONF_FILTER");
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".data") != 0)
            continue;
        if (filter && !strstr(e->d_name, filter))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[count++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof *names, name_cmp);
    for (size_t i = 0; i < count; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        run_file(path, st);
        free(names[i]);
    }
    free(names);
}

static void shared_suite(void **state)
{
    (void)state;
    conf_stats st = {0};
    run_dir(MBPF_SHARED_DIR "/bpf-conformance/tests", &st);
    print_message("  shared suite: %u same as the interpreter, %u different, %u not loadable\n",
                  st.pass, st.fail, st.skipped);
    assert_int_equal(st.fail, 0);
}

static void our_suite(void **state)
{
    (void)state;
    conf_stats st = {0};
    run_dir(MBPF_SOURCE_DIR "/tests/data", &st);
    print_message("  tests/data: %u same as the interpreter, %u different, %u not loadable\n",
                  st.pass, st.fail, st.skipped);
    assert_int_equal(st.fail, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_suite),
        cmocka_unit_test(our_suite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
