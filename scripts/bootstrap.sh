#!/usr/bin/env bash
# Installs what Junction needs, idempotently: Debian packages, then the Python
# venv for the interop suites. Safe to run on every `make run` / `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  pkg-config
  libwebsockets-dev libcurl4-openssl-dev libssl-dev libusrsctp-dev
  libjq-dev libsqlite3-dev libsimdjson-dev libyaml-dev zlib1g-dev
  jq python3-venv openssl
  chromium chromium-driver
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--with-venv" ]; then
  REQ=Tests/interop/requirements.txt
  STAMP=.venv/.requirements.sha256
  want=$(sha256sum "$REQ" | cut -d' ' -f1)
  if [ ! -x .venv/bin/python ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
    echo "bootstrap: creating .venv from $REQ" >&2
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r "$REQ"
    echo "$want" > "$STAMP"
  fi
fi
