#!/bin/sh
# Writes the bash and zsh completions of PATH/TO/picket into OUTDIR (picket and _picket).
# Usage: completions.sh PATH/TO/picket OUTDIR
set -eu
mkdir -p "$2"
"$1" completion bash >"$2/picket"
"$1" completion zsh >"$2/_picket"
