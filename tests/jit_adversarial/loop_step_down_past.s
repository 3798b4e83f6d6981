# pointer walking down one byte below the start
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 4 msg 'out-of-bounds load' fault 0x40010fff size 1 budget_used 16
# negative step pointer from the end down to the start
    mov %r0, 0
    mov %r4, %r1
    add %r4, 15
    mov %r3, 17
loop:
    ldxb %r5, [%r4+0]
    lsh %r0, 1
    add %r0, %r5
    add %r4, -1
    sub %r3, 1
    jne %r3, 0, loop
    exit
