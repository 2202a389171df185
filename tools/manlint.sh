#!/bin/sh
# make manlint: the manual pages as both formatters see them. mandoc's lint,
# groff's warnings (-ww), and the text each renders checked for quotes that
# do not pair up: a quoting macro called inside another (".Pq Ql a , Ql b")
# nests instead of closing, which neither linter reports but a reader of
# man(1) sees as "(‘a, ‘b’’)".
#
#   sh tools/manlint.sh PAGE...
set -u
[ $# -gt 0 ] || { echo "usage: $0 PAGE..." >&2; exit 2; }
fail=0
mandoc -Tlint -Wwarning "$@" || fail=1
for page in "$@"; do
	out=$(groff -k -t -mandoc -ww -z "$page" 2>&1)
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		fail=1
	fi
	for fmt in mandoc groff; do
		if [ "$fmt" = mandoc ]; then
			text=$(mandoc -Tutf8 "$page")
		else
			text=$(groff -k -t -mandoc -Tutf8 "$page" 2>/dev/null)
		fi
		# Per paragraph: as many opening as closing quotes, never two
		# closing ones in a row.
		printf '%s\n' "$text" | col -b | LC_ALL=C awk -v page="$page" \
		    -v fmt="$fmt" '
		BEGIN { RS = ""; bad = 0 }
		{
			o = gsub(/\342\200\230/, "&"); c = gsub(/\342\200\231/, "&")
			od = gsub(/\342\200\234/, "&"); cd = gsub(/\342\200\235/, "&")
			if (o != c || od != cd || index($0, "\342\200\231\342\200\231") ||
			    index($0, "\342\200\235\342\200\235")) {
				printf "%s: quotes do not pair up under %s:\n%s\n\n",
				    page, fmt, $0
				bad = 1
			}
		}
		END { exit bad }' || fail=1
	done
done
[ $fail -eq 0 ] && echo "manlint: $# pages clean"
exit $fail
