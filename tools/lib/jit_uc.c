/* Unicorn harness for JIT output: see jit_uc.h.
 *
 * Host buffers (VM stack area, regions, ctx) are copied into emulator-owned
 * pages at the same page offset, grouped in clusters that keep their host
 * distances (so pointer arithmetic between nearby buffers translates
 * exactly). Slack bytes of those pages hold a pattern and read-only buffers
 * are compared after the run: a write outside the writable buffers is a
 * harness error, and the host memory is never touched by emulated code.
 * Around a helper call the buffers are synchronised both ways.
 */
#include "jit_uc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicorn/unicorn.h>

#include "host_lowmem.h"

#define CODE_BASE 0x10000000u
#define CODE_MAX 0x00400000u
#define NSTACK_BASE 0x20000000u
#define NSTACK_SIZE 0x00040000u
#define CTXB_BASE 0x30000000u
#define RT_BASE (CODE_BASE + CODE_MAX) /* the shared runtime, emitted once per engine */
#define RT_MAX 0x00010000u
#define TRAMP_BASE 0x0F000000u /* Code region: executable on M-profile */
#define T_MAGIC (TRAMP_BASE + 0x00u)
#define T_CHECK (TRAMP_BASE + 0x10u)
#define T_HELPER (TRAMP_BASE + 0x20u)
#define T_RANGE (TRAMP_BASE + 0x30u)
#define DATA_BASE 0x60000000ull /* RAM region: Normal memory */
#define PAGE 0x1000ull
#define CLUSTER_GAP 0x00100000ull  /* host gaps below this keep one cluster */
#define WINDOW_SLACK 0x00800000ull /* translation reach around a cluster */
#define SLACK_FILL 0xA5u
#define MAX_BUFS 80

typedef struct ubuf {
    uint64_t host; /* address */
    uint32_t len;
    uint32_t flags;
    uint64_t emu;
} ubuf;

typedef struct uspan {
    uint64_t hlo, hhi; /* page aligned host range */
    uint64_t emu;
    int cluster;
    uint8_t *store; /* emulated bytes, shared by both mappings */
    uint64_t alias; /* second mapping at the low 32 bits of hlo, or 0 */
} uspan;

typedef struct ucluster {
    uint64_t hlo, hhi, emu;
} ucluster;

struct jit_uc {
    uc_engine *uc;
    uint64_t cap;
    char err[256];
    ubuf bufs[MAX_BUFS];
    unsigned nbufs;
    uspan spans[MAX_BUFS];
    unsigned nspans;
    ucluster clusters[MAX_BUFS];
    unsigned nclusters;
    /* run state */
    mbpf_vm *vm;
    void *user;
    mbpf_result hres;
    uint64_t fault_host;
    uint64_t insns, tramp;
    uint64_t deopts, deopts_total;
    size_t code_len;
    int harness_err;
    uint8_t *scratch;
    size_t scratch_len;
    mbpf_jit_runtime rt; /* mapped at RT_BASE, its address table after it */
    uint32_t rt_table;   /* emulated address of that table (ctx->rt) */
};

static int herr(jit_uc *h, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int herr(jit_uc *h, int code, const char *fmt, ...)
{
    if (h->harness_err == 0) {
        h->harness_err = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(h->err, sizeof h->err, fmt, ap);
        va_end(ap);
    }
    return code;
}

static void hook_tramp(uc_engine *uc, uint64_t address, uint32_t size, void *user);
static void hook_count(uc_engine *uc, uint64_t address, uint32_t size, void *user);
static bool hook_invalid(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                         int64_t value, void *user);

jit_uc *jit_uc_open(void)
{
    jit_uc *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->cap = 200000000ull;
    if (uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &h->uc) != UC_ERR_OK) {
        free(h);
        return NULL;
    }
    uc_ctl_set_cpu_model(h->uc, UC_CPU_ARM_CORTEX_M4);
    /* The shared runtime: emitted and mapped once, as a device does. */
    uint32_t *rt_code = aligned_alloc(8, RT_MAX);
    size_t rt_len = 0;
    uint32_t table[MBPF_JIT_RT_COUNT];
    bool rt_ok = rt_code &&
                 mbpf_jit_runtime_emit(rt_code, RT_MAX, &rt_len, &h->rt) == MBPF_OK &&
                 rt_len + sizeof table + 8 <= RT_MAX &&
                 uc_mem_map(h->uc, RT_BASE, RT_MAX, UC_PROT_READ | UC_PROT_EXEC) == UC_ERR_OK &&
                 uc_mem_write(h->uc, RT_BASE, rt_code, rt_len) == UC_ERR_OK;
    h->rt_table = RT_BASE + (uint32_t)((rt_len + 7) & ~(size_t)7);
    mbpf_jit_runtime_table(&h->rt, RT_BASE, table);
    rt_ok = rt_ok && uc_mem_write(h->uc, h->rt_table, table, sizeof table) == UC_ERR_OK;
    free(rt_code);
    h->rt.code = NULL; /* the host copy is gone: the blob lives at RT_BASE */
    if (!rt_ok) {
        uc_close(h->uc);
        free(h);
        return NULL;
    }
    uint16_t bx_lr[PAGE / 2];
    for (size_t i = 0; i < PAGE / 2; i++)
        bx_lr[i] = 0x4770u;
    if (uc_mem_map(h->uc, CODE_BASE, CODE_MAX, UC_PROT_ALL) != UC_ERR_OK ||
        uc_mem_map(h->uc, NSTACK_BASE, NSTACK_SIZE, UC_PROT_READ | UC_PROT_WRITE) != UC_ERR_OK ||
        uc_mem_map(h->uc, CTXB_BASE, PAGE, UC_PROT_READ | UC_PROT_WRITE) != UC_ERR_OK ||
        uc_mem_map(h->uc, TRAMP_BASE, PAGE, UC_PROT_READ | UC_PROT_EXEC) != UC_ERR_OK ||
        uc_mem_write(h->uc, TRAMP_BASE, bx_lr, sizeof bx_lr) != UC_ERR_OK) {
        uc_close(h->uc);
        free(h);
        return NULL;
    }
    /* Hooks live as long as the engine: Unicorn 2.0.1 crashes after many
     * add/delete cycles (seen in long differential runs). */
    uc_hook hk;
    if (uc_hook_add(h->uc, &hk, UC_HOOK_CODE, (void *)hook_count, h, CODE_BASE,
                    RT_BASE + RT_MAX - 1) != UC_ERR_OK || /* program and shared runtime */
        uc_hook_add(h->uc, &hk, UC_HOOK_CODE, (void *)hook_tramp, h, TRAMP_BASE,
                    TRAMP_BASE + 0xff) != UC_ERR_OK ||
        uc_hook_add(h->uc, &hk, UC_HOOK_MEM_INVALID, (void *)hook_invalid, h, 1, 0) !=
            UC_ERR_OK) {
        uc_close(h->uc);
        free(h);
        return NULL;
    }
    return h;
}

void jit_uc_close(jit_uc *h)
{
    if (!h)
        return;
    uc_close(h->uc);
    free(h->scratch);
    free(h);
}

void jit_uc_set_insn_cap(jit_uc *h, uint64_t cap) { h->cap = cap; }
const char *jit_uc_error(const jit_uc *h) { return h->err; }

/* ---- address translation ------------------------------------------------ */

uint32_t jit_uc_to_emu(const jit_uc *h, const void *host)
{
    uint64_t a = (uint64_t)(uintptr_t)host;
    for (unsigned i = 0; i < h->nclusters; i++)
        if (a >= h->clusters[i].hlo && a <= h->clusters[i].hhi)
            return (uint32_t)(h->clusters[i].emu + (a - h->clusters[i].hlo));
    return 0;
}

/* Cluster whose window (extent +- slack) holds emu, or -1. */
static int window_of(const jit_uc *h, uint64_t emu)
{
    for (unsigned i = 0; i < h->nclusters; i++) {
        const ucluster *c = &h->clusters[i];
        uint64_t end = c->emu + (c->hhi - c->hlo);
        if (emu + WINDOW_SLACK >= c->emu && emu < end + WINDOW_SLACK)
            return (int)i;
    }
    return -1;
}

uint64_t jit_uc_to_host(const jit_uc *h, uint64_t emu)
{
    int c = window_of(h, emu);
    if (c < 0)
        return emu;
    return h->clusters[c].hlo + (emu - h->clusters[c].emu);
}

static uint64_t host_to_emu_value(const jit_uc *h, uint64_t v)
{
    for (unsigned i = 0; i < h->nbufs; i++)
        if (v >= h->bufs[i].host && v <= h->bufs[i].host + h->bufs[i].len)
            return h->bufs[i].emu + (v - h->bufs[i].host);
    return v;
}

static uint64_t emu_to_host_value(const jit_uc *h, uint64_t v)
{
    for (unsigned i = 0; i < h->nbufs; i++)
        if (v >= h->bufs[i].emu && v <= h->bufs[i].emu + h->bufs[i].len)
            return h->bufs[i].host + (v - h->bufs[i].emu);
    return v;
}

/* ---- mapping the VM's memory --------------------------------------------- */

static int add_buf(jit_uc *h, const void *p, uint32_t len, uint32_t flags)
{
    if (!p || len == 0)
        return 0;
    if (h->nbufs >= MAX_BUFS)
        return herr(h, JIT_UC_E_ARG, "too many regions for the harness (%u)", h->nbufs);
    h->bufs[h->nbufs++] = (ubuf){(uint64_t)(uintptr_t)p, len, flags, 0};
    return 0;
}

static int span_cmp(const void *a, const void *b)
{
    const uspan *x = a, *y = b;
    return x->hlo < y->hlo ? -1 : x->hlo > y->hlo;
}

static int map_buffers(jit_uc *h)
{
    h->nspans = 0;
    for (unsigned i = 0; i < h->nbufs; i++) {
        uint64_t lo = h->bufs[i].host & ~(PAGE - 1);
        uint64_t hi = (h->bufs[i].host + h->bufs[i].len + PAGE - 1) & ~(PAGE - 1);
        h->spans[h->nspans++] = (uspan){lo, hi, 0, 0, NULL, 0};
    }
    qsort(h->spans, h->nspans, sizeof h->spans[0], span_cmp);
    unsigned m = 0;
    for (unsigned i = 0; i < h->nspans; i++) {
        if (m > 0 && h->spans[i].hlo <= h->spans[m - 1].hhi) {
            if (h->spans[i].hhi > h->spans[m - 1].hhi)
                h->spans[m - 1].hhi = h->spans[i].hhi;
        } else {
            h->spans[m++] = h->spans[i];
        }
    }
    h->nspans = m;
    h->nclusters = 0;
    uint64_t next = DATA_BASE, data_end = DATA_BASE;
    for (unsigned i = 0; i < h->nspans; i++) {
        uspan *s = &h->spans[i];
        /* host_lowmem buffers (below 4 GiB, as on a device) keep their address */
        bool low = host_low_contains((const void *)(uintptr_t)s->hlo, s->hhi - s->hlo);
        if (h->nclusters == 0 || s->hlo - h->clusters[h->nclusters - 1].hhi >= CLUSTER_GAP ||
            low != (h->clusters[h->nclusters - 1].emu == h->clusters[h->nclusters - 1].hlo)) {
            if (h->nclusters > 0 && data_end > next)
                next = data_end + 2 * WINDOW_SLACK;
            h->clusters[h->nclusters++] = (ucluster){s->hlo, s->hhi, low ? s->hlo : next};
        }
        ucluster *c = &h->clusters[h->nclusters - 1];
        c->hhi = s->hhi;
        s->cluster = (int)h->nclusters - 1;
        s->emu = c->emu + (s->hlo - c->hlo);
        if (s->emu + (s->hhi - s->hlo) > 0x9F000000ull)
            return herr(h, JIT_UC_E_ARG, "buffers too far apart for the emulator");
        if (!low && s->emu + (s->hhi - s->hlo) > data_end)
            data_end = s->emu + (s->hhi - s->hlo);
    }
    for (unsigned i = 0; i < h->nspans; i++) {
        uspan *s = &h->spans[i];
        size_t len = (size_t)(s->hhi - s->hlo);
        s->store = aligned_alloc(PAGE, len);
        if (!s->store)
            return herr(h, JIT_UC_E_ENGINE, "out of memory");
        memset(s->store, SLACK_FILL, len);
        if (uc_mem_map_ptr(h->uc, s->emu, len, UC_PROT_READ | UC_PROT_WRITE, s->store) !=
            UC_ERR_OK)
            return herr(h, JIT_UC_E_ENGINE, "cannot map 0x%llx (+0x%zx)",
                        (unsigned long long)s->emu, len);
        /* Programs may hold absolute host addresses (lddw of map values or
         * global data rewritten by the loader): the 64-bit value passes the
         * check (see do_check_mem) and the code then uses its low word, so
         * the same bytes are also mapped there when that range is free. */
        uint64_t a = s->hlo & 0xffffffffull;
        bool free_range = a != s->emu && a >= 0x00100000ull && a + len <= 0xE0000000ull &&
                          (a + len <= TRAMP_BASE || a >= CTXB_BASE + PAGE) &&
                          (a + len <= DATA_BASE || a >= data_end + WINDOW_SLACK);
        for (unsigned k = 0; free_range && k < i; k++)
            if (h->spans[k].alias && a < h->spans[k].alias + (h->spans[k].hhi - h->spans[k].hlo) &&
                h->spans[k].alias < a + len)
                free_range = false;
        s->alias = 0;
        if (free_range &&
            uc_mem_map_ptr(h->uc, a, len, UC_PROT_READ | UC_PROT_WRITE, s->store) == UC_ERR_OK)
            s->alias = a;
        if (h->scratch_len < len) {
            free(h->scratch);
            h->scratch = malloc(len);
            h->scratch_len = h->scratch ? len : 0;
            if (!h->scratch)
                return herr(h, JIT_UC_E_ENGINE, "out of memory");
        }
    }
    for (unsigned i = 0; i < h->nbufs; i++)
        h->bufs[i].emu = jit_uc_to_emu(h, (const void *)(uintptr_t)h->bufs[i].host);
    return 0;
}

static void unmap_buffers(jit_uc *h)
{
    for (unsigned i = 0; i < h->nspans; i++) {
        uspan *s = &h->spans[i];
        size_t len = (size_t)(s->hhi - s->hlo);
        if (s->store) {
            uc_mem_unmap(h->uc, s->emu, len);
            if (s->alias)
                uc_mem_unmap(h->uc, s->alias, len);
            free(s->store);
            s->store = NULL;
        }
    }
    h->nspans = 0;
}

static void sync_to_emu(jit_uc *h)
{
    for (unsigned i = 0; i < h->nbufs; i++)
        uc_mem_write(h->uc, h->bufs[i].emu, (const void *)(uintptr_t)h->bufs[i].host,
                     h->bufs[i].len);
}

static void sync_to_host(jit_uc *h)
{
    for (unsigned i = 0; i < h->nbufs; i++)
        if (h->bufs[i].flags & MBPF_MEM_WRITE)
            uc_mem_read(h->uc, h->bufs[i].emu, (void *)(uintptr_t)h->bufs[i].host,
                        h->bufs[i].len);
}

/* After the run: read-only buffers unchanged, slack bytes untouched. */
static void verify_untouched(jit_uc *h)
{
    for (unsigned i = 0; i < h->nspans; i++) {
        uspan *s = &h->spans[i];
        size_t len = (size_t)(s->hhi - s->hlo);
        if (uc_mem_read(h->uc, s->emu, h->scratch, len) != UC_ERR_OK)
            continue;
        for (size_t k = 0; k < len; k++) {
            uint64_t host = s->hlo + k;
            const ubuf *in = NULL;
            for (unsigned b = 0; b < h->nbufs; b++)
                if (host >= h->bufs[b].host && host < h->bufs[b].host + h->bufs[b].len &&
                    (!in || (h->bufs[b].flags & MBPF_MEM_WRITE)))
                    in = &h->bufs[b];
            if (in && (in->flags & MBPF_MEM_WRITE))
                continue;
            uint8_t want = in ? *(const uint8_t *)(uintptr_t)host : SLACK_FILL;
            if (h->scratch[k] != want) {
                herr(h, JIT_UC_E_FAULT, "generated code wrote outside writable memory at 0x%llx (host 0x%llx)",
                     (unsigned long long)(s->emu + k), (unsigned long long)host);
                return;
            }
        }
    }
}

/* ---- hooks ---------------------------------------------------------------- */

static uint32_t rd32(jit_uc *h, uint64_t a)
{
    uint32_t v = 0;
    uc_mem_read(h->uc, a, &v, 4);
    return v;
}

static void wr32(jit_uc *h, uint64_t a, uint32_t v) { uc_mem_write(h->uc, a, &v, 4); }

static void reg_w(jit_uc *h, int r, uint32_t v) { uc_reg_write(h->uc, r, &v); }
static uint32_t reg_r(jit_uc *h, int r)
{
    uint32_t v = 0;
    uc_reg_read(h->uc, r, &v);
    return v;
}

/* Like the device runtime: the region an access passed becomes the cache
 * of each need it allows, at its emulator address. */
static void cache_region(jit_uc *h, uint32_t c, const mbpf_region *reg)
{
    uint32_t start = reg ? jit_uc_to_emu(h, (const void *)reg->start) : 0;
    if (!reg || !start)
        return;
    uint32_t lim = mbpf_jit_cache_lim(reg->len);
    if (reg->flags & MBPF_MEM_READ) {
        wr32(h, c + MBPF_JIT_CTX_CR_START, start);
        wr32(h, c + MBPF_JIT_CTX_CR_LIM, lim);
    }
    if (reg->flags & MBPF_MEM_WRITE) {
        wr32(h, c + MBPF_JIT_CTX_CW_START, start);
        wr32(h, c + MBPF_JIT_CTX_CW_LIM, lim);
    }
}

static void do_check_mem(jit_uc *h)
{
    uint32_t lo = reg_r(h, UC_ARM_REG_R0), hi = reg_r(h, UC_ARM_REG_R1);
    uint32_t desc = reg_r(h, UC_ARM_REG_R2), c = reg_r(h, UC_ARM_REG_R3);
    uint32_t kind = MBPF_JIT_DESC_KIND(desc), size = MBPF_JIT_DESC_SIZE(desc);
    uint32_t need = kind == MBPF_JIT_KIND_LOAD    ? MBPF_MEM_READ
                    : kind == MBPF_JIT_KIND_STORE ? MBPF_MEM_WRITE
                                                  : MBPF_MEM_RW;
    /* A high word that is a host buffer's: an absolute host address held by
     * the program (loader-rewritten lddw), used as is (its low word is an
     * alias mapping). Otherwise the low word is translated and the high word
     * kept: host + (hi << 32), what the interpreter computes from the same
     * register arithmetic. */
    uint64_t addr = jit_uc_to_host(h, lo) + ((uint64_t)hi << 32);
    for (unsigned i = 0; hi && i < h->nspans; i++)
        if ((h->spans[i].hlo >> 32) == hi) {
            addr = (uint64_t)hi << 32 | lo;
            break;
        }
    if (c != CTXB_BASE) {
        herr(h, JIT_UC_E_FAULT, "check_mem called with a bad context block 0x%x", c);
        uc_emu_stop(h->uc);
        return;
    }
    if (mbpf_vm_check_mem(h->vm, addr, size, need)) {
        /* like the device runtime: remember the region for the inline check */
        const mbpf_region *reg = mbpf_vm_find_region(h->vm, addr, size, need);
        cache_region(h, c, reg);
        reg_w(h, UC_ARM_REG_R0, 0);
        return;
    }
    h->fault_host = addr;
    wr32(h, c + MBPF_JIT_CTX_STATUS, (uint32_t)MBPF_E_MEM);
    wr32(h, c + MBPF_JIT_CTX_PC, MBPF_JIT_DESC_PC(desc));
    wr32(h, c + MBPF_JIT_CTX_FAULT_LO, lo);
    wr32(h, c + MBPF_JIT_CTX_FAULT_HI, hi);
    wr32(h, c + MBPF_JIT_CTX_FAULT_SIZE, size);
    wr32(h, c + MBPF_JIT_CTX_KIND, kind);
    reg_w(h, UC_ARM_REG_R0, 1);
}

/* ctx->check_range: the loop guards' question, answered by the interpreter's
 * own check on the host range; the emulated range must be the linear image
 * of it (one window). Records nothing. */
static void do_check_range(jit_uc *h)
{
    uint32_t lo = reg_r(h, UC_ARM_REG_R0), len = reg_r(h, UC_ARM_REG_R1);
    uint32_t desc = reg_r(h, UC_ARM_REG_R2), c = reg_r(h, UC_ARM_REG_R3);
    uint32_t kind = MBPF_JIT_DESC_KIND(desc);
    uint32_t need = kind == MBPF_JIT_KIND_LOAD    ? MBPF_MEM_READ
                    : kind == MBPF_JIT_KIND_STORE ? MBPF_MEM_WRITE
                                                  : MBPF_MEM_RW;
    if (c != CTXB_BASE) {
        herr(h, JIT_UC_E_FAULT, "check_range called with a bad context block 0x%x", c);
        uc_emu_stop(h->uc);
        return;
    }
    uint64_t addr = jit_uc_to_host(h, lo);
    bool ok = len != 0 && (uint64_t)lo + len <= 0x100000000ull && window_of(h, lo) >= 0 &&
              window_of(h, (uint64_t)lo + len - 1) == window_of(h, lo) &&
              mbpf_vm_check_mem(h->vm, addr, len, need);
    if (ok) {
        const mbpf_region *reg = mbpf_vm_find_region(h->vm, addr, len, need);
        cache_region(h, c, reg);
    }
    reg_w(h, UC_ARM_REG_R0, ok ? 0u : 1u);
}

static bool is_pointer_kind(uint8_t k)
{
    return k == MBPF_ARG_MEM_R || k == MBPF_ARG_MEM_W || k == MBPF_ARG_MEM_RW ||
           k == MBPF_ARG_STR || k == MBPF_ARG_MEM_R_OR_NULL || k == MBPF_ARG_MEM_W_OR_NULL ||
           k == MBPF_ARG_MAP_KEY || k == MBPF_ARG_MAP_VALUE;
}

static void do_call_helper(jit_uc *h)
{
    uint32_t sp = reg_r(h, UC_ARM_REG_SP);
    uint64_t a[5];
    a[0] = (uint64_t)reg_r(h, UC_ARM_REG_R1) << 32 | reg_r(h, UC_ARM_REG_R0);
    a[1] = (uint64_t)reg_r(h, UC_ARM_REG_R3) << 32 | reg_r(h, UC_ARM_REG_R2);
    for (unsigned i = 0; i < 3; i++)
        a[2 + i] = (uint64_t)rd32(h, sp + 8 * i + 4) << 32 | rd32(h, sp + 8 * i);
    uint32_t c = rd32(h, sp + 24), id = rd32(h, sp + 28);
    if (c != CTXB_BASE) {
        herr(h, JIT_UC_E_FAULT, "call_helper called with a bad context block 0x%x", c);
        uc_emu_stop(h->uc);
        return;
    }
    const mbpf_helper *def = h->vm->helpers ? mbpf_helpers_find(h->vm->helpers, id) : NULL;
    /* Pointer arguments anywhere near a buffer; other arguments only when
     * they point into one (e.g. a printf %s argument is a scalar by type). */
    for (unsigned i = 0; i < 5; i++) {
        bool ptr = def && is_pointer_kind(def->args[i].kind);
        if ((a[i] >> 32) == 0 && ptr && window_of(h, a[i]) >= 0)
            a[i] = jit_uc_to_host(h, a[i]);
        else if (ptr && window_of(h, a[i] & 0xffffffffu) >= 0)
            /* upper half set: as bad as on the device, but report the address the
             * interpreter computes (host buffer + the same upper half) */
            a[i] = jit_uc_to_host(h, a[i] & 0xffffffffu) + (a[i] & ~(uint64_t)0xffffffffu);
        else if ((a[i] >> 32) == 0 && !ptr)
            a[i] = emu_to_host_value(h, a[i]);
    }
    sync_to_host(h);
    uint64_t ret = 0;
    mbpf_result r = {0};
    int st = mbpf_vm_call_helper(h->vm, id, a, h->user, &ret, &r);
    if (getenv("JIT_UC_DEBUG"))
        fprintf(stderr, "helper %u (%#llx %#llx %#llx %#llx %#llx) -> %d %#llx %s\n", id,
                (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2],
                (unsigned long long)a[3], (unsigned long long)a[4], st,
                (unsigned long long)ret, r.msg ? r.msg : "");
    sync_to_emu(h);
    wr32(h, c + MBPF_JIT_CTX_CR_LIM, 0); /* the helper may have changed the regions */
    wr32(h, c + MBPF_JIT_CTX_CW_LIM, 0);
    if (st != MBPF_OK) {
        h->hres = r;
        wr32(h, c + MBPF_JIT_CTX_STATUS, (uint32_t)st);
        wr32(h, c + MBPF_JIT_CTX_KIND, MBPF_JIT_KIND_HELPER);
        wr32(h, c + MBPF_JIT_CTX_HELPER_ID, id);
        ret = 0;
    }
    ret = host_to_emu_value(h, ret);
    reg_w(h, UC_ARM_REG_R0, (uint32_t)ret);
    reg_w(h, UC_ARM_REG_R1, (uint32_t)(ret >> 32));
}

static void hook_tramp(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    (void)uc, (void)size;
    jit_uc *h = user;
    h->tramp++;
    if (address == T_CHECK)
        do_check_mem(h);
    else if (address == T_HELPER)
        do_call_helper(h);
    else if (address == T_RANGE)
        do_check_range(h);
    else if (address != T_MAGIC) {
        herr(h, JIT_UC_E_FAULT, "jump into the trampoline page at 0x%llx", (unsigned long long)address);
        uc_emu_stop(h->uc);
    }
}

static void hook_count(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    (void)address, (void)size;
    jit_uc *h = user;
    if (++h->insns > h->cap) {
        herr(h, JIT_UC_E_RUNAWAY, "instruction cap of %llu reached", (unsigned long long)h->cap);
        uc_emu_stop(uc);
    }
}

static bool hook_invalid(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                         int64_t value, void *user)
{
    (void)value;
    jit_uc *h = user;
    uint32_t pc = 0;
    uc_reg_read(uc, UC_ARM_REG_PC, &pc);
    char what[48];
    snprintf(what, sizeof what, "%s", type == UC_MEM_WRITE_UNMAPPED ? "write" :
             type == UC_MEM_FETCH_UNMAPPED ? "fetch" : type == UC_MEM_READ_UNMAPPED ? "read"
             : "protected access");
    if (h->harness_err == 0) {
        h->harness_err = JIT_UC_E_FAULT;
        snprintf(h->err, sizeof h->err, "unmapped %s of %d bytes at 0x%llx (pc 0x%x)", what, size,
                 (unsigned long long)address, pc);
    }
    return false;
}

/* ---- deopt: the host interpreter finishes the run ------------------------------ */

/* A register value of the emulated code is the host interpreter's as it
 * is when no buffer is copied to other addresses: buffers below 4 GiB
 * (host_lowmem.c) are mapped at their own address, and an absolute host
 * address (a mapped span's high word) is the host's. A low word inside the
 * window of a cluster that is NOT at its own address may be an address
 * there or a number: that cannot be told apart, so the run fails loudly
 * (never a silent wrong answer): allocate such buffers with host_low_alloc. */
static bool deopt_value_ok(const jit_uc *h, uint64_t v)
{
    uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
    for (unsigned i = 0; hi && i < h->nspans; i++)
        if ((h->spans[i].hlo >> 32) == hi)
            return true;
    int c = window_of(h, lo);
    return c < 0 || h->clusters[c].emu == h->clusters[c].hlo;
}

/* After a deopt (the writable buffers already copied back to the host):
 * registers from the block and the program's map, then the interpreter from
 * the loop head on the host VM, inside this run (ctx still a region). */
static void deopt_resume(jit_uc *h, mbpf_vm *vm, const mbpf_jit_ctx *out, void *user,
                         mbpf_result *res)
{
    uint8_t map[MBPF_JIT_DEOPT_MAP];
    if (out->deopt_map < CODE_BASE || out->deopt_map + sizeof map > CODE_BASE + h->code_len ||
        uc_mem_read(h->uc, out->deopt_map, map, sizeof map) != UC_ERR_OK) {
        herr(h, JIT_UC_E_FAULT, "deopt with a bad map address 0x%x", out->deopt_map);
        return;
    }
    uint64_t regs[11];
    mbpf_jit_deopt_regs(out, map, regs);
    for (unsigned r = 0; r < 11; r++)
        if (!deopt_value_ok(h, regs[r])) {
            herr(h, JIT_UC_E_FAULT,
                 "deopt at pc %u: r%u = %#llx lies by a buffer the harness copied to other "
                 "addresses (not below 4 GiB): the interpreter cannot continue on it",
                 out->deopt_pc, r, (unsigned long long)regs[r]);
            return;
        }
    if (getenv("JIT_UC_DEBUG"))
        for (unsigned r = 0; r < 11; r++)
            fprintf(stderr, "deopt at %u: r%u = %#llx (map %02x)\n", out->deopt_pc, r,
                    (unsigned long long)regs[r], r < 10 ? map[r] : 0u);
    h->deopts++;
    h->deopts_total++;
    res->pc = out->pc; /* the last helper call's, as the interpreter keeps it */
    uint8_t pad = vm->pad;
    vm->pad = 1; /* running, as mbpf_vm_run marks it */
    int st = mbpf_interp_resume(vm, regs, out->deopt_pc, mbpf_jit_budget_left(out), user, res);
    vm->pad = pad;
    if (st == MBPF_E_ARG && res->msg && !strcmp(res->msg, "bad argument"))
        herr(h, JIT_UC_E_FAULT, "deopt at a bad pc %u or budget", out->deopt_pc);
}

/* ---- run ------------------------------------------------------------------- */

int jit_uc_run(jit_uc *h, mbpf_vm *vm, const void *code, size_t code_len, void *ctx,
               uint32_t ctx_len, uint32_t ctx_flags, void *user, mbpf_result *res,
               jit_uc_stats *stats)
{
    if (!h || !vm || !code || !res || code_len == 0 || code_len > CODE_MAX ||
        (ctx_len && !ctx))
        return JIT_UC_E_ARG;
    *res = (mbpf_result){0};
    h->err[0] = 0;
    h->harness_err = 0;
    h->vm = vm;
    h->user = user;
    h->hres = (mbpf_result){0};
    h->insns = h->tramp = h->deopts = 0;
    h->code_len = code_len;
    h->nbufs = 0;
    h->nclusters = 0;
    if (ctx_len != 0) {
        int st = mbpf_vm_add_region(vm, ctx, ctx_len, ctx_flags);
        if (st != MBPF_OK) {
            res->status = st;
            res->msg = st == MBPF_E_NOSPACE ? "region table full: no room for ctx"
                                            : "ctx overlaps a region or is invalid";
            return JIT_UC_OK;
        }
    }
    uint32_t stack_bytes = (uint32_t)vm->cfg.max_depth * vm->cfg.stack_size;
    add_buf(h, vm->stack, stack_bytes, MBPF_MEM_RW);
    for (unsigned i = 0; i < vm->num_regions; i++)
        add_buf(h, (const void *)vm->regions[i].start, vm->regions[i].len,
                vm->regions[i].flags);
    int rc = h->harness_err ? h->harness_err : map_buffers(h);
    if (rc == 0) {
        sync_to_emu(h);
        mbpf_jit_ctx cb = {0};
        cb.stack_base = jit_uc_to_emu(h, vm->stack);
        cb.stack_end = cb.stack_base + stack_bytes;
        cb.arg_ctx = ctx_len ? jit_uc_to_emu(h, ctx) : (uint32_t)(uintptr_t)ctx;
        cb.arg_ctx_len = ctx_len;
        cb.budget_lo = (uint32_t)vm->cfg.budget;
        cb.budget_hi = (uint32_t)(vm->cfg.budget >> 32);
        cb.check_mem = T_CHECK | 1u;
        cb.call_helper = T_HELPER | 1u;
        cb.check_range = T_RANGE | 1u;
        cb.rt = h->rt_table;
        uc_mem_write(h->uc, CTXB_BASE, &cb, sizeof cb);
        /* as the device runner: the caches start with the region the VM
         * found last, then ctx */
        if (vm->last_region < vm->num_regions)
            cache_region(h, CTXB_BASE, &vm->regions[vm->last_region]);
        if (ctx_len != 0) {
            const mbpf_region reg = {(uintptr_t)ctx, ctx_len, ctx_flags};
            cache_region(h, CTXB_BASE, &reg);
        }
        uc_mem_write(h->uc, CODE_BASE, code, code_len);
        const char *dump = getenv("JIT_UC_DUMP");
        FILE *f = dump ? fopen(dump, "wb") : NULL;
        if (f) {
            fwrite(code, 1, code_len, f);
            fclose(f);
        }
        uc_ctl_remove_cache(h->uc, CODE_BASE, CODE_BASE + CODE_MAX);
        /* the native stack starts as garbage, the same every run: code that
         * reads a frame word it never wrote fails the same way each time */
        static uint8_t junk[16384];
        memset(junk, 0xA7, sizeof junk);
        uc_mem_write(h->uc, NSTACK_BASE + NSTACK_SIZE - sizeof junk, junk, sizeof junk);
        /* r1-r12 start as garbage too (AAPCS: the caller's r4-r11, anything
         * in r1-r3, ip), so a register the prologue fails to zero shows */
        for (int r = UC_ARM_REG_R0; r <= UC_ARM_REG_R12; r++)
            reg_w(h, r, 0xA7A70000u | (uint32_t)r);
        reg_w(h, UC_ARM_REG_R0, CTXB_BASE);
        reg_w(h, UC_ARM_REG_SP, NSTACK_BASE + NSTACK_SIZE - 64);
        reg_w(h, UC_ARM_REG_R1, CODE_BASE); /* the shared run routine: ctx, code */
        reg_w(h, UC_ARM_REG_LR, T_MAGIC | 1u);
        uc_err e = uc_emu_start(h->uc, (RT_BASE + h->rt.entry[MBPF_JIT_RT_RUN]) | 1u, T_MAGIC,
                                0, 0);
        uint32_t pc = reg_r(h, UC_ARM_REG_PC);
        if (h->harness_err == 0 && e != UC_ERR_OK)
            herr(h, JIT_UC_E_FAULT, "emulation error at pc 0x%x: %s", pc, uc_strerror(e));
        if (h->harness_err == 0 && pc != T_MAGIC)
            herr(h, JIT_UC_E_FAULT, "generated code did not return (pc 0x%x)", pc);
        if (h->harness_err == 0)
            verify_untouched(h);
        mbpf_jit_ctx out = {0};
        uc_mem_read(h->uc, CTXB_BASE, &out, sizeof out);
        sync_to_host(h);
        res->budget_used = vm->cfg.budget - mbpf_jit_budget_left(&out);
        res->status = (int32_t)out.status;
        if (out.kind == MBPF_JIT_KIND_DEOPT && h->harness_err == 0) {
            deopt_resume(h, vm, &out, user, res);
        } else if (res->status == MBPF_OK) {
            res->r0 = emu_to_host_value(h, (uint64_t)out.r0_hi << 32 | out.r0_lo);
            res->pc = out.pc; /* last helper call, as the interpreter reports */
        } else {
            res->pc = out.pc;
            if (out.kind == MBPF_JIT_KIND_HELPER) {
                res->msg = h->hres.msg;
                res->helper_id = h->hres.helper_id;
                res->fault_addr = h->hres.fault_addr;
                res->fault_size = h->hres.fault_size;
            } else {
                res->msg = mbpf_jit_kind_msg(out.kind);
                if (res->status == MBPF_E_MEM) {
                    res->fault_addr = h->fault_host;
                    res->fault_size = out.fault_size;
                }
            }
        }
        rc = h->harness_err;
    }
    unmap_buffers(h);
    if (ctx_len != 0)
        (void)mbpf_vm_remove_region(vm, ctx);
    if (stats) {
        stats->insns = h->insns;
        stats->tramp = h->tramp;
        stats->code_len = code_len;
        stats->deopts = h->deopts;
    }
    return rc;
}

/* ---- one call for tests ------------------------------------------------------ */

static jit_uc *g_engine; /* host tool state: one engine per process */

int jit_uc_run_program_flags(mbpf_vm *vm, void *ctx, uint32_t ctx_len, uint32_t ctx_flags,
                             void *user, mbpf_result *res, uint64_t *insn_count)
{
    if (!g_engine && !(g_engine = jit_uc_open())) {
        fprintf(stderr, "jit_uc: cannot open the Unicorn engine\n");
        return JIT_UC_E_ENGINE;
    }
    size_t len = 0;
    mbpf_jit_error jerr = {0};
    uint32_t *offs = calloc((size_t)vm->num_insns + 1, sizeof *offs);
    if (!offs)
        return JIT_UC_E_ENGINE;
    int st = mbpf_jit_compile(vm, NULL, 0, &len, offs, &jerr);
    void *code = NULL;
    if (st == MBPF_E_NOSPACE && len > 0) {
        code = aligned_alloc(8, (len + 7) & ~(size_t)7);
        st = code ? mbpf_jit_compile(vm, code, len, &len, offs, &jerr) : MBPF_E_NOSPACE;
    }
    free(offs);
    if (st != MBPF_OK) {
        fprintf(stderr, "jit_uc: compile failed: %s (status %d, pc %u)\n",
                jerr.msg ? jerr.msg : "?", st, jerr.pc);
        free(code);
        return JIT_UC_E_COMPILE;
    }
    jit_uc_stats stats = {0};
    int rc = jit_uc_run(g_engine, vm, code, len, ctx, ctx_len, ctx_flags, user, res, &stats);
    free(code);
    if (insn_count)
        *insn_count = stats.insns;
    if (rc != JIT_UC_OK)
        fprintf(stderr, "jit_uc: %s\n", jit_uc_error(g_engine));
    return rc;
}

uint64_t jit_uc_program_deopts(void) { return g_engine ? g_engine->deopts_total : 0; }

int jit_uc_run_program(mbpf_vm *vm, void *ctx, uint32_t ctx_len, void *user, mbpf_result *res,
                       uint64_t *insn_count)
{
    return jit_uc_run_program_flags(vm, ctx, ctx_len, MBPF_MEM_RW, user, res, insn_count);
}
