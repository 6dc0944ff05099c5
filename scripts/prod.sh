#!/usr/bin/env bash
# The production topology on this machine, 127.0.0.1 only (docs/deploy.md):
#   nginx (TLS, static files) -> granian (WSGI, 2 workers) -> PostgreSQL + Redis,
#   a django-tasks-db worker, and a timer loop (view counts, national-portal sync, overdue reminders).
#
#   scripts/prod.sh [run]          prepare, start, stay in the foreground; Ctrl+C stops all
#   scripts/prod.sh start          prepare and start in the background (returns when healthy)
#   scripts/prod.sh stop           stop everything started from this state directory
#   scripts/prod.sh status         which processes run
#   scripts/prod.sh restart-worker stop the task worker (SIGTERM) and start it again
#   scripts/prod.sh check          manage.py check --deploy --fail-level WARNING, production env
#   scripts/prod.sh manage ARGS    manage.py ARGS with the production environment
#
# Settings (environment; defaults in brackets):
#   CCHC_PROD_DIR [var/prod]    state: secret key, TLS certificate, pids, logs, static, media
#   CCHC_PROD_HTTP_PORT [8080]  CCHC_PROD_HTTPS_PORT [8443]  CCHC_PROD_APP_PORT [8001]
#   CCHC_PROD_WORKERS [2]       CCHC_PROD_FLUSH_SECONDS [60] (view counts to the database)
#   DATABASE_URL [postgres://postgres@127.0.0.1:5432/cchc_prod]; set it empty for SQLite
#   REDIS_URL [redis://127.0.0.1:6379/1]  CACHE_KEY_PREFIX []  DJANGO_HSTS_SECONDS [3600]
#   CCHC_PROD_LOAD_DEMO [1]     load the demo data into an empty database
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
NGINX="${NGINX:-/usr/sbin/nginx}"
BIND=127.0.0.1
VAR="${CCHC_PROD_DIR:-$ROOT/var/prod}"
HTTP_PORT="${CCHC_PROD_HTTP_PORT:-8080}"
HTTPS_PORT="${CCHC_PROD_HTTPS_PORT:-8443}"
APP_PORT="${CCHC_PROD_APP_PORT:-8001}"
WORKERS="${CCHC_PROD_WORKERS:-2}"
FLUSH_SECONDS="${CCHC_PROD_FLUSH_SECONDS:-60}"
SERVICES=(nginx granian worker timers)

mkdir -p "$VAR"
VAR="$(cd "$VAR" && pwd)"
RUN="$VAR/run"
LOG="$VAR/log"

say() { echo "prod: $*" >&2; }
die() {
  say "$*"
  exit 1
}

# --- environment ----------------------------------------------------------------------------

production_env() {
  mkdir -p "$RUN" "$LOG" "$VAR/nginx" "$VAR/tls" "$VAR/static" "$VAR/media"
  if [ ! -s "$VAR/secret_key" ]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' >"$VAR/secret_key")
  fi
  export DJANGO_SETTINGS_MODULE=cchc.settings
  export DJANGO_DEBUG=false
  DJANGO_SECRET_KEY="$(cat "$VAR/secret_key")"
  export DJANGO_SECRET_KEY
  export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
  export DJANGO_CSRF_TRUSTED_ORIGINS="${DJANGO_CSRF_TRUSTED_ORIGINS:-https://127.0.0.1:$HTTPS_PORT,https://localhost:$HTTPS_PORT}"
  # A year on real servers (the settings' default); an hour here so that a browser that
  # visited https://localhost:8443 does not refuse http://localhost:8000 of `make run` for long.
  export DJANGO_HSTS_SECONDS="${DJANGO_HSTS_SECONDS:-3600}"
  export CCHC_TRUSTED_PROXIES="${CCHC_TRUSTED_PROXIES:-127.0.0.1}"
  # Article views nginx answers from its microcache (deploy/nginx.conf.in), counted on flush.
  export CCHC_NGINX_VIEW_LOG="$LOG/article-views.log"
  export CCHC_VAR_DIR="$VAR"
  export STATIC_ROOT="$VAR/static"
  export MEDIA_ROOT="$VAR/media"
  export DATABASE_URL="${DATABASE_URL-postgres://postgres@127.0.0.1:5432/cchc_prod}"
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/1}"
  export TASKS_BACKEND=django_tasks_db.backend.DatabaseBackend
  export PYTHONUNBUFFERED=1
}

manage() {
  (cd "$ROOT" && "$PY" manage.py "$@")
}

# --- preparation ----------------------------------------------------------------------------

ensure_tools() {
  [ -x "$PY" ] || die "no Python environment at $PY: run \`make install\` first"
  if [ ! -x "$NGINX" ] || ! command -v openssl >/dev/null 2>&1; then
    bash "$ROOT/scripts/ensure_system_packages.sh"
  fi
  [ -x "$NGINX" ] || die "nginx is missing: sudo apt-get install nginx-light"
  command -v openssl >/dev/null 2>&1 || die "openssl is missing: sudo apt-get install openssl"
}

ensure_certificate() {
  [ -s "$VAR/tls/cert.pem" ] && [ -s "$VAR/tls/key.pem" ] && return
  say "self-signed certificate for 127.0.0.1 and localhost -> $VAR/tls/"
  (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -days 825 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$VAR/tls/key.pem" -out "$VAR/tls/cert.pem" >/dev/null 2>&1)
}

ensure_database() {
  case "$DATABASE_URL" in
  postgres://* | postgresql://*)
    "$PY" - <<'PYEOF'
import os
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

info = conninfo_to_dict(os.environ["DATABASE_URL"])
name = info["dbname"]
with psycopg.connect(make_conninfo(**{**info, "dbname": "postgres"}), autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"prod: created database {name}")
PYEOF
    ;;
  "") say "DATABASE_URL is empty: SQLite at ${SQLITE_PATH:-$VAR/db.sqlite3}" ;;
  *) ;;
  esac
}

render_nginx() {
  local suffix=":$HTTPS_PORT"
  [ "$HTTPS_PORT" = 443 ] && suffix=""
  mkdir -p "$VAR/nginx"
  sed -e "s|{{VAR}}|$VAR|g" -e "s|{{BIND}}|$BIND|g" \
    -e "s|{{HTTP_PORT}}|$HTTP_PORT|g" -e "s|{{HTTPS_PORT}}|$HTTPS_PORT|g" \
    -e "s|{{HTTPS_PORT_SUFFIX}}|$suffix|g" -e "s|{{APP_PORT}}|$APP_PORT|g" \
    -e "s|{{TLS_CERT}}|$VAR/tls/cert.pem|g" -e "s|{{TLS_KEY}}|$VAR/tls/key.pem|g" \
    -e "s|{{STATIC_ROOT}}|$STATIC_ROOT|g" \
    "$ROOT/deploy/nginx.conf.in" >"$VAR/nginx.conf"
  "$NGINX" -q -t -p "$VAR" -c "$VAR/nginx.conf" 2>"$LOG/nginx-test.log" ||
    die "nginx configuration invalid: $(cat "$LOG/nginx-test.log")"
}

prepare() {
  ensure_tools
  ensure_certificate
  ensure_database
  say "migrate, collectstatic"
  manage migrate --noinput -v0
  manage collectstatic --noinput -v0
  if [ "${CCHC_PROD_LOAD_DEMO:-1}" = 1 ] &&
    [ "$(manage shell -c 'from cchc.core.models import Agency; print(Agency.objects.exists())' | tail -n1)" = False ]; then
    say "empty database: loading the demo data"
    manage load_demo
  fi
  render_nginx
}

# --- processes ------------------------------------------------------------------------------

# What the command line of each service must contain (a stale pid file never kills a stranger).
marker() {
  case "$1" in
  nginx) echo "nginx" ;;
  granian) echo "granian" ;;
  worker) echo "db_worker" ;;
  timers) echo "prod.sh" ;;
  esac
}

pid_of() {
  local file="$RUN/$1.pid" pid
  [ -s "$file" ] || return 1
  pid="$(cat "$file")"
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$(marker "$1")"* ]] || return 1
  echo "$pid"
}

running() { pid_of "$1" >/dev/null; }

launch() { # name, command...: own session, so Ctrl+C reaches only this script's trap
  local name="$1"
  shift
  setsid "$@" >>"$LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}

start_granian() {
  launch granian "$PY" -m granian --interface wsgi --host "$BIND" --port "$APP_PORT" \
    --workers "$WORKERS" --blocking-threads 1 --respawn-failed-workers --respawn-interval 1 \
    --workers-kill-timeout 30 --no-ws --log-level warning cchc.wsgi:application
}

start_worker() {
  launch worker "$PY" "$ROOT/manage.py" db_worker --queue-name '*' --interval 1 --no-reload
}

start_all() {
  cd "$ROOT"
  for name in "${SERVICES[@]}"; do
    running "$name" && die "$name already runs (pid $(pid_of "$name")); \`$0 stop\` first"
  done
  start_granian
  start_worker
  launch timers bash "$ROOT/scripts/prod.sh" _timers
  # Workers as the current user: root's would be "nobody", who cannot write the microcache
  # under a private state directory (every cached page would be a 500).
  local globals="daemon off;"
  [ "$(id -u)" = 0 ] && globals="daemon off; user root;"
  launch nginx "$NGINX" -p "$VAR" -c "$VAR/nginx.conf" -g "$globals"
  wait_healthy
  say "https://$BIND:$HTTPS_PORT/ (http://$BIND:$HTTP_PORT/ redirects; self-signed certificate)"
}

wait_healthy() {
  local url="https://$BIND:$HTTPS_PORT/healthz"
  "$PY" - "$url" <<'PYEOF' || { stop_all; die "not healthy after 60 s: see $LOG/"; }
import ssl, sys, time, urllib.request
context = ssl._create_unverified_context()
deadline = time.monotonic() + 60
while True:
    try:
        urllib.request.urlopen(sys.argv[1], timeout=3, context=context).read()
        sys.exit(0)
    except Exception:
        if time.monotonic() > deadline:
            sys.exit(1)
        time.sleep(0.5)
PYEOF
}

stop_one() { # name, signal
  local pid
  pid="$(pid_of "$1")" || {
    rm -f "$RUN/$1.pid"
    return 0
  }
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$1 (pid $pid) did not stop within 30 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$1.pid"
}

stop_all() {
  stop_one nginx QUIT
  stop_one granian TERM
  stop_one worker TERM
  stop_one timers TERM
}

status() {
  local rc=0
  for name in "${SERVICES[@]}"; do
    if running "$name"; then
      echo "$name: running (pid $(pid_of "$name"))"
    else
      echo "$name: stopped"
      rc=3
    fi
  done
  return $rc
}

timers() { # view counts, the DVCQG outbox and payment reconciliation every FLUSH_SECONDS,
  # overdue reminders and the PAR metric leaves hourly, the monthly satisfaction summaries daily
  local sleeper=""
  trap '[ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null; exit 0' TERM INT
  local last_reminder=0 last_summaries=0
  while true; do
    sleep "$FLUSH_SECONDS" &
    sleeper=$!
    wait "$sleeper" || true
    manage flush_view_counts || say "flush_view_counts failed"
    # The national-portal outbox (a no-op while DVCQG_ADAPTER_URL is unset; docs/dvcqg.md).
    manage sync_national_portal --verbosity 0 || say "sync_national_portal failed"
    # Pending online payments the platform's callback has not settled yet (docs/dvcqg.md).
    manage reconcile_payments --verbosity 0 || say "reconcile_payments failed"
    if [ $(($(date +%s) - last_summaries)) -ge 86400 ]; then # idempotent: once per agency+month
      manage send_satisfaction_summaries || say "send_satisfaction_summaries failed"
      last_summaries=$(date +%s)
    fi
    if [ $(($(date +%s) - last_reminder)) -ge 3600 ]; then
      manage send_overdue_task_reminders || say "send_overdue_task_reminders failed"
      # The metric leaves of PAR self-assessments still in draft (submitted ones stay frozen).
      manage refresh_par_metrics --verbosity 0 || say "refresh_par_metrics failed"
      last_reminder=$(date +%s)
    fi
  done
}

foreground() {
  trap 'say "stopping"; stop_all; exit 0' INT TERM
  start_all
  say "running in the foreground; Ctrl+C stops everything (logs: $LOG/)"
  local missing=0
  while true; do
    sleep 1
    local gone=""
    for name in "${SERVICES[@]}"; do running "$name" || gone="$gone $name"; done
    if [ -z "$gone" ]; then
      missing=0
    elif [ $((missing += 1)) -ge 10 ]; then # restart-worker leaves a short gap
      say "stopped unexpectedly:$gone (see $LOG/); stopping the rest"
      stop_all
      exit 1
    fi
  done
}

production_env
case "${1:-run}" in
run)
  prepare
  foreground
  ;;
start)
  prepare
  start_all
  ;;
stop) stop_all ;;
status) status ;;
restart-worker)
  stop_one worker TERM
  cd "$ROOT"
  start_worker
  say "task worker restarted (pid $(cat "$RUN/worker.pid"))"
  ;;
check) manage check --deploy --fail-level WARNING ;;
manage)
  shift
  manage "$@"
  ;;
_timers) timers ;;
*) die "unknown command ${1}: run, start, stop, status, restart-worker, check, manage" ;;
esac
