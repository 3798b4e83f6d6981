# counter step -4 that never meets its limit: checked copy runs to the fault
# args: --mem 0102030405060708090a0b0c0d0e0f10 --budget 50
# expect: status -4 pc 3 msg 'out-of-bounds load' fault 0x40011010 size 4 budget_used 4
# counter step -4, word loads
    mov %r0, 0
    mov %r4, %r1
    mov %r3, 18
loop:
    ldxw %r5, [%r4+0]
    xor %r0, %r5
    add %r4, 4
    sub %r3, 4
    jne %r3, 0, loop
    exit
