#!/usr/bin/env bash
# Installs what the browser tests need on a fresh Debian machine: chromium and chromedriver
# (Debian's packages; a test tool's own browser download cannot work here). Idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
else
  echo "setup-browser: chromium and chromedriver are missing; install Debian's chromium and chromium-driver" >&2
  exit 1
fi
