# Makes the man pages from the commands' own --help (cmake -P), so they
# cannot drift from the binaries:
#   truced(8)         help2man on truced --help
#   truce(1)          help2man on truce --help
#   truce-CMD(1)      help2man on truce CMD --help, for every command that
#                     truce --help lists (its summary becomes the NAME line)
#   truced.conf(5)    packaging/truced.conf.5.in around truced --print-config
# -DHELP2MAN=... -DTRUCED=... -DTRUCE=... -DVERSION=... -DSRC=<source dir>
# -DOUT=<dir, gets man1/ man5/ man8/>
function(man_page prog name section summary)
  execute_process(
    COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=${section} --name=${summary}
            --version-string=${VERSION} ${prog}
    OUTPUT_VARIABLE page
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "help2man ${prog} failed (${rc})")
  endif()
  # help2man titles a page after the program's first word; a subcommand's
  # page gets its own title (TRUCE-COLLECT).
  string(TOUPPER "${name}" title)
  string(REGEX REPLACE "\n\\.TH \"?[A-Za-z0-9_-]+\"? " "\n.TH ${title} " page "${page}")
  file(WRITE ${OUT}/man${section}/${name}.${section} "${page}")
endfunction()

file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT}/man1 ${OUT}/man5 ${OUT}/man8)
man_page(${TRUCED} truced 8 "the truce daemon: articles in, violation claims out")
man_page(${TRUCE} truce 1 "the truce command: collect, watch, audit, export, back up")

execute_process(COMMAND ${TRUCE} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "truce --help failed (${rc})")
endif()
string(REPLACE "\n" ";" lines "${help}")
foreach(line ${lines})
  # "  collect   send articles to truced ..."; aliases ("the same as") skipped
  if(line MATCHES "^  ([a-z]+) +(.+)$")
    set(cmd "${CMAKE_MATCH_1}")
    set(summary "${CMAKE_MATCH_2}")
    if(NOT summary MATCHES "^the same as")
      man_page("${TRUCE} ${cmd}" truce-${cmd} 1 "${summary}")
    endif()
  endif()
endforeach()

execute_process(COMMAND ${TRUCED} --print-config OUTPUT_VARIABLE example RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "truced --print-config failed (${rc})")
endif()
# roff: a backslash is \e; a line may not start with . or '
string(REPLACE "\\" "\\e" example "${example}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" example "${example}")
file(READ ${SRC}/packaging/truced.conf.5.in page)
string(REPLACE "@EXAMPLE@" "${example}" page "${page}")
file(WRITE ${OUT}/man5/truced.conf.5 "${page}")
