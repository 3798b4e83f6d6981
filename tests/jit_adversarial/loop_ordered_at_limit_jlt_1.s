# jlt 1 with the counter at 1
# args: --budget 8589934591
# expect: status 0 r0 0x300000002 budget_used 0
    mov %r0, 0
    lddw %r3, 1
loop:
    add %r0, 3
    add %r3, 1
    jlt %r3, 1, loop
    lsh %r0, 32
    or %r0, %r3
    exit
