#!/usr/bin/env bash
# System packages CCHC needs: Chromium (browser tests), Liberation fonts 2.x (Vietnamese PDFs:
# the 1.07 fonts of "fonts-liberation" lack 92 Vietnamese letters such as ả, ơ, ự),
# Pango (WeasyPrint), wrk (benchmarks) nginx (the production topology, `make prod`) and
# the PostgreSQL client tools (pg_dump/pg_restore for `manage.py backup`). Installs what is missing when it can (root + apt);
# otherwise says how and fails: browser tests are never silently skipped.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Read the lists first: `ldconfig -p | grep -q` under pipefail fails when grep stops early (SIGPIPE).
fonts=$(fc-list 2>/dev/null || true)
libs=$(ldconfig -p 2>/dev/null || true)
grep -q "liberation2/LiberationSerif-Regular" <<<"$fonts" || need+=(fonts-liberation2)
grep -q "libpango-1.0.so" <<<"$libs" || need+=(libpango-1.0-0)
grep -q "libpangoft2-1.0.so" <<<"$libs" || need+=(libpangoft2-1.0-0)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx-light)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Cài gói hệ thống còn thiếu: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi
echo "Thiếu gói hệ thống: ${need[*]}" >&2
echo "Hãy cài bằng: sudo apt-get install ${need[*]}" >&2
exit 1
