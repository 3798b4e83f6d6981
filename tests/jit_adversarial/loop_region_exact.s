# 16-byte walk that ends exactly at the region's end (fast copy)
# args: --mem-size 16
# expect: status 0 r0 0x0 budget_used 15
    mov %r0, 0
    mov %r3, 16
    mov %r4, %r1
    add %r4, 0
loop:
    ldxb %r5, [%r4+0]
    add %r0, %r5
    add %r4, 1
    sub %r3, 1
    jne %r3, 0, loop
    exit
