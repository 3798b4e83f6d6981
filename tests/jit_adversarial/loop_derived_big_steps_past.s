# the same, one iteration past the region
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 6 msg 'out-of-bounds load' fault 0x40011010 size 1 budget_used 16
# derived base whose terms step by 0x40000000 and -0x3fffffff: +1 per
# iteration, exact (the fast path may take it)
    mov %r0, 0
    mov %r6, %r1
    mov %r7, 0
    mov %r3, 17
loop:
    mov %r5, %r6
    add %r5, %r7
    ldxb %r4, [%r5+0]
    add %r0, %r4
    lsh %r0, 1
    add %r6, 0x40000000
    add %r7, -0x3fffffff
    sub %r3, 1
    jne %r3, 0, loop
    exit
