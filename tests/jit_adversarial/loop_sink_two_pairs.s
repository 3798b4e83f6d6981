# two sink pairs in one body
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status 0 r0 0x8900890000 budget_used 15
# two sink pairs in one body, one reading the other's a after its copy
    mov %r0, 1
    mov %r5, 2
    mov %r7, %r1
    mov %r3, 16
loop:
    ldxb %r8, [%r7+0]
    mov32 %r4, %r0
    add32 %r4, %r8
    mov32 %r0, %r4
    mov32 %r6, %r5
    sub32 %r6, %r0
    add %r7, 1
    mov32 %r5, %r6
    sub %r3, 1
    jne %r3, 0, loop
    mov %r9, %r4
    lsh %r9, 16
    xor %r9, %r6
    lsh %r0, 32
    or %r0, %r5
    xor %r0, %r9
    exit
