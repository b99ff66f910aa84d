# Prints the matches zsh's completion system offers at the end of a command line, one per
# line as <match> (with its -S suffix, such as the = after a KIND): an interactive zsh on a
# pseudo-terminal (zpty) with compinit and FPATH_DIR on fpath, the line typed and TAB pressed;
# compadd is wrapped to print what it adds, and the NUL lines that compprefuncs and
# comppostfuncs print mark where the matches begin and end.
# Usage: zsh -f zsh_capture.zsh FPATH_DIR 'command line'
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1= PROMPT= RPROMPT=; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'bindkey "^I" complete-word; null-line() { echo -E - $'"'"'\0'"'"' }'
zpty -w z 'compprefuncs=(null-line); comppostfuncs=(null-line exit)'
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
zpty -w z 'compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits __suffix; builtin compadd -A __hits "$@"
  zparseopts -E -a __ignored S:=__suffix
  local h; for h in $__hits; do echo -E - "<$h${__suffix[2]}>"; done
}'
zpty -n -w z "$2"$'\t'
integer marks=0
while zpty -r z; do :; done | while IFS= read -r line; do
  if [[ $line == *$'\0'* ]]; then (( ++marks == 2 )) && break; continue; fi
  (( marks )) && print -r -- "${line%$'\r'}"
done
zpty -d z
