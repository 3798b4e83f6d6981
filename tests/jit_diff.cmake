# Differential test, interpreter vs JIT under Unicorn (tests/unit/test_jit_diff.c:
# a few thousand random programs from a printed seed; MBPF_DIFF_SEED and
# MBPF_DIFF_COUNT override), and `mbpf fuzz`, which replays a seed.
if(TEST unit.test_jit_diff)
  set_tests_properties(unit.test_jit_diff PROPERTIES TIMEOUT 300 LABELS jit)
  if(MBPF_SANITIZE) # ~10x slower under ASan+UBSan: fewer programs there
    set_tests_properties(unit.test_jit_diff PROPERTIES ENVIRONMENT "MBPF_DIFF_COUNT=400")
  endif()
endif()

add_test(NAME jit.fuzz.replay
         COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/jit_cli_tests.sh" fuzz $<TARGET_FILE:mbpf>
                 "${CMAKE_SOURCE_DIR}")
set_tests_properties(jit.fuzz.replay PROPERTIES LABELS jit)
