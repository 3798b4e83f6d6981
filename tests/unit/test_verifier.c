/* Verifier and instruction-table tests: every rejection rule with a program
 * that trips it (exact pc and reason) and one that is just inside it, each
 * ISA version boundary, every valid opcode, scratch sizing, and a large
 * program for linear time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <dirent.h>

#include "datafile.h"
#include "isa.h"
#include "mbpf_asm.h"
#include "mbpf/mbpf.h"
#include "verifier_progs.h"

/* ---- Fixture ----------------------------------------------------------- */

static uint64_t dummy_helper(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                             mbpf_env *env)
{
    (void)a2, (void)a3, (void)a4, (void)a5, (void)env;
    return a1;
}

static mbpf_helper helper_storage[4];
static mbpf_helpers helpers; /* ids 1, 5, 0x100 */

static int setup_helpers(void **state)
{
    (void)state;
    static const uint32_t ids[] = {0x100, 5, 1};
    mbpf_helpers_init(&helpers, helper_storage, ARRAY_LEN(helper_storage));
    for (size_t i = 0; i < ARRAY_LEN(ids); i++) {
        mbpf_helper h = {.id = ids[i], .fn = dummy_helper, .name = "test"};
        if (mbpf_helpers_add(&helpers, &h) != MBPF_OK)
            return -1;
    }
    return 0;
}

static mbpf_config test_cfg(void)
{
    mbpf_config cfg = {
        .stack_size = 512,
        .max_insns = 65536,
        .budget = 1000,
        .max_regions = 4,
        .max_depth = 8,
        .isa = 4,
        .allow_callx = true,
    };
    return cfg;
}

/* Verifies with its own exactly-sized scratch (malloc'd, so ASan sees overruns). */
static mbpf_verify_error verify_opts(const mbpf_verify_opts *opts, const mbpf_insn *p,
                                     uint32_t n)
{
    mbpf_verify_error err;
    size_t len = mbpf_verify_scratch_size(p, n);
    void *scratch = malloc(len);
    assert_non_null(scratch);
    memset(&err, 0xa5, sizeof err); /* must be filled in */
    int rc = mbpf_verify(opts, p, n, scratch, len, &err);
    assert_int_equal(rc, err.status);
    free(scratch);
    return err;
}

static mbpf_verify_error verify_cfg(const mbpf_config *cfg, const mbpf_insn *p, uint32_t n)
{
    mbpf_verify_opts opts = {.cfg = cfg, .helpers = &helpers};
    return verify_opts(&opts, p, n);
}

static void check_ok(mbpf_verify_error err, const char *file, int line)
{
    if (err.status != MBPF_OK)
        fail_msg("%s:%d: rejected at pc %u: %s", file, line, (unsigned)err.pc,
                 err.msg ? err.msg : "(null)");
    _assert_true(err.msg == NULL, "msg == NULL", file, line);
}

static void check_reject(mbpf_verify_error err, uint32_t pc, const char *msg, const char *file,
                         int line)
{
    if (err.status != MBPF_E_VERIFY)
        fail_msg("%s:%d: expected rejection '%s' at pc %u, got status %d", file, line, msg,
                 (unsigned)pc, (int)err.status);
    _assert_string_equal(err.msg, msg, file, line);
    _assert_int_equal(err.pc, pc, file, line);
}

/* ACCEPT(cfg, insns...) / REJECT(cfg, pc, "reason", insns...) */
#define ACCEPT(cfg, ...)                                                                     \
    do {                                                                                     \
        const mbpf_insn p_[] = {__VA_ARGS__};                                                \
        check_ok(verify_cfg(cfg, p_, ARRAY_LEN(p_)), __FILE__, __LINE__);                     \
    } while (0)
#define REJECT(cfg, pc, msg, ...)                                                            \
    do {                                                                                     \
        const mbpf_insn p_[] = {__VA_ARGS__};                                                \
        check_reject(verify_cfg(cfg, p_, ARRAY_LEN(p_)), pc, msg, __FILE__, __LINE__);        \
    } while (0)

static const char *const needs_isa[] = {NULL, NULL, "opcode needs ISA v2", "opcode needs ISA v3",
                                        "opcode needs ISA v4"};

/* ---- The instruction table --------------------------------------------- */

static const valid_opcode *find_valid(uint8_t code)
{
    for (size_t i = 0; i < ARRAY_LEN(valid_opcodes); i++)
        if (valid_opcodes[i].code == code)
            return &valid_opcodes[i];
    return NULL;
}

static void test_table_matches_rfc(void **state)
{
    (void)state;
    assert_int_equal(ARRAY_LEN(valid_opcodes), 120);
    for (unsigned code = 0; code < 256; code++) {
        const valid_opcode *v = find_valid((uint8_t)code);
        if (mbpf_isa_version((uint8_t)code) != (v ? v->version : 0u))
            fail_msg("opcode 0x%02x: table says v%u, RFC says v%u", code,
                     mbpf_isa_version((uint8_t)code), v ? v->version : 0u);
    }
}

static void test_isa_helpers(void **state)
{
    (void)state;
    assert_int_equal(mbpf_isa_mem_size(0x61), 4);
    assert_int_equal(mbpf_isa_mem_size(0x69), 2);
    assert_int_equal(mbpf_isa_mem_size(0x71), 1);
    assert_int_equal(mbpf_isa_mem_size(0x79), 8);
    assert_int_equal(mbpf_isa_mem_size(0x91), 1);
    assert_int_equal(mbpf_isa_mem_size(0xdb), 8);
    assert_int_equal(mbpf_isa_mem_size(0xc3), 4);
    assert_true(mbpf_isa_is_mem(0x62) && mbpf_isa_is_mem(0xc3) && mbpf_isa_is_mem(0x81));
    assert_false(mbpf_isa_is_mem(0x18) || mbpf_isa_is_mem(0x07) || mbpf_isa_is_mem(0x20));
    assert_true(mbpf_isa_is_lddw(0x18));
    assert_int_equal(mbpf_isa_width(0x18), 2);
    assert_int_equal(mbpf_isa_width(0x07), 1);
    assert_true(mbpf_isa_is_jump(0x05) && mbpf_isa_is_jump(0x06) && mbpf_isa_is_jump(0xde) &&
                mbpf_isa_is_jump(0x1d));
    assert_false(mbpf_isa_is_jump(0x85) || mbpf_isa_is_jump(0x95) || mbpf_isa_is_jump(0x8d) ||
                 mbpf_isa_is_jump(0x86) || mbpf_isa_is_jump(0x0d));
    assert_true(mbpf_isa_is_cond_jump(0x15) && !mbpf_isa_is_cond_jump(0x05));
    mbpf_insn ja32 = JA32(-7), ja = JA(-3), jeq = JEQ_K(1, 100, 9);
    assert_int_equal(mbpf_isa_jump_offset(&ja32), -7);
    assert_int_equal(mbpf_isa_jump_offset(&ja), -3);
    assert_int_equal(mbpf_isa_jump_offset(&jeq), 9);
    static const int32_t ok_ops[] = {0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1};
    for (unsigned op = 0; op < 0x200; op++) {
        bool want = false;
        for (size_t i = 0; i < ARRAY_LEN(ok_ops); i++)
            want |= (int32_t)op == ok_ops[i];
        assert_int_equal(mbpf_isa_atomic_op_ok((int32_t)op), want);
    }
    assert_false(mbpf_isa_atomic_op_ok(-1));
    assert_true(mbpf_isa_atomic_writes_src(0x01) && mbpf_isa_atomic_writes_src(0xe1));
    assert_false(mbpf_isa_atomic_writes_src(0xf1) || mbpf_isa_atomic_writes_src(0x40));
}

/* Every opcode: a valid use is accepted at its version and at v4, rejected
 * one version below with "needs ISA vN"; non-opcodes are rejected. */
static void test_every_opcode(void **state)
{
    (void)state;
    mbpf_config cfg = test_cfg();
    for (unsigned code = 0; code < 256; code++) {
        const valid_opcode *v = find_valid((uint8_t)code);
        mbpf_insn prog[3];
        uint32_t n = make_valid_program((uint8_t)code, prog);
        if (!v) {
            const char *want = "unknown opcode";
            if (code == 0x20 || code == 0x28 || code == 0x30 || code == 0x40 || code == 0x48 ||
                code == 0x50)
                want = "legacy packet access (LD_ABS/LD_IND) is not supported";
            else if (code == 0xcb || code == 0xd3)
                want = "atomic operations need size W or DW";
            cfg.isa = 4;
            check_reject(verify_cfg(&cfg, prog, n), 0, want, __FILE__, __LINE__);
            continue;
        }
        for (unsigned isa = 1; isa <= 4; isa++) {
            cfg.isa = (uint8_t)isa;
            mbpf_verify_error err = verify_cfg(&cfg, prog, n);
            if (isa >= v->version) {
                if (err.status != MBPF_OK)
                    fail_msg("opcode 0x%02x at v%u: rejected at pc %u: %s", code, isa,
                             (unsigned)err.pc, err.msg);
            } else {
                check_reject(err, 0, needs_isa[v->version], __FILE__, __LINE__);
            }
        }
    }
}

/* Forms whose opcode is older than the form itself. */
static void test_isa_forms(void **state)
{
    (void)state;
    mbpf_config v3 = test_cfg(), v2 = test_cfg(), v4 = test_cfg();
    v3.isa = 3;
    v2.isa = 2;
    /* sdiv/smod: div/mod with off 1 */
    REJECT(&v3, 0, "signed div/mod (offset 1) needs ISA v4", INSN(0x37, 1, 0, 1, 3), EXIT);
    REJECT(&v3, 0, "signed div/mod (offset 1) needs ISA v4", INSN(0x9c, 1, 2, 1, 0), EXIT);
    ACCEPT(&v4, INSN(0x37, 1, 0, 1, 3), INSN(0x3f, 1, 2, 1, 0), INSN(0x94, 1, 0, 1, -3),
           INSN(0x9c, 1, 2, 1, 0), EXIT);
    ACCEPT(&v3, INSN(0x37, 1, 0, 0, 3), EXIT);
    /* movsx: mov X with off 8/16/32 */
    REJECT(&v3, 0, "movsx needs ISA v4", INSN(0xbf, 1, 2, 8, 0), EXIT);
    REJECT(&v3, 0, "movsx needs ISA v4", INSN(0xbc, 1, 2, 16, 0), EXIT);
    ACCEPT(&v4, INSN(0xbc, 1, 2, 8, 0), INSN(0xbc, 1, 2, 16, 0), INSN(0xbf, 1, 2, 8, 0),
           INSN(0xbf, 1, 2, 16, 0), INSN(0xbf, 1, 2, 32, 0), EXIT);
    /* local calls */
    REJECT(&v2, 0, "local call needs ISA v3", CALL_LOCAL(1), EXIT, EXIT);
    ACCEPT(&v3, CALL_LOCAL(1), EXIT, EXIT);
}

/* ---- Size ------------------------------------------------------------- */

static void test_empty_and_too_large(void **state)
{
    (void)state;
    mbpf_config cfg = test_cfg();
    mbpf_verify_opts opts = {.cfg = &cfg, .helpers = &helpers};
    mbpf_insn prog[4] = {MOV_K(0, 1), MOV_K(0, 2), MOV_K(0, 3), EXIT};
    uint8_t scratch[256];
    mbpf_verify_error err;

    assert_int_equal(mbpf_verify(&opts, prog, 0, scratch, sizeof scratch, &err), MBPF_E_VERIFY);
    assert_string_equal(err.msg, "program is empty");
    assert_int_equal(mbpf_verify(&opts, NULL, 0, scratch, sizeof scratch, &err), MBPF_E_VERIFY);
    assert_int_equal(err.pc, 0);

    cfg.max_insns = 3;
    check_reject(verify_opts(&opts, prog, 4), 3, "program too large", __FILE__, __LINE__);
    cfg.max_insns = 4;
    check_ok(verify_opts(&opts, prog, 4), __FILE__, __LINE__);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    mbpf_config cfg = test_cfg();
    mbpf_verify_opts opts = {.cfg = &cfg};
    mbpf_insn prog[] = {EXIT};
    uint8_t scratch[256];
    mbpf_verify_error err;

    assert_int_equal(mbpf_verify(NULL, prog, 1, scratch, sizeof scratch, &err), MBPF_E_ARG);
    assert_int_equal(err.status, MBPF_E_ARG);
    assert_non_null(err.msg);
    mbpf_verify_opts no_cfg = {0};
    assert_int_equal(mbpf_verify(&no_cfg, prog, 1, scratch, sizeof scratch, &err), MBPF_E_ARG);
    assert_int_equal(mbpf_verify(&opts, NULL, 1, scratch, sizeof scratch, &err), MBPF_E_ARG);
    cfg.isa = 0;
    assert_int_equal(mbpf_verify(&opts, prog, 1, scratch, sizeof scratch, &err), MBPF_E_ARG);
    cfg.isa = 5;
    assert_int_equal(mbpf_verify(&opts, prog, 1, scratch, sizeof scratch, &err), MBPF_E_ARG);
    cfg.isa = 4;
    /* err may be NULL */
    assert_int_equal(mbpf_verify(&opts, prog, 1, scratch, sizeof scratch, NULL), MBPF_OK);
    assert_int_equal(mbpf_verify(&opts, prog, 0, scratch, sizeof scratch, NULL), MBPF_E_VERIFY);
}

/* ---- Scratch memory ---------------------------------------------------- */

static void test_scratch(void **state)
{
    (void)state;
    mbpf_config cfg = test_cfg();
    mbpf_verify_opts opts = {.cfg = &cfg, .helpers = &helpers};
    const mbpf_insn prog[] = {CALL_LOCAL(2), CALL_LOCAL(3), EXIT, CALL_LOCAL(1), EXIT, EXIT};
    size_t need = mbpf_verify_scratch_size(prog, ARRAY_LEN(prog));
    uint8_t *buf = malloc(need + 8);
    mbpf_verify_error err;
    assert_non_null(buf);

    /* More calls need more memory; more slots too. */
    const mbpf_insn plain[] = {MOV_K(0, 0), MOV_K(0, 0), MOV_K(0, 0), MOV_K(0, 0), MOV_K(0, 0),
                               EXIT};
    mbpf_insn many[64];
    for (size_t i = 0; i < ARRAY_LEN(many); i++)
        many[i] = MOV_K(0, 0);
    assert_true(mbpf_verify_scratch_size(plain, ARRAY_LEN(plain)) < need);
    assert_true(mbpf_verify_scratch_size(plain, 1) <= mbpf_verify_scratch_size(plain, 6));
    assert_true(mbpf_verify_scratch_size(many, 33) > mbpf_verify_scratch_size(many, 32));

    /* One byte short: NOSPACE with the exact need, nothing else. */
    int rc = mbpf_verify(&opts, prog, ARRAY_LEN(prog), buf, need - 1, &err);
    assert_int_equal(rc, MBPF_E_NOSPACE);
    assert_int_equal(err.status, MBPF_E_NOSPACE);
    assert_int_equal(err.needed, need);
    assert_non_null(err.msg);
    assert_int_equal(mbpf_verify(&opts, prog, ARRAY_LEN(prog), NULL, 0, &err), MBPF_E_NOSPACE);
    assert_int_equal(err.needed, need);

    /* Exactly enough, at every alignment of the caller's buffer. */
    for (size_t shift = 0; shift < 8; shift++) {
        uint8_t *at = buf + shift;
        memset(buf, 0xee, need + 8);
        rc = mbpf_verify(&opts, prog, ARRAY_LEN(prog), at, need, &err);
        assert_int_equal(rc, MBPF_OK);
        for (size_t i = 0; i < shift; i++)
            assert_int_equal(buf[i], 0xee); /* nothing written before the buffer */
        for (size_t i = shift + need; i < need + 8; i++)
            assert_int_equal(buf[i], 0xee); /* nor after it */
    }
    free(buf);
}

/* ---- Encoding rules ---------------------------------------------------- */

static void test_reserved_fields(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    /* ALU K: src 0, off 0 */
    REJECT(&c, 0, "nonzero reserved src field", INSN(0x07, 1, 2, 0, 1), EXIT);
    REJECT(&c, 0, "nonzero reserved offset", INSN(0x04, 1, 0, 1, 1), EXIT);
    REJECT(&c, 0, "nonzero reserved offset", INSN(0xb7, 1, 0, 8, 1), EXIT); /* no movsx K */
    /* ALU X: imm 0, off 0 */
    REJECT(&c, 0, "nonzero reserved immediate", INSN(0x0f, 1, 2, 0, 1), EXIT);
    REJECT(&c, 0, "nonzero reserved offset", INSN(0xaf, 1, 2, -1, 0), EXIT);
    /* div/mod offset 0 or 1 */
    REJECT(&c, 0, "div/mod offset must be 0 (unsigned) or 1 (signed)", INSN(0x3f, 1, 2, 2, 0),
           EXIT);
    REJECT(&c, 0, "div/mod offset must be 0 (unsigned) or 1 (signed)", INSN(0x94, 1, 0, -1, 3),
           EXIT);
    REJECT(&c, 0, "nonzero reserved src field", INSN(0x37, 1, 2, 1, 3), EXIT);
    /* movsx widths: 32-bit form 8/16 only */
    REJECT(&c, 0, "mov32 offset must be 0, 8 or 16 (movsx)", INSN(0xbc, 1, 2, 32, 0), EXIT);
    REJECT(&c, 0, "mov offset must be 0, 8, 16 or 32 (movsx)", INSN(0xbf, 1, 2, 64, 0), EXIT);
    REJECT(&c, 0, "mov offset must be 0, 8, 16 or 32 (movsx)", INSN(0xbf, 1, 2, 1, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved immediate", INSN(0xbf, 1, 2, 8, 1), EXIT);
    /* neg: src 0, imm 0 */
    REJECT(&c, 0, "nonzero reserved src field", INSN(0x87, 1, 2, 0, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved immediate", INSN(0x84, 1, 0, 0, 1), EXIT);
    ACCEPT(&c, INSN(0x84, 1, 0, 0, 0), INSN(0x87, 1, 0, 0, 0), EXIT);
    /* END: imm 16/32/64, src 0 */
    ACCEPT(&c, INSN(0xd4, 1, 0, 0, 16), INSN(0xd4, 1, 0, 0, 32), INSN(0xd4, 1, 0, 0, 64),
           INSN(0xdc, 1, 0, 0, 16), INSN(0xdc, 1, 0, 0, 64), INSN(0xd7, 1, 0, 0, 16),
           INSN(0xd7, 1, 0, 0, 64), EXIT);
    REJECT(&c, 0, "byte swap width (imm) must be 16, 32 or 64", INSN(0xdc, 1, 0, 0, 8), EXIT);
    REJECT(&c, 0, "byte swap width (imm) must be 16, 32 or 64", INSN(0xd7, 1, 0, 0, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved src field", INSN(0xd4, 1, 1, 0, 16), EXIT);
    /* loads and stores */
    REJECT(&c, 0, "nonzero reserved immediate", INSN(0x79, 1, 2, 0, 1), EXIT);
    REJECT(&c, 0, "nonzero reserved src field", INSN(0x7a, 1, 2, 0, 1), EXIT);
    REJECT(&c, 0, "nonzero reserved immediate", INSN(0x7b, 1, 2, 0, 1), EXIT);
    ACCEPT(&c, INSN(0x79, 1, 2, -32768, 0), INSN(0x7a, 1, 0, 32767, -1), EXIT);
    /* jumps */
    REJECT(&c, 0, "nonzero reserved dst field", INSN(0x05, 1, 0, 0, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved src field", INSN(0x05, 0, 1, 0, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved immediate", INSN(0x05, 0, 0, 0, 1), EXIT);
    REJECT(&c, 0, "nonzero reserved offset", INSN(0x06, 0, 0, 1, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved dst field", INSN(0x06, 2, 0, 0, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved src field", INSN(0x15, 1, 2, 0, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved immediate", INSN(0x1d, 1, 2, 0, 4), EXIT);
    REJECT(&c, 0, "nonzero reserved src field", INSN(0x16, 1, 2, 0, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved immediate", INSN(0x1e, 1, 2, 0, 4), EXIT);
    /* exit, call, callx */
    REJECT(&c, 0, "nonzero reserved dst field", INSN(0x95, 1, 0, 0, 0));
    REJECT(&c, 0, "nonzero reserved src field", INSN(0x95, 0, 1, 0, 0));
    REJECT(&c, 0, "nonzero reserved offset", INSN(0x95, 0, 0, 1, 0));
    REJECT(&c, 0, "nonzero reserved immediate", INSN(0x95, 0, 0, 0, 1));
    REJECT(&c, 0, "nonzero reserved dst field", INSN(0x85, 1, 0, 0, 5), EXIT);
    REJECT(&c, 0, "nonzero reserved offset", INSN(0x85, 0, 0, 1, 5), EXIT);
    REJECT(&c, 0, "call source must be 0 (helper), 1 (local) or 2 (BTF id)",
           INSN(0x85, 0, 3, 0, 5), EXIT);
    REJECT(&c, 0, "nonzero reserved src field", INSN(0x8d, 1, 1, 0, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved offset", INSN(0x8d, 1, 0, 1, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved immediate", INSN(0x8d, 1, 0, 0, 5), EXIT);
    /* the rejection names the right instruction */
    REJECT(&c, 2, "nonzero reserved immediate", MOV_K(0, 1), MOV_K(1, 2), INSN(0x0f, 1, 2, 0, 1),
           EXIT);
}

static void test_atomics(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    static const int32_t ops[] = {0x00, 0x01, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe1, 0xf1};
    for (size_t i = 0; i < ARRAY_LEN(ops); i++) {
        ACCEPT(&c, ATOMIC_DW(1, 2, 0, ops[i]), ATOMIC_W(1, 2, -4, ops[i]), EXIT);
    }
    REJECT(&c, 0, "unknown atomic operation (imm)", ATOMIC_DW(1, 2, 0, 0x02), EXIT);
    REJECT(&c, 0, "unknown atomic operation (imm)", ATOMIC_W(1, 2, 0, 0xe0), EXIT); /* xchg needs fetch */
    REJECT(&c, 0, "unknown atomic operation (imm)", ATOMIC_W(1, 2, 0, 0xf0), EXIT);
    REJECT(&c, 0, "unknown atomic operation (imm)", ATOMIC_W(1, 2, 0, 0x100), EXIT);
    REJECT(&c, 0, "unknown atomic operation (imm)", ATOMIC_W(1, 2, 0, 0x10), EXIT); /* sub */
    REJECT(&c, 0, "atomic operations need size W or DW", INSN(0xd3, 1, 2, 0, 0), EXIT);
    REJECT(&c, 0, "atomic operations need size W or DW", INSN(0xcb, 1, 2, 0, 0), EXIT);
}

static void test_registers(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    ACCEPT(&c, MOV_X(0, 10), ADD_X(9, 10), EXIT);
    REJECT(&c, 0, "destination register above r10", MOV_K(11, 0), EXIT);
    REJECT(&c, 0, "destination register above r10", INSN(0x04, 15, 0, 0, 0), EXIT);
    REJECT(&c, 0, "source register above r10", MOV_X(1, 11), EXIT);
    REJECT(&c, 0, "source register above r10", LDXDW(1, 12, 0), EXIT);
    REJECT(&c, 0, "destination register above r10", STXDW(13, 1, 0), EXIT);
    REJECT(&c, 0, "source register above r10", STXDW(1, 14, 0), EXIT);
    REJECT(&c, 0, "destination register above r10", STDW(11, 0, 0), EXIT);
    REJECT(&c, 0, "destination register above r10", JEQ_K(11, 0, 0), EXIT);
    REJECT(&c, 0, "source register above r10", JNE_X(1, 11, 0), EXIT);
    REJECT(&c, 0, "destination register above r10", CALLX(11), EXIT);
    REJECT(&c, 0, "source register above r10", ATOMIC_DW(1, 11, 0, 0), EXIT);
    REJECT(&c, 0, "destination register above r10", LDDW(11, 1), EXIT);
}

static void test_r10_read_only(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    const char *ro = "write to r10 (read-only frame pointer)";
    REJECT(&c, 0, ro, MOV_K(10, 0), EXIT);
    REJECT(&c, 0, ro, MOV_X(10, 1), EXIT);
    REJECT(&c, 0, ro, ADD_K(10, 8), EXIT);
    REJECT(&c, 0, ro, MOV32_K(10, 0), EXIT);
    REJECT(&c, 0, ro, INSN(0x87, 10, 0, 0, 0), EXIT);  /* neg */
    REJECT(&c, 0, ro, INSN(0xdc, 10, 0, 0, 16), EXIT); /* be16 */
    REJECT(&c, 0, ro, INSN(0x3f, 10, 1, 1, 0), EXIT);  /* sdiv */
    REJECT(&c, 0, ro, INSN(0xbf, 10, 1, 8, 0), EXIT);  /* movsx */
    REJECT(&c, 0, ro, LDXDW(10, 1, 0), EXIT);
    REJECT(&c, 0, ro, LDXSW(10, 1, 0), EXIT);
    REJECT(&c, 0, ro, LDDW(10, 0), EXIT);
    REJECT(&c, 0, ro, ATOMIC_DW(1, 10, 0, 0x01), EXIT); /* fetch add writes src */
    REJECT(&c, 0, ro, ATOMIC_W(1, 10, 0, 0xa1), EXIT);  /* fetch xor */
    REJECT(&c, 0, ro, ATOMIC_DW(1, 10, 0, 0xe1), EXIT); /* xchg */
    /* reading r10 is fine everywhere: stores, non-fetch atomics, cmpxchg (writes r0), callx */
    ACCEPT(&c, STXDW(1, 10, 0), ATOMIC_DW(1, 10, 0, 0x00), ATOMIC_DW(1, 10, 0, 0xf1),
           JNE_X(10, 1, 0), CALLX(10), LDXDW(1, 10, -8), STDW(10, -8, 0), EXIT);
}

static void test_legacy_packet_access(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    static const uint8_t legacy[] = {0x20, 0x28, 0x30, 0x40, 0x48, 0x50};
    for (size_t i = 0; i < ARRAY_LEN(legacy); i++)
        REJECT(&c, 1, "legacy packet access (LD_ABS/LD_IND) is not supported", MOV_K(6, 0),
               INSN(legacy[i], 0, 1, 0, 12), EXIT);
}

static void test_lddw(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    ACCEPT(&c, LDDW(0, 0x1122334455667788ull), LDDW(1, UINT64_MAX), EXIT);
    /* the second slot's imm is data: any value */
    ACCEPT(&c, INSN(0x18, 0, 0, 0, -1), INSN(0, 0, 0, 0, -1), EXIT);
    REJECT(&c, 0, "lddw is missing its second slot", INSN(0x18, 0, 0, 0, 1));
    REJECT(&c, 1, "lddw is missing its second slot", EXIT, INSN(0x18, 0, 0, 0, 1));
    const char *bad2 = "malformed lddw second slot (opcode, registers, offset must be 0)";
    REJECT(&c, 1, bad2, INSN(0x18, 0, 0, 0, 1), INSN(0x95, 0, 0, 0, 0), EXIT);
    REJECT(&c, 1, bad2, INSN(0x18, 0, 0, 0, 1), INSN(0, 1, 0, 0, 0), EXIT);
    REJECT(&c, 1, bad2, INSN(0x18, 0, 0, 0, 1), INSN(0, 0, 1, 0, 0), EXIT);
    REJECT(&c, 1, bad2, INSN(0x18, 0, 0, 0, 1), INSN(0, 0, 0, 1, 0), EXIT);
    REJECT(&c, 0, "nonzero reserved offset", INSN(0x18, 0, 0, 1, 1), INSN(0, 0, 0, 0, 0), EXIT);
    for (unsigned src = 1; src <= 6; src++)
        REJECT(&c, 0, "lddw pseudo-source must be resolved by the loader",
               INSN(0x18, 1, src, 0, 1), INSN(0, 0, 0, 0, 0), EXIT);
    REJECT(&c, 0, "unknown lddw source (src must be 0..6)", INSN(0x18, 1, 7, 0, 1),
           INSN(0, 0, 0, 0, 0), EXIT);
    /* a lone second slot (opcode 0) is not an instruction */
    REJECT(&c, 1, "unknown opcode", MOV_K(0, 0), INSN(0, 0, 0, 0, 0), EXIT);
    /* jumps onto the second slot, forward and backward */
    REJECT(&c, 0, "jump into the middle of lddw", JA(1), LDDW(0, 1), EXIT);
    REJECT(&c, 3, "jump into the middle of lddw", MOV_K(0, 0), LDDW(0, 1), JEQ_K(0, 1, -2), EXIT);
    REJECT(&c, 0, "jump into the middle of lddw", JA32(1), LDDW(0, 1), EXIT);
    ACCEPT(&c, JA(0), LDDW(0, 1), JEQ_K(0, 1, -4), JEQ_K(0, 1, -4), EXIT);
}

/* ---- Jumps --------------------------------------------------------------- */

static void test_jump_range(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    const char *oor = "jump out of range";
    /* last and first slot are in range */
    ACCEPT(&c, JEQ_K(1, 0, 1), JA(0), EXIT);
    ACCEPT(&c, MOV_K(0, 0), JEQ_K(0, 1, -2), EXIT);
    ACCEPT(&c, JA32(1), MOV_K(0, 1), EXIT);
    ACCEPT(&c, MOV_K(0, 0), JEQ32_K(0, 1, -2), EXIT);
    /* one past either end */
    REJECT(&c, 0, oor, JEQ_K(1, 0, 2), JA(0), EXIT);
    REJECT(&c, 1, oor, MOV_K(0, 0), JEQ_K(0, 1, -3), EXIT);
    REJECT(&c, 1, oor, MOV_K(0, 0), JA(-3), EXIT);
    REJECT(&c, 0, oor, JA32(2), MOV_K(0, 1), EXIT);
    REJECT(&c, 1, oor, MOV_K(0, 0), JA32(-3), EXIT);
    REJECT(&c, 1, oor, MOV_K(0, 0), JEQ32_K(0, 1, 5), EXIT);
    REJECT(&c, 0, oor, JNE_X(1, 2, 32767), EXIT);
    REJECT(&c, 0, oor, JNE_X(1, 2, -32768), EXIT);
    /* ja32 reaches beyond the 16-bit offset range, and far out of range */
    REJECT(&c, 0, oor, JA32(INT32_MAX), EXIT);
    REJECT(&c, 0, oor, JA32(INT32_MIN), EXIT);
    /* a jump onto itself is in range (an infinite loop is the budget's job) */
    ACCEPT(&c, JA(-1));
}

static void test_jump_between_functions(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    const char *out = "jump out of its function";
    /* main: 0-2, f: 3-4 */
    ACCEPT(&c, CALL_LOCAL(2), JA(0), EXIT, MOV_K(0, 1), EXIT);
    REJECT(&c, 1, out, CALL_LOCAL(2), JA(1), EXIT, MOV_K(0, 1), EXIT);     /* into f */
    REJECT(&c, 3, out, CALL_LOCAL(2), JA(0), EXIT, JA(-3), EXIT);          /* f into main */
    REJECT(&c, 3, out, CALL_LOCAL(2), JA(0), EXIT, JEQ_K(0, 0, -2), EXIT); /* onto main's exit */
    REJECT(&c, 1, out, CALL_LOCAL(2), JA32(1), EXIT, MOV_K(0, 1), EXIT);
    /* to the first slot of the own function: fine */
    ACCEPT(&c, CALL_LOCAL(2), JA(0), EXIT, MOV_K(0, 1), JEQ_K(0, 0, -2), EXIT);
}

/* ---- Calls ----------------------------------------------------------------- */

static void test_helper_calls(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    ACCEPT(&c, CALL(1), CALL(5), CALL(0x100), EXIT);
    REJECT(&c, 1, "call to unknown helper id", CALL(5), CALL(6), EXIT);
    REJECT(&c, 0, "call to unknown helper id", CALL(-1), EXIT);
    REJECT(&c, 0, "helper calls by BTF id (call src=2) are not supported", INSN(0x85, 0, 2, 0, 5),
           EXIT);

    /* no helper table: every helper call is unknown */
    const mbpf_insn p[] = {CALL(5), EXIT};
    mbpf_verify_opts none = {.cfg = &c};
    check_reject(verify_opts(&none, p, 2), 0, "call to unknown helper id", __FILE__, __LINE__);
    const mbpf_insn q[] = {MOV_K(0, 0), EXIT};
    check_ok(verify_opts(&none, q, 2), __FILE__, __LINE__);

    /* allow list (sorted) */
    static const uint32_t allowed[] = {1, 0x100};
    mbpf_verify_opts some = {.cfg = &c, .helpers = &helpers, .allowed = allowed,
                             .num_allowed = 2};
    const mbpf_insn ok[] = {CALL(1), CALL(0x100), EXIT};
    check_ok(verify_opts(&some, ok, 3), __FILE__, __LINE__);
    const mbpf_insn bad[] = {CALL(1), CALL(5), EXIT};
    check_reject(verify_opts(&some, bad, 3), 1, "helper not allowed", __FILE__, __LINE__);
    const mbpf_insn unknown[] = {CALL(7), EXIT};
    check_reject(verify_opts(&some, unknown, 2), 0, "call to unknown helper id", __FILE__,
                 __LINE__);
    mbpf_verify_opts empty = {.cfg = &c, .helpers = &helpers, .allowed = allowed,
                              .num_allowed = 0};
    check_reject(verify_opts(&empty, ok, 3), 0, "helper not allowed", __FILE__, __LINE__);
}

static void test_callx(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    ACCEPT(&c, MOV_K(2, 5), CALLX(2), EXIT);
    ACCEPT(&c, MOV_K(2, 99), CALLX(2), EXIT); /* the id is checked at run time */
    c.allow_callx = false;
    REJECT(&c, 1, "callx is not enabled (cfg.allow_callx)", MOV_K(2, 5), CALLX(2), EXIT);
}

static void test_local_call_targets(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    ACCEPT(&c, CALL_LOCAL(1), EXIT, MOV_K(0, 2), EXIT);
    REJECT(&c, 0, "local call out of range", CALL_LOCAL(2), EXIT, EXIT);
    REJECT(&c, 1, "local call out of range", EXIT, CALL_LOCAL(-3), EXIT);
    REJECT(&c, 0, "local call out of range", CALL_LOCAL(INT32_MAX), EXIT);
    REJECT(&c, 0, "local call out of range", CALL_LOCAL(INT32_MIN), EXIT);
    REJECT(&c, 0, "local call into the middle of lddw", CALL_LOCAL(2), EXIT, LDDW(0, 1), EXIT);
    /* a callee of itself is recursion, not a range problem */
    REJECT(&c, 0, "recursive local call", CALL_LOCAL(-1), EXIT);
}

static void test_fall_off(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    const char *off = "code can fall off the end of the function";
    REJECT(&c, 0, off, MOV_K(0, 0));
    REJECT(&c, 1, off, MOV_K(0, 0), MOV_K(0, 0));
    REJECT(&c, 0, off, CALL(5));
    REJECT(&c, 0, off, LDDW(0, 1));
    REJECT(&c, 1, off, MOV_K(0, 0), JEQ_K(0, 0, -2));
    ACCEPT(&c, MOV_K(0, 0), JA(-2));
    ACCEPT(&c, MOV_K(0, 0), JA32(-2));
    /* main falls into f */
    REJECT(&c, 1, off, CALL_LOCAL(1), MOV_K(0, 0), MOV_K(0, 1), EXIT);
    /* the callee's last slot */
    REJECT(&c, 3, off, CALL_LOCAL(1), EXIT, MOV_K(0, 1), JEQ_K(0, 1, -2));
    REJECT(&c, 2, off, CALL_LOCAL(1), EXIT, CALL_LOCAL(0), MOV_K(0, 1), EXIT);
    /* exit in the middle and ja at the end (exit-not-last.data) */
    ACCEPT(&c, MOV_K(1, 0), JA(2), MOV_K(2, 0), EXIT, MOV_K(0, 0), JA(-4));
}

static void test_recursion(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    const char *rec = "recursive local call";
    /* f calls itself */
    REJECT(&c, 2, rec, CALL_LOCAL(1), EXIT, CALL_LOCAL(-1), EXIT);
    /* f -> g -> f: the call in g closes the cycle */
    REJECT(&c, 4, rec, CALL_LOCAL(1), EXIT, CALL_LOCAL(1), EXIT, CALL_LOCAL(-3), EXIT);
    /* g -> main */
    REJECT(&c, 2, rec, CALL_LOCAL(1), EXIT, CALL_LOCAL(-3), EXIT);
    /* diamond (main -> f, main -> g, f -> g) is no cycle, nor calling one function twice */
    ACCEPT(&c, CALL_LOCAL(3), CALL_LOCAL(4), CALL_LOCAL(3), EXIT, CALL_LOCAL(1), EXIT, MOV_K(0, 1),
           EXIT);
    /* a cycle among functions main never calls still counts (static call graph) */
    REJECT(&c, 3, rec, EXIT, CALL_LOCAL(1), EXIT, CALL_LOCAL(-3), EXIT);
    /* three deep, cycle at the bottom: main -> a -> b -> c -> a */
    REJECT(&c, 6, rec, CALL_LOCAL(1), EXIT, CALL_LOCAL(1), EXIT, CALL_LOCAL(1), EXIT,
           CALL_LOCAL(-5), EXIT);
}

static void test_stack_bounds(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    const char *oob = "r10-relative access outside the stack frame";
    ACCEPT(&c, LDXDW(0, 10, -512), LDXDW(0, 10, -8), LDXB(0, 10, -1), STXDW(10, 1, -8),
           STDW(10, -512, 1), STW(10, -4, 0), STXH(10, 1, -2), ATOMIC_DW(10, 1, -8, 0x01),
           ATOMIC_W(10, 1, -4, 0xf1), LDXSW(1, 10, -4), EXIT);
    REJECT(&c, 0, oob, LDXDW(0, 10, -520), EXIT);
    REJECT(&c, 0, oob, LDXDW(0, 10, -513), EXIT);
    REJECT(&c, 0, oob, LDXDW(0, 10, -4), EXIT); /* straddles the top */
    REJECT(&c, 0, oob, LDXB(0, 10, 0), EXIT);
    REJECT(&c, 0, oob, LDXSW(0, 10, -2), EXIT);
    REJECT(&c, 0, oob, STXDW(10, 1, 0), EXIT);
    REJECT(&c, 0, oob, STXH(10, 1, -1), EXIT);
    REJECT(&c, 0, oob, STDW(10, -1000, 1), EXIT);
    REJECT(&c, 0, oob, STW(10, 32767, 1), EXIT);
    REJECT(&c, 0, oob, ATOMIC_DW(10, 1, -516, 0x00), EXIT);
    REJECT(&c, 0, oob, ATOMIC_W(10, 1, -2, 0x00), EXIT);
    /* other base registers are checked at run time only */
    ACCEPT(&c, MOV_X(1, 10), LDXDW(0, 1, 100), STXDW(1, 2, -32768), EXIT);
    /* the limit follows cfg.stack_size */
    c.stack_size = 64;
    ACCEPT(&c, LDXDW(0, 10, -64), EXIT);
    REJECT(&c, 0, oob, LDXDW(0, 10, -72), EXIT);
    REJECT(&c, 1, oob, MOV_K(0, 0), LDXB(0, 10, -65), EXIT);
}

/* ---- Whole programs ---------------------------------------------------- */

/* Public conformance programs, hand-encoded from their assembly. */
static void test_conformance_programs(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    /* call_local.data */
    ACCEPT(&c, MOV_K(0, 0), MOV_K(1, 1), MOV_K(2, 2), MOV_K(3, 3), MOV_K(4, 4), MOV_K(5, 5),
           MOV_K(6, 6), MOV_K(7, 7), MOV_K(8, 8), MOV_K(9, 9), CALL_LOCAL(9),
           INSN(0x55, 0, 0, 6, 15), INSN(0x55, 6, 0, 5, 6), INSN(0x55, 7, 0, 4, 7),
           INSN(0x55, 8, 0, 3, 8), INSN(0x55, 9, 0, 2, 9), MOV_K(0, 1),
           EXIT, MOV_K(0, -1), EXIT, MOV_K(0, 0), ADD_X(0, 1), ADD_X(0, 2), ADD_X(0, 3),
           ADD_X(0, 4), ADD_X(0, 5), MOV_K(6, 0), MOV_K(7, 0), MOV_K(8, 0), MOV_K(9, 0), EXIT);
    /* lock_cmpxchg.data style: stack + atomics */
    ACCEPT(&c, LDDW(1, 0x123456789abcdef0ull), STXDW(10, 1, -8), MOV_K(0, 0), MOV_K(1, 5),
           ATOMIC_DW(10, 1, -8, 0xf1), LDXDW(0, 10, -8), EXIT);
    /* callx.data: call %r2 */
    ACCEPT(&c, MOV_K(1, -1), MOV_K(2, 5), CALLX(2), MOV_K(0, 2), EXIT);
    /* ja32.data */
    ACCEPT(&c, MOV_K(0, 0), JA32(1), MOV_K(0, 1), EXIT);
    /* movsx1632-reg.data */
    ACCEPT(&c, MOV32_K(1, 0xfffe), INSN(0xbc, 0, 1, 16, 0), EXIT);
}

/* Every public conformance program (assembled with our assembler, or its
 * `-- raw` words) verifies at ISA v4 with callx and helper 5. */
static void test_all_conformance_files(void **state)
{
    (void)state;
    const char *dir = MBPF_SHARED_DIR "/bpf-conformance/tests";
    DIR *d = opendir(dir);
    if (!d) {
        print_message("%s not found: skipping\n", dir);
        skip();
    }
    mbpf_config c = test_cfg();
    unsigned files = 0, verified = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".data") != 0)
            continue;
        files++;
        char path[1024], why[256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        mbpf_datafile df;
        if (mbpf_datafile_load(path, &df, why, sizeof why) != 0)
            fail_msg("%s", why);
        mbpf_insn *prog = NULL;
        uint32_t n = 0;
        if (df.has_raw) {
            prog = df.raw;
            n = df.raw_n;
        } else {
            mbpf_asm_error aerr;
            if (mbpf_assemble(df.asm_text, &prog, &n, &aerr) != 0)
                fail_msg("%s:%d: %s", e->d_name, aerr.line, aerr.msg);
        }
        mbpf_verify_error err = verify_cfg(&c, prog, n);
        if (err.status != MBPF_OK)
            fail_msg("%s: rejected at pc %u: %s", e->d_name, (unsigned)err.pc, err.msg);
        verified++;
        if (!df.has_raw)
            free(prog);
        mbpf_datafile_free(&df);
    }
    closedir(d);
    print_message("%u of %u conformance programs verified\n", verified, files);
    assert_true(files > 0);
    assert_int_equal(verified, files);
}

/* A large program of 4-slot functions in a chain (the deepest DFS), each
 * with a backward loop; with `cycle` the last one calls main. */
static void build_chain(mbpf_insn *p, uint32_t n, bool cycle)
{
    for (uint32_t pc = 0; pc < n; pc += 4) {
        bool last = pc + 4 == n;
        if (!last)
            p[pc] = CALL_LOCAL(3);
        else
            p[pc] = cycle ? CALL_LOCAL(-(int32_t)pc - 1) : MOV_K(0, 1);
        p[pc + 1] = JEQ_K(0, 1, -2);
        if (pc % 8) {
            p[pc + 2] = JA(0);
            p[pc + 3] = EXIT;
        } else {
            p[pc + 2] = EXIT;
            p[pc + 3] = JA(-2);
        }
    }
}

static void test_large_program(void **state)
{
    (void)state;
    mbpf_config c = test_cfg();
    const uint32_t n = 65536;
    mbpf_insn *p = malloc(n * sizeof *p);
    assert_non_null(p);

    clock_t t0 = clock();
    build_chain(p, n, false);
    check_ok(verify_cfg(&c, p, n), __FILE__, __LINE__);
    build_chain(p, n, true);
    check_reject(verify_cfg(&c, p, n), n - 4, "recursive local call", __FILE__, __LINE__);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    /* linear: two 64K-slot verifications take milliseconds; quadratic would take minutes */
    assert_true(secs < 2.0);

    /* main makes ~58000 calls to one callee, with lddw in between */
    uint32_t pc = 0;
    while (pc + 6 < n) {
        p[pc] = CALL_LOCAL((int32_t)(n - 2 - pc - 1));
        pc++;
        if (pc % 7 == 0) {
            p[pc++] = INSN(0x18, 1, 0, 0, 1);
            p[pc++] = INSN(0, 0, 0, 0, 2);
        }
    }
    while (pc < n - 3)
        p[pc++] = MOV_K(0, 1);
    p[n - 3] = EXIT;
    p[n - 2] = MOV_K(0, 2);
    p[n - 1] = EXIT;
    t0 = clock();
    check_ok(verify_cfg(&c, p, n), __FILE__, __LINE__);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);

    c.max_insns = n - 1;
    check_reject(verify_cfg(&c, p, n), n - 1, "program too large", __FILE__, __LINE__);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_matches_rfc),
        cmocka_unit_test(test_isa_helpers),
        cmocka_unit_test(test_every_opcode),
        cmocka_unit_test(test_isa_forms),
        cmocka_unit_test(test_empty_and_too_large),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_scratch),
        cmocka_unit_test(test_reserved_fields),
        cmocka_unit_test(test_atomics),
        cmocka_unit_test(test_registers),
        cmocka_unit_test(test_r10_read_only),
        cmocka_unit_test(test_legacy_packet_access),
        cmocka_unit_test(test_lddw),
        cmocka_unit_test(test_jump_range),
        cmocka_unit_test(test_jump_between_functions),
        cmocka_unit_test(test_helper_calls),
        cmocka_unit_test(test_callx),
        cmocka_unit_test(test_local_call_targets),
        cmocka_unit_test(test_fall_off),
        cmocka_unit_test(test_recursion),
        cmocka_unit_test(test_stack_bounds),
        cmocka_unit_test(test_conformance_programs),
        cmocka_unit_test(test_all_conformance_files),
        cmocka_unit_test(test_large_program),
    };
    return cmocka_run_group_tests(tests, setup_helpers, NULL);
}
