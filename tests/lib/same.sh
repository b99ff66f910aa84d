# Shared by the shell tests that compare whole outputs (tests/install, tests/completion); source it.
# same NAME WANT GOT: counts a pass when GOT is WANT, else prints NAME and a diff and counts a
# failure. finish: prints "N passed, N failed" and returns non-zero after any failure.
passed=0
failed=0
same() {
  if [ "$2" = "$3" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $1"
    diff -u <(echo "$2") <(echo "$3") | tail -n +3
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ $failed -eq 0 ]
}
