# xchg through a base that receives the old value
# args: --mem-size 16
# expect: status 0 r0 0x0 budget_used 0
    mov %r6, %r1
    stxdw [%r1+8], %r10
    lock xchg [%r6+8], %r6
    ldxdw %r2, [%r6-8]
    mov %r0, %r6
    sub %r0, %r10
    exit
