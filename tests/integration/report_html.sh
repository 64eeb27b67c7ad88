#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# End to end: a 12 s profiled ramp against the demo target, then its
# report.html opened in headless Chromium. Passes when the page logs nothing
# to the console (a page that does is caught first, to prove the check
# works), the screenshot is a real picture (many colours, not mostly blank),
# and the timeline's SVG series have a point for every per-second window.
# REPORT_HTML_KEEP=DIR keeps the run folder and the screenshot there.
set -eu
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3

if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: the profiler needs root (run make test as root)"
	exit 77
fi
chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
	echo "skipped: chromium is not installed (sudo make deps installs it)"
	exit 77
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/loadlens-html.XXXXXX")
state=""
cleanup() {
	[ -n "$state" ] && bash "$top/tests/target/stop.sh" "$state" >/dev/null 2>&1
	if [ -n "${REPORT_HTML_KEEP:-}" ]; then
		mkdir -p "$REPORT_HTML_KEEP" && cp -r "$out/run" "$out"/*.png "$REPORT_HTML_KEEP/" 2>/dev/null
		echo "kept in $REPORT_HTML_KEEP"
	fi
	rm -rf "$out"
}
trap cleanup EXIT INT TERM

# render PAGE PNG: screenshot PAGE at 1280 px wide into PNG with a fresh
# profile, browser log in PNG.log. Headless Chromium writes every console
# message (console.error, uncaught exceptions, CSP violations, failed loads)
# to stderr as a line with ":CONSOLE" in it when logging is on.
render() {
	profile=$(mktemp -d "$out/chromium.XXXXXX")
	rc=0
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --enable-logging=stderr --v=0 --hide-scrollbars \
		--window-size=1280,2000 --screenshot="$2" "file://$1" >"$2.out" 2>"$2.log" || rc=$?
	rm -rf "$profile"
	return $rc
}

# The check must see a console error when there is one.
cat >"$out/control.html" <<'EOF'
<!DOCTYPE html><html><body><p>control</p>
<script>console.error("loadlens-control-error"); notAFunction();</script></body></html>
EOF
render "$out/control.html" "$out/control.png" || { echo "FAIL: chromium failed on the control page"; tail -n 20 "$out/control.png.log"; exit 1; }
if ! grep ":CONSOLE" "$out/control.png.log" | grep -q "loadlens-control-error"; then
	echo "FAIL: a console error on the control page was not seen: the check cannot work"
	tail -n 20 "$out/control.png.log"
	exit 1
fi
echo "control: console errors are detected"

bash "$top/tests/target/start.sh" >"$out/target.env"
. "$out/target.env"
state=$TARGET_STATE
echo "target: $TARGET_URL (master $TARGET_MASTER_PID, postmaster $TARGET_POSTMASTER_PID)"

BASE_URL=$TARGET_URL "$top/$BUILD/loadlens" run "$here/report_html.json" -o "$out/run" \
	--profile "app=pid:$TARGET_MASTER_PID" --profile "db=pid:$TARGET_POSTMASTER_PID" \
	--progress-every 5s
bash "$top/tests/target/stop.sh" "$state" >/dev/null 2>&1 || true
state=""

[ -s "$out/run/report.html" ] || { echo "FAIL: no report.html in the run folder"; exit 1; }
render "$out/run/report.html" "$out/report.png" || { echo "FAIL: chromium exited with $?"; tail -n 20 "$out/report.png.log"; exit 1; }
if grep ":CONSOLE" "$out/report.png.log"; then
	echo "FAIL: report.html logged to the console (above)"
	exit 1
fi
echo "report.html: no console messages"

"$PY" - "$out/report.png" "$out/run/report.html" "$out/run/summary.json" <<'PY'
import json, re, struct, sys, zlib

def png_pixels(path):
    """Width, height, bytes per pixel and the unfiltered rows of a PNG."""
    d = open(path, "rb").read()
    if d[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    i, idat = 8, []
    while i < len(d):
        n, = struct.unpack(">I", d[i:i + 4])
        kind, body = d[i + 4:i + 8], d[i + 8:i + 8 + n]
        i += 12 + n
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    if depth != 8 or interlace or ctype not in (2, 6):
        raise ValueError("unexpected PNG format %d/%d/%d" % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(b"".join(idat)), w * bpp
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(h):
        f, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows

fail = []
png, html_path, summary_path = sys.argv[1:4]
w, h, bpp, rows = png_pixels(png)
colours, inked = set(), 0
for row in rows[::2]:
    for x in range(0, w * bpp, 2 * bpp):
        px = row[x:x + 3]
        colours.add(px)
        inked += px != b"\xff\xff\xff"
sampled = ((h + 1) // 2) * ((w + 1) // 2)
print("screenshot %dx%d: %d distinct colours, %.1f%% not white" % (w, h, len(colours), 100.0 * inked / sampled))
if (w, h) != (1280, 2000):
    fail.append("screenshot is %dx%d, not 1280x2000" % (w, h))
if len(colours) < 64:
    fail.append("screenshot has only %d colours: blank or unstyled" % len(colours))
if inked < sampled * 0.05:
    fail.append("screenshot is almost all white")

html = open(html_path, encoding="utf-8").read()
s = json.load(open(summary_path))
nwin = len(s["windows"])
nsrv = len(s.get("server", {}).get("windows", []))
def points(series):
    total = 0
    for m in re.finditer(r'data-series="%s" points="([^"]*)"' % re.escape(series), html):
        total += len(m.group(1).split())
    return total
for series, want in (("vus", nwin), ("rps", nwin),
                     ("p95_ms", sum(1 for x in s["windows"] if x["p95_ms"] is not None)),
                     ("db_time_ms", nsrv)):
    got = points(series)
    print("timeline %s: %d points for %d windows" % (series, got, want))
    if want == 0 or got < want:
        fail.append("timeline series %s has %d points, want >= %d" % (series, got, want))
curves = len(re.findall(r'data-series="latency"', html))
named = sum(1 for r in s["client"]["requests"] if r["duration_ms"])
print("latency curves: %d for %d request names" % (curves, named))
if curves != named:
    fail.append("%d latency curves for %d request names" % (curves, named))
if len(re.findall(r'data-series="syscall"', html)) == 0:
    fail.append("no syscall bars")
if "<script" in html or re.search(r'\b(src|href)=', html):
    fail.append("report.html loads or runs something")
bp = s.get("breaking_point")
if not bp or "summary" not in bp:
    fail.append("summary.json has no breaking_point")
else:
    print("breaking point:", bp["summary"])
    if bp["summary"] not in html.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&"):
        fail.append("the breaking-point sentence is not in report.html")
for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
PY
