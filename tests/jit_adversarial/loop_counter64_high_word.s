# 64-bit counter with the high word set (2^32 + 4 iterations)
# args: --mem-size 32
# expect: status -4 pc 4 msg 'out-of-bounds load' fault 0x40011020 size 1 budget_used 32
# 64-bit counter with the high word set, jne 64-bit: 2^32+ iterations -> oob
    mov %r0, 0
    lddw %r3, 0x100000004
    mov %r4, %r1
loop:
    ldxb %r5, [%r4+0]
    add %r0, %r5
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, loop
    exit
