/* Unit tests for the .data parser and the text helpers (tools/lib/datafile.h),
 * and for the host embedding's test helpers and messages (host_vm.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "datafile.h"
#include "host_vm.h"

static char err[300];

static void parse_ok(const char *text, mbpf_datafile *df)
{
    int rc = mbpf_datafile_parse(text, "t.data", df, err, sizeof err);
    if (rc != 0)
        fail_msg("unexpected parse error: %s", err);
}

/* Parsing must fail and the message must contain want. */
static void parse_bad(const char *text, const char *want)
{
    mbpf_datafile df;
    assert_int_equal(mbpf_datafile_parse(text, "t.data", &df, err, sizeof err), -1);
    if (!strstr(err, want))
        fail_msg("error '%s' lacks '%s'", err, want);
    assert_null(df.asm_text);
    assert_null(df.mem);
}

static void test_public_style_file(void **state)
{
    (void)state;
    mbpf_datafile df;
    parse_ok("# Copyright\n-- asm\nmov %r0, %r2\nexit\n-- mem\n00 00 00 01\n  00 00 00 02\n"
             "-- no register offset\ncall instruction\n-- result\n0x8\n",
             &df);
    assert_string_equal(df.asm_text, "mov %r0, %r2\nexit\n");
    assert_int_equal(df.asm_line, 3);
    assert_true(df.has_mem);
    assert_int_equal(df.mem_len, 8);
    assert_int_equal(df.mem[3], 1);
    assert_int_equal(df.mem[7], 2);
    assert_true(df.has_result);
    assert_int_equal(df.result, 8);
    assert_false(df.has_raw);
    assert_null(df.error);
    mbpf_datafile_free(&df);
}

static void test_raw_words(void **state)
{
    (void)state;
    mbpf_datafile df;
    parse_ok("-- raw\n0x5566778800000018\n0x1122334400000000 # hi\n0x00000000fffd0005\n"
             "-- result\n-1\n",
             &df);
    assert_true(df.has_raw);
    assert_int_equal(df.raw_n, 3);
    assert_int_equal(df.raw[0].code, 0x18);
    assert_int_equal(df.raw[0].imm, 0x55667788);
    assert_int_equal(df.raw[1].imm, 0x11223344);
    assert_int_equal(df.raw[2].code, 0x05);
    assert_int_equal(df.raw[2].off, -3);
    assert_int_equal(df.result, UINT64_MAX);
    mbpf_datafile_free(&df);
}

static void test_error_and_options(void **state)
{
    (void)state;
    mbpf_datafile df;
    parse_ok("-- options\nbudget=10 depth=2\nstack=64 isa=3 no-callx mem-ro\n-- asm\nexit\n"
             "-- error\n  insn 3: Jump out of range  \n",
             &df);
    assert_string_equal(df.error, "insn 3: Jump out of range");
    assert_true(df.has_budget);
    assert_int_equal(df.budget, 10);
    assert_int_equal(df.depth, 2);
    assert_int_equal(df.stack, 64);
    assert_int_equal(df.isa, 3);
    assert_true(df.no_callx);
    assert_true(df.mem_ro);
    mbpf_datafile_free(&df);
}

static void test_malformed_files(void **state)
{
    (void)state;
    parse_bad("mov %r0, 1\n-- asm\nexit\n-- result\n0\n", "t.data:1: text outside a section");
    parse_bad("-- asm\nexit\n-- result\n0x1g\n", "t.data:4:");
    parse_bad("-- asm\nexit\n-- result\n1 2\n", "one number");
    parse_bad("-- asm\nexit\n-- result\n0x10000000000000000\n", "too large");
    parse_bad("-- asm\nexit\n-- mem\n00 0\n-- result\n0\n", "t.data:4: -- mem: odd number");
    parse_bad("-- asm\nexit\n-- mem\nzz\n-- result\n0\n", "bad hex");
    parse_bad("-- raw\n0x95 junk\n-- result\n0\n", "t.data:2: -- raw");
    parse_bad("-- asm\nexit\n", "no -- result or -- error");
    parse_bad("-- result\n0\n", "no -- asm or -- raw");
    parse_bad("-- asm\nexit\n-- result\n0\n-- error\nx\n", "both");
    parse_bad("-- asm\nexit\n-- asm\nexit\n-- result\n0\n", "second -- asm");
    parse_bad("-- asm\nexit\n-- result\n0\n-- result\n1\n", "repeated");
    parse_bad("-- asm\nexit\n-- error\n\n", "empty -- error");
    parse_bad("-- asm\nexit\n-- result\n\n", "empty -- result");
    parse_bad("-- options\nfast=1\n-- asm\nexit\n-- result\n0\n", "unknown option 'fast=1'");
    parse_bad("-- options\nturbo\n-- asm\nexit\n-- result\n0\n", "unknown option 'turbo'");
    parse_bad("-- options\nisa=5\n-- asm\nexit\n-- result\n0\n", "out of range");
    parse_bad("-- options\ndepth=x\n-- asm\nexit\n-- result\n0\n", "not a number");
}

static void test_crlf_and_ignored_sections(void **state)
{
    (void)state;
    mbpf_datafile df;
    parse_ok("-- asm\r\nexit\r\n-- c\r\nint main() { return 0; } -- not a section\r\n"
             "-- result\r\n0x2a\r\n",
             &df);
    assert_string_equal(df.asm_text, "exit\n");
    assert_int_equal(df.result, 42);
    mbpf_datafile_free(&df);
}

static void test_hex_bytes(void **state)
{
    (void)state;
    uint8_t *b;
    uint32_t n;
    assert_int_equal(mbpf_parse_hex_bytes("00  01 0x02,ff\nA0b1 # c3\n", &b, &n, err, sizeof err), 0);
    assert_int_equal(n, 6);
    const uint8_t want[] = {0x00, 0x01, 0x02, 0xff, 0xa0, 0xb1};
    assert_memory_equal(b, want, 6);
    free(b);
    assert_int_equal(mbpf_parse_hex_bytes("   ", &b, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    assert_null(b);
    assert_int_equal(mbpf_parse_hex_bytes("012", &b, &n, err, sizeof err), -1);
    assert_int_equal(mbpf_parse_hex_bytes("0g", &b, &n, err, sizeof err), -1);
    assert_int_equal(mbpf_parse_hex_bytes("0x", &b, &n, err, sizeof err), -1);
}

static void test_numbers(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(mbpf_parse_u64("42", 100, "n", &v, err, sizeof err), 0);
    assert_int_equal(v, 42);
    assert_int_equal(mbpf_parse_u64("0xFFffFFffFFffFFff", UINT64_MAX, "n", &v, err, sizeof err), 0);
    assert_int_equal(v, UINT64_MAX);
    assert_int_equal(mbpf_parse_u64("18446744073709551616", UINT64_MAX, "n", &v, err, sizeof err), -1);
    assert_non_null(strstr(err, "too large"));
    assert_int_equal(mbpf_parse_u64("101", 100, "--depth", &v, err, sizeof err), -1);
    assert_non_null(strstr(err, "--depth: 101 is out of range"));
    assert_int_equal(mbpf_parse_u64("-1", 100, "n", &v, err, sizeof err), -1);
    assert_int_equal(mbpf_parse_u64("", 100, "n", &v, err, sizeof err), -1);
    assert_int_equal(mbpf_parse_u64("0x", 100, "n", &v, err, sizeof err), -1);
    assert_int_equal(mbpf_parse_u64("1 ", 100, "n", &v, err, sizeof err), -1);
}

static void test_bytecode_round_trip(void **state)
{
    (void)state;
    const uint8_t bytes[] = {0x18, 0x21, 0xfe, 0xff, 0x88, 0x77, 0x66, 0x85,
                             0x95, 0, 0, 0, 0, 0, 0, 0};
    mbpf_insn *insns;
    uint32_t n;
    uint8_t back[16];
    assert_int_equal(mbpf_decode_bytecode(bytes, sizeof bytes, &insns, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(MBPF_INSN_DST(&insns[0]), 1);
    assert_int_equal(MBPF_INSN_SRC(&insns[0]), 2);
    assert_int_equal(insns[0].off, -2);
    assert_int_equal((uint32_t)insns[0].imm, 0x85667788u);
    mbpf_encode_bytecode(insns, n, back);
    assert_memory_equal(back, bytes, sizeof bytes);
    free(insns);
    assert_int_equal(mbpf_decode_bytecode(bytes, 12, &insns, &n, err, sizeof err), -1);
}

/* ---- host_vm ----------------------------------------------------------- */

#define INSN(c, d, s, o, i) {(uint8_t)(c), MBPF_REGS(d, s), (int16_t)(o), (int32_t)(i)}

static host_outcome run(const mbpf_insn *p, uint32_t n, void *mem, uint32_t len, uint32_t flags)
{
    host_vm_opts o;
    host_outcome out;
    host_vm_opts_default(&o);
    host_vm_exec(&o, p, n, mem, len, flags, &out);
    return out;
}

static void test_helpers_with_memory(void **state)
{
    (void)state;
    uint8_t mem[4] = {1, 2, 3, 250};
    /* call 6 (sum_bytes r1=ctx r2=len); exit */
    const mbpf_insn sum[] = {INSN(0x85, 0, 0, 0, 6), INSN(0x95, 0, 0, 0, 0)};
    host_outcome out = run(sum, 2, mem, 4, MBPF_MEM_RW);
    assert_int_equal(out.stage, HOST_STAGE_OK);
    assert_int_equal(out.res.r0, 256);
    /* r3 = 9; call 7 (fill ctx with 9) */
    const mbpf_insn fill[] = {INSN(0xb7, 3, 0, 0, 9), INSN(0x85, 0, 0, 0, 7),
                              INSN(0x95, 0, 0, 0, 0)};
    out = run(fill, 3, mem, 4, MBPF_MEM_RW);
    assert_int_equal(out.stage, HOST_STAGE_OK);
    assert_int_equal(out.res.r0, 4);
    assert_int_equal(mem[0], 9);
    assert_int_equal(mem[3], 9);
    /* read-only: the writable pointer is refused and nothing is written */
    mem[0] = 1;
    out = run(fill, 3, mem, 4, MBPF_MEM_READ);
    assert_int_equal(out.stage, HOST_STAGE_RUN);
    assert_int_equal(out.status, MBPF_E_MEM);
    assert_int_equal(mem[0], 1);
    assert_non_null(strstr(out.msg, "bad helper pointer argument at pc 1: helper 7"));
}

static void test_messages(void **state)
{
    (void)state;
    /* ja +5 out of range */
    const mbpf_insn bad[] = {INSN(0x05, 0, 0, 5, 0), INSN(0x95, 0, 0, 0, 0)};
    host_outcome out = run(bad, 2, NULL, 0, MBPF_MEM_RW);
    assert_int_equal(out.stage, HOST_STAGE_LOAD);
    assert_string_equal(out.msg, "verifier: insn 0: jump out of range");
    /* call 9 fails */
    const mbpf_insn f9[] = {INSN(0x85, 0, 0, 0, 9), INSN(0x95, 0, 0, 0, 0)};
    out = run(f9, 2, NULL, 0, MBPF_MEM_RW);
    assert_int_equal(out.status, MBPF_E_HELPER);
    assert_string_equal(out.msg, "helper 9 failed at pc 0: test helper failed");
    /* stw [r1+0] with r1 = 0 */
    const mbpf_insn st[] = {INSN(0x62, 1, 0, 0, 1), INSN(0x95, 0, 0, 0, 0)};
    out = run(st, 2, NULL, 0, MBPF_MEM_RW);
    assert_int_equal(out.status, MBPF_E_MEM);
    assert_string_equal(out.msg, "out-of-bounds store at pc 0: address 0x0 size 4");
}

static void test_bad_options(void **state)
{
    (void)state;
    host_vm_opts o;
    host_vm h;
    host_vm_opts_default(&o);
    o.stack_size = 12;
    assert_int_equal(host_vm_create(&h, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "stack"));
    host_vm_opts_default(&o);
    o.max_depth = 0;
    assert_int_equal(host_vm_create(&h, &o, err, sizeof err), -1);
    host_vm_opts_default(&o);
    o.isa = 5;
    assert_int_equal(host_vm_create(&h, &o, err, sizeof err), -1);
    host_vm_opts_default(&o);
    assert_int_equal(host_vm_create(&h, &o, err, sizeof err), 0);
    host_vm_destroy(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_style_file),
        cmocka_unit_test(test_raw_words),
        cmocka_unit_test(test_error_and_options),
        cmocka_unit_test(test_malformed_files),
        cmocka_unit_test(test_crlf_and_ignored_sections),
        cmocka_unit_test(test_hex_bytes),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_bytecode_round_trip),
        cmocka_unit_test(test_helpers_with_memory),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
