# The reference firmware on QEMU mps2-an386: builds it with a set of programs
# (good ones, an out-of-bounds writer, an endless loop, a bad helper call),
# boots it, and checks that each ends as on the host, in both modes, that a
# damaged image is refused and that the firmware keeps running afterwards.
find_program(QEMU_SYSTEM_ARM qemu-system-arm)
find_program(ARM_NONE_EABI_GCC arm-none-eabi-gcc)
if(QEMU_SYSTEM_ARM AND ARM_NONE_EABI_GCC)
  add_test(NAME firmware.qemu
           COMMAND "${CMAKE_SOURCE_DIR}/scripts/firmware.sh" "${CMAKE_BINARY_DIR}" "${CMAKE_BINARY_DIR}/firmware")
  set_tests_properties(firmware.qemu PROPERTIES LABELS "slow;firmware" TIMEOUT 300
                       PASS_REGULAR_EXPRESSION "firmware done: 0 failure\\(s\\)")
else()
  message(STATUS "firmware test disabled: qemu-system-arm or arm-none-eabi-gcc not found")
endif()
