# the same loop one iteration past the region (checked copy)
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 7 msg 'out-of-bounds load' fault 0x40011010 size 1 budget_used 16
# clang's accumulator shape: mov32 b, x; add32 b, y; ...; mov32 a, b with b
# (r4) read after the loop, a (r0) holding a 64-bit value before the loop
    lddw %r0, 0x123456789
    lddw %r4, 0xfedcba987
    mov %r6, 0
    mov %r7, %r1
    mov %r3, 17
loop:
    ldxb %r8, [%r7+0]
    mov32 %r4, %r6
    add32 %r4, %r8
    mov32 %r9, %r4
    add32 %r9, %r0
    add %r7, 1
    mov32 %r6, %r4
    mov32 %r0, %r9
    sub %r3, 1
    jne %r3, 0, loop
    lsh %r4, 32
    or %r0, %r4
    add %r0, %r9
    exit
