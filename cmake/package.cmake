# `make deb`: a Debian package of what cmake/install.cmake installs, built by CPack.
# dpkg-shlibdeps computes Depends from the shared libraries the binary links; the binary is
# stripped; /usr/share/doc/picket holds the copyright file and a changelog made from the
# project version, as Debian policy asks. tests/install/deb_test.sh checks the result.
# The project has no public address yet: a packager sets it (.invalid is reserved for that).
set(PICKET_MAINTAINER "picket maintainers <maintainers@picket.invalid>"
    CACHE STRING "Maintainer field of the Debian package")

# The changelog Debian wants in every package (changelog.gz for a native package).
string(TIMESTAMP PICKET_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${CMAKE_SOURCE_DIR}/packaging/changelog.in ${CMAKE_BINARY_DIR}/packaging/changelog
               @ONLY)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/packaging/changelog.gz
  COMMAND gzip -9n -c ${CMAKE_BINARY_DIR}/packaging/changelog >
          ${CMAKE_BINARY_DIR}/packaging/changelog.gz
  DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog)
add_custom_target(picket_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/copyright ${CMAKE_BINARY_DIR}/packaging/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME picket)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${PICKET_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "check and deploy a CometBFT validator's sentry network")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "picket takes the layout of a Cosmos/CometBFT validator network (validator,\n\
private and public sentries, VPN links, partner peerings, remote signer) as one\n\
topology file and an inventory of hosts, and checks it as a graph: exposed\n\
validators and signers, double-sign risks, single points of failure down to\n\
hosts, data centres, regions and providers, and too few node-disjoint paths to\n\
the network. It derives every node's config.toml, node keys, WireGuard,\n\
nftables, tmkms and Prometheus files from that graph, and deploys them over SSH\n\
in restart waves that never cut the validator off.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "graphviz")  # picket graph --format svg runs dot
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
