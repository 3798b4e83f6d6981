# Fletcher-16 of r1[0..r2), as eBPF: the output of
#   clang-19 -O2 -ffreestanding -target bpf -mcpu=v4 -c fletcher16.c
# for bench/jit/fletcher16.c (the very C the native figures are compiled
# from), disassembled with `mbpf disasm`. Kept as assembly until programs can
# be built with `mbpf build` in the benchmark. r0 = (sum2 << 8) | sum1.
    mov32 %r3, 255
    mov32 %r4, 255
    jeq32 %r2, 0, L24
    mov32 %r0, 255
    ja L35
L5:
    ldxb %r4, [%r1]
    add32 %r3, %r4
    add %r1, 1
    mov32 %r4, %r3
    add32 %r4, %r0
    add32 %r6, -1
    mov32 %r0, %r4
    jne32 %r6, 0, L5
    mov32 %r0, %r4
    rsh32 %r0, 8
    and32 %r4, 255
    add32 %r4, %r0
    mov32 %r0, %r3
    rsh32 %r0, 8
    and32 %r3, 255
    add32 %r3, %r0
    sub32 %r2, %r5
    mov32 %r0, %r4
    jne32 %r2, 0, L35
L24:
    mov32 %r1, %r3
    rsh32 %r1, 8
    and32 %r3, 255
    add32 %r3, %r1
    mov32 %r0, %r4
    lsh32 %r0, 8
    and32 %r0, 0xff00
    add32 %r0, %r4
    and32 %r0, 0x3ffff00
    or32 %r0, %r3
    exit
L35:
    mov32 %r5, %r2
    jlt32 %r2, 20, L38
    mov32 %r5, 20
L38:
    mov32 %r6, %r5
    ja L5
