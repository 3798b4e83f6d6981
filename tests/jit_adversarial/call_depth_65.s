# 64 nested local calls with 64 frames allowed: depth error at the last
# args: --depth 64 --stack 8
# expect: status -8 pc 443 msg 'call depth exceeded' budget_used 63
    mov %r6, 1
    stdw [%r10-8], 5
    call local f1
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f1:
    mov %r6, 1
    stdw [%r10-8], 3
    call local f2
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f2:
    mov %r6, 2
    stdw [%r10-8], 6
    call local f3
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f3:
    mov %r6, 3
    stdw [%r10-8], 9
    call local f4
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f4:
    mov %r6, 4
    stdw [%r10-8], 12
    call local f5
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f5:
    mov %r6, 5
    stdw [%r10-8], 15
    call local f6
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f6:
    mov %r6, 6
    stdw [%r10-8], 18
    call local f7
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f7:
    mov %r6, 7
    stdw [%r10-8], 21
    call local f8
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f8:
    mov %r6, 8
    stdw [%r10-8], 24
    call local f9
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f9:
    mov %r6, 9
    stdw [%r10-8], 27
    call local f10
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f10:
    mov %r6, 10
    stdw [%r10-8], 30
    call local f11
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f11:
    mov %r6, 11
    stdw [%r10-8], 33
    call local f12
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f12:
    mov %r6, 12
    stdw [%r10-8], 36
    call local f13
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f13:
    mov %r6, 13
    stdw [%r10-8], 39
    call local f14
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f14:
    mov %r6, 14
    stdw [%r10-8], 42
    call local f15
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f15:
    mov %r6, 15
    stdw [%r10-8], 45
    call local f16
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f16:
    mov %r6, 16
    stdw [%r10-8], 48
    call local f17
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f17:
    mov %r6, 17
    stdw [%r10-8], 51
    call local f18
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f18:
    mov %r6, 18
    stdw [%r10-8], 54
    call local f19
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f19:
    mov %r6, 19
    stdw [%r10-8], 57
    call local f20
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f20:
    mov %r6, 20
    stdw [%r10-8], 60
    call local f21
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f21:
    mov %r6, 21
    stdw [%r10-8], 63
    call local f22
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f22:
    mov %r6, 22
    stdw [%r10-8], 66
    call local f23
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f23:
    mov %r6, 23
    stdw [%r10-8], 69
    call local f24
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f24:
    mov %r6, 24
    stdw [%r10-8], 72
    call local f25
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f25:
    mov %r6, 25
    stdw [%r10-8], 75
    call local f26
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f26:
    mov %r6, 26
    stdw [%r10-8], 78
    call local f27
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f27:
    mov %r6, 27
    stdw [%r10-8], 81
    call local f28
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f28:
    mov %r6, 28
    stdw [%r10-8], 84
    call local f29
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f29:
    mov %r6, 29
    stdw [%r10-8], 87
    call local f30
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f30:
    mov %r6, 30
    stdw [%r10-8], 90
    call local f31
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f31:
    mov %r6, 31
    stdw [%r10-8], 93
    call local f32
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f32:
    mov %r6, 32
    stdw [%r10-8], 96
    call local f33
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f33:
    mov %r6, 33
    stdw [%r10-8], 99
    call local f34
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f34:
    mov %r6, 34
    stdw [%r10-8], 102
    call local f35
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f35:
    mov %r6, 35
    stdw [%r10-8], 105
    call local f36
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f36:
    mov %r6, 36
    stdw [%r10-8], 108
    call local f37
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f37:
    mov %r6, 37
    stdw [%r10-8], 111
    call local f38
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f38:
    mov %r6, 38
    stdw [%r10-8], 114
    call local f39
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f39:
    mov %r6, 39
    stdw [%r10-8], 117
    call local f40
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f40:
    mov %r6, 40
    stdw [%r10-8], 120
    call local f41
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f41:
    mov %r6, 41
    stdw [%r10-8], 123
    call local f42
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f42:
    mov %r6, 42
    stdw [%r10-8], 126
    call local f43
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f43:
    mov %r6, 43
    stdw [%r10-8], 129
    call local f44
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f44:
    mov %r6, 44
    stdw [%r10-8], 132
    call local f45
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f45:
    mov %r6, 45
    stdw [%r10-8], 135
    call local f46
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f46:
    mov %r6, 46
    stdw [%r10-8], 138
    call local f47
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f47:
    mov %r6, 47
    stdw [%r10-8], 141
    call local f48
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f48:
    mov %r6, 48
    stdw [%r10-8], 144
    call local f49
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f49:
    mov %r6, 49
    stdw [%r10-8], 147
    call local f50
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f50:
    mov %r6, 50
    stdw [%r10-8], 150
    call local f51
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f51:
    mov %r6, 51
    stdw [%r10-8], 153
    call local f52
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f52:
    mov %r6, 52
    stdw [%r10-8], 156
    call local f53
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f53:
    mov %r6, 53
    stdw [%r10-8], 159
    call local f54
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f54:
    mov %r6, 54
    stdw [%r10-8], 162
    call local f55
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f55:
    mov %r6, 55
    stdw [%r10-8], 165
    call local f56
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f56:
    mov %r6, 56
    stdw [%r10-8], 168
    call local f57
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f57:
    mov %r6, 57
    stdw [%r10-8], 171
    call local f58
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f58:
    mov %r6, 58
    stdw [%r10-8], 174
    call local f59
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f59:
    mov %r6, 59
    stdw [%r10-8], 177
    call local f60
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f60:
    mov %r6, 60
    stdw [%r10-8], 180
    call local f61
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f61:
    mov %r6, 61
    stdw [%r10-8], 183
    call local f62
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f62:
    mov %r6, 62
    stdw [%r10-8], 186
    call local f63
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f63:
    mov %r6, 63
    stdw [%r10-8], 189
    call local f64
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
f64:
    mov %r6, 64
    stdw [%r10-8], 192
    ldxdw %r1, [%r10-8]
    add %r0, %r1
    add %r0, %r6
    exit
