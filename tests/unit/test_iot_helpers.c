/* The standard IoT helpers: formatting, the key-value store, CoAP, and the
 * pointer checks on real VM runs (bad strings, out-of-bounds buffers,
 * read-only memory), with a capturing platform. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <stdio.h>

#include "prog.h"
#include "mbpf/iot.h"

/* ---- Pure formatting ------------------------------------------------------ */

typedef struct sink {
    char buf[512];
    size_t len;
} sink;

static void sink_put(void *ctx, const char *s, size_t n)
{
    sink *k = ctx;
    assert_true(k->len + n < sizeof(k->buf));
    memcpy(k->buf + k->len, s, n);
    k->len += n;
    k->buf[k->len] = 0;
}

/* %s arguments are indices into this table; 99 is refused. */
static const char *const strs[] = {"hello", "", "abcdefgh"};

static const char *test_str(void *ctx, uint64_t addr, size_t *len)
{
    (void)ctx;
    if (addr >= 3)
        return NULL;
    *len = strlen(strs[addr]);
    return strs[addr];
}

static void expect_fmt(const char *fmt, const uint64_t *args, unsigned n, const char *want)
{
    sink k = {"", 0};
    long r = mbpf_format(sink_put, &k, test_str, NULL, fmt, args, n);
    if (strcmp(k.buf, want))
        print_error("format \"%s\": got \"%s\", want \"%s\"\n", fmt, k.buf, want);
    assert_string_equal(k.buf, want);
    assert_int_equal(r, (long)strlen(want));
}

static void test_format(void **state)
{
    (void)state;
    uint64_t a[4] = {42, (uint64_t)-7, 0xbeef, 0};
    expect_fmt("plain", a, 4, "plain");
    expect_fmt("%d %d %u", (uint64_t[]){42, (uint64_t)-7, (uint64_t)-7}, 3, "42 -7 4294967289");
    expect_fmt("[%5d][%-5d][%05d]", (uint64_t[]){42, 42, (uint64_t)-42}, 3,
               "[   42][42   ][-0042]");
    expect_fmt("%x %X %08x %p", (uint64_t[]){0xbeef, 0xbeef, 0xbeef, 0x1000}, 4,
               "beef BEEF 0000beef 0x1000");
    expect_fmt("%lld %llu %lx", (uint64_t[]){(uint64_t)-5, UINT64_MAX, 0x123456789aULL}, 3,
               "-5 18446744073709551615 123456789a");
    expect_fmt("%hd %hhu", (uint64_t[]){0x18000, 0x1ff}, 2, "-32768 255");
    /* Five conversions, four values: the fifth reads 0, i.e. strs[0]. */
    expect_fmt("%s|%s|%7s|%-4s|%.3s", (uint64_t[]){0, 1, 0, 1}, 4, "hello||  hello|    |hel");
    expect_fmt("%.3s %c%c %%", (uint64_t[]){2, 'o', 'k'}, 3, "abc ok %");
    expect_fmt("missing %d %d", (uint64_t[]){1}, 1, "missing 1 0");
    expect_fmt("odd %q end", a, 4, "odd %q end");
    expect_fmt("trailing %", a, 4, "trailing %");
    expect_fmt("%999d|", (uint64_t[]){1}, 1,
               "                                                               1|");
    sink k = {"", 0};
    assert_int_equal(mbpf_format(sink_put, &k, test_str, NULL, "%s", (uint64_t[]){99}, 1), -1);
}

static void expect_dfp(int16_t v, int digits, const char *want)
{
    char out[MBPF_FMT_S16_DFP_MAX + 1];
    memset(out, 0, sizeof(out));
    size_t n = mbpf_fmt_s16_dfp(out, v, digits);
    assert_int_equal(n, strlen(want));
    assert_string_equal(out, want);
    assert_int_equal(mbpf_fmt_s16_dfp(NULL, v, digits), n);
}

static void test_fmt_numbers(void **state)
{
    (void)state;
    char out[16] = {0};
    assert_int_equal(mbpf_fmt_u32_dec(out, 0), 1);
    assert_string_equal(out, "0");
    assert_int_equal(mbpf_fmt_u32_dec(out, 4294967295u), 10);
    assert_string_equal(out, "4294967295");
    assert_int_equal(mbpf_fmt_u32_dec(NULL, 12345), 5);
    expect_dfp(-3548, -2, "-35.48");
    expect_dfp(2150, -2, "21.50");
    expect_dfp(5, -2, "0.05");
    expect_dfp(-5, -3, "-0.005");
    expect_dfp(123, 0, "123");
    expect_dfp(-3548, 2, "-354800");
    expect_dfp(-32768, 7, "-327680000000");
    expect_dfp(7, -7, "0.0000007");
    expect_dfp(0, 3, "0");
    assert_int_equal(mbpf_fmt_s16_dfp(out, 1, 8), 0);
    assert_int_equal(mbpf_fmt_s16_dfp(out, 1, -8), 0);
}

static void test_kv(void **state)
{
    (void)state;
    mbpf_kv kv;
    mbpf_kv_entry store[2];
    uint32_t v = 99;
    mbpf_kv_init(&kv, store, 2);
    assert_false(mbpf_kv_fetch(&kv, 1, &v));
    assert_int_equal(v, 0);
    assert_int_equal(mbpf_kv_store(&kv, 7, 70), MBPF_OK);
    assert_int_equal(mbpf_kv_store(&kv, 3, 30), MBPF_OK);
    assert_int_equal(mbpf_kv_store(&kv, 5, 50), MBPF_E_NOSPACE);
    assert_int_equal(mbpf_kv_store(&kv, 7, 71), MBPF_OK); /* replace needs no room */
    assert_true(mbpf_kv_fetch(&kv, 7, &v));
    assert_int_equal(v, 71);
    assert_true(mbpf_kv_fetch(&kv, 3, &v));
    assert_int_equal(v, 30);
    assert_int_equal(store[0].key, 3); /* kept sorted */
}

/* ---- On a VM ---------------------------------------------------------------- */

typedef struct capture {
    char text[256];
    size_t len;
} capture;

static void cap_write(void *ctx, const char *s, size_t n)
{
    capture *c = ctx;
    assert_true(c->len + n < sizeof(c->text));
    memcpy(c->text + c->len, s, n);
    c->len += n;
    c->text[c->len] = 0;
}

typedef struct iot_vm {
    tvm t;
    mbpf_helper storage[32];
    mbpf_helpers helpers;
    mbpf_platform pf;
    capture cap;
    mbpf_kv local, global;
    mbpf_kv_entry ls[4], gs[4];
    mbpf_iot_env env;
} iot_vm;

static void iot_open(iot_vm *v, const mbpf_insn *p, uint32_t n)
{
    memset(v, 0, sizeof(*v));
    tvm_open(&v->t, NULL);
    mbpf_helpers_init(&v->helpers, v->storage, 32);
    assert_int_equal(mbpf_iot_register(&v->helpers), MBPF_OK);
    assert_int_equal(v->helpers.count, MBPF_IOT_NUM_HELPERS);
    mbpf_vm_set_helpers(&v->t.vm, &v->helpers, NULL, 0);
    v->pf.ctx = &v->cap;
    v->pf.write = cap_write;
    mbpf_kv_init(&v->local, v->ls, 4);
    mbpf_kv_init(&v->global, v->gs, 4);
    v->env.platform = &v->pf;
    v->env.local = &v->local;
    v->env.global = &v->global;
    tvm_load(&v->t, p, n);
}

static mbpf_result iot_run(iot_vm *v, void *ctx, uint32_t len, uint32_t flags)
{
    mbpf_result res;
    mbpf_vm_run(&v->t.vm, ctx, len, flags, &v->env, &res);
    return res;
}

/* r2 = ctx + off; r1 = ctx + fmt_off; call printf. */
static void test_printf_on_vm(void **state)
{
    (void)state;
    iot_vm v;
    const mbpf_insn p[] = {
        MOV64_REG(6, 1),       MOV64_REG(2, 1),       ALU64_IMM(MBPF_ADD, 2, 16),
        MOV64_IMM(3, 42),      CALL_HELPER(MBPF_HELPER_PRINTF), EXIT(),
    };
    iot_open(&v, p, sizeof(p) / sizeof(p[0]));
    char ctx[32] = "s=%s v=%d\n";
    strcpy(ctx + 16, "hi");
    mbpf_result r = iot_run(&v, ctx, sizeof(ctx), MBPF_MEM_RW);
    assert_int_equal(r.status, MBPF_OK);
    assert_string_equal(v.cap.text, "s=hi v=42\n");
    assert_int_equal(r.r0, 10);

    /* The %s string has no NUL inside the context: refused, nothing printed. */
    v.cap.len = 0;
    v.cap.text[0] = 0;
    memset(ctx + 16, 'x', 16);
    r = iot_run(&v, ctx, sizeof(ctx), MBPF_MEM_RW);
    assert_int_equal(r.status, MBPF_E_HELPER);
    assert_int_equal(r.helper_id, MBPF_HELPER_PRINTF);
    assert_non_null(strstr(r.msg, "%s argument"));
    assert_int_equal(v.cap.len, 0);

    /* The format itself unterminated: the VM's own pointer check. */
    memset(ctx, 'y', sizeof(ctx));
    r = iot_run(&v, ctx, sizeof(ctx), MBPF_MEM_RW);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.helper_id, MBPF_HELPER_PRINTF);
    tvm_close(&v.t);
}

static void test_pointer_args_checked(void **state)
{
    (void)state;
    iot_vm v;
    /* memcpy(ctx + 8, ctx, 16) with a 16-byte context: dst runs past the end. */
    const mbpf_insn p[] = {
        MOV64_REG(2, 1), ALU64_IMM(MBPF_ADD, 1, 8), MOV64_IMM(3, 16),
        CALL_HELPER(MBPF_HELPER_MEMCPY), EXIT(),
    };
    iot_open(&v, p, sizeof(p) / sizeof(p[0]));
    uint8_t ctx[16] = {1, 2, 3};
    mbpf_result r = iot_run(&v, ctx, sizeof(ctx), MBPF_MEM_RW);
    assert_int_equal(r.status, MBPF_E_MEM);
    assert_int_equal(r.fault_addr, (uint64_t)(uintptr_t)(ctx + 8));
    assert_int_equal(r.fault_size, 16);
    assert_int_equal(ctx[8], 0); /* nothing written */
    tvm_close(&v.t);

    /* fetch_local(1, ctx) into a read-only context. */
    const mbpf_insn q[] = {
        MOV64_REG(2, 1), MOV64_IMM(1, 1), CALL_HELPER(MBPF_HELPER_FETCH_LOCAL), EXIT(),
    };
    iot_open(&v, q, sizeof(q) / sizeof(q[0]));
    assert_int_equal(mbpf_kv_store(&v.local, 1, 0x11223344u), MBPF_OK);
    r = iot_run(&v, ctx, sizeof(ctx), MBPF_MEM_READ);
    assert_int_equal(r.status, MBPF_E_MEM);
    r = iot_run(&v, ctx, sizeof(ctx), MBPF_MEM_RW);
    assert_int_equal(r.status, MBPF_OK);
    assert_int_equal(r.r0, 0);
    uint32_t got;
    memcpy(&got, ctx, 4);
    assert_int_equal(got, 0x11223344u);
    tvm_close(&v.t);
}

static void test_coap(void **state)
{
    (void)state;
    iot_vm v;
    const mbpf_insn p[] = {
        MOV64_REG(6, 1),
        MOV64_IMM(2, 0x45), CALL_HELPER(MBPF_HELPER_COAP_RESP_INIT),
        MOV64_REG(1, 6), MOV64_IMM(2, 50), CALL_HELPER(MBPF_HELPER_COAP_ADD_FORMAT),
        MOV64_REG(1, 6), MOV64_IMM(2, 1), CALL_HELPER(MBPF_HELPER_COAP_OPT_FINISH),
        EXIT(),
    };
    iot_open(&v, p, sizeof(p) / sizeof(p[0]));
    uint8_t buf[32];
    memset(buf, 0, sizeof(buf));
    mbpf_coap_ctx c;
    memset(&c, 0, sizeof(c));
    c.buf = (uint64_t)(uintptr_t)buf;
    c.buf_len = sizeof(buf);
    c.msg_id = 0x1234;
    c.token_len = 2;
    c.token[0] = 0xca;
    c.token[1] = 0xfe;
    assert_int_equal(mbpf_vm_add_region(&v.t.vm, buf, sizeof(buf), MBPF_MEM_RW), MBPF_OK);
    mbpf_result r = iot_run(&v, &c, sizeof(c), MBPF_MEM_RW);
    assert_int_equal(r.status, MBPF_OK);
    static const uint8_t want[] = {0x62, 0x45, 0x12, 0x34, 0xca, 0xfe, 0xc1, 50, 0xff};
    assert_int_equal(r.r0, sizeof(want));
    assert_memory_equal(buf, want, sizeof(want));
    assert_int_equal(c.pdu_len, sizeof(want));
    assert_int_equal(c.payload, (uint64_t)(uintptr_t)(buf + sizeof(want)));
    assert_int_equal(c.payload_len, sizeof(buf) - sizeof(want));

    /* A buffer outside the program's memory is refused by the helper. */
    uint8_t elsewhere[32];
    c.buf = (uint64_t)(uintptr_t)elsewhere;
    r = iot_run(&v, &c, sizeof(c), MBPF_MEM_RW);
    assert_int_equal(r.status, MBPF_E_HELPER);
    assert_int_equal(r.helper_id, MBPF_HELPER_COAP_RESP_INIT);
    assert_non_null(strstr(r.msg, "ctx->buf"));
    tvm_close(&v.t);
}

static void test_platform_missing(void **state)
{
    (void)state;
    iot_vm v;
    const mbpf_insn p[] = {CALL_HELPER(MBPF_HELPER_NOW_MS), EXIT()};
    iot_open(&v, p, 2);
    mbpf_result r;
    mbpf_vm_run(&v.t.vm, NULL, 0, 0, NULL, &r); /* no mbpf_iot_env at all */
    assert_int_equal(r.status, MBPF_E_HELPER);
    assert_non_null(strstr(r.msg, "now_ms"));
    tvm_close(&v.t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_fmt_numbers),
        cmocka_unit_test(test_kv),
        cmocka_unit_test(test_printf_on_vm),
        cmocka_unit_test(test_pointer_args_checked),
        cmocka_unit_test(test_coap),
        cmocka_unit_test(test_platform_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
