# a path that skips the only write of a register
# args: --mem-size 4
# expect: status 0 r0 0x0 budget_used 0
    jne %r2, 4, w
    ja r
w:
    mov %r6, 5
r:
    mov %r0, %r6
    add %r0, %r7
    mov32 %r7, 3
    exit
