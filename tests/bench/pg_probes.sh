#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# What the PostgreSQL probes cost: pgbench -S (select-only, simple protocol)
# against the demo target's database, interleaved runs with the profiler
# off, on with the syscall probe only, with the query/lock/transaction
# probes, with everything but the statement parts (the light level) and
# with everything (full: parse/plan/execute too). Prints the median of each run's server CPU per transaction
# (the backends' user + system time, which the postmaster collects as they
# exit: it holds however busy the host is) and of its TPS (which does not,
# on a shared host), with ratios to off.
# Root only. Usage: tests/bench/pg_probes.sh [ROUNDS] [SECONDS]
set -eu
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rounds=${1:-7}
secs=${2:-8}
PGBIN=/usr/lib/postgresql/15/bin
[ "$(id -u)" -eq 0 ] || { echo "skipped: needs root"; exit 77; }
cd "$top"
mkdir -p "$BUILD/tests"
${CC:-cc} -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iloader -Ibpf -I"$BUILD" \
	-o "$BUILD/tests/bench_hooks" tests/bench/hooks.c "$BUILD"/loader/*.o -lbpf -lelf -lz

out=$(mktemp -d "${TMPDIR:-/tmp}/loadlens-bench.XXXXXX")
state="" holder=""
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	[ -n "$state" ] && bash "$top/tests/target/stop.sh" "$state" >/dev/null 2>&1
	rm -rf "$out"
}
trap cleanup EXIT INT TERM
bash "$top/tests/target/start.sh" --workers 1 >"$out/target.env"
. "$out/target.env"
state=$TARGET_STATE
export PGHOST=127.0.0.1 PGPORT=$TARGET_DB_PORT PGUSER=postgres
"$PGBIN/psql" -X -q -d smartdairy -c "CREATE DATABASE bench"
"$PGBIN/pgbench" -q -i -s 5 bench >/dev/null 2>&1

# name and LOADER_PROBE_* bits (loader.h): syscalls 1, sched 2, rss 4, pg 8, parts 16;
# light is the default set (--profile-level light), full adds the parts.
names=(off syscalls syscalls+pg light full)
probes=(0 0x1 0x9 0xf 0x1f)
declare -A tps cpu
# cutime + cstime of the postmaster: its reaped children's CPU, in ticks.
pm_cpu_ticks() { sed 's/^.*) //' "/proc/$TARGET_POSTMASTER_PID/stat" | awk '{ print $14 + $15 }'; }
for r in $(seq 1 "$rounds"); do
	for k in $(seq 0 $((${#names[@]} - 1))); do
		i=$(((k + r) % ${#names[@]}))
		if [ "${probes[$i]}" != 0 ]; then
			"$top/$BUILD/tests/bench_hooks" hold "${probes[$i]}" "pid:$TARGET_POSTMASTER_PID" >"$out/hold.log" 2>&1 &
			holder=$!
			for _ in $(seq 100); do grep -q ready "$out/hold.log" && break; sleep 0.1; done
			grep -q ready "$out/hold.log" || { cat "$out/hold.log"; exit 1; }
		fi
		c0=$(pm_cpu_ticks)
		"$PGBIN/pgbench" -n -S -c 2 -j 2 -T "$secs" bench >"$out/pgbench.log" 2>&1
		c1=$(pm_cpu_ticks)
		t=$(awk '/^tps/ { print $3; exit }' "$out/pgbench.log")
		n=$(awk '/actually processed/ { print $NF; exit }' "$out/pgbench.log")
		# pgbench waits for its connections to close; the postmaster has
		# reaped the backends once they are gone from its children.
		for _ in $(seq 50); do [ -z "$(ps -o pid= --ppid "$TARGET_POSTMASTER_PID" -o args= | grep 'postgres: postgres bench')" ] && break; sleep 0.1; done
		c1=$(pm_cpu_ticks)
		us=$(echo "$c0 $c1 $n $(getconf CLK_TCK)" | awk '{ printf "%.2f", ($2 - $1) * 1e6 / $4 / $3 }')
		if [ -n "$holder" ]; then
			kill -INT "$holder"
			wait "$holder" || true
			holder=""
		fi
		tps[${names[$i]}]="${tps[${names[$i]}]:-} $t"
		cpu[${names[$i]}]="${cpu[${names[$i]}]:-} $us"
	done
done
med() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
off=$(echo "${tps[off]}" | med)
coff=$(echo "${cpu[off]}" | med)
echo "pgbench -S -c 2 -j 2, ${secs}s runs, $rounds interleaved rounds:"
for n in "${names[@]}"; do
	m=$(echo "${tps[$n]}" | med)
	c=$(echo "${cpu[$n]}" | med)
	printf '  %-9s server CPU %6.2f us/tx (x%.3f, %+.2f us)  TPS %8.1f (x%.3f)\n' "$n" "$c" \
		"$(echo "$c $coff" | awk '{ print $1 / $2 }')" "$(echo "$c $coff" | awk '{ print $1 - $2 }')" \
		"$m" "$(echo "$m $off" | awk '{ print $1 / $2 }')"
	echo "            CPU runs:${cpu[$n]}"
done
