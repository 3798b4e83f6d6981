# The benchmark workloads (bench/workloads, `make bench`): each built with
# `mbpf build` and run on the host interpreter must return what the same C
# returns compiled for the host (a few seconds; the benchmark itself, with the
# cross build and QEMU, is `make bench`, not a test).
add_test(NAME bench.workloads
         COMMAND sh "${CMAKE_SOURCE_DIR}/bench/check_workloads.sh" $<TARGET_FILE:mbpf>
                 "${CMAKE_C_COMPILER}" "${CMAKE_BINARY_DIR}/bench-check")
set_tests_properties(bench.workloads PROPERTIES LABELS bench TIMEOUT 60)
