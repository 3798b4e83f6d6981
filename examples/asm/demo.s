# Fletcher-16 checksum (RFC 1146) of the context bytes.
#
# Entry: r1 = pointer to the data, r2 = its length (as every microbpf program
# gets its context). Returns (sum2 << 8) | sum1 where, for each byte b,
#   sum1 = (sum1 + b) mod 255,  sum2 = (sum2 + sum1) mod 255.
# "abcde" gives 0xc8f0 and "abcdef" gives 0x2057.
#
# The modular step is a local function to show calls: it gets its own stack
# frame, and r6-r9 survive it.

    mov %r6, 0              # sum1
    mov %r7, 0              # sum2
    mov %r8, %r1            # cursor
    mov %r9, %r1
    add %r9, %r2            # end of the data
loop:
    jge %r8, %r9, done      # every byte consumed?
    ldxb %r1, [%r8+0]
    add %r1, %r6
    call local mod255
    mov %r6, %r0            # sum1 = (sum1 + byte) mod 255
    mov %r1, %r7
    add %r1, %r6
    call local mod255
    mov %r7, %r0            # sum2 = (sum2 + sum1) mod 255
    add %r8, 1
    ja loop                 # backward jump: one unit of the execution budget
done:
    mov %r0, %r7
    lsh %r0, 8
    or %r0, %r6
    exit

# r0 = r1 mod 255
mod255:
    mov %r0, %r1
    mod %r0, 255
    exit
