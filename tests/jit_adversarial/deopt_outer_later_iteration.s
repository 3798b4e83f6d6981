# deopt on a later outer iteration: the inner loop's guard passes for the
# first rows and fails when the row would run past the region; the
# interpreter goes on from the inner head (outer loop included) and faults
# args: --mem-size 40
# expect: status -4 pc 5 msg 'out-of-bounds load' fault 0x40011028 size 1 budget_used 40
    mov %r0, 0
    mov %r6, %r1
    mov %r7, 0
outer:
    mov %r3, 12
    mov %r4, %r6
inner:
    ldxb %r5, [%r4]
    add %r0, %r5
    add %r4, 1
    add32 %r3, -1
    jne32 %r3, 0, inner
    add %r6, 12
    add %r7, 1
    jlt %r7, 5, outer
    exit
