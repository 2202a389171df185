#!/bin/sh
# gen-roster.sh — writes the sample on-call roster (roster.csv) on stdout.
#
#   sh conf/sample/gen-roster.sh 2026-11-16 2028-01-03 > conf/sample/roster.csv
#
# START and END must be Mondays (YYYY-MM-DD). Every unit listed below gets
# weekly shifts from Monday 08:00 to the next Monday 08:00 (Europe/Stockholm
# wall-clock time, as the roster CSV expects), from START 08:00 to END 08:00
# without a gap. A unit's doctors are read from people.csv beside this
# script, in file order; the k-th role of a unit goes to doctor
# (week + k) mod n, where week counts Mondays since 1970, so the rotation
# does not depend on START. The output depends on nothing but the arguments
# and people.csv. POSIX sh and awk only.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 START END   (Mondays, YYYY-MM-DD)" >&2
	exit 2
fi
people="$(dirname "$0")/people.csv"
[ -r "$people" ] || { echo "$0: cannot read $people" >&2; exit 1; }

exec awk -v start="$1" -v end="$2" -v people="$people" '
# Days since 1970-01-01 in the proleptic Gregorian calendar.
function days(y, m, d,    era, yoe, doy, doe) {
	y -= (m <= 2)
	era = int(y / 400)
	yoe = y - era * 400
	doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
	doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
	return era * 146097 + doe - 719468
}

# The date of day number z as YYYY-MM-DD.
function civil(z,    era, doe, yoe, y, doy, mp, d, m) {
	z += 719468
	era = int(z / 146097)
	doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - \
	    int(doe / 146096)) / 365)
	y = yoe + era * 400
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
}

# The day number of a Monday given as YYYY-MM-DD; exits on anything else.
function monday(s,    z) {
	if (s !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/)
		fail(s ": not a date (YYYY-MM-DD)")
	z = days(substr(s, 1, 4) + 0, substr(s, 6, 2) + 0, substr(s, 9, 2) + 0)
	if (substr(s, 1, 4) + 0 < 1970 || civil(z) != s)
		fail(s ": not a valid date")
	if ((z - 4) % 7 != 0)	# 1970-01-05 was a Monday
		fail(s ": not a Monday")
	return z
}

function fail(msg) {
	print "gen-roster: " msg > "/dev/stderr"
	failed = 1
	exit 1
}

BEGIN {
	# unit and the roles it staffs, in escalation order of DESIGN section 5.
	n = split("KARD primary backup consult chief mdk;" \
	    "MED primary backup consult chief mdk;" \
	    "KIR primary backup consult chief;" \
	    "ORT primary backup consult chief;" \
	    "BARN primary backup consult;" \
	    "PSYK primary backup consult mdk;" \
	    "GYN primary backup consult;" \
	    "ONH primary backup consult;" \
	    "OGON primary backup consult;" \
	    "NEURO primary backup consult;" \
	    "GER primary backup consult mdk;" \
	    "RAD primary backup consult;" \
	    "ALVDALEN primary backup;" \
	    "SARNA primary backup;" \
	    "IDRE primary backup;" \
	    "ORSA primary backup;" \
	    "MORA_VC primary backup;" \
	    "MALUNG primary backup;" \
	    "VANSBRO primary backup;" \
	    "RATTVIK primary backup;" \
	    "LEKSAND primary backup;" \
	    "LUDVIKA_VC primary backup;" \
	    "HEDEMORA primary backup;" \
	    "AVESTA_VC primary backup;" \
	    "JOURCENTRAL primary backup", spec, ";")
	for (i = 1; i <= n; i++)
		staffed[substr(spec[i], 1, index(spec[i], " ") - 1)] = 1

	# Doctors only: nurses, test and admin accounts are never on call.
	doctor["Överläkare"] = doctor["Specialistläkare"] = 1
	doctor["ST-läkare"] = doctor["Distriktsläkare"] = 1
	line = 0
	while ((getline row < people) > 0) {
		if (++line == 1)
			continue
		sub(/\r$/, "", row)
		if (row ~ /"/)
			fail(people ":" line ": quoted fields are not supported here")
		if (split(row, f, ",") != 5)
			fail(people ":" line ": expected 5 fields")
		if ((f[4] in staffed) && (f[3] in doctor))
			doc[f[4], ndoc[f[4]]++] = f[2]
	}
	close(people)

	first = monday(start)
	last = monday(end)
	if (last <= first)
		fail("END must be after START")

	print "unit,role,phone,start,end"
	for (z = first; z < last; z += 7) {
		week = (z - 4) / 7
		from = civil(z) " 08:00"
		to = civil(z + 7) " 08:00"
		for (i = 1; i <= n; i++) {
			k = split(spec[i], w, " ")
			u = w[1]
			if (ndoc[u] == 0)
				fail(u ": no doctor in " people)
			for (r = 2; r <= k; r++)
				printf "%s,%s,%s,%s,%s\n", u, w[r],
				    doc[u, (week + r - 2) % ndoc[u]], from, to
		}
	}
}
END { if (failed) exit 1 }
' </dev/null
