# sink candidates that must not be sunk (b live on the back-edge, a read)
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status 0 r0 0x2bc00000088 budget_used 15
# sink candidates whose b is read before its write in the next iteration
# (not dead on the back-edge) and whose a is read between pair and copy
    mov %r0, 5
    mov %r4, 7
    mov %r6, 0
    mov %r7, %r1
    mov %r3, 16
loop:
    add32 %r0, %r4
    ldxb %r8, [%r7+0]
    mov32 %r4, %r6
    add32 %r4, %r8
    xor32 %r0, 3
    mov32 %r6, %r4
    add %r7, 1
    sub %r3, 1
    jne %r3, 0, loop
    lsh %r0, 32
    or %r0, %r4
    exit
