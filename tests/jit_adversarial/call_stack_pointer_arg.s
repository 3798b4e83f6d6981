# stack pointer passed to a local call that loops past the top
# args: --mem 0102030405060708
# expect: status -4 pc 13 msg 'out-of-bounds load' fault 0x40023000 size 1 budget_used 17
# stack pointer passed to a local call, callee loops over it and writes it
    stdw [%r10-16], 0x11223344
    stdw [%r10-8], -1
    mov %r1, %r10
    add %r1, -16
    mov %r2, 17
    call local f
    ldxdw %r1, [%r10-16]
    ldxdw %r2, [%r10-8]
    add %r0, %r1
    xor %r0, %r2
    exit
f:
    mov %r0, 0
    mov %r3, %r2
loop:
    ldxb %r4, [%r1+0]
    add %r0, %r4
    add %r4, 1
    stxb [%r1+0], %r4
    add %r1, 1
    sub %r3, 1
    jne %r3, 0, loop
    ldxdw %r4, [%r10-8]
    stxdw [%r10-8], %r0
    ldxdw %r4, [%r10-8]
    exit
