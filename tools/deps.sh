#!/bin/sh
# Installs the Debian packages jourd needs, when any is missing. Safe to run
# again: it does nothing when all are there.
#
#   sh tools/deps.sh              build, run and test (a development machine)
#   sh tools/deps.sh --runtime    only what running jourd and jourctl needs
#   sh tools/deps.sh PKG...       more for one target (make bench: gammu-smsd)
set -eu
# The shared libraries jourd and jourctl link, and the zone file jourd
# refuses to start without.
runtime="libgammu8 libevent-2.1-7 libsqlite3-0 libinih1 libsystemd0 libseccomp2
libcrypt1 tzdata"
if [ "${1:-}" = --runtime ]; then
	shift
	pkgs="$runtime"
else
	# Building, the tests (cmocka, python3, sqlite3, faketime), the fuzz
	# targets (clang and its libFuzzer) and make manlint (mandoc, groff,
	# col).
	pkgs="$runtime gcc make pkg-config libgammu-dev libevent-dev
libsqlite3-dev libinih-dev libcmocka-dev libsystemd-dev libseccomp-dev libcrypt-dev
sqlite3 python3
clang libclang-rt-14-dev faketime mandoc groff-base bsdextrautils"
	# Testing only: libical reads jourctl ical's output back
	# (test_roster.py); promtool checks /metrics (test_http.py).
	pkgs="$pkgs libical-dev prometheus"
fi
pkgs="$pkgs $*"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root, or install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
