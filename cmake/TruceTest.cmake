# One helper registers every test, as nng does: unit tests are cmocka
# executables linked against the core library (and, with LIBS, the library
# of the floor they test: truced_stages for a daemon stage, truce_client for
# the client library); script tests are run by bash with the build's
# binaries in the environment.
#
#   truce_add_test(NAME name SOURCES a.c b.c [LIBS lib...] [LABELS l1 l2] [TIMEOUT s])
#   truce_add_script_test(NAME name SCRIPT file.sh [LABELS ...] [TIMEOUT s])
# Script tests get TRUCE_BIN (the build's bin/), TRUCE_SOURCE_DIR and
# TRUCE_SHARED (../shared beside the checkout) in their environment, and
# exit 77 to report "skipped".
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

function(truce_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(test_${T_NAME} ${T_SOURCES})
  target_compile_options(test_${T_NAME} PRIVATE ${TRUCE_WARNINGS})
  target_link_libraries(test_${T_NAME} PRIVATE ${T_LIBS} truce_core PkgConfig::CMOCKA)
  target_compile_definitions(test_${T_NAME} PRIVATE
    TRUCE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${T_NAME} COMMAND test_${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT}
    LABELS "unit;${T_LABELS}"
    ENVIRONMENT "TRUCE_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

function(truce_add_script_test)
  cmake_parse_arguments(T "" "NAME;SCRIPT;TIMEOUT" "LABELS" ${ARGN})
  add_test(NAME ${T_NAME} COMMAND bash ${T_SCRIPT})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  # Exit code 77 means "skipped" (e.g. ../shared/corpus is not there).
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT}
    LABELS "${T_LABELS}" SKIP_RETURN_CODE 77
    ENVIRONMENT "TRUCE_BIN=${PROJECT_BINARY_DIR}/bin;TRUCE_SOURCE_DIR=${PROJECT_SOURCE_DIR};TRUCE_SHARED=${PROJECT_SOURCE_DIR}/../shared")
endfunction()
