# a loop limit register never written (0) read by the guard
# args: --mem-size 16
# expect: status 0 r0 0x10 budget_used 15
# the limit register is never written: it must read as 0 in the guard
    mov %r3, 16
    mov %r0, 0
    mov %r4, %r1
loop:
    ldxb %r5, [%r4+0]
    add %r0, 1
    add %r4, 1
    sub %r3, 1
    jne %r3, %r8, loop
    exit
