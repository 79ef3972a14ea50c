#!/usr/bin/env bash
# Set everything up (first time only) and start Code Llama Desktop on the embedded default model.
# Arguments are passed to the app: ./run.sh chat "question", ./run.sh doctor, ...
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh run
exec .venv/bin/codellama-desktop "$@"
