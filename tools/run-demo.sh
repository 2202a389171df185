#!/bin/sh
# make run: a local state directory var/ with the example configuration, the
# sample directory and roster imported, then jourd in the foreground on
# Gammu's dummy phone (var/phone). Safe to run again: imports are idempotent.
set -eu
mkdir -p var/phone
chmod 700 var
[ -f var/jourd.conf ] || cp conf/jourd.conf.example var/jourd.conf
./jourd -n -c var/jourd.conf
for kind in units people roster; do
	./jourctl -c var/jourd.conf import "$kind" "conf/sample/$kind.csv"
done

ctl="./jourctl -c var/jourd.conf"
requester=+46701740605
primary=$($ctl --json oncall KARD | python3 -c '
import json, sys
rows = json.load(sys.stdin)["oncall"]
print(next((r["phone"] for r in rows if r["role"] == "primary"), "+46701740638"))')

cat <<TXT

jourd is starting on Gammu's dummy phone (var/phone), database var/jourd.db.
In another shell, in this directory, try the acute path:

  $ctl oncall KARD                   # who is on call for cardiology now
  $ctl inject $requester 'AKUT KARD bröstsmärta sedan 2 h, ring mig'
  $ctl outbox                        # the page to $primary and the receipt
  $ctl inject $primary 'OK 1'       # the specialist acknowledges
  $ctl consults                      # state, who acknowledged, when
  $ctl log 1                         # the whole timeline of consult 1
  $ctl inject $primary 'KLAR 1 RAD' # resolved: advice given
  $ctl report --by track
  $ctl status

$primary is this week's primary for KARD (the sample roster rotates weekly).
On a database that already holds consults, answer with the number and code
the page shows ('Svara OK 2'), as the outbox lists it.
Unanswered pages escalate after ack_timeout (5 min in var/jourd.conf).
Stop jourd with Ctrl-C.

TXT
exec ./jourd -d -c var/jourd.conf
