# inner fast loop, outer loop with an early exit
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status 0 r0 0x70 budget_used 15
# nested: outer loop jumps to the inner head; early exit from outer
    mov %r0, 0
    mov %r7, 0
outer:
    mov %r4, %r1
    add %r4, %r7
    mov %r3, 4
inner:
    ldxb %r5, [%r4+0]
    add %r0, %r5
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, inner
    jgt %r0, 100, out
    add %r7, 3
    jlt %r7, 14, outer
out:
    exit
