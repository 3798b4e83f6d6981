# the deepest frame's loop walks below the stack area
# args: --depth 3 --stack 32
# expect: status -4 pc 8 msg 'out-of-bounds load' fault 0x3fffffff size 8 budget_used 27
# the deepest frame walks down from its r10 below the stack area's bottom
    call local f1
    exit
f1:
    call local f2
    exit
f2:
    mov %r6, %r10
    add %r6, -8
    mov %r3, 33
    mov %r0, 0
loop:
    ldxdw %r5, [%r6+0]
    add %r0, %r5
    stxdw [%r6+0], %r3
    add %r6, -1
    sub %r3, 1
    jne %r3, 0, loop
    exit
