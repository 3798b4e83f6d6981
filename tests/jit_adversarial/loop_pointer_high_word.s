# pointer with a non-zero high word: first access faults
# args: --mem-size 16
# expect: status -4 pc 6 msg 'out-of-bounds load' fault 0x140011000 size 1 budget_used 0
    mov %r0, 0
    mov %r3, 16
    lddw %r6, 0x100000000
    mov %r4, %r1
    add %r4, %r6
loop:
    ldxb %r5, [%r4+0]
    add %r0, %r5
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, loop
    exit
