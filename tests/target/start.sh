#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Start the demo Smart Dairy target: a throwaway PostgreSQL cluster and the
# gunicorn app, on 127.0.0.1 and free ports, all under one temp folder.
#
# usage: start.sh [--workers N] [--fault F]... [--no-cache]
#   F: slow_query | leak[=KIB] | lock[=MS] | cpu | errors=P   (also from
#      $LOADLENS_FAULTS, comma-separated)
#
# stdout carries only shell-sourceable TARGET_* lines (eval "$(start.sh)");
# progress and errors go to stderr. On failure everything started so far is
# stopped and the exit status is 1 (2 for a usage error). Needs root:
# PostgreSQL runs as the postgres user via runuser.
#
# A seeded, cleanly stopped data directory is cached under
# $LOADLENS_TARGET_CACHE (default /var/tmp/loadlens-target-cache; "off"
# disables it), keyed by a hash of schema.sql, the PostgreSQL version and
# the seeding code, and copied for each start: a copy takes about a second,
# seeding several.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PGBIN=/usr/lib/postgresql/15/bin
PYTHON=/usr/bin/python3
GUNICORN=/usr/bin/gunicorn
DB_NAME=smartdairy
DB_USER=odoo
CACHE_ROOT=${LOADLENS_TARGET_CACHE:-/var/tmp/loadlens-target-cache}
READY_TIMEOUT_S=60

WORKERS=4
FAULTS=${LOADLENS_FAULTS:-}
USE_CACHE=1
STATE=
STARTED_OK=0
T0=$(date +%s.%N)

log() { echo "start.sh: $*" >&2; }

usage() {
	cat >&2 <<EOF
usage: $0 [--workers N] [--fault F]... [--no-cache]
  --workers N   gunicorn sync workers (default 4)
  --fault F     plant a fault: slow_query, leak[=KIB], lock[=MS], cpu, errors=P
                (repeatable; also taken from LOADLENS_FAULTS=a,b)
  --no-cache    seed a fresh cluster instead of copying the cached one
EOF
	exit 2
}

elapsed() { echo "$(date +%s.%N) $T0" | awk '{ printf "%.1fs", $1 - $2 }'; }

# Print the tail of a log to stderr, indented, to show why something failed.
show_log() {
	if [ -s "$1" ]; then
		echo "--- last lines of $1:" >&2
		tail -n "${2:-15}" "$1" | sed 's/^/    /' >&2
	fi
}

ERROR=
die() {
	ERROR="$*"
	exit 1
}

# On failure: stop whatever was started (quietly unless that fails too),
# then print the one error line last, where it is easy to see.
on_exit() {
	local rc=$? out
	# The trap may fire inside a block whose stderr goes to a log file.
	exec 2>&3
	if [ "$STARTED_OK" != 1 ]; then
		[ "$rc" != 0 ] || rc=1
		if [ -n "$STATE" ] && [ -d "$STATE" ]; then
			if ! out=$("$HERE/stop.sh" "$STATE" 2>&1); then
				echo "$out" >&2
				ERROR="${ERROR:-interrupted}; stop.sh could not clean up $STATE"
			fi
		fi
		[ -z "$ERROR" ] || echo "start.sh: error: $ERROR" >&2
	fi
	exit "$rc"
}
exec 3>&2
trap on_exit EXIT
trap 'ERROR="interrupted; stopped what was started"; exit 130' INT TERM HUP

while [ $# -gt 0 ]; do
	case "$1" in
	--workers) [ $# -ge 2 ] || usage; WORKERS=$2; shift 2 ;;
	--workers=*) WORKERS=${1#*=}; shift ;;
	--fault) [ $# -ge 2 ] || usage; FAULTS="${FAULTS:+$FAULTS,}$2"; shift 2 ;;
	--fault=*) FAULTS="${FAULTS:+$FAULTS,}${1#*=}"; shift ;;
	--no-cache) USE_CACHE=0; shift ;;
	-h | --help) usage ;;
	*) echo "start.sh: unknown argument '$1'" >&2; usage ;;
	esac
done
case "$WORKERS" in
'' | *[!0-9]*) echo "start.sh: --workers needs a positive integer, got '$WORKERS'" >&2; exit 2 ;;
esac
if [ "$WORKERS" -lt 1 ] || [ "$WORKERS" -gt 64 ]; then
	echo "start.sh: --workers must be 1..64, got $WORKERS" >&2
	exit 2
fi
[ "$CACHE_ROOT" != off ] || USE_CACHE=0

for bin in "$PGBIN/initdb" "$PGBIN/pg_ctl" "$PGBIN/psql" "$GUNICORN" "$PYTHON" /usr/bin/curl; do
	[ -x "$bin" ] || die "$bin not found: install postgresql-15, gunicorn, python3-werkzeug, python3-psycopg2 and curl"
done
"$PYTHON" -c 'import psycopg2, werkzeug' 2>/dev/null ||
	die "$PYTHON cannot import psycopg2 and werkzeug: apt-get install python3-psycopg2 python3-werkzeug"
[ -f /usr/lib/postgresql/15/lib/pg_trgm.so ] ||
	die "PostgreSQL's pg_trgm extension is missing (package postgresql-15 ships it)"

# Validate faults with the app's own parser, so the two cannot disagree.
if ! msg=$(cd "$HERE" && FAULTS="$FAULTS" LOADLENS_FAULTS='' PYTHONDONTWRITEBYTECODE=1 "$PYTHON" -c '
import os, sys
sys.path.insert(0, ".")
import app
try:
    print(app.faults_text(app.parse_faults(os.environ["FAULTS"])))
except app.ConfigError as e:
    print(e)
    sys.exit(2)
' 2>&1); then
	echo "start.sh: $msg" >&2
	exit 2
fi
FAULTS=$msg

[ "$(id -u)" = 0 ] || die "must run as root: PostgreSQL is started as the 'postgres' user with runuser (try: sudo $0)"
id postgres >/dev/null 2>&1 || die "no 'postgres' OS user: install PostgreSQL 15 (apt-get install postgresql-15)"

STATE=$(mktemp -d /tmp/loadlens-target.XXXXXX) || die "cannot create a temp folder under /tmp"
chmod 755 "$STATE"
touch "$STATE/.loadlens-target"
mkdir "$STATE/sock"
touch "$STATE/postgres.log" "$STATE/pids"
chown postgres: "$STATE/sock" "$STATE/postgres.log"
echo "$FAULTS" >"$STATE/faults"
log "state folder $STATE (workers $WORKERS, faults: ${FAULTS:-none})"

# "pid starttime" lets stop.sh refuse to signal a recycled pid.
record_pid() { # ROLE PID
	local st
	st=$(sed 's/^.*) //' "/proc/$2/stat" | awk '{ print $20 }')
	echo "$1 $2 $st" >>"$STATE/pids"
}

free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

pg_as() { runuser -u postgres -- "$@"; }

psql_run() { # PORT USER DB psql-args...
	local port=$1 user=$2 db=$3
	shift 3
	PGCONNECT_TIMEOUT=10 "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$user" -d "$db" "$@"
}

# Start the cluster in $STATE/pgdata on a free port; sets DB_PORT and PG_PID.
# Retries with another port when the chosen one was taken meanwhile.
pg_start() {
	local try
	cp "$HERE/postgresql.conf" "$STATE/pgdata/loadlens.conf"
	chown postgres: "$STATE/pgdata/loadlens.conf"
	for try in 1 2 3; do
		DB_PORT=$(free_port)
		# fd 9 (the cache lock) and 3 (our stderr) must not outlive this
		# script in the postmaster.
		if pg_as "$PGBIN/pg_ctl" -D "$STATE/pgdata" -l "$STATE/postgres.log" -w -t 60 \
			-o "-p $DB_PORT -k $STATE/sock" start </dev/null >>"$STATE/pg_ctl.log" 2>&1 3>&- 9>&-; then
			PG_PID=$(head -n 1 "$STATE/pgdata/postmaster.pid")
			record_pid postmaster "$PG_PID"
			return 0
		fi
		if [ -f "$STATE/pgdata/postmaster.pid" ]; then
			# pg_ctl gave up waiting but the server may still be coming up.
			PG_PID=$(head -n 1 "$STATE/pgdata/postmaster.pid")
			record_pid postmaster "$PG_PID" 2>/dev/null || true
			show_log "$STATE/postgres.log"
			die "PostgreSQL did not become ready on port $DB_PORT within 60s"
		fi
		if ! tail -n 20 "$STATE/postgres.log" | grep -q "Address already in use"; then
			show_log "$STATE/pg_ctl.log"
			show_log "$STATE/postgres.log"
			die "PostgreSQL failed to start on 127.0.0.1:$DB_PORT (log above)"
		fi
		log "port $DB_PORT was taken meanwhile, trying another"
	done
	die "PostgreSQL could not bind a free port on 127.0.0.1 after 3 tries"
}

pg_stop_clean() {
	pg_as "$PGBIN/pg_ctl" -D "$STATE/pgdata" -m fast -w -t 60 stop >>"$STATE/pg_ctl.log" 2>&1 ||
		die "PostgreSQL did not shut down cleanly after seeding"
	sed -i '/^postmaster /d' "$STATE/pids"
	PG_RUNNING=0
}

# initdb + seed into $STATE/pgdata, leaving the cluster running.
seed_cluster() {
	local t_seed
	log "creating and seeding a new cluster (schema.sql)"
	mkdir -m 700 "$STATE/pgdata" && chown postgres: "$STATE/pgdata"
	pg_as "$PGBIN/initdb" -D "$STATE/pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		--no-sync --no-instructions >"$STATE/initdb.log" 2>&1 ||
		{ show_log "$STATE/initdb.log"; die "initdb failed (log above)"; }
	echo "include_if_exists = 'loadlens.conf'" >>"$STATE/pgdata/postgresql.conf"
	pg_start
	t_seed=$(date +%s.%N)
	# Synchronous commit for the seed, so VACUUM may set hint bits at once and
	# mark every page all-visible (index-only scans); the server default is off.
	export PGOPTIONS="-c synchronous_commit=on"
	{
		psql_run "$DB_PORT" postgres postgres -c "CREATE ROLE $DB_USER LOGIN" &&
			psql_run "$DB_PORT" postgres postgres -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" &&
			psql_run "$DB_PORT" postgres "$DB_NAME" -c "CREATE EXTENSION pg_stat_statements" &&
			psql_run "$DB_PORT" "$DB_USER" "$DB_NAME" --single-transaction -o /dev/null -f "$HERE/schema.sql" &&
			psql_run "$DB_PORT" postgres "$DB_NAME" -c "VACUUM (FREEZE, ANALYZE)" &&
			psql_run "$DB_PORT" postgres "$DB_NAME" -o /dev/null \
				-c "SELECT pg_stat_statements_reset(), pg_stat_reset(), pg_stat_reset_shared('bgwriter')"
	} >"$STATE/seed.log" 2>&1 || { show_log "$STATE/seed.log"; die "seeding schema.sql failed (log above)"; }
	unset PGOPTIONS
	log "seeded in $(echo "$(date +%s.%N) $t_seed" | awk '{ printf "%.1fs", $1 - $2 }')"
	PG_RUNNING=1
}

cache_key() {
	{
		cat "$HERE/schema.sql"
		"$PGBIN/postgres" --version
		declare -f seed_cluster
	} | sha256sum | cut -c1-16
}

# Fill $STATE/pgdata from the cache, building the cache entry if missing.
# The lock keeps two concurrent starts from seeding the same entry twice.
prepare_cluster() {
	local key entry tmp
	if [ "$USE_CACHE" != 1 ]; then
		seed_cluster
		return
	fi
	key=$(cache_key)
	entry="$CACHE_ROOT/$key"
	mkdir -p "$CACHE_ROOT"
	exec 9>"$CACHE_ROOT/.lock"
	flock -w 300 9 || die "timed out waiting for the cache lock $CACHE_ROOT/.lock"
	if [ -f "$entry/complete" ] && [ -d "$entry/pgdata" ]; then
		cp -a "$entry/pgdata" "$STATE/pgdata" || die "cannot copy the cached cluster from $entry"
		log "cluster copied from cache $entry"
	else
		seed_cluster
		pg_stop_clean
		# Drop stale entries (older schema) and store this one atomically.
		find "$CACHE_ROOT" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
		tmp=$(mktemp -d "$CACHE_ROOT/.new.XXXXXX")
		if ! { cp -a "$STATE/pgdata" "$tmp/pgdata" && touch "$tmp/complete" && mv "$tmp" "$entry"; }; then
			rm -rf "$tmp"
			die "cannot write the cache entry $entry"
		fi
		log "cached the seeded cluster in $entry"
	fi
	exec 9>&-
}

# Children of a pid, from /proc (this kernel has no /proc/PID/task/*/children).
children_of() {
	ps -o pid= --ppid "$1" 2>/dev/null | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

start_app() {
	local try url i workers n
	for try in 1 2 3; do
		APP_PORT=$(free_port)
		url="http://127.0.0.1:$APP_PORT"
		: >"$STATE/gunicorn.log"
		# setsid: a Ctrl-C in the caller's terminal must not reach the target;
		# stop.sh stops it. No stdio of ours is inherited, so $(start.sh)
		# returns as soon as this script exits.
		(
			cd "$HERE"
			exec env LOADLENS_TARGET_DSN="$DSN" LOADLENS_FAULTS="$FAULTS" PYTHONDONTWRITEBYTECODE=1 \
				setsid "$GUNICORN" --workers "$WORKERS" --worker-class sync \
				--bind "127.0.0.1:$APP_PORT" --backlog 2048 --timeout 120 --graceful-timeout 5 \
				--pid "$STATE/gunicorn.pid" --access-logfile "$STATE/access.log" \
				--error-logfile "$STATE/gunicorn.log" --chdir "$HERE" app:application
		) </dev/null >>"$STATE/gunicorn.log" 2>&1 3>&- 9>&- &
		MASTER_PID=$!
		record_pid gunicorn "$MASTER_PID"
		for i in $(seq 1 $((READY_TIMEOUT_S * 10))); do
			if curl -fsS -o /dev/null --max-time 2 "$url/api/v1/health" 2>/dev/null; then
				break
			fi
			if ! kill -0 "$MASTER_PID" 2>/dev/null; then
				break
			fi
			sleep 0.1
		done
		if kill -0 "$MASTER_PID" 2>/dev/null && curl -fsS -o /dev/null --max-time 2 "$url/api/v1/health"; then
			break
		fi
		if kill -0 "$MASTER_PID" 2>/dev/null; then
			show_log "$STATE/gunicorn.log"
			die "gunicorn (pid $MASTER_PID) did not answer $url/api/v1/health within ${READY_TIMEOUT_S}s"
		fi
		if grep -q "Address already in use" "$STATE/gunicorn.log" && [ "$try" -lt 3 ]; then
			log "port $APP_PORT was taken meanwhile, trying another"
			continue
		fi
		show_log "$STATE/gunicorn.log" 25
		die "gunicorn exited during startup (log above)"
	done

	# Ready means every worker has forked, imported the app and opened its
	# database connection (application_name 'loadlens-target').
	for i in $(seq 1 $((READY_TIMEOUT_S * 10))); do
		workers=$(children_of "$MASTER_PID")
		n=$(psql_run "$DB_PORT" postgres "$DB_NAME" -At -c \
			"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'loadlens-target'" 2>/dev/null || echo 0)
		# shellcheck disable=SC2086 # split the pid list into words
		set -- $workers
		if [ $# -eq "$WORKERS" ] && [ "$n" -ge "$WORKERS" ]; then
			break
		fi
		kill -0 "$MASTER_PID" 2>/dev/null || { show_log "$STATE/gunicorn.log" 25; die "gunicorn exited during startup (log above)"; }
		sleep 0.1
	done
	# shellcheck disable=SC2086
	set -- $workers
	if [ $# -ne "$WORKERS" ] || [ "$n" -lt "$WORKERS" ]; then
		show_log "$STATE/gunicorn.log"
		die "only $# of $WORKERS gunicorn workers running and $n connected to the database after ${READY_TIMEOUT_S}s"
	fi
	for i in $workers; do record_pid worker "$i"; done
	WORKER_PIDS=$workers
}

PG_RUNNING=0
prepare_cluster
[ "$PG_RUNNING" = 1 ] || pg_start
DSN="host=127.0.0.1 port=$DB_PORT dbname=$DB_NAME user=$DB_USER"
log "PostgreSQL ready on 127.0.0.1:$DB_PORT (postmaster $PG_PID) after $(elapsed)"
start_app
log "gunicorn ready on 127.0.0.1:$APP_PORT (master $MASTER_PID, workers $WORKER_PIDS) after $(elapsed)"

cat >"$STATE/target.env" <<EOF
TARGET_URL=http://127.0.0.1:$APP_PORT
TARGET_APP_PORT=$APP_PORT
TARGET_DB_PORT=$DB_PORT
TARGET_DB_DSN='$DSN'
TARGET_MASTER_PID=$MASTER_PID
TARGET_WORKER_PIDS='$WORKER_PIDS'
TARGET_POSTMASTER_PID=$PG_PID
TARGET_STATE=$STATE
EOF
STARTED_OK=1
cat "$STATE/target.env"
