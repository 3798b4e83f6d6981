/* JIT figures of issue 4 (a benchmark, not a test): for Fletcher-16 and each
 * example program, eBPF instructions, generated code bytes, bytes per eBPF
 * instruction, and ARM instructions executed by the JIT'd code under Unicorn
 * (Cortex-M4) against the same C function compiled natively with
 * arm-none-eabi-gcc -O2 -mcpu=cortex-m4 -mthumb and run in the same emulator.
 *
 * usage: bench_jit NATIVE.o FUNC EBPF_PROG [EXAMPLE_PROG...]
 *   NATIVE.o  : Cortex-M4 object holding FUNC(const uint8_t *data, uint32_t len)
 *   EBPF_PROG : the same function as eBPF (.s or .bin), r1 = data, r2 = len
 * Targets (Fletcher-16 over 640 bytes): executed instructions within 1.2x
 * native, code no larger than 1.5x native.
 */
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicorn/unicorn.h>
#include <unistd.h>

#include "datafile.h"
#include "host_image.h"
#include "host_lowmem.h"
#include "host_vm.h"
#include "jit_listing.h"
#include "jit_uc.h"
#include "mbpf/jit.h"

#define TARGET_INSNS 1.2
#define TARGET_CODE 1.5
#define MAX_DATA 4096u

uint32_t fletcher16(const uint8_t *data, uint32_t len); /* fletcher16.c, host build */

/* ---- The native function, from the Cortex-M4 object --------------------- */

typedef struct native_fn {
    uint8_t code[4096];
    size_t size; /* symbol size */
    uint32_t entry;
} native_fn;

static int read_native(const char *path, const char *func, native_fn *fn)
{
    int ok = -1;
    elf_version(EV_CURRENT);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "bench_jit: cannot open %s\n", path);
        return -1;
    }
    Elf *e = elf_begin(fd, ELF_C_READ, NULL);
    Elf_Scn *scn = NULL;
    GElf_Sym found;
    int have = 0;
    while (e && !have && (scn = elf_nextscn(e, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
            continue;
        Elf_Data *d = elf_getdata(scn, NULL);
        for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
            GElf_Sym s;
            const char *name;
            if (gelf_getsym(d, (int)i, &s) && (name = elf_strptr(e, sh.sh_link, s.st_name)) &&
                strcmp(name, func) == 0 && GELF_ST_TYPE(s.st_info) == STT_FUNC) {
                found = s;
                have = 1;
                break;
            }
        }
    }
    if (have) {
        Elf_Scn *text = elf_getscn(e, found.st_shndx);
        Elf_Data *d = text ? elf_getdata(text, NULL) : NULL;
        uint64_t start = found.st_value & ~1ull; /* Thumb bit */
        if (d && found.st_size <= sizeof fn->code && start + found.st_size <= d->d_size) {
            memcpy(fn->code, (const uint8_t *)d->d_buf + start, found.st_size);
            fn->size = found.st_size;
            fn->entry = 0;
            ok = 0;
        }
    }
    if (ok)
        fprintf(stderr, "bench_jit: no function %s in %s\n", func, path);
    if (e)
        elf_end(e);
    close(fd);
    return ok;
}

/* Runs the native function in a Cortex-M4 engine; counts its instructions. */
#define N_CODE 0x08000000u
#define N_DATA 0x20000000u
#define N_STACK 0x20010000u
#define N_MAGIC (N_CODE + 0x8000u)

static void count_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    (void)uc, (void)addr, (void)size;
    ++*(uint64_t *)user;
}

static int run_native(const native_fn *fn, const uint8_t *data, uint32_t len, uint32_t *r0,
                      uint64_t *insns)
{
    uc_engine *uc;
    uc_hook hook;
    if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc) != UC_ERR_OK)
        return -1;
    uc_ctl_set_cpu_model(uc, UC_CPU_ARM_CORTEX_M4);
    uint32_t sp = N_STACK + 0x10000u - 64u, lr = N_MAGIC | 1u, a0 = N_DATA, a1 = len;
    static const uint8_t bkpt[2] = {0x00, 0xbe};
    int rc = -1;
    *insns = 0;
    if (uc_mem_map(uc, N_CODE, 0x10000, UC_PROT_READ | UC_PROT_EXEC) == UC_ERR_OK &&
        uc_mem_map(uc, N_DATA, 0x10000, UC_PROT_READ | UC_PROT_WRITE) == UC_ERR_OK &&
        uc_mem_map(uc, N_STACK, 0x10000, UC_PROT_READ | UC_PROT_WRITE) == UC_ERR_OK &&
        uc_mem_write(uc, N_CODE, fn->code, fn->size) == UC_ERR_OK &&
        uc_mem_write(uc, N_MAGIC, bkpt, 2) == UC_ERR_OK &&
        uc_mem_write(uc, N_DATA, data, len) == UC_ERR_OK &&
        uc_hook_add(uc, &hook, UC_HOOK_CODE, (void *)count_insn, insns, N_CODE,
                    N_CODE + fn->size - 1) == UC_ERR_OK) {
        uc_reg_write(uc, UC_ARM_REG_SP, &sp);
        uc_reg_write(uc, UC_ARM_REG_LR, &lr);
        uc_reg_write(uc, UC_ARM_REG_R0, &a0);
        uc_reg_write(uc, UC_ARM_REG_R1, &a1);
        uc_err err = uc_emu_start(uc, (N_CODE + fn->entry) | 1u, N_MAGIC, 0, 0);
        uint32_t pc = 0;
        uc_reg_read(uc, UC_ARM_REG_PC, &pc);
        uc_reg_read(uc, UC_ARM_REG_R0, r0);
        if (err == UC_ERR_OK && (pc & ~1u) == N_MAGIC)
            rc = 0;
        else
            fprintf(stderr, "bench_jit: native run failed: %s (pc 0x%x)\n", uc_strerror(err), pc);
    }
    uc_close(uc);
    return rc;
}

/* ---- The eBPF program through the JIT ----------------------------------- */

typedef struct jit_fig {
    jit_sizes sizes;
    int loaded;        /* 0: the program was refused at load (note says why) */
    char note[300];
    int status;        /* the JIT'd run's status */
    uint64_t r0, interp_r0;
    int interp_status;
    uint64_t insns, tramp;
} jit_fig;

/* A program ready to run: raw bytecode or assembly on a host_vm (test
 * helpers 5-11), or a .mbpf image on a host_image (maps, global data, the
 * map and IoT helpers of the host platform). */
typedef struct loaded {
    int image;
    host_vm hv;
    host_image hi;
    host_program prog;
    mbpf_vm *vm;
    void *user;
    const mbpf_insn *insns;
    uint32_t n;
} loaded;

static FILE *quiet_console(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    return f;
}

/* 0, or -1 with the reason in note. */
static int load(const char *path, loaded *l, char *note, size_t notelen)
{
    host_vm_opts o;
    host_outcome out;
    memset(l, 0, sizeof *l);
    host_vm_opts_default(&o);
    if (host_image_is_image(path)) {
        size_t len;
        uint8_t *bytes = (uint8_t *)mbpf_read_file(path, &len, note, notelen);
        if (!bytes)
            return -1;
        int rc = host_image_open(&l->hi, &o, bytes, len, quiet_console(), &out);
        free(bytes);
        if (rc != MBPF_OK) {
            snprintf(note, notelen, "%s", out.msg);
            host_image_close(&l->hi);
            return -1;
        }
        l->image = 1;
        l->vm = &l->hi.vm;
        l->user = &l->hi.platform.env;
    } else {
        if (host_program_load(path, &l->prog, note, notelen))
            return -1;
        if (host_vm_create(&l->hv, &o, note, notelen)) {
            host_program_free(&l->prog);
            return -1;
        }
        if (host_vm_load(&l->hv, l->prog.insns, l->prog.n, &out) != MBPF_OK) {
            snprintf(note, notelen, "%s", out.msg);
            host_vm_destroy(&l->hv);
            host_program_free(&l->prog);
            return -1;
        }
        l->vm = &l->hv.vm;
    }
    l->insns = l->vm->insns;
    l->n = l->vm->num_insns;
    return 0;
}

static void unload(loaded *l)
{
    if (l->image) {
        host_image_close(&l->hi);
    } else {
        host_vm_destroy(&l->hv);
        host_program_free(&l->prog);
    }
}

/* Interpreter run and JIT'd run, each on a freshly loaded copy of the
 * program (images keep state in maps) and a fresh copy of data. 0 when both
 * ran (whatever their status), -1 on a harness or compiler failure. */
static int run_jit(const char *path, const uint8_t *data, uint32_t len, jit_fig *f)
{
    static uint8_t *copy; /* below 4 GiB, as the VM's memory (a deopt's interpreter works on it) */
    if (!copy && !(copy = host_low_alloc(MAX_DATA)))
        return -1;
    loaded a, b;
    memset(f, 0, sizeof *f);
    if (load(path, &a, f->note, sizeof f->note))
        return 0; /* refused at load: reported, not a failure of the JIT */
    f->loaded = 1;
    mbpf_result ires;
    memcpy(copy, data, len);
    mbpf_vm_run(a.vm, len ? copy : NULL, len, MBPF_MEM_RW, a.user, &ires);
    f->interp_status = ires.status;
    f->interp_r0 = ires.r0;
    unload(&a);

    if (load(path, &b, f->note, sizeof f->note))
        return -1;
    int rc = -1;
    uint32_t *offsets = calloc((size_t)b.n + 1, sizeof *offsets);
    uint8_t *code = NULL;
    size_t len_code = 0;
    mbpf_jit_error jerr = {0, 0, NULL};
    if (!offsets || mbpf_jit_compile(b.vm, NULL, 0, &len_code, offsets, &jerr) != MBPF_E_NOSPACE ||
        !(code = aligned_alloc(8, (len_code + 7u) & ~(size_t)7u)) ||
        mbpf_jit_compile(b.vm, code, len_code, &len_code, offsets, &jerr) != MBPF_OK) {
        fprintf(stderr, "bench_jit: %s: jit: insn %u: %s\n", path, jerr.pc,
                jerr.msg ? jerr.msg : "failed");
    } else {
        jit_listing_sizes(b.insns, b.n, len_code, offsets, &f->sizes);
        jit_uc *uc = jit_uc_open();
        mbpf_result res;
        jit_uc_stats st;
        memset(&st, 0, sizeof st);
        memcpy(copy, data, len);
        if (!uc || jit_uc_run(uc, b.vm, code, len_code, len ? copy : NULL, len, MBPF_MEM_RW,
                              b.user, &res, &st) != JIT_UC_OK) {
            fprintf(stderr, "bench_jit: %s: harness: %s\n", path,
                    uc ? jit_uc_error(uc) : "no engine");
        } else {
            f->status = res.status;
            f->r0 = res.r0;
            f->insns = st.insns;
            f->tramp = st.tramp;
            rc = 0;
        }
        if (uc)
            jit_uc_close(uc);
    }
    free(code);
    free(offsets);
    unload(&b);
    return rc;
}

/* ---- Report ------------------------------------------------------------- */

static void fill(uint8_t *data, uint32_t len)
{
    uint32_t x = 0x12345678u;
    for (uint32_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (uint8_t)(x >> 16);
    }
}

static const char *verdict(double ratio, double target, char *buf, size_t len)
{
    if (ratio <= target)
        snprintf(buf, len, "met (target %.1fx)", target);
    else
        snprintf(buf, len, "MISSED by %.0f%% (target %.1fx)", (ratio / target - 1.0) * 100.0,
                 target);
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_jit NATIVE.o FUNC EBPF_PROG [EXAMPLE_PROG...]\n");
        return 2;
    }
    static native_fn fn;
    if (read_native(argv[1], argv[2], &fn))
        return 1;
    static uint8_t data[MAX_DATA];
    static const uint32_t lens[] = {80, 160, 320, 640, 1280, 2560};
    int failed = 0;
    jit_fig at640;
    uint64_t native640 = 0;

    printf("Fletcher-16: native C (arm-none-eabi-gcc -O2 -mcpu=cortex-m4 -mthumb) vs eBPF "
           "(%s) through the JIT,\nboth under Unicorn as a Cortex-M4; executed ARM instructions\n\n",
           argv[3]);
    printf("%6s | %10s | %10s | %6s | %10s | %s\n", "bytes", "native", "JIT", "ratio",
           "slow calls", "result");
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        uint32_t n = lens[k], nr0 = 0;
        uint64_t ni = 0;
        jit_fig f;
        fill(data, n);
        uint32_t want = fletcher16(data, n);
        fflush(stdout);
        if (run_native(&fn, data, n, &nr0, &ni)) {
            failed = 1;
            continue;
        }
        if (run_jit(argv[3], data, n, &f) || !f.loaded) {
            if (!f.loaded)
                fprintf(stderr, "bench_jit: %s: %s\n", argv[3], f.note);
            printf("%6u | %10" PRIu64 " | %10s | %6s | %10s | native %s 0x%04x\n", n, ni,
                   "failed", "-", "-", nr0 == want ? "ok" : "WRONG", (unsigned)nr0);
            failed = 1;
            continue;
        }
        int agree = nr0 == want && f.r0 == want && f.interp_r0 == want && f.status == MBPF_OK;
        printf("%6u | %10" PRIu64 " | %10" PRIu64 " | %5.2fx | %10" PRIu64 " | %s 0x%04x\n", n,
               ni, f.insns, (double)f.insns / (double)ni, f.tramp, agree ? "ok" : "WRONG",
               (unsigned)f.r0);
        if (!agree)
            failed = 1;
        if (n == 640) {
            at640 = f;
            native640 = ni;
        }
    }
    if (!native640)
        return 1;

    char b1[64], b2[64];
    double ri = (double)at640.insns / (double)native640;
    double rc = (double)at640.sizes.code_bytes / (double)fn.size;
    printf("\nFletcher-16 over 640 bytes:\n");
    printf("  eBPF instructions      %u\n", at640.sizes.ebpf_insns);
    printf("  JIT code bytes         %zu per program (main %zu + exits and veneers %zu)\n",
           at640.sizes.code_bytes, at640.sizes.main_bytes, at640.sizes.routine_bytes);
    size_t rt_len = 0;
    mbpf_jit_runtime rt;
    (void)mbpf_jit_runtime_emit(NULL, 0, &rt_len, &rt);
    printf("  shared runtime bytes   %zu once per device, for all programs (not in the "
           "figures here)\n", rt_len);
    printf("  bytes per eBPF insn    %.2f\n",
           (double)at640.sizes.code_bytes / at640.sizes.ebpf_insns);
    printf("  native code bytes      %zu (symbol size)\n", fn.size);
    printf("  executed instructions  JIT %" PRIu64 " vs native %" PRIu64 " = %.2fx: %s\n",
           at640.insns, native640, ri, verdict(ri, TARGET_INSNS, b1, sizeof b1));
    printf("  code size (per program) JIT %zu vs native %zu = %.2fx: %s\n",
           at640.sizes.code_bytes, fn.size, rc, verdict(rc, TARGET_CODE, b2, sizeof b2));
    if (at640.tramp)
        printf("  note: %" PRIu64 " calls left the generated code for the slow memory-check "
               "or helper routine (not counted above; the shared runtime's own "
               "instructions are counted)\n", at640.tramp);

    if (argc > 4) {
        printf("\nExample programs, JIT'd under Unicorn (ctx = 640 pseudo-random bytes; images\n"
               "with their maps and the host platform's helpers; slow = calls out of the code;\n"
               "bytes = the program's own code, without the shared runtime):\n");
        printf("%-24s | %6s | %6s | %6s | %10s | %6s | %s\n", "program", "insns", "bytes",
               "B/insn", "ARM insns", "slow", "result");
        fill(data, 640);
        for (int i = 4; i < argc; i++) {
            jit_fig f;
            fflush(stdout);
            if (run_jit(argv[i], data, 640, &f)) {
                printf("%-24s | (failed, see above)\n", argv[i]);
                failed = 1;
                continue;
            }
            const char *base = strrchr(argv[i], '/');
            base = base ? base + 1 : argv[i];
            if (!f.loaded) {
                printf("%-24s | refused at load (interpreter too): %s\n", base, f.note);
                continue;
            }
            int agree = f.status == f.interp_status && (f.status != MBPF_OK || f.r0 == f.interp_r0);
            printf("%-24s | %6u | %6zu | %6.2f | %10" PRIu64 " | %6" PRIu64 " | %s status %d r0 0x%"
                   PRIx64 "\n",
                   base, f.sizes.ebpf_insns, f.sizes.code_bytes,
                   (double)f.sizes.code_bytes / f.sizes.ebpf_insns, f.insns, f.tramp,
                   agree ? "same as interpreter," : "DIFFERS from interpreter,", f.status, f.r0);
            if (!agree) {
                printf("%-24s |   interpreter: status %d r0 0x%" PRIx64 "\n", "", f.interp_status,
                       f.interp_r0);
                failed = 1;
            }
        }
    }
    return failed;
}
