#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# End to end: start the demo target with the slow_query fault, drive a short
# load with the profiler on the app and the database, and check from
# summary.json that the planted slow statement is the top query by DB time
# and that both roles have syscall figures.
set -eu
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: the profiler needs root (run make test as root)"
	exit 77
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/loadlens-it.XXXXXX")
state=""
cleanup() {
	[ -n "$state" ] && bash "$top/tests/target/stop.sh" "$state" >/dev/null 2>&1
	rm -rf "$out"
}
trap cleanup EXIT INT TERM

bash "$top/tests/target/start.sh" --fault slow_query >"$out/target.env"
. "$out/target.env"
state=$TARGET_STATE
echo "target: $TARGET_URL (master $TARGET_MASTER_PID, postmaster $TARGET_POSTMASTER_PID)"

BASE_URL=$TARGET_URL "$top/$BUILD/loadlens" run "$here/slow_query.json" -o "$out/run" \
	--profile "app=port:$TARGET_APP_PORT" --profile "db=pid:$TARGET_POSTMASTER_PID" \
	--progress-every 5s

/usr/bin/python3 - "$out/run/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
fail = []
reqs = {r["name"]: r for r in s["client"]["requests"]}
if reqs.get("search", {}).get("count", 0) == 0:
    fail.append("no search requests were made")
q = s["server"]["queries"]
if not q:
    fail.append("no queries were measured")
else:
    top = q[0]["fingerprint"]
    print("top query:", top, "total_ms", q[0]["total_ms"], "count", q[0]["count"])
    # the slow_query fault's statement: the search that also scans the
    # unindexed description column (tests/target/app.py)
    if "description ILIKE" not in top:
        fail.append("top query is not the slow search: " + top)
for role in ("app", "db"):
    n = sum(1 for x in s["server"]["syscalls"] if x["role"] == role and x["count"] > 0)
    print(role, "syscalls seen:", n)
    if n == 0:
        fail.append("no syscalls for role " + role)
if not s["windows"]:
    fail.append("no client windows")
for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
PY
