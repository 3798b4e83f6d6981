# Ordered closing test whose counter starts AT the limit: the body runs once
# (0 back jumps). The guard took N - 1 = 0 - 1 = 2^32 - 1 and, with a budget
# whose low word covers that, ran the fast copy and charged 2^32 - 1 units.
# args: --mem-size 16 --budget 4294967295
# expect: status 0 r0 0x7 budget_used 0
    mov %r0, 0
    mov %r3, 5
    mov %r4, %r1
loop:
    ldxb %r5, [%r4+0]
    add %r0, 7
    add %r3, 1
    jslt %r3, 5, loop
    exit
