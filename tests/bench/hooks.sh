#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Build and run tests/bench/hooks.c against the loader objects of $BUILD
# (make them first). With STATS=1, kernel.bpf_stats_enabled is on for the
# run (restored after) to print each BPF program's mean cost; it adds its
# own cost to every program, so the timings are then inflated. Root only.
# Usage: [STATS=1] tests/bench/hooks.sh [ROUNDS]
set -eu
BUILD=${BUILD:-build}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top"
[ "$(id -u)" -eq 0 ] || { echo "skipped: needs root"; exit 77; }
mkdir -p "$BUILD/tests"
${CC:-cc} -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iloader -Ibpf -I"$BUILD" \
	-o "$BUILD/tests/bench_hooks" tests/bench/hooks.c "$BUILD"/loader/*.o -lbpf -lelf -lz
old=$(cat /proc/sys/kernel/bpf_stats_enabled)
trap 'echo "$old" >/proc/sys/kernel/bpf_stats_enabled' EXIT INT TERM
[ "${STATS:-0}" = 1 ] && echo 1 >/proc/sys/kernel/bpf_stats_enabled
"$BUILD/tests/bench_hooks" "$@"
