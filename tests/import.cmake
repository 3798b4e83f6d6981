# `mbpf import` end to end: a Femto-Containers file made byte by byte with
# printf (r0 = .data word 5 + 37 = 42) is imported, then run as an image;
# and a file that is not a peer format fails with a precise message.
set(MBPF_IMPORT_WORK "${CMAKE_BINARY_DIR}/import")
file(MAKE_DIRECTORY "${MBPF_IMPORT_WORK}")
file(READ "${CMAKE_CURRENT_LIST_DIR}/import/fc_42.esc" MBPF_FC_42)
string(STRIP "${MBPF_FC_42}" MBPF_FC_42)
add_test(NAME cli.import_fc
         COMMAND sh -c "printf '${MBPF_FC_42}' > fc_42.rbf && \"$1\" import fc_42.rbf -o fc_42.mbpf && \"$1\" run fc_42.mbpf"
                 sh $<TARGET_FILE:mbpf>
         WORKING_DIRECTORY "${MBPF_IMPORT_WORK}")
set_tests_properties(cli.import_fc PROPERTIES PASS_REGULAR_EXPRESSION "r0 = 42 \\(0x2a\\)")
add_test(NAME cli.import_bad
         COMMAND sh -c "printf 'abc' > bad.bin && ! \"$1\" import bad.bin -o bad.mbpf 2> bad.err && grep -q 'raw bytecode length 3 is not a positive multiple of 8' bad.err"
                 sh $<TARGET_FILE:mbpf>
         WORKING_DIRECTORY "${MBPF_IMPORT_WORK}")
