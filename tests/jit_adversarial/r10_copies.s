# r10 copied with mov32, moved by registers, one byte below the stack
# args: --mem-size 16 --stack 64 --depth 2
# expect: status -4 pc 15 msg 'out-of-bounds load' fault 0x40021fff size 1 budget_used 0
# r10 arithmetic copies: mov32, add of a register, sub back, a copy that
# leaves the stack area by one byte at both ends
    stdw [%r10-8], 0x77
    mov32 %r3, %r10
    ldxdw %r0, [%r3-8]
    mov %r4, 16
    mov %r5, %r10
    sub %r5, %r4
    add %r5, 8
    ldxdw %r6, [%r5+0]
    add %r0, %r6
    mov %r7, %r10
    add %r7, -128
    ldxb %r6, [%r7+0]
    add %r0, %r6
    mov %r7, %r10
    add %r7, -129
    ldxb %r6, [%r7+0]
    add %r0, %r6
    exit
