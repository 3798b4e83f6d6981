# registers written only by sign-extending loads, movsx, 64-bit fetch, be64, sdiv, neg: their high words
# args: --mem 80ff7f80fffffffe
# expect: status 0 r0 0x706fffff9 budget_used 0
# registers whose every write looks 32-bit-ish but is not zero-extended:
# each result's high word is folded into r0
    stdw [%r10-8], -2
    ldxsw %r2, [%r1+4]
    mov32 %r3, 0x80
    movsx864 %r3, %r3
    mov32 %r4, 1
    lock fetch add [%r10-8], %r4
    mov32 %r5, 7
    be64 %r5
    mov32 %r6, 9
    sdiv %r6, -3
    mov32 %r7, 5
    neg %r7
    mov32 %r8, 0xffffffff
    movsx3264 %r8, %r8
    ldxsb %r9, [%r1+0]
    mov %r0, 0
    mov %r1, %r2
    rsh %r1, 32
    add %r0, %r1
    mov %r1, %r3
    rsh %r1, 32
    add %r0, %r1
    mov %r1, %r4
    rsh %r1, 32
    add %r0, %r1
    mov %r1, %r5
    rsh %r1, 32
    add %r0, %r1
    mov %r1, %r6
    rsh %r1, 32
    add %r0, %r1
    mov %r1, %r7
    rsh %r1, 32
    add %r0, %r1
    mov %r1, %r8
    rsh %r1, 32
    add %r0, %r1
    mov %r1, %r9
    rsh %r1, 32
    add %r0, %r1
    exit
