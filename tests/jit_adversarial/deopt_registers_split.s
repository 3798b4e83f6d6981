# every register live across a deopt (an ordered loop that starts at its
# limit runs once), 64-bit values in slots and split halves, zero-upper
# registers, a stored value; all folded into r0 after the loop
# args: --mem-size 16
# expect: status 0 r0 0xa0fef3f176e7b07f budget_used 0
    mov %r6, %r1
    lddw %r0, 0x1111111122222222
    lddw %r2, 0x3333333344444444
    mov32 %r3, 0x55
    lddw %r4, 0x6666666677777777
    mov %r5, -5
    mov32 %r7, 10
    lddw %r8, 0x8888888899999999
    mov %r9, %r10
    add %r9, -8
    stxdw [%r10-8], %r8
    lddw %r1, 0x0123456789abcdef
loop:
    ldxb %r3, [%r6]
    add %r0, %r3
    add %r6, 1
    add32 %r7, 1
    jlt32 %r7, 10, loop
    mul %r0, 31
    add %r0, %r1
    mul %r0, 31
    add %r0, %r2
    mul %r0, 31
    add %r0, %r3
    mul %r0, 31
    add %r0, %r4
    mul %r0, 31
    add %r0, %r5
    and %r6, 0xfff
    mul %r0, 31
    add %r0, %r6
    mul %r0, 31
    add %r0, %r7
    mul %r0, 31
    add %r0, %r8
    mov %r1, %r10
    sub %r1, %r9
    mul %r0, 31
    add %r0, %r1
    ldxdw %r1, [%r9]
    add %r0, %r1
    exit
