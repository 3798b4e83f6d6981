# high halves of r1, r2, r10 and an unwritten r9 read by 64-bit ops
# args: --mem-size 8
# expect: status 0 r0 0x0 budget_used 0
# the high halves of r1, r2, r10 (32-bit values at entry) read with 64-bit ops
    mov %r0, %r1
    rsh %r0, 32
    mov %r3, %r2
    arsh %r3, 32
    add %r0, %r3
    mov %r4, %r10
    rsh %r4, 32
    add %r0, %r4
    mov %r5, %r9
    rsh %r5, 32
    add %r0, %r5
    add %r1, %r2
    add %r1, %r10
    rsh %r1, 32
    add %r0, %r1
    exit
