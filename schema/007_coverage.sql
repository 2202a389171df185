-- 007_coverage.sql — the roster gaps the administrators were told of
-- (DESIGN §12), so that the daily coverage check tells each gap once: a
-- gap found again, longer, shorter or partly filled, overlaps its row here
-- and is not told again; the row grows to what was found. Rows of gaps
-- that have ended are deleted by the check.
CREATE TABLE coverage_told (
	id		INTEGER PRIMARY KEY,
	unit		TEXT NOT NULL,
	role		TEXT NOT NULL,
	from_at		INTEGER NOT NULL,
	to_at		INTEGER NOT NULL CHECK (to_at > from_at),
	told_at		INTEGER NOT NULL
);
CREATE INDEX coverage_told_unit ON coverage_told (unit, role, to_at);
