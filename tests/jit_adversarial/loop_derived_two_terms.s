# derived base: two terms whose high words cancel
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status 0 r0 0x88 budget_used 15
# derived base: terms with high words that cancel
    mov %r0, 0
    lddw %r6, 0xffffffff00000000
    lddw %r7, 0x100000000
    add %r7, %r1
    mov %r3, 0
loop:
    mov %r5, %r6
    add %r5, %r7
    ldxb %r5, [%r5+0]
    add %r0, %r5
    add %r7, 1
    add %r3, 1
    jne %r3, 16, loop
    exit
