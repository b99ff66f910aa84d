#!/usr/bin/env bash
# `cmake --install` into a scratch prefix: the whole list of installed files (FHS paths of
# GNUInstallDirs); the installed binary runs; the installed completions are what
# `picket completion` prints; there is a man page for picket and for every command its
# --help lists, each option of a command's --help is in its page, and the rendered page of
# `picket lint` is tests/install/picket-lint.1.txt whole.
# Usage: tests/install/install_test.sh BUILD_DIR VERSION   (run from the source root)
set -u
build=$(realpath "$1")
version=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/../lib/same.sh"

prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
same "the installed files" "bin/picket
share/bash-completion/completions/picket
share/doc/picket/changelog.gz
share/doc/picket/copyright
share/man/man1/picket-backup.1.gz
share/man/man1/picket-completion.1.gz
share/man/man1/picket-deploy.1.gz
share/man/man1/picket-graph.1.gz
share/man/man1/picket-keys.1.gz
share/man/man1/picket-lint.1.gz
share/man/man1/picket-partner.1.gz
share/man/man1/picket-plan.1.gz
share/man/man1/picket-render.1.gz
share/man/man1/picket-restore.1.gz
share/man/man1/picket-status.1.gz
share/man/man1/picket-whatif.1.gz
share/man/man1/picket.1.gz
share/zsh/vendor-completions/_picket" "$(cd "$prefix" && find . -type f | sed 's|^\./||' | sort)"

picket=$prefix/bin/picket
same "picket --version" "picket $version" "$("$picket" --version)"
same "the bash completion is picket's" "$("$picket" completion bash)" \
  "$(cat "$prefix/share/bash-completion/completions/picket")"
same "the zsh completion is picket's" "$("$picket" completion zsh)" \
  "$(cat "$prefix/share/zsh/vendor-completions/_picket")"

# A page as text: 80 columns, no hyphenation or justification, the date line left out.
render() {
  MANWIDTH=80 man --no-hyphenation --no-justification -E ascii -l "$1" 2>&1 | col -bx | sed '$d'
}
commands=$("$picket" --help | awk '/^Subcommands:/ {on = 1; next} on && NF >= 2 {print $1}')
same "a page per command of picket --help" \
  "$( (echo picket; printf 'picket-%s\n' $commands) | sort)" \
  "$(ls "$prefix/share/man/man1" | sed 's/\.1\.gz$//' | sort)"
for cmd in "" $commands; do
  page=$prefix/share/man/man1/picket${cmd:+-$cmd}.1.gz
  text=$(render "$page")
  missing=""
  # Every option of the command's --help ("-i,--inventory TEXT") is in its page.
  while read -r option; do
    grep -qF -- "$option" <<<"$text" || missing+="$option"$'\n'
  done < <("$picket" $cmd --help | sed -n 's/^  \(-[^ ]*\( [^ ]*\)\?\) .*/\1/p')
  same "every option of 'picket $cmd --help' is in its man page" "" "$missing"
done
same "the rendered page of picket lint" "$(cat tests/install/picket-lint.1.txt)" \
  "$(render "$prefix/share/man/man1/picket-lint.1.gz")"

finish
