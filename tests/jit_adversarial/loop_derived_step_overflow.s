# derived base, terms stepping 0x7fffffff each: the 32-bit sum of the steps (-2) let the guard pass and the fast copy read unchecked memory
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 7 msg 'out-of-bounds load' fault 0x140011006 size 1 budget_used 1
# derived base whose two terms step by 0x7fffffff each: the address grows by
# 0xfffffffe (64-bit) per iteration, not by -2
    mov %r0, 0
    mov %r6, %r1
    add %r6, 8
    mov %r7, 0
    mov %r3, 3
loop:
    mov %r5, %r6
    add %r5, %r7
    ldxb %r4, [%r5+0]
    add %r0, %r4
    add %r6, 0x7fffffff
    add %r7, 0x7fffffff
    sub %r3, 1
    jne %r3, 0, loop
    exit
