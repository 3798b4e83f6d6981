# the same with -0x7fffffff (+2 in 32 bits)
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 7 msg 'out-of-bounds load' fault 0xffffffff40011006 size 1 budget_used 1
# derived base whose two terms step by -0x7fffffff each: -0xfffffffe per
# iteration (64-bit), not +2
    mov %r0, 0
    mov %r6, %r1
    add %r6, 4
    mov %r7, 0
    mov %r3, 3
loop:
    mov %r5, %r6
    add %r5, %r7
    ldxb %r4, [%r5+0]
    add %r0, %r4
    add %r6, -0x7fffffff
    add %r7, -0x7fffffff
    sub %r3, 1
    jne %r3, 0, loop
    exit
