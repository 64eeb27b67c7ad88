#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages that the build, the demo and the tests need,
# only those missing; safe to run any number of times.
set -eu

# build: compilers, BPF toolchain and the libraries loadlens links
# demo/tests: PostgreSQL (with its USDT probes), the gunicorn target, curl,
# chromium (headless, to check report.html renders)
PKGS="make gcc libc6-dev pkg-config clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev
libcurl4-openssl-dev libcjson-dev postgresql-15 postgresql-contrib gunicorn
python3 python3-psycopg2 python3-werkzeug curl procps iproute2 chromium"

missing=""
for p in $PKGS; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run 'sudo make deps' (or apt-get install$missing) as root" >&2
	exit 1
fi

echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # the list is meant to split into words
apt-get install -y -qq --no-install-recommends $missing
