# What `cmake --install` (and `make install PREFIX=...`) puts where, under the FHS paths of
# GNUInstallDirs: the binary, its man pages and its bash and zsh completions. The templates
# need nothing at run time: they are compiled into the binary (cmake/embed_templates.cmake).
# Man pages and completions are generated from the built binary (help2man on its --help,
# `picket completion`), so they always match the commands it has.
include(GNUInstallDirs)
# `make install` and `make deb` build first; installing (and cpack) then takes what is built
# instead of building every test binary again.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

find_program(HELP2MAN help2man REQUIRED)
set(PICKET_MAN_DIR ${CMAKE_BINARY_DIR}/man)
set(PICKET_COMPLETION_DIR ${CMAKE_BINARY_DIR}/completions)
add_custom_command(
  OUTPUT ${PICKET_MAN_DIR}/picket.1.gz
  COMMAND sh ${CMAKE_SOURCE_DIR}/cmake/man_pages.sh $<TARGET_FILE:picket> ${PROJECT_VERSION}
          ${PICKET_MAN_DIR}
  DEPENDS picket ${CMAKE_SOURCE_DIR}/cmake/man_pages.sh
  COMMENT "Generating the man pages from picket --help")
add_custom_command(
  OUTPUT ${PICKET_COMPLETION_DIR}/picket ${PICKET_COMPLETION_DIR}/_picket
  COMMAND sh ${CMAKE_SOURCE_DIR}/cmake/completions.sh $<TARGET_FILE:picket> ${PICKET_COMPLETION_DIR}
  DEPENDS picket ${CMAKE_SOURCE_DIR}/cmake/completions.sh
  COMMENT "Generating the bash and zsh completions from picket's commands")
add_custom_target(picket_docs ALL
  DEPENDS ${PICKET_MAN_DIR}/picket.1.gz ${PICKET_COMPLETION_DIR}/picket
          ${PICKET_COMPLETION_DIR}/_picket)

install(TARGETS picket RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PICKET_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        FILES_MATCHING PATTERN "*.1.gz")
# bash-completion loads completions/NAME on demand; zsh's Debian fpath has vendor-completions.
install(FILES ${PICKET_COMPLETION_DIR}/picket
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${PICKET_COMPLETION_DIR}/_picket
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
