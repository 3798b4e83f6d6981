# cmpxchg32 in a loop (r0 implicit), unaligned by the stride
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 4 msg 'out-of-bounds atomic' fault 0x4001100d size 4 budget_used 13
# cmpxchg in a loop: r0 implicit
    mov %r0, 0
    mov %r4, %r1
    mov %r3, 16
    mov %r6, 7
loop:
    lock cmpxchg32 [%r4+0], %r6
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, loop
    ldxdw %r0, [%r1+0]
    ldxdw %r2, [%r1+8]
    xor %r0, %r2
    exit
