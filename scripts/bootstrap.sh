#!/usr/bin/env bash
# Install what council-digitise needs on Debian (as root), once: Tesseract with English and
# Welsh, Poppler, fonts for the sample generator, PostgreSQL's server binaries (the tests start
# a server of their own), and a virtualenv with the project in it.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-cym tesseract-ocr-osd poppler-utils qpdf
              fonts-dejavu-core fonts-liberation python3-venv postgresql chromium)
VENV=${DIGITISE_VENV:-.venv}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: missing Debian packages ${missing[*]}; run as root or install them" >&2
    exit 3
  fi
  echo "bootstrap: installing ${missing[*]}" >&2
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    # No system cluster: the package would create and start one on port 5432, and nothing
    # here uses it (tests/postgres.py runs its own server on a private Unix socket).
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/council-digitise.conf
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "bootstrap: preparing the Python environment in $VENV" >&2
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  log="$VENV/pip-install.log"
  if ! { "$VENV/bin/python" -m pip install -q --upgrade pip &&
         "$VENV/bin/python" -m pip install -q -e ".[test]"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "bootstrap: pip install failed (log above, also in $log)" >&2
    exit 1
  fi
  rm -f "$VENV"/.installed-* && touch "$stamp"
fi
