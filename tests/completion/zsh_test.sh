#!/usr/bin/env bash
# The zsh completion that `picket completion zsh` prints (and the build installs): zsh parses
# it, and zsh's own completion system, loaded with compinit in an interactive zsh on a
# pseudo-terminal (tests/completion/zsh_capture.zsh), offers exactly the expected matches at
# the end of a few command lines.
# Usage: tests/completion/zsh_test.sh PATH/TO/picket
set -u
picket=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$picket" completion zsh >"$tmp/_picket" || { echo "FAIL: picket completion zsh"; exit 1; }
. "$here/../lib/same.sh"

same "zsh -n parses it" "" "$(zsh -n "$tmp/_picket" 2>&1)"

# expect LINE MATCHES...: TAB at the end of LINE offers exactly MATCHES (sorted).
expect() {
  local line=$1
  shift
  same "'$line'" "$(printf '<%s>\n' "$@" | sort)" \
    "$(cd "$tmp" && timeout 30 zsh -f "$here/zsh_capture.zsh" "$tmp" "$line" | sort)"
}

expect "picket " lint graph whatif keys render plan deploy status partner backup restore completion
expect "picket p" partner plan
expect "picket --v" --version
expect "picket lint -" -h --help -i --inventory -f --format --color --strict
expect "picket lint --format " text json github sarif codeclimate
expect "picket lint --strict --c" --color
expect "picket graph -f m" mermaid
expect "picket plan t.yaml --format " text json
expect "picket whatif t.yaml --fail " node= link= host= datacenter= region= provider=
expect "picket whatif t.yaml --fail d" datacenter=
expect "picket keys t.yaml --r" --rotate
expect "picket completion " bash zsh
finish
