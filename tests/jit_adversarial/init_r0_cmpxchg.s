# r0 never written before a cmpxchg reads it
# args:
# expect: status 0 r0 0x9 budget_used 0
# r0 never written before a cmpxchg reads it (must be 0)
    stdw [%r10-8], 0
    mov %r4, 9
    lock cmpxchg [%r10-8], %r4
    ldxdw %r0, [%r10-8]
    exit
