#!/usr/bin/env bash
# Quick start 2: the whole test suite, with real Tesseract, Poppler, SQLite and Prefect.
# Under CI ($CI set) every test must run: a missing tool or any skipped test fails the run
# (DIGITISE_REQUIRE_ALL, tests/conftest.py). Locally a missing tool skips its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export PREFECT_SERVER_ANALYTICS_ENABLED=false
if [ -n "${CI:-}" ] && [ "${CI}" != "false" ]; then
  export DIGITISE_REQUIRE_ALL=1
fi
exec .venv/bin/python -m pytest "$@"
