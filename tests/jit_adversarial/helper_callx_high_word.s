# callx with a register whose high word is set
# args:
# expect: status 0 r0 0x4d budget_used 0
    lddw %r2, 0x100000005
    mov %r1, 77
    call %r2
    exit
