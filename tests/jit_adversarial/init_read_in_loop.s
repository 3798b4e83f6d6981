# a register read in a loop before its write (first iteration: 0)
# args:
# expect: status 0 r0 0x0 budget_used 0
    mov %r3, 1
loop:
    mov %r0, %r5
    mov %r5, 7
    sub %r3, 1
    jne %r3, 0, loop
    exit
