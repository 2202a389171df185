#!/bin/sh
# Installs the Debian packages jourd needs to build, run and test, when any
# is missing. Safe to run again: it does nothing when all are there.
set -eu
pkgs="gcc make pkg-config libgammu-dev libevent-dev libsqlite3-dev libinih-dev
libcmocka-dev libsystemd-dev libseccomp-dev libcrypt-dev sqlite3 python3 tzdata clang libclang-rt-14-dev
faketime mandoc"
# Testing only: libical reads jourctl ical's output back (test_roster.py).
pkgs="$pkgs libical-dev"
# Testing only: promtool checks /metrics (test_http.py).
pkgs="$pkgs prometheus"
# More packages for one target, e.g. make bench: sh tools/deps.sh gammu-smsd
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
