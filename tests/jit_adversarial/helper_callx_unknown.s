# callx to an id that is not registered
# args:
# expect: status -7 pc 3 msg 'unknown helper' helper 12345 budget_used 0
    mov %r0, 5
    mov %r2, 12345
    mov %r1, 77
    call %r2
    exit
