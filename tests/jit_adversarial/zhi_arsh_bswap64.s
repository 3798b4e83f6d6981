# arsh, bswap64 and lsh of zero-extended values
# args: --mem 80ff7f80fffffffe
# expect: status 0 r0 0x7856341df0000001 budget_used 0
# le64 / bswap64 / arsh of a zero-extended value, and a loop that keeps it
    mov32 %r6, 0x80000000
    arsh %r6, 31
    mov32 %r7, 0x12345678
    bswap64 %r7
    mov32 %r8, 0xff
    lsh %r8, 28
    mov %r0, %r6
    xor %r0, %r7
    xor %r0, %r8
    exit
