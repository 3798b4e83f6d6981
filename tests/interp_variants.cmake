# The interpreter's handler body is compiled in three forms (direct threaded,
# switch, compact); the normal unit tests cover the host's default form, and
# these rebuild the VM tests with src/interp.c in the other two forms, so a
# handler broken in only one form cannot go unnoticed. The rest of the core
# comes from mbpf_core; only interp.c is recompiled (its symbol wins over the
# library's copy, which is then never pulled in).
function(mbpf_interp_variant vname)
  foreach(test test_interp test_vm test_mem test_helpers)
    set(target ${test}_${vname})
    add_executable(${target} "${CMAKE_CURRENT_SOURCE_DIR}/unit/${test}.c"
                             "${CMAKE_SOURCE_DIR}/src/interp.c")
    target_compile_definitions(${target} PRIVATE ${ARGN})
    target_include_directories(${target} PRIVATE "${CMAKE_SOURCE_DIR}/src"
                                                 "${CMAKE_CURRENT_SOURCE_DIR}/unit")
    target_link_libraries(${target} PRIVATE mbpf_core PkgConfig::CMOCKA)
    add_test(NAME unit.${target} COMMAND ${target})
  endforeach()
endfunction()

mbpf_interp_variant(switch MBPF_USE_COMPUTED_GOTO=0 MBPF_INTERP_COMPACT=0)
mbpf_interp_variant(compact MBPF_INTERP_COMPACT=1)
# The register file as two 32-bit halves (the default on 32-bit targets) and
# a 3-unit budget countdown, so that its refills from the 64-bit reserve run.
mbpf_interp_variant(split MBPF_INTERP_SPLIT_REGS=1 MBPF_INTERP_TICK_MAX=3)
