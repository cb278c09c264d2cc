# What `cmake --install` puts beside the binaries and libraries (installed
# by their own directories), and the .deb that CPack makes of it
# (tools/package):
#   share/man/        truced(8), truced.conf(5), truce(1), truce-CMD(1), from
#                     --help by help2man at build time (cmake/TruceMan.cmake)
#   share/truce/rules the extractor's default rule files (daemon/extract/rules)
#   etc/truce/        truced.conf, the example configuration
#   lib/systemd/system truced.service, truce-feed.service
#   share/doc/truce   README.md
# The config and the units name the paths of the prefix they are installed
# into (/usr gives /usr/bin and /etc, as GNUInstallDirs does), so they are
# written at install time, when `cmake --install --prefix` is known.
include(GNUInstallDirs)

find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(man_dir ${PROJECT_BINARY_DIR}/man)
  add_custom_command(OUTPUT ${man_dir}/man8/truced.8
    COMMAND ${CMAKE_COMMAND} -DHELP2MAN=${HELP2MAN} -DTRUCED=$<TARGET_FILE:truced>
            -DTRUCE=$<TARGET_FILE:truce> -DVERSION=${PROJECT_VERSION} -DSRC=${PROJECT_SOURCE_DIR}
            -DOUT=${man_dir} -P ${PROJECT_SOURCE_DIR}/cmake/TruceMan.cmake
    DEPENDS truced truce ${PROJECT_SOURCE_DIR}/cmake/TruceMan.cmake
            ${PROJECT_SOURCE_DIR}/packaging/truced.conf.5.in
    COMMENT "man pages from --help (help2man)" VERBATIM)
  add_custom_target(truce_man ALL DEPENDS ${man_dir}/man8/truced.8)
  install(DIRECTORY ${man_dir}/ DESTINATION ${CMAKE_INSTALL_MANDIR})
else()
  message(WARNING "help2man not found: the man pages are not built (tools/install-deps installs it)")
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/daemon/extract/rules/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/truce/rules)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# At install time: the prefix's paths into the units and the example
# configuration. file(INSTALL) honours DESTDIR, which CPack uses.
set(TRUCE_GEN_DIR ${PROJECT_BINARY_DIR}/install-gen)
install(CODE "
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  if(prefix STREQUAL \"/usr\")
    set(sysconf /etc)
    set(localstate /var)
  else()
    set(sysconf \"\${prefix}/etc\")
    set(localstate \"\${prefix}/var\")
  endif()
  set(TRUCE_BINDIR \"\${prefix}/${CMAKE_INSTALL_BINDIR}\")
  set(TRUCE_SYSCONFDIR \"\${sysconf}\")
  set(TRUCE_CONF \"\${sysconf}/truce/truced.conf\")
  # one directory per destination: installs into two prefixes may run at once
  string(MD5 dest \"\$ENV{DESTDIR}\${prefix}\")
  set(gen \"${TRUCE_GEN_DIR}/\${dest}\")
  file(MAKE_DIRECTORY \"\${gen}\")
  foreach(unit truced.service truce-feed.service)
    configure_file(${PROJECT_SOURCE_DIR}/packaging/\${unit}.in \"\${gen}/\${unit}\" @ONLY)
  endforeach()
  file(INSTALL \"\${gen}/truced.service\" \"\${gen}/truce-feed.service\"
       DESTINATION \"\${prefix}/lib/systemd/system\")
  execute_process(
    COMMAND \"$<TARGET_FILE:truced>\" --data \"\${localstate}/lib/truce\" --print-config
    OUTPUT_FILE \"\${gen}/truced.conf\" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR \"truced --print-config failed\")
  endif()
  # An operator's edited file is kept (dpkg asks, as for any conffile).
  if(EXISTS \"\$ENV{DESTDIR}\${sysconf}/truce/truced.conf\" AND NOT DEFINED ENV{DESTDIR})
    message(STATUS \"Keeping: \${sysconf}/truce/truced.conf (the new example is in \${prefix}/${CMAKE_INSTALL_DOCDIR}/truced.conf.example)\")
  else()
    file(INSTALL \"\${gen}/truced.conf\" DESTINATION \"\${sysconf}/truce\")
  endif()
  file(INSTALL \"\${gen}/truced.conf\" DESTINATION \"\${prefix}/${CMAKE_INSTALL_DOCDIR}\"
       RENAME truced.conf.example)
")

# The Debian package (tools/package configures with CMAKE_INSTALL_PREFIX=/usr).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME truce)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "ceasefire-violation claims from news articles, over ZeroMQ and LMDB")
set(CPACK_PACKAGE_DESCRIPTION
  "truced receives news articles from collectors over ZeroMQ, extracts ceasefire-violation\n claims, groups them into incidents, stores everything in a hash-chained LMDB log and\n publishes live events. The truce command collects, watches, audits, exports and backs up.")
set(CPACK_PACKAGE_CONTACT "truce maintainers <truce@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
file(WRITE ${PROJECT_BINARY_DIR}/debian/conffiles "/etc/truce/truced.conf\n")
file(WRITE ${PROJECT_BINARY_DIR}/debian/triggers "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
  ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm
  ${PROJECT_BINARY_DIR}/debian/conffiles
  ${PROJECT_BINARY_DIR}/debian/triggers)
include(CPack)
