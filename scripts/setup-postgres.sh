#!/usr/bin/env bash
# Installs Debian's PostgreSQL server for the second proof of the Athena SQL (test/athena-pg/), which
# starts a private cluster of its own in a temporary directory. Idempotent and quiet; never fails the
# run: when it cannot install, it says why and exits 0 (the tests then skip with a loud message, or
# fail under CI=true).
set -u

found="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)"
if [ -n "$found" ]; then
  echo "setup-postgres: $("${found%/initdb}/postgres" --version 2>/dev/null) is present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-postgres: apt-get not found; install PostgreSQL 15 or later yourself (the PostgreSQL proof of the Athena SQL will be skipped)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "setup-postgres: not root and no passwordless sudo; cannot install postgresql (the PostgreSQL proof of the Athena SQL will be skipped)"
    exit 0
  fi
fi

log="$(mktemp -t setup-postgres.XXXXXX.log)"
export DEBIAN_FRONTEND=noninteractive
# The package's own cluster is not used: the tests start a private one.
if $SUDO apt-get update -qq >"$log" 2>&1 && $SUDO apt-get install -y -qq postgresql >>"$log" 2>&1 \
  && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "setup-postgres: installed $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  rm -f "$log"
else
  echo "setup-postgres: could not install postgresql with apt-get (log: $log; last lines below); the PostgreSQL proof will be skipped"
  tail -n 5 "$log" | sed 's/^/  /'
fi
exit 0
