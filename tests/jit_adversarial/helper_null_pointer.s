# NULL pointer arguments, allowed and refused
# args: --mem 0102
# expect: status -4 pc 10 msg 'bad helper pointer argument' fault 0x0 size 1 budget_used 0
    mov %r1, 0
    mov %r2, 0
    call 11
    mov %r6, %r0
    mov %r1, 0
    mov %r2, 5
    call 11
    add %r0, %r6
    mov %r1, 0
    mov %r2, 1
    call 6
    exit
