# The JIT's own tests (tests/unit/test_jit_*.c are added by the unit glob):
# encoders against GNU as + capstone, every instruction form against the
# interpreter under Unicorn, and every .data conformance test through the JIT.
# Label them so `ctest -L jit` runs the whole JIT story.
foreach(t test_jit_encode test_jit_ops test_jit_conformance test_jit_loops test_jit_shared
          test_jit_entry)
  if(TEST unit.${t})
    set_property(TEST unit.${t} APPEND PROPERTY LABELS jit)
  endif()
endforeach()

# JIT'd code on QEMU's Cortex-M4 (stricter than Unicorn: unaligned LDRD/LDREX
# fault there): atomics at aligned and unaligned addresses, 64-bit division,
# local calls, deopts (a guard that fails hands over to the interpreter:
# mbpf_jit_run's mbpf_interp_resume); the firmware checks JIT == interpreter
# == host.
find_program(JIT_QEMU_SYSTEM_ARM qemu-system-arm)
find_program(JIT_ARM_NONE_EABI_GCC arm-none-eabi-gcc)
if(JIT_QEMU_SYSTEM_ARM AND JIT_ARM_NONE_EABI_GCC)
  add_test(NAME jit.qemu.ops
           COMMAND "${CMAKE_SOURCE_DIR}/scripts/firmware.sh" "${CMAKE_BINARY_DIR}"
                   "${CMAKE_BINARY_DIR}/firmware-jit" "jit_ops:tests/jit_fw/jit_ops.c:0"
                   "jit_deopt_once:tests/jit_fw/jit_deopt_once.c:0"
                   "jit_deopt_oob:tests/jit_fw/jit_deopt_oob.c:-4"
                   "jit_helper_fault:tests/jit_fw/jit_helper_fault.c:-4")
  set_tests_properties(jit.qemu.ops PROPERTIES LABELS "slow;firmware;jit" TIMEOUT 300
                       RUN_SERIAL TRUE
                       PASS_REGULAR_EXPRESSION "firmware done: 0 failure\\(s\\)")
endif()

# mem_slow decides the last bytes of cached regions without calling out.
if(TEST unit.test_jit_memcheck)
  set_property(TEST unit.test_jit_memcheck APPEND PROPERTY LABELS jit)
endif()
if(TEST unit.test_jit_div)
  set_property(TEST unit.test_jit_div APPEND PROPERTY LABELS jit)
endif()
if(TEST unit.test_jit_layout)
  set_property(TEST unit.test_jit_layout APPEND PROPERTY LABELS jit)
endif()
