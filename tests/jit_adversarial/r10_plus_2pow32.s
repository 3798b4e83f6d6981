# an r10-derived pointer plus 2^32
# args: --mem-size 16 --stack 64 --depth 2
# expect: status -4 pc 4 msg 'out-of-bounds load' fault 0x14002207f size 1 budget_used 0
    mov %r7, %r10
    lddw %r8, 0x100000000
    add %r7, %r8
    ldxb %r6, [%r7-1]
    exit
