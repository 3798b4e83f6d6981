# JIT tools: the conformance plugin with --jit run per test like the official
# runner (the public suite and our tests/data), and `mbpf jit` listings.
foreach(case sizes disasm errors)
  add_test(NAME jit.cli.${case}
           COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/jit_cli_tests.sh" ${case}
                   $<TARGET_FILE:mbpf> "${CMAKE_SOURCE_DIR}")
  set_tests_properties(jit.cli.${case} PROPERTIES LABELS jit)
endforeach()
