# region of 5 bytes, read 6
# args: --mem-size 5
# expect: status -4 pc 4 msg 'out-of-bounds load' fault 0x40011005 size 1 budget_used 5
    mov %r0, 0
    mov %r3, 6
    mov %r4, %r1
    add %r4, 0
loop:
    ldxb %r5, [%r4+0]
    add %r0, %r5
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, loop
    exit
