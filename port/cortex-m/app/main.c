/* Reference firmware: loads every embedded program image, verifies it on the
 * device, runs it with the interpreter and JIT-compiled from RAM, and reports
 * results and costs on the UART. Then it checks that the firmware survives bad
 * input: a corrupted image is refused and the first program still runs.
 * The semihosting exit status is the number of results that differed from
 * what the build expected (0 = all good). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "fault_guard.h"
#include "fw_config.h"
#include "fw_images.h"
#include "fw_runtime.h"
#include "semihost.h"
#include "systick.h"

void uart_init(void);

static uint32_t failures;

/* Deterministic context bytes handed to every run. */
static uint8_t ctx_template[64];

static void check(bool ok, const char *what, const char *name)
{
    if (!ok) {
        failures++;
        printf("  FAIL %s: %s\n", name, what);
    }
}

static void print_result(const char *mode, const mbpf_result *res, const fw_cost *cost)
{
    if (res->status == MBPF_OK)
        printf("  %-6s r0 = %" PRIu64 " (0x%" PRIx64 ")  [%" PRIu64 " instructions]\n", mode,
               res->r0, res->r0, cost->instructions);
    else
        printf("  %-6s error %d (%s) at pc %" PRIu32 ": %s  [%" PRIu64 " instructions]\n", mode,
               (int)res->status, mbpf_strerror(res->status), res->pc, res->msg ? res->msg : "",
               cost->instructions);
}

static void run_image(fw_slot *slot, const fw_image *img)
{
    mbpf_image_error ierr;
    fw_cost cost = {0};
    printf("program %s (%" PRIu32 " bytes image)\n", img->name, img->len);
    int st = fw_slot_load(slot, img->data, img->len, &ierr, &cost);
    if (st != MBPF_OK) {
        printf("  load   refused: %s (%s)\n", mbpf_strerror(st), ierr.msg ? ierr.msg : "");
        check(img->expect_status == MBPF_E_IMAGE || img->expect_status == MBPF_E_VERIFY,
              "image refused", img->name);
        return;
    }
    uint32_t n = fw_slot_num_insns(slot);
    printf("  load   verified %" PRIu32 " instructions  [%" PRIu64 " instructions]\n", n,
           cost.instructions);

    mbpf_result ri, rj;
    fw_cost ci = {0}, cj = {0}, cc = {0};
    fw_slot_run(slot, false, ctx_template, sizeof ctx_template, &ri, &ci);
    print_result("interp", &ri, &ci);

    mbpf_jit_error jerr;
    uint32_t code_bytes = 0;
    st = fw_slot_jit(slot, &jerr, &code_bytes, &cc);
    if (st != MBPF_OK) {
        printf("  jit    compile failed: %s at pc %" PRIu32 ": %s\n", mbpf_strerror(st), jerr.pc,
               jerr.msg ? jerr.msg : "");
        check(false, "JIT compile", img->name);
        return;
    }
    printf("  jit    compiled to %" PRIu32 " bytes of Thumb-2  [%" PRIu64
           " instructions, %" PRIu64 " per eBPF instruction]\n",
           code_bytes, cc.instructions, n ? cc.instructions / n : 0);
    fw_slot_run(slot, true, ctx_template, sizeof ctx_template, &rj, &cj);
    print_result("jit", &rj, &cj);

    check(ri.status == img->expect_status, "interpreter status", img->name);
    check(rj.status == img->expect_status, "JIT status", img->name);
    if (img->expect_status == MBPF_OK) {
        check(ri.r0 == img->expect_r0, "interpreter r0", img->name);
        check(rj.r0 == img->expect_r0, "JIT r0", img->name);
    } else {
        check(ri.pc == rj.pc, "same error pc in both modes", img->name);
    }
    /* every other field too (the pc of the last helper call on success) */
    check(ri.pc == rj.pc && ri.fault_addr == rj.fault_addr && ri.fault_size == rj.fault_size &&
              ri.helper_id == rj.helper_id && ri.budget_used == rj.budget_used &&
              (ri.msg == rj.msg || (ri.msg && rj.msg && !strcmp(ri.msg, rj.msg))),
          "same result details in both modes", img->name);
}

/* A damaged copy of a good image must be refused with a precise error, and
 * the slot must work again afterwards. */
static uint8_t damaged[4096] __attribute__((aligned(8)));

static void bad_image_test(fw_slot *slot, const fw_image *good)
{
    mbpf_image_error ierr;
    uint32_t len = good->len < sizeof damaged ? good->len : (uint32_t)sizeof damaged;
    memcpy(damaged, good->data, len);
    damaged[len / 2] ^= 0x5a; /* flip bits in the middle: the content hash must catch it */
    printf("program %s (damaged copy)\n", good->name);
    int st = fw_slot_load(slot, damaged, len, &ierr, 0);
    printf("  load   %s: %s\n", st == MBPF_OK ? "ACCEPTED" : "refused",
           ierr.msg ? ierr.msg : "");
    check(st == MBPF_E_IMAGE, "damaged image refused", good->name);
    st = fw_slot_load(slot, good->data, len / 3, &ierr, 0);
    printf("  load   truncated copy refused: %s\n", ierr.msg ? ierr.msg : "");
    check(st == MBPF_E_IMAGE, "truncated image refused", good->name);
}

int main(void)
{
    uart_init();
    systick_init();
    fw_runtime_init();
    for (uint32_t i = 0; i < sizeof ctx_template; i++)
        ctx_template[i] = (uint8_t)(i * 7u + 1u);
    printf("microbpf reference firmware on " BOARD_NAME "\n");

    for (uint32_t i = 0; i < fw_num_images; i++)
        run_image(fw_slot_get(i % FW_MAX_PROGRAMS), &fw_images[i]);
    if (fw_num_images > 0) {
        bad_image_test(fw_slot_get(0), &fw_images[0]);
        printf("after the errors, once more:\n");
        run_image(fw_slot_get(1 % FW_MAX_PROGRAMS), &fw_images[0]);
    }
    printf("firmware done: %" PRIu32 " failure(s), %" PRIu32 " hardware fault(s) contained\n",
           failures, fault_guard_count());
    semihost_exit(failures > 255 ? 255 : failures);
}
