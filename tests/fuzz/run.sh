#!/usr/bin/env bash
# Runs the libFuzzer targets of a PICKET_FUZZ build for a bounded time each (`make fuzz`).
# Usage: tests/fuzz/run.sh BUILD_DIR [TARGET...]   (default: every target)
# FUZZ_SECONDS (default 60) per target. The corpus grows in BUILD_DIR/corpus/TARGET between
# runs; seeds come fresh from the source tree each time. A crash, a sanitizer report, an
# uncaught exception, a timeout or running out of memory stops the run with a failure and
# leaves the input in BUILD_DIR/crashes/TARGET/: keep it under tests/fuzz/regressions/TARGET/
# (ctest replays it) and fix the bug.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR [TARGET...]}
shift
seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(topology inventory known_hosts plan)
shopt -s nullglob

for t in "${targets[@]}"; do
  dict=()
  asan=
  case $t in
    topology)
      files=(examples/*/*.yaml tests/e2e/*/topology.yaml tests/bad-input/*topology*)
      dict=(-dict=tests/fuzz/yaml.dict); max_len=8192 ;;
    inventory)
      files=(inventories/*.yaml tests/e2e/*/inventory.yaml tests/bad-input/*inventory*)
      dict=(-dict=tests/fuzz/yaml.dict); max_len=8192 ;;
    known_hosts)
      # Full stacks on malloc: libssh2 and OpenSSL have no frame pointers, and the
      # suppression of lsan.supp names an OpenSSL function.
      files=(tests/fuzz/seeds/known_hosts/*); max_len=4096; asan=fast_unwind_on_malloc=0 ;;
    plan) files=(tests/fuzz/seeds/plan/*); dict=(-dict=tests/fuzz/json.dict); max_len=8192 ;;
    *) echo "fuzz: unknown target $t" >&2; exit 2 ;;
  esac
  files+=(tests/fuzz/regressions/"$t"/*)
  corpus=$build/corpus/$t
  seeds=$build/seeds/$t
  crashes=$build/crashes/$t
  rm -rf "$seeds"
  mkdir -p "$corpus" "$seeds" "$crashes"
  for f in "${files[@]}"; do
    [ -f "$f" ] && cp "$f" "$seeds/${f//\//_}"
  done
  log=$build/fuzz-$t.log
  echo "fuzz: $t for ${seconds}s (${#files[@]} seeds; log $log)"
  rc=0
  ASAN_OPTIONS=$asan${ASAN_OPTIONS:+:$ASAN_OPTIONS} LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS} \
  "$build/fuzz_$t" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" \
    "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+[[:space:]]+DONE' "$log" |
    sed "s/^/fuzz: $t: /" || true
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t FAILED (exit $rc); the end of $log:" >&2
    tail -n 40 "$log" >&2
    ls "$crashes" >&2
    exit 1
  fi
done
