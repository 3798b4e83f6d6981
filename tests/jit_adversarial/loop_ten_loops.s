# ten loops (more than the 8 the fast path tracks)
# args: --mem-size 64
# expect: status -4 pc 66 msg 'out-of-bounds load' fault 0x40011040 size 1 budget_used 55
    mov %r0, 0
    mov %r4, %r1
    mov %r3, 7
l0:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l0
    mov %r3, 7
l1:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l1
    mov %r3, 7
l2:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l2
    mov %r3, 7
l3:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l3
    mov %r3, 7
l4:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l4
    mov %r3, 7
l5:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l5
    mov %r3, 7
l6:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l6
    mov %r3, 7
l7:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l7
    mov %r3, 7
l8:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l8
    mov %r3, 7
l9:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, l9
    exit
