# one local call with a single frame allowed
# args: --depth 1 --stack 8
# expect: status -8 pc 2 msg 'call depth exceeded' budget_used 0
    mov %r6, 1
    stdw [%r10-8], 5
    call local f1
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f1:
    mov %r6, 1
    stdw [%r10-8], 3
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
