# Conformance: our own .data tests, the public bpf_conformance suite (when the
# shared folder is present) and the CLI / plugin tests.
set(MBPF_PUBLIC_CONFORMANCE_DIR "${MBPF_SHARED_DIR}/bpf-conformance/tests")

add_test(NAME conformance.ours
         COMMAND mbpf-conformance "${CMAKE_CURRENT_SOURCE_DIR}/data")

# All 313 public tests at ISA v4 with callx. The runner exits 77 after
# printing "skipped: ... not found" when the folder is absent.
add_test(NAME conformance.public
         COMMAND mbpf-conformance --isa 4 "${MBPF_PUBLIC_CONFORMANCE_DIR}")
set_tests_properties(conformance.public PROPERTIES SKIP_RETURN_CODE 77)

foreach(case roundtrip roundtrip-all run-output run-errors usage verify plugin)
  add_test(NAME cli.${case}
           COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/cli_tests.sh" ${case}
                   $<TARGET_FILE:mbpf> $<TARGET_FILE:mbpf-conformance-plugin>
                   "${CMAKE_SOURCE_DIR}" "${CMAKE_CURRENT_BINARY_DIR}" "${MBPF_SHARED_DIR}")
endforeach()

# 400 programs x 3 processes: quick natively, slow under the sanitizers.
set_tests_properties(cli.roundtrip-all PROPERTIES LABELS slow)
