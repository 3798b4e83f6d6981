# index counting down from -1 (64-bit), one too many
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 6 msg 'out-of-bounds load' fault 0x40010fff size 1 budget_used 16
# index counting down from -1 (high word all ones) plus base at end
    mov %r0, 0
    mov %r3, -1
    mov %r6, %r1
    add %r6, 16
loop:
    mov %r5, %r6
    add %r5, %r3
    ldxb %r5, [%r5+0]
    add %r0, %r5
    add %r3, -1
    jne %r3, -18, loop
    exit
