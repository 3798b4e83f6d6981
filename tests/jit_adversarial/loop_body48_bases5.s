# 48-slot body with five bases (too many for the fast path)
# args: --mem-size 40
# expect: status -4 pc 24 msg 'out-of-bounds load' fault 0x40011028 size 1 budget_used 7
    mov %r0, 0
    mov %r3, 8
    mov %r4, %r1
    add %r4, 0
    mov %r5, %r1
    add %r5, 8
    mov %r6, %r1
    add %r6, 16
    mov %r7, %r1
    add %r7, 24
    mov %r8, %r1
    add %r8, 32
loop:
    ldxb %r9, [%r4+0]
    add %r0, %r9
    stxb [%r4+0], %r0
    ldxb %r9, [%r5+0]
    add %r0, %r9
    stxb [%r5+0], %r0
    ldxb %r9, [%r6+0]
    add %r0, %r9
    stxb [%r6+0], %r0
    ldxb %r9, [%r7+0]
    add %r0, %r9
    stxb [%r7+0], %r0
    ldxb %r9, [%r8+1]
    add %r0, %r9
    stxb [%r8+0], %r0
    xor32 %r0, 1
    xor32 %r0, 2
    xor32 %r0, 3
    xor32 %r0, 4
    xor32 %r0, 5
    xor32 %r0, 6
    xor32 %r0, 7
    xor32 %r0, 8
    xor32 %r0, 9
    xor32 %r0, 10
    xor32 %r0, 11
    xor32 %r0, 12
    xor32 %r0, 13
    xor32 %r0, 14
    xor32 %r0, 15
    xor32 %r0, 16
    xor32 %r0, 17
    xor32 %r0, 18
    xor32 %r0, 19
    xor32 %r0, 20
    xor32 %r0, 21
    xor32 %r0, 22
    xor32 %r0, 23
    xor32 %r0, 24
    xor32 %r0, 25
    xor32 %r0, 26
    add %r4, 1
    add %r5, 1
    add %r6, 1
    add %r7, 1
    add %r8, 1
    sub %r3, 1
    jne %r3, 0, loop
    exit
