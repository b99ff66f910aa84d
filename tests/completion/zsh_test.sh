#!/usr/bin/env bash
# The zsh completion that `picket completion zsh` prints (and the build installs): zsh parses
# it, and for a few command lines `_picket` hands the right specs to zsh's completion
# functions. _arguments, _describe and compadd are replaced by stubs that print what they
# are given, so each case compares that whole output.
# Usage: tests/completion/zsh_test.sh PATH/TO/picket
set -u
picket=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$picket" completion zsh >"$tmp/_picket" || { echo "FAIL: picket completion zsh"; exit 1; }

. "$(dirname "$0")/../lib/same.sh"

same "zsh -n parses it" "" "$(zsh -n "$tmp/_picket" 2>&1)"

# complete WORDS...: runs the completion function for the command line WORDS (the cursor on
# the last word) with the stubs; prints what reached them.
complete() {
  zsh -f -c '
    _arguments() { print -rl -- "_arguments:" "$@" }
    _describe() { print -rl -- "_describe: $1 $2" "${(@P)3}" }
    compadd() { print -r -- "compadd: $*" }
    compset() { [[ $PREFIX == *=* ]] }
    _message() { print -r -- "_message: $*" }
    source_file=$1; shift
    words=("$@"); CURRENT=$#; PREFIX=${words[CURRENT]}; curcontext=":complete:picket:"
    # The file is the body of the autoloaded function _picket, which calls the real one.
    eval "_picket_file() { $(<$source_file) }"
    _picket_file
  ' _ "$tmp/_picket" "$@" 2>&1
}

same "picket <TAB>" "_arguments:
(-h --help)-h[Print this help message and exit]
(-h --help)--help[Print this help message and exit]
--version[Display program version information and exit]
1:command:_picket_commands" "$(complete picket '')"

same "the commands" "_describe: -t commands
lint:Check the topology and inventory as a graph
graph:Draw the topology (DOT, Mermaid or SVG)
whatif:Show what is left when nodes, links or domains fail
keys:Create the missing node and WireGuard keys; list node IDs and public keys
render:Derive every node's and host's files into a directory
plan:Show what deploy would change on each host
deploy:Push the rendered files to the hosts, in safe waves
completion:Print the bash or zsh completion script" \
  "$(zsh -f -c '_describe() { print -rl -- "_describe: $1 $2" "${(@P)4}" }
                eval "_picket_file() { $(<$1) }"; words=(picket x y); CURRENT=3
                _arguments() { _picket_commands }; _picket_file; words=(picket ""); CURRENT=2
                _picket_file' _ "$tmp/_picket" 2>&1 | sed -n '/^_describe/,$p')"

same "picket lint <TAB>" "_arguments:
-s
-S
(-h --help)-h[Print this help message and exit]
(-h --help)--help[Print this help message and exit]
(-i --inventory)-i[Inventory file (default\: each topology's \`inventory\:\` key)]:file:_files
(-i --inventory)--inventory[Inventory file (default\: each topology's \`inventory\:\` key)]:file:_files
(-f --format)-f[Output format]:value:(text json github sarif codeclimate)
(-f --format)--format[Output format]:value:(text json github sarif codeclimate)
--color[Colour the text output]:value:(auto always never)
--strict[Fail on warnings too]
*:topology:_files" "$(complete picket lint '')"

same "picket completion <TAB>" "_arguments:
-s
-S
(-h --help)-h[Print this help message and exit]
(-h --help)--help[Print this help message and exit]
1:shell:(bash zsh)" "$(complete picket completion '')"

same "picket whatif t.yaml --fail <TAB> (the KIND= helper)" \
  "compadd: -S = -- node link host datacenter region provider" \
  "$(zsh -f -c 'compadd() { print -r -- "compadd: $*" }; compset() { [[ $PREFIX == *=* ]] }
                eval "_picket_file() { $(<$1) }"; _arguments() { _picket_whatif_fail }
                words=(picket whatif t.yaml --fail ""); CURRENT=5; PREFIX=""; _picket_file' \
                _ "$tmp/_picket" 2>&1)"

same "picket whatif t.yaml --fail node=<TAB> (a value: no list)" "_message: value" \
  "$(zsh -f -c '_message() { print -r -- "_message: $*" }; compset() { [[ $PREFIX == *=* ]] }
                eval "_picket_file() { $(<$1) }"; _arguments() { _picket_whatif_fail }
                words=(picket whatif t.yaml --fail node=); CURRENT=5; PREFIX=node=; _picket_file' \
                _ "$tmp/_picket" 2>&1)"

finish
