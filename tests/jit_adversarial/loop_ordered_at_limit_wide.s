# Ordered closing test whose counter starts AT the limit: the body runs once
# (0 back jumps). The guard took N - 1 = 0 - 1 = 2^32 - 1 and, with a budget
# whose low word covers that, ran the fast copy and charged 2^32 - 1 units.
# args: --mem-size 16 --budget 4294967295
# expect: status 0 r0 0x7 budget_used 0
    mov %r0, 0
    lddw %r3, 0x300000005
    lddw %r6, 0x300000005
loop:
    add %r0, 7
    add %r3, 1
    jlt %r3, %r6, loop
    exit
