#!/bin/sh
# Writes the bash and zsh completions of PATH/TO/picket into OUTDIR (picket and _picket).
# Usage: completions.sh PATH/TO/picket OUTDIR
set -eu
# The binary is a tool here, not under test: in a sanitizer build its leak report at exit
# must not fail the build (the tests run it with leak detection on).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
mkdir -p "$2"
"$1" completion bash >"$2/picket"
"$1" completion zsh >"$2/_picket"
