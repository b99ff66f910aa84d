#!/usr/bin/env bash
# The bash completion that `picket completion bash` prints (and the build installs), run the
# way bash-completion runs it: COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT set for a command
# line, _picket called, COMPREPLY compared whole with the expected candidates.
# Usage: tests/completion/bash_test.sh PATH/TO/picket
set -u
picket=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$picket" completion bash >"$tmp/picket.bash" || { echo "FAIL: picket completion bash"; exit 1; }
# File-name completion lists what is in the current directory.
mkdir -p "$tmp/cwd/chains" && touch "$tmp/cwd/topology.yaml" "$tmp/cwd/inventory.yaml"

. "$(dirname "$0")/../lib/same.sh"
# expect LINE CANDIDATES...: completing at the end of LINE offers exactly CANDIDATES (sorted).
expect() {
  local line=$1
  shift
  local got
  got=$(cd "$tmp/cwd" && bash --norc --noprofile -c '
    . /usr/share/bash-completion/bash_completion
    . "$1"
    COMP_LINE=$2
    COMP_POINT=${#COMP_LINE}
    read -ra COMP_WORDS <<<"$COMP_LINE"
    [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    _picket picket "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
    printf "%s\n" "${COMPREPLY[@]}" | sort
  ' _ "$tmp/picket.bash" "$line")
  same "'$line'" "$(printf '%s\n' "$@" | sort)" "$got"
}

expect "picket " -h --help --version lint graph whatif keys render plan deploy status partner backup restore completion
expect "picket p" partner plan
expect "picket --v" --version
expect "picket lint --" --help --inventory --format --color --strict
expect "picket lint -" -h --help -i --inventory -f --format --color --strict
expect "picket lint --format " text json github sarif codeclimate
expect "picket lint a.yaml b.yaml -f s" sarif
expect "picket lint --format=c" codeclimate
expect "picket lint --color " auto always never
expect "picket lint " chains inventory.yaml topology.yaml
expect "picket lint -i inv" inventory.yaml
expect "picket graph t.yaml --format " dot mermaid svg
expect "picket plan t.yaml --format " text json
expect "picket plan t.yaml --parallel "
expect "picket whatif t.yaml --fail " node= link= host= datacenter= region= provider=
expect "picket whatif t.yaml --fail d" datacenter=
expect "picket whatif t.yaml --fail node=pri"
expect "picket whatif t.yaml --f" --fail
expect "picket deploy t.yaml --no" --no-restart
expect "picket keys t.yaml --" --help --inventory --secrets --rotate
expect "picket keys t.yaml --rotate "
expect "picket completion " bash zsh
finish
