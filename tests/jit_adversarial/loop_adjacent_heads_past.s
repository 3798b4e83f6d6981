# the same, the last one reads past the region
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 14 msg 'out-of-bounds load' fault 0x40011010 size 2 budget_used 38
# three loops back to back: each one's exit is the next one's head; the
# second walks down over what the first wrote; the third counts up with jlt
    mov %r0, 0
    mov %r4, %r1
    mov %r3, 16
l1:
    ldxb %r5, [%r4+0]
    add %r5, %r3
    stxb [%r4+0], %r5
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l1
l2:
    add %r4, -1
    ldxb %r5, [%r4+0]
    add %r0, %r5
    add %r3, 1
    jne %r3, 16, l2
l3:
    ldxh %r5, [%r4+0]
    xor %r0, %r5
    add %r4, 2
    add %r3, 1
    jlt %r3, 25, l3
    exit
