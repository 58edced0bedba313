#!/usr/bin/env bash
# Quick start 2: the whole test suite, with real Tesseract, Poppler, SQLite and Prefect.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PREFECT_SERVER_ANALYTICS_ENABLED=false
exec .venv/bin/python -m pytest "$@"
