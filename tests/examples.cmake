# Examples: each examples/NAME.c is built with `mbpf build` and run with
# `mbpf run`; stdout, stderr and the exit status must match
# tests/examples/NAME.expect (see tests/examples/check_example.sh).
# example.NAME.jit runs the same image with the same input through
# `mbpf jit --run` (tests/examples/check_example_jit.sh): the JIT'd code under
# Unicorn must agree with the interpreter. JIT_LOAD_ERROR: the program is
# refused at load (before either engine runs it) with that message.
set(MBPF_EXAMPLES_WORK "${CMAKE_BINARY_DIR}/examples")

function(mbpf_example name)
  cmake_parse_arguments(EX "" "JIT_LOAD_ERROR" "BUILD;RUN" ${ARGN})
  string(REPLACE ";" " " build_args "${EX_BUILD}")
  add_test(NAME example.${name}
           COMMAND sh "${CMAKE_SOURCE_DIR}/tests/examples/check_example.sh" $<TARGET_FILE:mbpf>
                   "${CMAKE_SOURCE_DIR}/examples/${name}.c"
                   "${CMAKE_SOURCE_DIR}/tests/examples/${name}.expect"
                   "${MBPF_EXAMPLES_WORK}" "${build_args}" ${EX_RUN})
  set_tests_properties(example.${name} PROPERTIES LABELS example)
  add_test(NAME example.${name}.jit
           COMMAND sh "${CMAKE_SOURCE_DIR}/tests/examples/check_example_jit.sh" $<TARGET_FILE:mbpf>
                   "${CMAKE_SOURCE_DIR}/examples/${name}.c" "${MBPF_EXAMPLES_WORK}/jit"
                   "${build_args}" "${EX_JIT_LOAD_ERROR}" ${EX_RUN})
  set_tests_properties(example.${name}.jit PROPERTIES LABELS "example;jit")
endfunction()

mbpf_example(fletcher16)
mbpf_example(fletcher32)
mbpf_example(sensor_avg)
mbpf_example(printf_fmt)
mbpf_example(histogram)
mbpf_example(calls)
mbpf_example(counters)
mbpf_example(strings)
mbpf_example(coap_format RUN --coap 64)
mbpf_example(oob_write RUN --ctx-size 16)
mbpf_example(infinite_loop RUN --budget 1000)
# recursion is refused by the verifier: neither engine runs it
mbpf_example(recursion JIT_LOAD_ERROR "verifier: insn 9: recursive local call")
mbpf_example(peer_temp_reader)
mbpf_example(peer_coap_temp RUN --coap 64)
mbpf_example(peer_fletcher_bench)
mbpf_example(peer_gpio_blink)
mbpf_example(isa_v4 BUILD --isa v4)
mbpf_example(debug_lines BUILD --debug -Os)

# objdump of a --debug build shows the line table with the source text.
add_test(NAME example.debug_lines.objdump
         COMMAND sh "${CMAKE_SOURCE_DIR}/tests/examples/check_objdump.sh" $<TARGET_FILE:mbpf>
                 "${CMAKE_SOURCE_DIR}/examples/debug_lines.c" "${MBPF_EXAMPLES_WORK}"
                 "flags:     0x1 debug" "<debug_lines>:" "<square>:" "-> square"
                 "; debug_lines.c:7:     return x * x;" "(entry)")
set_tests_properties(example.debug_lines.objdump PROPERTIES LABELS example)

# `mbpf build` refusals, end to end through the CLI.
function(mbpf_build_error name source status build_args)
  add_test(NAME build_error.${name}
           COMMAND sh "${CMAKE_SOURCE_DIR}/tests/examples/check_build_error.sh" $<TARGET_FILE:mbpf>
                   "${source}" "${MBPF_EXAMPLES_WORK}/bad/${name}" ${status} "${build_args}" ${ARGN})
  set_tests_properties(build_error.${name} PROPERTIES LABELS example)
endfunction()

set(MBPF_BAD "${CMAKE_SOURCE_DIR}/tests/examples/bad")
mbpf_build_error(syntax "${MBPF_BAD}/syntax_error.c" 1 ""
                 "syntax_error.c:6:12: error:" "mbpf build: error: compilation of")
mbpf_build_error(section "${MBPF_BAD}/custom_section.c" 1 ""
                 "mbpf build: error: unsupported section '.myconfig'")
mbpf_build_error(extern_call "${MBPF_BAD}/extern_call.c" 1 ""
                 "mbpf build: error: undefined function 'platform_magic' called at insn")
mbpf_build_error(string_table "${MBPF_BAD}/string_table.c" 1 ""
                 "unsupported relocation R_BPF_64_ABS64 (2) in section" "pointers in initialised data")
mbpf_build_error(no_entry "${CMAKE_SOURCE_DIR}/examples/calls.c" 1 "--entry nope"
                 "mbpf build: error: entry function 'nope' not found")
mbpf_build_error(no_output "${CMAKE_SOURCE_DIR}/examples/calls.c" 2 "-o"
                 "-o needs a value")
mbpf_build_error(missing_input "${MBPF_BAD}/does_not_exist.c" 1 ""
                 "does_not_exist.c: No such file or directory")

# A successful build names its compiler and ends with the one-line summary.
mbpf_build_error(summary "${CMAKE_SOURCE_DIR}/examples/histogram.c" 0 ""
                 "mbpf build: using clang-"
                 "histogram.mbpf: " " instructions, 1 functions, " " sections, 2 maps, 4 helpers, ")
