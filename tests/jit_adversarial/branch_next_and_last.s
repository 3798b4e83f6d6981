# conditional jumps to the next and to the last instruction
# args: --mem-size 4
# expect: status 0 r0 0x1 budget_used 0
    mov %r0, 1
    jeq %r1, 0, +0
    jne32 %r0, 1, +0
    jset %r0, 1, last
    mov %r0, 2
last:
    exit
