/* The device-side loader: a validated image -> a verified program in a VM.
 *
 * Arena layout (each part 8-aligned), all carved from the embedder's block:
 *   mbpf_program | maps[] | helper ids | code | .data | .bss | [.rodata] |
 *   map storage... | (rest: verifier scratch during the load)
 * Map references in the code (lddw src=5/6) become plain 64-bit immediates,
 * so the verifier, the interpreter and the JIT never see a pseudo-lddw.
 */
#include "image_internal.h"
#include "internal.h"
#include "mbpf/maps.h"

/* Carves n bytes (8-aligned) off the arena cursor. The caller has checked the
 * total, so this never runs past the end. */
static uint8_t *carve(uint8_t **cursor, uint32_t n)
{
    uint8_t *p = *cursor;
    *cursor += img_align8(n);
    return p;
}

/* vm->map_check: a handle is valid iff it is the address of one of this
 * program's map records. */
static bool program_map_check(const mbpf_vm *vm, uint64_t handle, uint32_t *key_size,
                              uint32_t *value_size)
{
    const mbpf_program *prog = vm->loader_data;
    if (!prog || prog->num_maps == 0)
        return false;
    uintptr_t first = (uintptr_t)prog->maps;
    if (handle < first || handle > UINTPTR_MAX)
        return false;
    /* Pointer-width arithmetic: no 64-bit division on a 32-bit core. */
    uintptr_t rel = (uintptr_t)handle - first;
    if (rel >= (uintptr_t)prog->num_maps * sizeof(mbpf_map) || rel % sizeof(mbpf_map) != 0)
        return false;
    const mbpf_map *m = &prog->maps[rel / sizeof(mbpf_map)];
    if (key_size)
        *key_size = m->key_size;
    if (value_size)
        *value_size = m->value_size;
    return true;
}

/* The VM must be able to run what the image needs. */
static int check_vm_fits(const mbpf_vm *vm, const mbpf_image_info *info, mbpf_image_error *err)
{
    if (info->isa > vm->cfg.isa)
        return img_fail(err, MBPF_E_IMAGE, "image needs a newer ISA version than the VM accepts",
                        MBPF_IMAGE_OFF_ISA, MBPF_IMAGE_NO_PC);
    if (info->stack_size > vm->cfg.stack_size) {
        err->needed = info->stack_size;
        return img_fail(err, MBPF_E_IMAGE, "image needs more stack per frame than the VM has",
                        MBPF_IMAGE_OFF_STACK_SIZE, MBPF_IMAGE_NO_PC);
    }
    if (info->max_depth > vm->cfg.max_depth) {
        err->needed = info->max_depth;
        return img_fail(err, MBPF_E_IMAGE, "image needs deeper calls than the VM allows",
                        MBPF_IMAGE_OFF_MAX_DEPTH, MBPF_IMAGE_NO_PC);
    }
    return MBPF_OK;
}

/* Every helper the image lists must exist on the device and pass its policy. */
static int check_policy(const mbpf_image_info *info, const mbpf_load_opts *opts,
                        mbpf_image_error *err)
{
    for (uint32_t i = 0; i < info->num_helpers; i++) {
        uint32_t id = mbpf_image_get_helper(info, i);
        uint32_t at = info->sec[MBPF_SEC_HELPERS].off + i * 4u;
        err->helper_id = id;
        if (!opts->helpers || !mbpf_helpers_find(opts->helpers, id))
            return img_fail(err, MBPF_E_IMAGE, "image lists a helper the device does not provide",
                            at, MBPF_IMAGE_NO_PC);
        if (opts->policy && !mbpf_id_allowed(opts->policy, opts->num_policy, id))
            return img_fail(err, MBPF_E_IMAGE, "device policy refuses a helper the image lists",
                            at, MBPF_IMAGE_NO_PC);
    }
    err->helper_id = 0;
    return MBPF_OK;
}

/* Address an lddw src=6 resolves to: the value of map index idx. */
static uint64_t value_base(const mbpf_program *prog, uint32_t idx)
{
    if (idx == MBPF_IMAGE_MAP_RODATA)
        return (uint64_t)(uintptr_t)prog->rodata;
    if (idx == MBPF_IMAGE_MAP_DATA)
        return (uint64_t)(uintptr_t)prog->data;
    if (idx == MBPF_IMAGE_MAP_BSS)
        return (uint64_t)(uintptr_t)prog->bss;
    return (uint64_t)(uintptr_t)mbpf_map_values(&prog->maps[idx - MBPF_IMAGE_MAP_FIRST]);
}

/* Rewrites lddw src=5/6 into lddw src=0 with the resolved value. The parser
 * has checked every index and offset already. */
static void resolve_lddw(mbpf_program *prog)
{
    mbpf_insn *code = prog->code;
    for (uint32_t pc = 0; pc + 1u < prog->info.num_insns; pc++) {
        mbpf_insn *a = &code[pc];
        if (a->code != MBPF_OP_LDDW)
            continue;
        uint32_t src = MBPF_INSN_SRC(a), idx = (uint32_t)a->imm;
        uint64_t v;
        if (src == MBPF_LDDW_MAP_BY_IDX)
            v = (uint64_t)(uintptr_t)&prog->maps[idx - MBPF_IMAGE_MAP_FIRST];
        else if (src == MBPF_LDDW_MAP_VAL_BY_IDX)
            v = value_base(prog, idx) + (uint32_t)code[pc + 1u].imm;
        else {
            pc++;
            continue;
        }
        a->regs = MBPF_REGS(MBPF_INSN_DST(a), 0u);
        a->imm = (int32_t)(uint32_t)v;
        code[pc + 1u].imm = (int32_t)(uint32_t)(v >> 32);
        pc++;
    }
}

/* Regions the program may touch besides the stack and the context, in the
 * order they are added: .rodata (R), .data, .bss, then each map's values
 * (RW). Empty sections get none. Returns how many there are. */
typedef struct region_def {
    const void *start;
    uint32_t len, flags;
} region_def;

static uint32_t region_at(const mbpf_program *prog, uint32_t k, region_def *out)
{
    const mbpf_image_info *info = &prog->info;
    region_def fixed[3] = {
        {prog->rodata, info->sec[MBPF_SEC_RODATA].len, MBPF_MEM_READ},
        {prog->data, info->sec[MBPF_SEC_DATA].len, MBPF_MEM_RW},
        {prog->bss, info->bss_len, MBPF_MEM_RW},
    };
    uint32_t n = 0;
    for (uint32_t i = 0; i < 3; i++) {
        if (fixed[i].len == 0)
            continue;
        if (n++ == k && out)
            *out = fixed[i];
    }
    if (k >= n && k - n < prog->num_maps && out) {
        const mbpf_map *m = &prog->maps[k - n];
        *out = (region_def){mbpf_map_values(m), mbpf_map_values_len(m), MBPF_MEM_RW};
    }
    return n + prog->num_maps;
}

/* Removes the first `count` regions this program added. */
static void unbind_regions(mbpf_vm *vm, const mbpf_program *prog, uint32_t count)
{
    for (uint32_t k = 0; k < count; k++) {
        region_def r = {0};
        region_at(prog, k, &r);
        (void)mbpf_vm_remove_region(vm, r.start);
    }
}

static int bind_regions(mbpf_vm *vm, mbpf_program *prog, mbpf_image_error *err)
{
    uint32_t want = region_at(prog, 0, NULL);
    /* One slot stays free for the context mbpf_vm_run adds. */
    if (want + 1u > (uint32_t)(vm->cfg.max_regions - vm->num_regions)) {
        err->needed = want + 1u + vm->num_regions;
        return img_fail(err, MBPF_E_NOSPACE,
                        "VM region table too small for the program's data and its context", 0,
                        MBPF_IMAGE_NO_PC);
    }
    for (uint32_t k = 0; k < want; k++) {
        region_def r = {0};
        region_at(prog, k, &r);
        int rc = mbpf_vm_add_region(vm, r.start, r.len, r.flags);
        if (rc != MBPF_OK) {
            unbind_regions(vm, prog, k); /* only what we added */
            return img_fail(err, rc,
                            "cannot add the program's data regions (overlap with the VM's)", 0,
                            MBPF_IMAGE_NO_PC);
        }
    }
    return MBPF_OK;
}

/* Lays the program out in the arena; the caller checked the size. */
static uint8_t *lay_out(mbpf_program *prog, uint8_t *cursor, const mbpf_image_info *info,
                        uint16_t flags)
{
    prog->info = *info;
    prog->num_maps = info->num_maps;
    prog->maps = (mbpf_map *)(void *)carve(&cursor, (uint32_t)sizeof(mbpf_map) * info->num_maps);
    prog->helpers = (uint32_t *)(void *)carve(&cursor, info->num_helpers * 4u);
    for (uint32_t i = 0; i < info->num_helpers; i++)
        prog->helpers[i] = mbpf_image_get_helper(info, i);
    prog->code = (mbpf_insn *)(void *)carve(&cursor, info->num_insns * 8u);
    for (uint32_t pc = 0; pc < info->num_insns; pc++)
        mbpf_image_get_insn(info, pc, &prog->code[pc]);
    prog->data = carve(&cursor, info->sec[MBPF_SEC_DATA].len);
    prog->bss = carve(&cursor, info->bss_len);
    prog->rodata = info->image + info->sec[MBPF_SEC_RODATA].off;
    if (flags & MBPF_LOAD_COPY_RODATA) {
        uint8_t *copy = carve(&cursor, info->sec[MBPF_SEC_RODATA].len);
        memcpy(copy, prog->rodata, info->sec[MBPF_SEC_RODATA].len);
        prog->rodata = copy;
    }
    for (uint32_t i = 0; i < info->num_maps; i++) {
        mbpf_image_map m;
        mbpf_image_get_map(info, i, &m);
        uint32_t size = (uint32_t)mbpf_map_mem_size(m.type, m.key_size, m.value_size,
                                                    m.max_entries);
        (void)mbpf_map_init(&prog->maps[i], m.type, m.key_size, m.value_size, m.max_entries,
                            carve(&cursor, size), size);
    }
    mbpf_program_reset(prog);
    resolve_lddw(prog);
    return cursor;
}

int mbpf_image_load(mbpf_vm *vm, const void *image, size_t len, const mbpf_load_opts *opts,
                    void *arena, size_t arena_len, mbpf_program **prog_out,
                    mbpf_image_error *err)
{
    mbpf_image_error local;
    mbpf_load_opts no_opts = {0};
    mbpf_image_info info;
    if (!err)
        err = &local;
    memset(err, 0, sizeof(*err));
    err->pc = MBPF_IMAGE_NO_PC;
    if (!vm || !image || !arena || !prog_out)
        return img_fail(err, MBPF_E_ARG, "vm, image, arena or prog is NULL", 0, MBPF_IMAGE_NO_PC);
    *prog_out = NULL;
    if (!opts)
        opts = &no_opts;
    if (vm->pad)
        return img_fail(err, MBPF_E_STATE, "VM is running", 0, MBPF_IMAGE_NO_PC);
    if (vm->loaded || vm->loader_data)
        return img_fail(err, MBPF_E_STATE, "VM already has a program", 0, MBPF_IMAGE_NO_PC);
    int rc = mbpf_image_parse(image, len, &info, err);
    if (rc != MBPF_OK)
        return rc;
    rc = check_vm_fits(vm, &info, err);
    if (rc == MBPF_OK)
        rc = check_policy(&info, opts, err);
    if (rc != MBPF_OK)
        return rc;

    uint64_t need = info.arena_needed;
    if (opts->flags & MBPF_LOAD_COPY_RODATA)
        need += img_align8(info.sec[MBPF_SEC_RODATA].len);
    uintptr_t base = ((uintptr_t)arena + 7u) & ~(uintptr_t)7u;
    if ((uint64_t)arena_len < need) {
        err->needed = (uint32_t)need;
        return img_fail(err, MBPF_E_NOSPACE, "arena too small for the program", 0,
                        MBPF_IMAGE_NO_PC);
    }
    uint8_t *end = (uint8_t *)arena + arena_len;
    mbpf_program *prog = (mbpf_program *)base;
    memset(prog, 0, sizeof(*prog));
    uint8_t *cursor = lay_out(prog, (uint8_t *)base + img_align8(sizeof(*prog)), &info,
                              opts->flags);
    prog->vm = vm;

    rc = bind_regions(vm, prog, err);
    if (rc != MBPF_OK)
        return rc;
    const mbpf_helpers *old_helpers = vm->helpers;
    const uint32_t *old_allowed = vm->allowed;
    uint16_t old_num_allowed = vm->num_allowed;
    vm->map_check = program_map_check;
    vm->loader_data = prog;
    mbpf_vm_set_helpers(vm, opts->helpers, prog->helpers, (uint16_t)info.num_helpers);

    /* Lend the rest of the arena to the verifier if it is enough. */
    size_t spare = (size_t)(end - cursor);
    void *scratch = NULL;
    if (spare >= mbpf_verify_scratch_size(prog->code, info.num_insns))
        scratch = cursor;
    /* The header's ISA is a promise about the code: verify against it (it
     * is <= the VM's, checked above), so an image cannot under-declare. */
    uint8_t vm_isa = vm->cfg.isa;
    vm->cfg.isa = (uint8_t)info.isa;
    rc = mbpf_vm_load(vm, prog->code, info.num_insns, scratch, scratch ? spare : 0,
                      &err->verify);
    vm->cfg.isa = vm_isa;
    if (rc != MBPF_OK) {
        err->pc = err->verify.pc;
        err->needed = err->verify.needed ? (uint32_t)need + err->verify.needed : 0;
        img_fail(err, rc, err->verify.msg ? err->verify.msg : "verifier rejected the program",
                 img_insn_off(&info, err->verify.pc < info.num_insns ? err->verify.pc : 0),
                 err->verify.pc);
        unbind_regions(vm, prog, region_at(prog, 0, NULL));
        vm->map_check = NULL;
        vm->loader_data = NULL;
        mbpf_vm_set_helpers(vm, old_helpers, old_allowed, old_num_allowed);
        return rc;
    }
    *prog_out = prog;
    return MBPF_OK;
}

void mbpf_program_reset(mbpf_program *prog)
{
    const mbpf_image_info *info = &prog->info;
    memcpy(prog->data, info->image + info->sec[MBPF_SEC_DATA].off, info->sec[MBPF_SEC_DATA].len);
    memset(prog->bss, 0, info->bss_len);
    for (uint32_t i = 0; i < prog->num_maps; i++)
        mbpf_map_clear(&prog->maps[i]);
}

mbpf_map *mbpf_program_map(mbpf_program *prog, uint32_t i)
{
    return prog && i < prog->num_maps ? &prog->maps[i] : NULL;
}

void mbpf_image_unload(mbpf_vm *vm)
{
    if (!vm || vm->pad || !vm->loader_data)
        return; /* nothing loaded by us, or running */
    mbpf_program *prog = vm->loader_data;
    unbind_regions(vm, prog, region_at(prog, 0, NULL));
    mbpf_vm_set_helpers(vm, NULL, NULL, 0);
    vm->map_check = NULL;
    vm->loader_data = NULL;
    vm->insns = NULL;
    vm->num_insns = 0;
    vm->loaded = 0;
}
