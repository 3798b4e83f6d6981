# an outer back-edge lands on the inner loop's head
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status 0 r0 0x15 budget_used 5
# outer loop's back-edge goes to the inner loop's head (shared head)
    mov %r0, 0
    mov %r4, %r1
    mov %r7, 3
head:
    mov %r3, 4
    mov %r3, 4
h2:
    ldxb %r5, [%r4+0]
    add %r0, %r5
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, h2
    sub %r7, 1
    jne %r7, 0, h2x
    exit
h2x:
    mov %r3, 1
    ja h2
