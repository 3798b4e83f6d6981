# a jump over an lddw
# args:
# expect: status 0 r0 0x1 budget_used 0
    mov %r0, 1
    jeq %r0, 1, +2
    lddw %r0, 0x1234567890
    exit
