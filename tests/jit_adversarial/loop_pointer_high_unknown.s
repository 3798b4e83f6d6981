# pointer whose high half is not known at the loop's entry
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status 0 r0 0x24 budget_used 7
# pointer high half unknown at entry: loaded 64-bit from memory plus r1
    mov %r0, 0
    ldxdw %r6, [%r1+0]
    and %r6, 0
    add %r6, %r1
    ldxdw %r7, [%r1+8]
    rsh %r7, 60
    mov %r3, 8
loop:
    ldxb %r5, [%r6+0]
    add %r0, %r5
    add %r6, 1
    sub %r3, 1
    jne %r3, 0, loop
    exit
