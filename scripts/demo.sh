#!/usr/bin/env bash
# Quick start 1: run the whole pipeline on the committed samples and print each council's progress.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/digitise demo "$@"
