# Shared by the golden-case runners (tests/e2e/run.sh, tests/bad-input/run.sh); source it.
# check_case NAME DIR TMP: compares TMP/out, TMP/rc and TMP/err (err only when DIR has an
# expected.err) with DIR/expected.*, prints a diff for each difference, counts the case in
# `passed` or `failed`. With UPDATE=1 it first rewrites DIR's expected files from TMP.
passed=0
failed=0
check_case() {
  local name=$1 dir=$2 tmp=$3 ok=1 f
  if [ "${UPDATE:-0}" = 1 ]; then
    cp "$tmp/out" "$dir/expected.out"
    cp "$tmp/rc" "$dir/expected.rc"
    if [ -s "$tmp/err" ] || [ -e "$dir/expected.err" ]; then cp "$tmp/err" "$dir/expected.err"; fi
  fi
  for f in out rc err; do
    [ "$f" = err ] && [ ! -e "$dir/expected.err" ] && continue
    if ! diff -u --text "$dir/expected.$f" "$tmp/$f" >"$tmp/diff"; then
      ok=0
      echo "--- $name: $f differs"
      head -60 "$tmp/diff"
    fi
  done
  if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $name"; fi
}
