# the stack pointer runs past the frame's top
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 5 msg 'out-of-bounds store' fault 0x40023000 size 1 budget_used 15
# copy region to stack, then sum stack via r10-derived pointer
    mov %r4, %r1
    mov %r6, %r10
    add %r6, -15
    mov %r3, 16
loop:
    ldxb %r5, [%r4+0]
    stxb [%r6+0], %r5
    add %r4, 1
    add %r6, 1
    sub %r3, 1
    jne %r3, 0, loop
    ldxdw %r0, [%r10-16]
    ldxdw %r1, [%r10-8]
    xor %r0, %r1
    exit
