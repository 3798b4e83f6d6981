# a local function whose first instruction is a loop head
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status -4 pc 13 msg 'out-of-bounds load' fault 0x40011010 size 1 budget_used 17
# a local function whose first instruction is a loop head
    mov %r6, %r1
    mov %r3, 8
    mov %r4, %r1
    mov %r0, 0
    call local f
    mov %r7, %r0
    mov %r3, 9
    mov %r4, %r6
    add %r4, 8
    mov %r0, 0
    call local f
    add %r0, %r7
    exit
f:
    ldxb %r5, [%r4+0]
    add %r0, %r5
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, f
    exit
