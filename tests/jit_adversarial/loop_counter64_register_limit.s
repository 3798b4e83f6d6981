# 64-bit counter up to a 64-bit register limit, high words set
# args: --mem-size 32
# expect: status 0 r0 0x200000004 budget_used 5
# 64-bit counter counting up to a 64-bit register limit with high words set
    mov %r0, 0
    lddw %r3, 0x1fffffffe
    lddw %r7, 0x200000004
    mov %r4, %r1
loop:
    ldxb %r5, [%r4+0]
    add %r0, %r5
    add %r4, 1
    add %r3, 1
    jne %r3, %r7, loop
    mov %r0, %r3
    exit
