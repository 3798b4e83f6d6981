# 64-bit signed test against a register limit, counter at the limit (found by a counter grid)
# args: --budget 8589934591
# expect: status 0 r0 0x37ffffffd budget_used 0
    mov %r0, 0
    lddw %r3, 2147483646
    lddw %r7, 2147483646
loop:
    add %r0, 3
    add %r3, -1
    jsgt %r3, %r7, loop
    lsh %r0, 32
    or %r0, %r3
    exit
