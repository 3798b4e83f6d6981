# helper pointer arguments: ctx, stack, and one byte past ctx
# args: --mem 68656c6c6f00
# expect: status -4 pc 19 msg 'bad helper pointer argument' fault 0x40011000 size 7 budget_used 0
# helpers with pointer args: ctx, stack, oob
    mov %r6, %r1
    mov %r1, %r6
    mov %r2, 6
    call 6
    mov %r7, %r0
    stdw [%r10-8], 0x41424344
    mov %r1, %r10
    add %r1, -8
    call 8
    add %r7, %r0
    mov %r1, %r10
    add %r1, -8
    mov %r2, 8
    mov %r3, 0x33
    call 7
    ldxdw %r0, [%r10-8]
    add %r0, %r7
    mov %r1, %r6
    mov %r2, 7
    call 6
    exit
