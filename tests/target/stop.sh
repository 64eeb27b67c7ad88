#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Stop what tests/target/start.sh started and remove its temp folder.
#
# usage: stop.sh STATE_DIR
#
# Signals only the pids start.sh recorded in STATE_DIR/pids (and the current
# children of those), each checked against its recorded start time so a
# recycled pid is never hit; never matches processes by name. Safe to run
# twice: a missing STATE_DIR is already stopped (exit 0).

set -uo pipefail

PGBIN=/usr/lib/postgresql/15/bin

log() { echo "stop.sh: $*" >&2; }

[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: $0 STATE_DIR" >&2; exit 2; }
STATE=$1
if [ ! -e "$STATE" ]; then
	log "$STATE is gone: nothing to stop"
	exit 0
fi
if [ ! -f "$STATE/.loadlens-target" ]; then
	log "error: $STATE was not made by tests/target/start.sh (no .loadlens-target marker); refusing to touch it"
	exit 1
fi
[ "$(id -u)" = 0 ] || { log "error: must run as root, like start.sh"; exit 1; }

start_time() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'; }

# True when PID is alive and is the process that was recorded with STARTTIME.
# A zombie counts as gone: our processes are reparented to whatever reaps
# orphans here, which may take its time.
same_process() { # PID STARTTIME
	local stat
	[ -n "$1" ] || return 1
	stat=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	# shellcheck disable=SC2086 # split the stat fields into words
	set -- "$2" $stat
	[ "$2" != Z ] && [ "${21}" = "$1" ]
}

children_of() { ps -o pid= --ppid "$1" 2>/dev/null | tr -s ' \n' ' '; }

# Wait up to SECONDS for every "pid starttime" pair on stdin to be gone.
wait_gone() { # SECONDS PID:START...
	local limit=$1 p alive
	shift
	for _ in $(seq 1 $((limit * 10))); do
		alive=0
		for p in "$@"; do
			same_process "${p%:*}" "${p#*:}" && alive=1
		done
		[ "$alive" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

kill_pairs() { # SIGNAL PID:START...
	local sig=$1 p
	shift
	for p in "$@"; do
		same_process "${p%:*}" "${p#*:}" && kill "-$sig" "${p%:*}" 2>/dev/null
	done
	return 0
}

# pid:start pairs of the live children of PID.
child_pairs() {
	local c st
	for c in $(children_of "$1"); do
		st=$(start_time "$c") && [ -n "$st" ] && echo "$c:$st"
	done
}

rc=0
MASTER='' MASTER_ST='' PG='' PG_ST=
WORKERS=()
if [ -f "$STATE/pids" ]; then
	while read -r role pid st; do
		case "$role" in
		gunicorn) MASTER=$pid MASTER_ST=$st ;;
		worker) WORKERS+=("$pid:$st") ;;
		postmaster) PG=$pid PG_ST=$st ;;
		esac
	done <"$STATE/pids"
fi

# A start.sh interrupted between starting a server and recording it leaves
# only the server's own pid file: take that pid when the process's command
# line names this state folder, so it is ours and not a recycled pid.
ours() { # PID NEEDLE
	[ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}
if [ -z "$MASTER" ] && [ -s "$STATE/gunicorn.pid" ]; then
	pid=$(head -n 1 "$STATE/gunicorn.pid")
	if ours "$pid" "--pid $STATE/gunicorn.pid"; then
		MASTER=$pid MASTER_ST=$(start_time "$pid")
	fi
fi
if [ -z "$PG" ] && [ -s "$STATE/pgdata/postmaster.pid" ]; then
	pid=$(head -n 1 "$STATE/pgdata/postmaster.pid")
	if ours "$pid" "-D $STATE/pgdata"; then
		PG=$pid PG_ST=$(start_time "$pid")
	fi
fi

# gunicorn first, so no request reaches a database that is going away.
if [ -n "$MASTER" ] && same_process "$MASTER" "$MASTER_ST"; then
	# Workers forked after start.sh ran (replacements) are children too.
	mapfile -t current < <(child_pairs "$MASTER")
	WORKERS+=("${current[@]}")
	kill -TERM "$MASTER" 2>/dev/null
	if ! wait_gone 10 "$MASTER:$MASTER_ST" "${WORKERS[@]}"; then
		log "gunicorn did not exit within 10s of SIGTERM; sending SIGKILL"
		kill_pairs KILL "$MASTER:$MASTER_ST" "${WORKERS[@]}"
		wait_gone 5 "$MASTER:$MASTER_ST" "${WORKERS[@]}" || { log "error: gunicorn pids still alive"; rc=1; }
	fi
	log "gunicorn (master $MASTER) stopped"
fi
# Workers orphaned by a master that died earlier.
if [ "${#WORKERS[@]}" -gt 0 ]; then
	kill_pairs KILL "${WORKERS[@]}"
	wait_gone 5 "${WORKERS[@]}" || { log "error: gunicorn worker pids still alive"; rc=1; }
fi

if [ -n "$PG" ] && same_process "$PG" "$PG_ST"; then
	mapfile -t backends < <(child_pairs "$PG")
	if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$STATE/pgdata" -m fast -w -t 20 stop \
		</dev/null >>"$STATE/pg_ctl.log" 2>&1; then
		log "pg_ctl stop failed; sending the postmaster SIGQUIT (immediate shutdown)"
		kill -QUIT "$PG" 2>/dev/null
		if ! wait_gone 5 "$PG:$PG_ST"; then
			kill_pairs KILL "$PG:$PG_ST" "${backends[@]}"
		fi
	fi
	wait_gone 10 "$PG:$PG_ST" "${backends[@]}" || { log "error: PostgreSQL pids still alive"; rc=1; }
	log "PostgreSQL (postmaster $PG) stopped"
fi

if [ "$rc" = 0 ]; then
	rm -rf -- "$STATE"
	log "removed $STATE"
else
	log "kept $STATE for inspection because some processes would not stop"
fi
exit "$rc"
