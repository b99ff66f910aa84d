#!/bin/sh
# Generates the man pages from picket's own --help with help2man, so they cannot drift from
# it: picket.1 from `picket --help`, and picket-COMMAND.1 from `picket COMMAND --help` for every
# command `picket --help` lists. Writes them gzipped (as Debian ships man pages) into OUTDIR.
# Usage: man_pages.sh PATH/TO/picket VERSION OUTDIR
set -eu
# The binary is a tool here, not under test: in a sanitizer build its leak report at exit
# must not fail the build (the tests run it with leak detection on).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
picket=$(realpath "$1")
version=$2
out=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
rm -f "$out"/*.1.gz

# "  lint      Check the topology..." lines under "Subcommands:" in the top-level help.
"$picket" --help | awk '/^Subcommands:/ {on = 1; next} on && NF >= 2 {print}' >"$tmp/commands"
[ -s "$tmp/commands" ] || { echo "man_pages.sh: no commands in '$picket --help'" >&2; exit 1; }

see_also=$(awk '{printf "%s.BR picket-%s (1)", sep, $1; sep = ",\n"}' "$tmp/commands")

page() {  # page NAME PROGRAM WHATIS INCLUDE
  help2man --no-info --section=1 --version-string="$version" --name="$3" \
    --include="$4" --output="$tmp/$1.1" "$2"
  gzip -9n <"$tmp/$1.1" >"$out/$1.1.gz"
}

printf '[SEE ALSO]\n%s\n' "$see_also" >"$tmp/top.h2m"
page picket "$picket" "check, render and deploy a CometBFT validator's sentry network" "$tmp/top.h2m"

printf '[SEE ALSO]\n.BR picket (1)\n' >"$tmp/sub.h2m"
while read -r name whatis; do
  # help2man names a page after its program and reads its --help: a wrapper per command.
  printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$picket" "$name" >"$tmp/picket-$name"
  chmod +x "$tmp/picket-$name"
  whatis=$(printf '%s' "$whatis" | sed 's/^\(.\)/\L\1/')
  page "picket-$name" "$tmp/picket-$name" "$whatis" "$tmp/sub.h2m"
done <"$tmp/commands"
