#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: start PostgreSQL and the Smart Dairy stand-in on loopback,
# run the demo scenario with the profiler on the app and the database, stop
# everything that was started, and say where the report is.
# DEMO_FAULTS (default slow_query) plants faults; DEMO_FAULTS= runs it clean.
set -eu
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
faults=${DEMO_FAULTS-slow_query}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: the profiler loads BPF programs and needs root: run 'sudo make demo'" >&2
	exit 1
fi

fault_args=""
for f in $(echo "$faults" | tr ',' ' '); do
	fault_args="$fault_args --fault $f"
done

env_file=$(mktemp "${TMPDIR:-/tmp}/loadlens-demo.XXXXXX")
state=""
cleanup() {
	[ -n "$state" ] && bash "$top/tests/target/stop.sh" "$state" >/dev/null 2>&1
	rm -f "$env_file"
}
trap cleanup EXIT INT TERM

echo "demo: starting PostgreSQL and the Smart Dairy target${faults:+ (planted fault: $faults)}"
# shellcheck disable=SC2086 # one word per --fault option
bash "$top/tests/target/start.sh" $fault_args >"$env_file"
. "$env_file"
state=$TARGET_STATE
echo "demo: target at $TARGET_URL; gunicorn master $TARGET_MASTER_PID, postmaster $TARGET_POSTMASTER_PID"

set +e
BASE_URL=$TARGET_URL "$top/$BUILD/loadlens" run "$top/scenarios/smartdairy/demo.json" \
	--profile "app=pid:$TARGET_MASTER_PID" --profile "db=pid:$TARGET_POSTMASTER_PID"
rc=$?
set -e
exit $rc
