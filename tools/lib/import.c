/* Peer program files -> microbpf images. Every size and offset in the input
 * is checked (in 64-bit arithmetic) before it is used; the result goes
 * through mbpf_image_write, which re-validates it with the device parser. */
#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_write.h"

/* Peer stacks are 512 bytes per frame. */
#define PEER_STACK 512u

typedef struct peer {
    uint32_t version, flags, data_len, rodata_len, text_len, nfuncs, nrelocs;
    uint64_t data_off, rodata_off, text_off, funcs_off, relocs_off, helpers_off, end;
} peer;

typedef struct importer {
    char *err;
    size_t errlen;
    mbpf_insn *code;
    uint32_t n;
    mbpf_image_func_desc *funcs;
    uint32_t nfuncs, capfuncs;
    char **owned; /* synthesized function names */
    uint32_t nowned;
    uint32_t *helpers;
} importer;

static int fail(importer *im, const char *fmt, ...)
{
    if (im->err && im->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(im->err, im->errlen, fmt, ap);
        va_end(ap);
    }
    return MBPF_E_IMAGE;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t a8(uint64_t v)
{
    return (v + 7u) & ~(uint64_t)7u;
}

const char *mbpf_import_format_name(mbpf_import_format fmt)
{
    switch (fmt) {
    case MBPF_IMPORT_FC: return "fc";
    case MBPF_IMPORT_UBPF: return "ubpf";
    case MBPF_IMPORT_RAW: return "raw";
    default: return "auto";
    }
}

/* Section offsets of an rBPF file read as FC (ubpf = 0) or µBPF (1). */
static int peer_layout(const uint8_t *in, size_t len, int ubpf, peer *p, importer *im)
{
    uint32_t hdr = ubpf ? MBPF_UBPF_HEADER_SIZE : MBPF_RBF_HEADER_SIZE;
    const char *what = ubpf ? "uBPF" : "Femto-Containers";
    if (len < hdr)
        return fail(im, "%s file shorter than its %u-byte header (%zu bytes)", what, hdr, len);
    if (rd32(in) != MBPF_RBF_MAGIC)
        return fail(im, "bad magic 0x%08x at byte 0 (expected 0x%08x, \"rBPF\")", rd32(in),
                    MBPF_RBF_MAGIC);
    memset(p, 0, sizeof(*p));
    p->version = rd32(in + 4);
    p->flags = rd32(in + 8);
    p->data_len = rd32(in + 12);
    p->rodata_len = rd32(in + 16);
    p->text_len = rd32(in + 20);
    p->nfuncs = rd32(in + 24);
    p->nrelocs = ubpf ? rd32(in + 28) : 0;
    p->data_off = hdr;
    p->rodata_off = p->data_off + a8(p->data_len);
    p->text_off = p->rodata_off + a8(p->rodata_len);
    p->funcs_off = p->text_off + p->text_len;
    p->relocs_off = p->funcs_off + 6u * (uint64_t)p->nfuncs;
    p->helpers_off = p->relocs_off + 8u * (uint64_t)p->nrelocs;
    p->end = p->helpers_off;
    if (p->text_len % 8u != 0)
        return fail(im, "%s .text length %u (byte 20) is not a multiple of 8", what, p->text_len);
    if (p->text_len == 0)
        return fail(im, "%s file has no code (.text length 0 at byte 20)", what);
    if (p->end > len)
        return fail(im,
                    "%s file truncated: header sizes (data %u, rodata %u, text %u, %u functions%s) "
                    "need %llu bytes, file has %zu",
                    what, p->data_len, p->rodata_len, p->text_len, p->nfuncs,
                    ubpf ? ", relocations" : "", (unsigned long long)p->end, len);
    return MBPF_OK;
}

static int add_func(importer *im, const char *name, uint32_t start)
{
    for (uint32_t i = 0; i < im->nfuncs; i++)
        if (im->funcs[i].start == start)
            return MBPF_OK; /* first name wins */
    if (im->nfuncs == im->capfuncs) {
        uint32_t cap = im->capfuncs ? im->capfuncs * 2 : 8;
        void *p = realloc(im->funcs, sizeof(*im->funcs) * cap);
        if (!p)
            return fail(im, "out of memory");
        im->funcs = p;
        im->capfuncs = cap;
    }
    if (!name) {
        char *s = malloc(24), **o = realloc(im->owned, sizeof(char *) * (im->nowned + 1));
        if (!s || !o) {
            free(s);
            if (o)
                im->owned = o;
            return fail(im, "out of memory");
        }
        im->owned = o;
        snprintf(s, 24, "fn_%u", start);
        im->owned[im->nowned++] = s;
        name = s;
    }
    im->funcs[im->nfuncs++] = (mbpf_image_func_desc){name, start, PEER_STACK};
    return MBPF_OK;
}

static int decode_text(importer *im, const uint8_t *text, uint32_t text_len)
{
    im->n = text_len / 8u;
    im->code = malloc(sizeof(mbpf_insn) * (im->n ? im->n : 1));
    if (!im->code)
        return fail(im, "out of memory");
    for (uint32_t pc = 0; pc < im->n; pc++) {
        const uint8_t *b = text + 8u * pc;
        im->code[pc] = (mbpf_insn){b[0], b[1], (int16_t)rd16(b + 2), (int32_t)rd32(b + 4)};
    }
    return MBPF_OK;
}

/* LDDWD / LDDWR -> lddw src=6 on the internal .data / .rodata maps. */
static int rewrite_peer_lddw(importer *im)
{
    for (uint32_t pc = 0; pc < im->n; pc++) {
        mbpf_insn *a = &im->code[pc];
        if (a->code == MBPF_OP_LDDW) {
            pc++;
            continue;
        }
        if (a->code != MBPF_RBF_OP_LDDWD && a->code != MBPF_RBF_OP_LDDWR)
            continue;
        const char *op = a->code == MBPF_RBF_OP_LDDWD ? "LDDWD" : "LDDWR";
        if (pc + 1u >= im->n)
            return fail(im, "insn %u: %s in the last slot has no second half", pc, op);
        mbpf_insn *b = &im->code[pc + 1u];
        if (b->code != 0 || b->regs != 0 || b->off != 0 || b->imm != 0)
            return fail(im, "insn %u: %s second slot must be all zero", pc + 1u, op);
        uint32_t idx = a->code == MBPF_RBF_OP_LDDWD ? MBPF_IMAGE_MAP_DATA : MBPF_IMAGE_MAP_RODATA;
        b->imm = a->imm; /* the offset into the section */
        a->code = MBPF_OP_LDDW;
        a->regs = MBPF_REGS(MBPF_INSN_DST(a), MBPF_LDDW_MAP_VAL_BY_IDX);
        a->imm = (int32_t)idx;
        pc++;
    }
    return MBPF_OK;
}

static int read_functions(importer *im, const uint8_t *in, const peer *p)
{
    const char *ro = (const char *)in + p->rodata_off;
    for (uint32_t i = 0; i < p->nfuncs; i++) {
        const uint8_t *r = in + p->funcs_off + 6u * i;
        uint32_t name = rd16(r), start = rd16(r + 4);
        uint64_t at = p->funcs_off + 6u * i;
        if (name >= p->rodata_len || !memchr(ro + name, 0, p->rodata_len - name))
            return fail(im, "function record %u (byte %llu): name offset %u is not a string in "
                            ".rodata (%u bytes)",
                        i, (unsigned long long)at, name, p->rodata_len);
        if (start % 8u != 0 || start >= p->text_len)
            return fail(im, "function record %u (byte %llu): text offset %u is not an "
                            "instruction of .text (%u bytes)",
                        i, (unsigned long long)at + 4, start, p->text_len);
        if (add_func(im, ro + name, start / 8u))
            return MBPF_E_IMAGE;
    }
    return MBPF_OK;
}

static int read_relocations(importer *im, const uint8_t *in, const peer *p)
{
    for (uint32_t i = 0; i < p->nrelocs; i++) {
        uint64_t at = p->relocs_off + 8u * i;
        uint32_t ioff = rd32(in + at), toff = rd32(in + at + 4);
        if (ioff % 8u != 0 || ioff >= p->text_len)
            return fail(im, "relocated call %u (byte %llu): instruction offset %u outside .text",
                        i, (unsigned long long)at, ioff);
        if (toff % 8u != 0 || toff >= p->text_len)
            return fail(im, "relocated call %u (byte %llu): target offset %u outside .text", i,
                        (unsigned long long)at + 4, toff);
        uint32_t pc = ioff / 8u, target = toff / 8u;
        mbpf_insn *c = &im->code[pc];
        if (c->code != MBPF_OP_CALL)
            return fail(im, "relocated call %u: insn %u is not a call (opcode 0x%02x)", i, pc,
                        c->code);
        c->regs = MBPF_REGS(0, MBPF_CALL_LOCAL);
        c->imm = (int32_t)((int64_t)target - (int64_t)pc - 1);
        if (add_func(im, NULL, target))
            return MBPF_E_IMAGE;
    }
    return MBPF_OK;
}

/* The µBPF helper bytes are the program's allowed helpers. The image lists
 * those the code actually calls (least privilege: a device need not provide
 * a helper the program never uses); a call to an undeclared one is an error. */
static int declared_helpers(importer *im, const uint8_t *ids, uint64_t n, mbpf_image_desc *d)
{
    uint32_t called = mbpf_image_collect_helpers(im->code, im->n, NULL, 0);
    im->helpers = malloc(sizeof(uint32_t) * (called ? called : 1));
    if (!im->helpers)
        return fail(im, "out of memory");
    mbpf_image_collect_helpers(im->code, im->n, im->helpers, called);
    for (uint32_t i = 0; i < called; i++) {
        uint64_t j = 0;
        while (j < n && ids[j] != im->helpers[i])
            j++;
        if (j == n) {
            uint32_t pc = 0;
            while (pc < im->n && !(im->code[pc].code == MBPF_OP_CALL &&
                                   MBPF_INSN_SRC(&im->code[pc]) == MBPF_CALL_HELPER &&
                                   (uint32_t)im->code[pc].imm == im->helpers[i]))
                pc++;
            return fail(im, "insn %u: calls helper 0x%x, which the uBPF helper list does not "
                            "allow",
                        pc, im->helpers[i]);
        }
    }
    d->helpers = im->helpers;
    d->num_helpers = called;
    return MBPF_OK;
}

static int detect(const uint8_t *in, size_t len, mbpf_import_format *fmt, importer *im)
{
    if (*fmt != MBPF_IMPORT_AUTO)
        return MBPF_OK;
    if (len < 4 || rd32(in) != MBPF_RBF_MAGIC) {
        *fmt = MBPF_IMPORT_RAW;
        return MBPF_OK;
    }
    /* An FC file ends exactly after its function records; a µBPF file is at
     * least 4 bytes longer (the relocation count), so the two never collide. */
    peer p;
    char *save = im->err;
    im->err = NULL;
    int fc = peer_layout(in, len, 0, &p, im) == MBPF_OK && p.end == len;
    im->err = save;
    *fmt = fc ? MBPF_IMPORT_FC : MBPF_IMPORT_UBPF;
    return MBPF_OK;
}

int mbpf_import(const uint8_t *in, size_t len, mbpf_import_format fmt, const char *name,
                uint8_t **out, size_t *out_len, mbpf_import_format *detected, char *err,
                size_t errlen)
{
    importer im = {.err = err, .errlen = errlen};
    if (err && errlen)
        err[0] = 0;
    if (!in || !out || !out_len)
        return MBPF_E_ARG;
    *out = NULL;
    *out_len = 0;
    mbpf_image_desc d = {.name = name ? name : "prog", .isa = 3, .stack_size = PEER_STACK};
    peer p;
    int rc = detect(in, len, &fmt, &im);
    if (detected)
        *detected = fmt;
    if (fmt == MBPF_IMPORT_RAW) {
        if (len == 0 || len % 8u != 0)
            rc = fail(&im, "raw bytecode length %zu is not a positive multiple of 8", len);
        if (rc == MBPF_OK)
            rc = decode_text(&im, in, (uint32_t)len);
        if (rc == MBPF_OK)
            rc = add_func(&im, d.name, 0);
    } else {
        int ubpf = fmt == MBPF_IMPORT_UBPF;
        rc = peer_layout(in, len, ubpf, &p, &im);
        if (rc == MBPF_OK && !ubpf && len - p.end >= 8u)
            rc = fail(&im, "Femto-Containers file has %llu bytes after its function records",
                      (unsigned long long)(len - p.end));
        if (rc == MBPF_OK)
            rc = decode_text(&im, in + p.text_off, p.text_len);
        if (rc == MBPF_OK)
            rc = rewrite_peer_lddw(&im);
        if (rc == MBPF_OK)
            rc = read_functions(&im, in, &p);
        if (rc == MBPF_OK && ubpf)
            rc = read_relocations(&im, in, &p);
        if (rc == MBPF_OK && !im.nfuncs)
            rc = add_func(&im, d.name, 0);
        else if (rc == MBPF_OK) {
            /* The peers start at the first byte of .text. */
            int has_entry = 0;
            for (uint32_t i = 0; i < im.nfuncs; i++)
                has_entry |= im.funcs[i].start == 0;
            if (!has_entry)
                rc = add_func(&im, d.name, 0);
        }
        d.rodata = in + p.rodata_off;
        d.rodata_len = p.rodata_len;
        d.data = in + p.data_off;
        d.data_len = p.data_len;
        if (rc == MBPF_OK && ubpf)
            rc = declared_helpers(&im, in + p.helpers_off, len - p.helpers_off, &d);
    }
    if (rc == MBPF_OK) {
        d.code = im.code;
        d.num_insns = im.n;
        d.funcs = im.funcs;
        d.num_funcs = im.nfuncs;
        for (uint32_t i = 0; i < im.nfuncs; i++)
            if (im.funcs[i].start == 0)
                d.entry = i;
        char werr[240];
        rc = mbpf_image_write(&d, out, out_len, werr, sizeof(werr));
        if (rc != MBPF_OK)
            fail(&im, "%s", werr);
    }
    free(im.code);
    free(im.funcs);
    free(im.helpers);
    for (uint32_t i = 0; i < im.nowned; i++)
        free(im.owned[i]);
    free(im.owned);
    return rc;
}
