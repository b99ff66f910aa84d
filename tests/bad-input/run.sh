#!/usr/bin/env bash
# The bad-input corpus: hostile, broken and odd topology and inventory files, each with the
# exact diagnostics picket must print. Each folder tests/bad-input/<case>/ holds:
#   cmd           shell commands run from the repo root; $PICKET is the binary under test,
#                 $CASE the case folder, $SCRATCH an empty scratch folder (generated inputs,
#                 e.g. the huge files, are written there at test time, never committed)
#   *.yaml ...    the input files (some are deliberately not valid text)
#   expected.out  whole standard output; expected.rc exit code; expected.err (optional)
#                 whole standard error
# Every picket run is bounded: $PICKET is a wrapper that sets `ulimit -v` (address space,
# LIMIT_MB, default 1024, none under AddressSanitizer) and kills it after LIMIT_S seconds
# (default 60; the slowest case takes about 5 s on a loaded 2-core machine); a case that hits
# a limit fails on its exit code. The wrapper records wall time and max RSS of every run with
# /usr/bin/time; the slowest and largest runs are printed at the end.
# Usage: tests/bad-input/run.sh PATH/TO/picket [CASE...]; UPDATE=1 rewrites the expected files.
set -u
picket=$(realpath "$1")
shift
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
limit_mb=${LIMIT_MB:-1024}
limit_s=${LIMIT_S:-60}
# AddressSanitizer reserves terabytes of address space up front: under `make sanitize` the
# memory limit is left off (LIMIT_MB=0 does the same); the time limit stays.
if [ -z "${LIMIT_MB:-}" ] && { ldd "$picket" 2>/dev/null | grep -q libasan ||
   nm "$picket" 2>/dev/null | grep -q -m1 __asan_init; }; then
  limit_mb=0
fi
if [ "$limit_mb" = 0 ]; then ulimit_cmd=":"; else ulimit_cmd="ulimit -v $((limit_mb * 1024)) || exit 90"; fi

# The bounded picket. /usr/bin/time -o appends "seconds maxrss_kb args" per run.
cat >"$tmp/picket" <<WRAP
#!/usr/bin/env bash
$ulimit_cmd
exec timeout -s KILL $limit_s /usr/bin/time -a -o "$tmp/measure" -f "%e %M \$CASE_NAME" "$picket" "\$@"
WRAP
chmod +x "$tmp/picket"

cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=($(ls -d tests/bad-input/*/ | xargs -n1 basename))
. tests/lib/expected.sh
: >"$tmp/measure"
for name in "${cases[@]}"; do
  dir=tests/bad-input/$name
  rm -rf "$tmp/scratch" && mkdir "$tmp/scratch"
  PICKET=$tmp/picket CASE=$dir CASE_NAME=$name SCRATCH=$tmp/scratch NO_COLOR= TERM=dumb \
    bash -c "$(cat "$dir/cmd")" >"$tmp/out" 2>"$tmp/err" </dev/null
  echo $? >"$tmp/rc"
  # Scratch paths differ from run to run; show them as $SCRATCH.
  sed -i "s|$tmp/scratch|\$SCRATCH|g" "$tmp/out" "$tmp/err"
  check_case "$name" "$dir" "$tmp"
done
echo "limits per picket run: ${limit_mb} MB address space (0: none), ${limit_s} s"
echo "slowest runs (seconds, max RSS KB, case):"
grep -v '^Command' "$tmp/measure" | sort -k1,1 -g -r | head -${SHOW:-3} | sed 's/^/  /'
echo "largest runs (seconds, max RSS KB, case):"
grep -v '^Command' "$tmp/measure" | sort -k2,2 -g -r | head -${SHOW:-3} | sed 's/^/  /'
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
