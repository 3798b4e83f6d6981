# counter 0 with jne 0: 2^32 iterations, stopped by the region
# args: --mem-size 16 --budget 100
# expect: status -4 pc 4 msg 'out-of-bounds load' fault 0x40011010 size 1 budget_used 16
    mov %r0, 0
    mov %r3, 0
    mov %r4, %r1
    add %r4, 0
loop:
    ldxb %r5, [%r4+0]
    add %r0, %r5
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, loop
    exit
