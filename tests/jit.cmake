# The JIT's own tests (tests/unit/test_jit_*.c are added by the unit glob):
# encoders against GNU as + capstone, every instruction form against the
# interpreter under Unicorn, and every .data conformance test through the JIT.
# Label them so `ctest -L jit` runs the whole JIT story.
foreach(t test_jit_encode test_jit_ops test_jit_conformance)
  if(TEST unit.${t})
    set_property(TEST unit.${t} APPEND PROPERTY LABELS jit)
  endif()
endforeach()
