# dw loads with pointer step 8, jlt, one iteration too many
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 3 msg 'out-of-bounds load' fault 0x40011010 size 8 budget_used 2
# pointer step 8 with dw loads + counter up jlt
    mov %r0, 0
    mov %r4, %r1
    mov %r3, 0
loop:
    ldxdw %r5, [%r4+0]
    add %r0, %r5
    add %r4, 8
    add %r3, 1
    jlt %r3, 3, loop
    exit
