#!/usr/bin/env bash
# The Debian package as `make deb` builds it: CPack into a scratch folder; its whole file list
# (dpkg-deb -c) and control fields (dpkg-deb -f, Depends as dpkg-shlibdeps computed it on
# Debian 12); extracted with dpkg -x, the binary runs: --version, and a lint of the bundled
# sentry network with the whole output of the e2e golden; lintian reports no error and no
# warning (no overrides).
# Usage: tests/install/deb_test.sh BUILD_DIR VERSION   (run from the source root)
set -u
build=$(realpath "$1")
version=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/same.sh"

(cd "$build" && cpack -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; exit 1; }
arch=$(dpkg --print-architecture)
deb=$tmp/out/picket_${version}_${arch}.deb
same "the package file" "$deb" "$(ls "$tmp"/out/*.deb)"

same "dpkg-deb -c: every file, its mode and owner" "drwxr-xr-x root/root ./usr/
drwxr-xr-x root/root ./usr/bin/
-rwxr-xr-x root/root ./usr/bin/picket
drwxr-xr-x root/root ./usr/share/
drwxr-xr-x root/root ./usr/share/bash-completion/
drwxr-xr-x root/root ./usr/share/bash-completion/completions/
-rw-r--r-- root/root ./usr/share/bash-completion/completions/picket
drwxr-xr-x root/root ./usr/share/doc/
drwxr-xr-x root/root ./usr/share/doc/picket/
-rw-r--r-- root/root ./usr/share/doc/picket/changelog.gz
-rw-r--r-- root/root ./usr/share/doc/picket/copyright
drwxr-xr-x root/root ./usr/share/man/
drwxr-xr-x root/root ./usr/share/man/man1/
-rw-r--r-- root/root ./usr/share/man/man1/picket-backup.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-completion.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-deploy.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-graph.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-keys.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-lint.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-partner.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-plan.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-render.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-restore.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-status.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket-whatif.1.gz
-rw-r--r-- root/root ./usr/share/man/man1/picket.1.gz
drwxr-xr-x root/root ./usr/share/zsh/
drwxr-xr-x root/root ./usr/share/zsh/vendor-completions/
-rw-r--r-- root/root ./usr/share/zsh/vendor-completions/_picket" \
  "$(dpkg-deb -c "$deb" | awk '{print $1, $2, $6}')"

same "dpkg-deb -f: the control fields" "Package: picket
Version: $version
Architecture: $arch
Maintainer: picket maintainers <maintainers@picket.invalid>
Depends: libc6 (>= 2.34), libfmt9 (>= 9.1.0+ds1), libgcc-s1 (>= 3.0), libsodium23 (>= 1.0.14), libssh2-1 (>= 1.5.0), libstdc++6 (>= 11), libtomlplusplus3 (>= 3.2.0), libyaml-0-2
Suggests: graphviz
Section: admin
Priority: optional
Description: check and deploy a CometBFT validator's sentry network" \
  "$(dpkg-deb -f "$deb" Package Version Architecture Maintainer Depends Suggests Section Priority \
       Description | head -9)"

dpkg -x "$deb" "$tmp/root"
same "the extracted picket --version" "picket $version" "$("$tmp/root/usr/bin/picket" --version)"
"$tmp/root/usr/bin/picket" lint examples/sentry-network/topology.yaml >"$tmp/lint.out" 2>&1
same "the extracted picket lints the sentry network (exit 0)" 0 $?
same "... with the output of tests/e2e/lint-sentry-network-text" \
  "$(cat tests/e2e/lint-sentry-network-text/expected.out)" "$(cat "$tmp/lint.out")"

# Errors and warnings only (informational tags are not failures); "root privileges" is
# lintian's note about running as root, not about the package.
lintian --fail-on error,warning "$deb" >"$tmp/lintian.out" 2>&1
same "lintian exits 0" 0 $?
same "lintian reports nothing" "" "$(grep -v 'running with root privileges' "$tmp/lintian.out")"

finish
