# a 64-bit cmpxchg writes r0's high word (r0 otherwise written by mov32)
# args: --mem 80ff7f80fffffffe
# expect: status 0 r0 0x4d budget_used 0
# cmpxchg (64-bit) into r0, the only writes of r0 otherwise mov32
    stdw [%r10-8], -5
    mov32 %r0, 3
    mov32 %r2, 1
    lock cmpxchg [%r10-8], %r2
    rsh %r0, 32
    jeq %r0, 0, +1
    mov32 %r0, 77
    exit
