#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Run the test programs and scripts, one line each, and end with the tally
# "N passed, N failed, N skipped". Exit 1 when any failed.
# Usage: tests/run.sh unit|integration|all   (BUILD selects the build folder)
set -u
BUILD=${BUILD:-build}
what=${1:-all}
passed=0 failed=0 skipped=0
failures=""
logdir=$(mktemp -d "${TMPDIR:-/tmp}/loadlens-tests.XXXXXX")

run_one() {
	name=$1
	shift
	start=$(date +%s)
	"$@" >"$logdir/$name.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0)
		passed=$((passed + 1))
		echo "PASS  $name (${secs}s)"
		;;
	77)
		skipped=$((skipped + 1))
		echo "SKIP  $name: $(tail -n 1 "$logdir/$name.log")"
		;;
	*)
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL  $name (exit $rc, ${secs}s); last lines of its output:"
		tail -n 25 "$logdir/$name.log" | sed 's/^/    /'
		;;
	esac
}

if [ "$what" = unit ] || [ "$what" = all ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		run_one "$(basename "$t")" "$t"
	done
fi

if [ "$what" = integration ] || [ "$what" = all ]; then
	for t in tests/integration/*.sh; do
		[ -f "$t" ] || continue
		run_one "$(basename "$t" .sh)" env BUILD="$BUILD" sh "$t"
	done
fi

echo "logs: $logdir"
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
