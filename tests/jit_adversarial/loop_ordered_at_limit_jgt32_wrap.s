# jgt32 against -1 with a 64-bit counter at 0xffffffff
# args: --budget 18446744073709551615
# expect: status 0 r0 0x3fffffffe budget_used 0
    mov %r0, 0
    lddw %r3, 4294967295
loop:
    add %r0, 3
    add %r3, -1
    jgt32 %r3, -1, loop
    lsh %r0, 32
    or %r0, %r3
    exit
