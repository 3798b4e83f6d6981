# Programs written to break the JIT (tests/jit_adversarial/*.s, see the
# script): each must agree with the interpreter and give its expected result.
add_test(NAME jit.adversarial
         COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/jit_adversarial.sh" $<TARGET_FILE:mbpf>
                 "${CMAKE_CURRENT_SOURCE_DIR}/jit_adversarial")
set_tests_properties(jit.adversarial PROPERTIES LABELS jit TIMEOUT 120)
