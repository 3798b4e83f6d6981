# ordered test (jsgt32) whose counter starts at the limit, small budget
# args: --mem-size 16 --budget 3
# expect: status 0 r0 0x7 budget_used 0
    mov %r0, 0
    mov %r3, 5
    mov %r4, %r1
loop:
    ldxb %r5, [%r4+0]
    add %r0, 7
    add %r3, -1
    jsgt32 %r3, 5, loop
    exit
