#!/usr/bin/env bash
# Golden end-to-end cases. Each folder tests/e2e/<case>/ holds:
#   cmd           one shell command; $PICKET is the binary under test, run from the repo root
#   expected.out  its whole standard output
#   expected.rc   its exit code
#   expected.err  (optional) its whole standard error
# Usage: tests/e2e/run.sh PATH/TO/picket [CASE...]; UPDATE=1 rewrites the expected files.
set -u
picket=$(realpath "$1")
shift
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=($(ls -d tests/e2e/*/ | xargs -n1 basename))
. tests/lib/expected.sh
for name in "${cases[@]}"; do
  dir=tests/e2e/$name
  PICKET=$picket NO_COLOR= TERM=dumb bash -c "$(cat "$dir/cmd")" >"$tmp/out" 2>"$tmp/err" </dev/null
  echo $? >"$tmp/rc"
  check_case "$name" "$dir" "$tmp"
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
