#!/usr/bin/env bash
# Installs Debian's chromium for the catalog's browser tests (test/catalog/*.browser.test.ts) and
# scripts/screenshot.ts. Idempotent and quiet; never fails the run: when it cannot install, it says
# why and exits 0 (the browser tests then skip with a message).
set -u

if [ -x /usr/bin/chromium ]; then
  echo "setup-browser: /usr/bin/chromium is present ($(/usr/bin/chromium --version 2>/dev/null | head -n 1))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: apt-get not found; install chromium yourself at /usr/bin/chromium (browser tests will be skipped)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "setup-browser: not root and no passwordless sudo; cannot install chromium (browser tests will be skipped)"
    exit 0
  fi
fi

log="$(mktemp -t setup-browser.XXXXXX.log)"
export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update -qq >"$log" 2>&1 && $SUDO apt-get install -y -qq chromium >>"$log" 2>&1 && [ -x /usr/bin/chromium ]; then
  echo "setup-browser: installed $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
  rm -f "$log"
else
  echo "setup-browser: could not install chromium with apt-get (log: $log; last lines below); browser tests will be skipped"
  tail -n 5 "$log" | sed 's/^/  /'
fi
exit 0
