# atomics inside a loop over read-only memory
# args: --mem 0102030405060708090a0b0c0d0e0f10 --mem-ro
# expect: status -4 pc 4 msg 'out-of-bounds atomic' fault 0x40011000 size 4 budget_used 0
# atomics in a loop over the region
    mov %r0, 0
    mov %r4, %r1
    mov %r3, 4
    mov %r6, 1
loop:
    lock fetch add32 [%r4+0], %r6
    lock add [%r4+0], %r3
    add %r4, 4
    sub %r3, 1
    jne %r3, 0, loop
    ldxdw %r0, [%r1+0]
    ldxdw %r2, [%r1+8]
    xor %r0, %r2
    xor %r0, %r6
    exit
