# budget exhausted by the third local call
# args: --depth 4 --stack 64 --budget 2
# expect: status -5 pc 24 msg 'execution budget exhausted' budget_used 2
# a chain of 3 local calls (4 frames); each frame keeps r6-r9 and a stack slot
    mov %r6, 1
    mov %r7, 2
    mov %r8, 3
    mov %r9, 4
    stdw [%r10-8], 100
    call local f1
    add %r0, %r6
    add %r0, %r7
    add %r0, %r8
    add %r0, %r9
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    exit
f1:
    mov %r6, 10
    mov %r9, %r10
    stdw [%r10-8], 200
    call local f2
    ldxdw %r1, [%r9-8]
    add %r0, %r1
    add %r0, %r6
    exit
f2:
    mov %r6, 20
    mov %r7, 21
    stdw [%r10-64], 300
    call local f3
    ldxdw %r1, [%r10-64]
    add %r0, %r1
    add %r0, %r7
    exit
f3:
    mov %r6, 30
    mov %r0, %r10
    sub %r0, %r9
    exit
