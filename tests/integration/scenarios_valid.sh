#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Every scenario shipped in scenarios/ must pass `loadlens check`, so the
# suite never drifts from what the reader accepts.
set -u
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
bad=0
for f in "$top"/scenarios/*/*.json; do
	if ! "$top/$BUILD/loadlens" check "$f"; then
		bad=$((bad + 1))
	fi
done
[ "$bad" -eq 0 ]
