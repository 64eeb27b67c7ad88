#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# End to end, without the profiler: against the demo target on loopback,
#  1. a 4 s run with a threshold that holds and one that cannot exits 99,
#     lists the failing one on stderr, and writes junit.xml (the failure
#     there), summary.json (thresholds_ok false), timeseries.csv and
#     timeseries.jsonl.gz;
#  2. a 30 s run whose every request fails is stopped by an abortOnFail
#     threshold on http_req_failed within a few seconds, and exits 99;
#  3. a 30 s run is stopped by an abortOnFail p(95) threshold, after its
#     delayAbortEval of 3 s, and exits 99.
# Every run is bounded by its scenario and by timeout(1).
set -eu
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: the demo target runs PostgreSQL as its own user, which needs root (run make test as root)"
	exit 77
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/loadlens-it.XXXXXX")
state=""
cleanup() {
	[ -n "$state" ] && bash "$top/tests/target/stop.sh" "$state" >/dev/null 2>&1
	rm -rf "$out"
}
trap cleanup EXIT INT TERM

bash "$top/tests/target/start.sh" >"$out/target.env"
. "$out/target.env"
state=$TARGET_STATE
echo "target: $TARGET_URL"

# run NAME SCENARIO: run it into $out/NAME; sets rc and secs
run() {
	start=$(date +%s)
	set +e
	BASE_URL=$TARGET_URL timeout 90 "$top/$BUILD/loadlens" run "$here/$2" -o "$out/$1" \
		--progress-every 5s >"$out/$1.stdout" 2>"$out/$1.stderr"
	rc=$?
	set -e
	secs=$(($(date +%s) - start))
	echo "--- $1: exit $rc after ${secs}s"
	sed 's/^/    /' "$out/$1.stdout" "$out/$1.stderr"
}

fail=0
bad() {
	echo "FAIL: $*"
	fail=1
}

# 1. one holds, one fails
run basic thresholds.json
[ "$rc" -eq 99 ] || bad "basic run exited $rc, expected 99 (a threshold failed)"
grep -q 'http_reqs{name:health}: count<1: observed' "$out/basic.stderr" ||
	bad "the failing threshold is not listed on stderr"
grep -q 'http_req_failed: rate<0.5' "$out/basic.stderr" &&
	bad "a threshold that held is listed as failing"
for f in report.md summary.json junit.xml timeseries.csv timeseries.jsonl.gz; do
	[ -s "$out/basic/$f" ] || bad "basic: $f missing"
done
/usr/bin/python3 - "$out/basic" <<'PY' || fail=1
import csv, gzip, json, sys
import xml.etree.ElementTree as ET
d = sys.argv[1]
fail = []
s = json.load(open(d + "/summary.json"))
if s.get("thresholds_ok") is not False:
    fail.append("summary.json thresholds_ok is %r, expected false" % s.get("thresholds_ok"))
th = {t["metric"] + " " + t["expression"]: t for t in s.get("thresholds", [])}
ok = {k: t["ok"] for k, t in th.items()}
want = {"http_req_failed rate<0.5": True, "http_reqs{name:health} count<1": False,
        "checks{check:products status 200} rate>0.9": True}
if ok != want:
    fail.append("threshold verdicts %r, expected %r" % (ok, want))
health = [r for r in s["client"]["requests"] if r["name"] == "health"]
if not health or th.get("http_reqs{name:health} count<1", {}).get("observed") != health[0]["count"]:
    fail.append("count<1 observed is not the health request count")
root = ET.parse(d + "/junit.xml").getroot()
cases = {c.get("name"): c for c in root.iter("testcase")}
failed = sorted(n for n, c in cases.items() if c.find("failure") is not None)
print("junit failures:", failed)
if failed != ["http_reqs{name:health}: count<1"]:
    fail.append("junit.xml failures %r" % failed)
if "products status 200" not in cases or "http_req_failed: rate<0.5" not in cases:
    fail.append("junit.xml lacks a check or threshold case: %r" % sorted(cases))
if root.get("failures") != "1" or root.get("tests") != str(len(cases)):
    fail.append("junit.xml counts tests=%s failures=%s" % (root.get("tests"), root.get("failures")))
rows = list(csv.DictReader(open(d + "/timeseries.csv")))
lines = [json.loads(l) for l in gzip.open(d + "/timeseries.jsonl.gz", "rt")]
print("seconds:", len(rows), "requests:", sum(int(r["requests"] or 0) for r in rows))
if not 4 <= len(rows) <= 9 or len(lines) != len(rows):
    fail.append("%d CSV rows and %d JSON lines for a 4 s run" % (len(rows), len(lines)))
total = sum(r["count"] for r in s["client"]["requests"])
if sum(int(r["requests"] or 0) for r in rows) != total or sum(l["requests"] or 0 for l in lines) != total:
    fail.append("the time series do not add up to the %d requests" % total)
md = open(d + "/report.md").read()
if md.find("## Thresholds") < md.find("## Findings") or md.find("## Thresholds") > md.find("## Requests"):
    fail.append("report.md has no Thresholds section right after Findings")
for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
PY

# 2. abortOnFail on the error rate: every request is a 404
run abort thresholds_abort.json
[ "$rc" -eq 99 ] || bad "abort run exited $rc, expected 99"
[ "$secs" -le 12 ] || bad "abort run took ${secs}s of a 30 s scenario: not stopped early"
grep -q 'threshold http_req_failed: rate<0.01 failed after' "$out/abort.stderr" ||
	bad "the stop is not explained on stderr"
/usr/bin/python3 - "$out/abort" <<'PY' || fail=1
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
t = s["thresholds"][0]
print("aborted:", t["aborted"], "at", t.get("aborted_at_s"), "s; run", s["duration_s"], "s")
ok = t["aborted"] and not t["ok"] and t["observed"] == 1 and s["duration_s"] < 10 \
    and not s["interrupted"] and s["thresholds_ok"] is False
sys.exit(0 if ok else 1)
PY

# 3. abortOnFail on p(95), not before its delayAbortEval of 3 s
run abort_p95 thresholds_abort_p95.json
[ "$rc" -eq 99 ] || bad "p95 abort run exited $rc, expected 99"
[ "$secs" -le 14 ] || bad "p95 abort run took ${secs}s of a 30 s scenario: not stopped early"
/usr/bin/python3 - "$out/abort_p95" <<'PY' || fail=1
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
t = {x["metric"]: x for x in s["thresholds"]}
p = t["http_req_duration"]
print("p95:", p["observed"], "ms; aborted at", p.get("aborted_at_s"), "s")
ok = p["aborted"] and 3.0 <= p["aborted_at_s"] < 8 and p["observed"] > 0.001 \
    and t["http_reqs"]["ok"] and not t["http_reqs"]["aborted"]
sys.exit(0 if ok else 1)
PY

[ "$fail" -eq 0 ] && echo "thresholds: all checks passed"
exit "$fail"
