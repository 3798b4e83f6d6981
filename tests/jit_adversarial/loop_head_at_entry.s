# the program starts with the loop head (jsgt down)
# args: --mem 0102030405060708090a0b0c0d0e0f10
# expect: status 0 r0 0x78 budget_used 14
loop:
    ldxb %r5, [%r1+0]
    add %r0, %r5
    add %r1, 1
    add %r2, -1
    jsgt %r2, 1, loop
    exit
