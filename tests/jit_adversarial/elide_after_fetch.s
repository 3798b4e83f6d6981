# a checked base rewritten by an atomic fetch
# args: --mem-size 16
# expect: status -4 pc 4 msg 'out-of-bounds load' fault 0x1000 size 1 budget_used 0
    mov %r6, %r1
    ldxb %r2, [%r6+0]
    stdw [%r1+0], 0x1000
    lock fetch add [%r1+0], %r6
    ldxb %r2, [%r6+0]
    exit
