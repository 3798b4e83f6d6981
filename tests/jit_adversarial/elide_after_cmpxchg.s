# a checked base (r0) rewritten by cmpxchg: must be checked again
# args: --mem-size 16
# expect: status -4 pc 5 msg 'out-of-bounds load' fault 0x1000 size 1 budget_used 0
# check elision: r0 is rewritten by cmpxchg between two accesses through it
    mov %r0, %r1
    ldxb %r2, [%r0+0]
    stdw [%r10-8], 0x1000
    mov %r3, 5
    lock cmpxchg [%r10-8], %r3
    ldxb %r2, [%r0+0]
    exit
