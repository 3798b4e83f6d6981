# JIT tools: the conformance plugin with --jit run per test like the official
# runner (the public suite and our tests/data), and `mbpf jit` listings.
set(MBPF_PLUGIN_SUITE "${CMAKE_CURRENT_SOURCE_DIR}/run_plugin_suite.sh")

add_test(NAME jit.plugin.public
         COMMAND bash "${MBPF_PLUGIN_SUITE}" $<TARGET_FILE:mbpf>
                 $<TARGET_FILE:mbpf-conformance-plugin>
                 "${MBPF_SHARED_DIR}/bpf-conformance/tests" --jit)
add_test(NAME jit.plugin.ours
         COMMAND bash "${MBPF_PLUGIN_SUITE}" $<TARGET_FILE:mbpf>
                 $<TARGET_FILE:mbpf-conformance-plugin> "${CMAKE_CURRENT_SOURCE_DIR}/data" --jit)
set_tests_properties(jit.plugin.public jit.plugin.ours PROPERTIES SKIP_RETURN_CODE 77
                     LABELS jit TIMEOUT 300)
# 313 plugin processes: long under the sanitizers (make test-asan skips "slow";
# unit.test_jit_conformance covers the same programs there in one process)
set_tests_properties(jit.plugin.public PROPERTIES LABELS "jit;slow")

foreach(case sizes disasm errors image)
  add_test(NAME jit.cli.${case}
           COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/jit_cli_tests.sh" ${case}
                   $<TARGET_FILE:mbpf> "${CMAKE_SOURCE_DIR}")
  set_tests_properties(jit.cli.${case} PROPERTIES LABELS jit)
endforeach()
