# stores into read-only memory inside the loop
# args: --mem 0102030405060708090a0b0c0d0e0f10 --mem-ro
# expect: status -4 pc 5 msg 'out-of-bounds store' fault 0x40011000 size 1 budget_used 0
    mov %r0, 0
    mov %r4, %r1
    mov %r3, 16
loop:
    ldxb %r5, [%r4+0]
    add %r5, 1
    stxb [%r4+0], %r5
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, loop
    exit
