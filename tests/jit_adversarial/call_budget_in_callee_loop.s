# budget exhausted in a loop inside a local call
# args: --budget 9
# expect: status -5 pc 11 msg 'execution budget exhausted' budget_used 9
# budget exhausted inside a local call's loop
    mov %r6, 11
    mov %r7, 12
    mov %r8, 13
    mov %r9, 14
    call local f
    add %r0, %r6
    exit
f:
    mov %r6, 0
    mov %r0, 0
loop:
    add %r0, 3
    add %r6, 1
    jlt %r6, 10, loop
    exit
