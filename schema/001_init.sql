-- 001_init.sql — the first jourd schema.
-- Times are INTEGER milliseconds since the Unix epoch (UTC).
-- Phone numbers are E.164 text ('+46701740605').

-- The directory: units (specialties, health centres, hospitals, other).
CREATE TABLE units (
	code		TEXT PRIMARY KEY,		-- 'KARD', 'ALVDALEN', 'JOURCENTRAL'
	name		TEXT NOT NULL,
	folded		TEXT NOT NULL,			-- name folded for matching
	kind		TEXT NOT NULL CHECK (kind IN ('specialty', 'health_centre', 'hospital', 'other')),
	phone		TEXT NOT NULL,			-- switchboard, E.164
	hours		TEXT NOT NULL			-- 'always' | 'weekdays HH:MM-HH:MM'
);

CREATE TABLE people (
	phone		TEXT PRIMARY KEY,
	name		TEXT NOT NULL,
	title		TEXT NOT NULL,
	unit		TEXT NOT NULL,			-- a unit code
	can_request	INTEGER NOT NULL CHECK (can_request IN (0, 1))
);

-- Who holds which role of which unit from start (inclusive) to end (exclusive).
-- source 'override' (JOUR by SMS, jourctl) beats 'roster' for its period.
CREATE TABLE shifts (
	id		INTEGER PRIMARY KEY,
	unit		TEXT NOT NULL,
	role		TEXT NOT NULL,
	phone		TEXT NOT NULL,
	start_at	INTEGER NOT NULL,
	end_at		INTEGER NOT NULL CHECK (end_at > start_at),
	source		TEXT NOT NULL DEFAULT 'roster' CHECK (source IN ('roster', 'override'))
);
CREATE INDEX shifts_unit_time ON shifts (unit, end_at, start_at);

-- Every SMS received, committed before it is deleted from the phone.
-- The text is stored with personal identity numbers masked.
CREATE TABLE inbox (
	id		INTEGER PRIMARY KEY,
	dedup		TEXT NOT NULL UNIQUE,		-- sender|smsc|ref|parts|hash
	sender		TEXT NOT NULL,			-- E.164, or as received
	smsc_at		INTEGER NOT NULL,
	received_at	INTEGER NOT NULL,
	parts		INTEGER NOT NULL,
	text		TEXT NOT NULL,
	verb		TEXT NOT NULL,			-- parse_verb_name
	consult_id	INTEGER,
	outcome		TEXT NOT NULL			-- what jourd did with it
);

CREATE TABLE consults (
	id		INTEGER PRIMARY KEY,
	track		TEXT NOT NULL,
	state		TEXT NOT NULL CHECK (state IN ('queued', 'open', 'acknowledged',
			    'resolved', 'cancelled', 'unanswered', 'rejected')),
	requester	TEXT NOT NULL,
	callback	TEXT NOT NULL,			-- '' = the requester's number
	text		TEXT NOT NULL,
	inbox_id	INTEGER REFERENCES inbox (id),
	created_at	INTEGER NOT NULL,
	first_page_at	INTEGER,
	acked_at	INTEGER,
	acked_by	TEXT,
	resolved_at	INTEGER,
	outcome		TEXT,
	pages_sent	INTEGER NOT NULL DEFAULT 0,
	max_step	INTEGER NOT NULL DEFAULT -1
);
CREATE INDEX consults_state ON consults (state);
CREATE INDEX consults_created ON consults (created_at);

-- One escalation per unit of a consult.
CREATE TABLE legs (
	consult_id	INTEGER NOT NULL REFERENCES consults (id),
	idx		INTEGER NOT NULL,
	unit		TEXT NOT NULL,
	state		TEXT NOT NULL CHECK (state IN ('waiting', 'paging', 'acked',
			    'unanswered', 'cancelled')),
	step		INTEGER NOT NULL DEFAULT -1,
	due_at		INTEGER,			-- NULL = no timer
	acked_at	INTEGER,
	acked_by	TEXT,
	gaps_told	INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (consult_id, idx)
);
CREATE INDEX legs_due ON legs (due_at) WHERE due_at IS NOT NULL;

-- A page is one responder paged for one leg; code is unique among the
-- responder's open pages and quarantined after closed_at.
CREATE TABLE pages (
	id		INTEGER PRIMARY KEY,
	consult_id	INTEGER NOT NULL REFERENCES consults (id),
	leg		INTEGER NOT NULL,
	to_phone	TEXT NOT NULL,
	role		TEXT NOT NULL,
	step		INTEGER NOT NULL,
	code		INTEGER NOT NULL,
	outbox_id	INTEGER REFERENCES outbox (id),
	created_at	INTEGER NOT NULL,
	closed_at	INTEGER				-- NULL while open
);
CREATE INDEX pages_to ON pages (to_phone, closed_at);
CREATE INDEX pages_consult ON pages (consult_id);

-- Every SMS jourd sends, committed before the modem sees it.
CREATE TABLE outbox (
	id		INTEGER PRIMARY KEY,
	to_phone	TEXT NOT NULL,
	text		TEXT NOT NULL,
	kind		TEXT NOT NULL,			-- page, reply, notify, admin, stand_down
	consult_id	INTEGER,
	state		TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0,
	next_attempt_at	INTEGER NOT NULL,
	created_at	INTEGER NOT NULL,
	sent_at		INTEGER,
	delivered_at	INTEGER,
	msg_ref		INTEGER,
	error		TEXT
);
CREATE INDEX outbox_queue ON outbox (state, next_attempt_at);

-- The escalation log: append-only, the database refuses changes.
CREATE TABLE events (
	id		INTEGER PRIMARY KEY,
	ts		INTEGER NOT NULL,
	consult_id	INTEGER,
	type		TEXT NOT NULL,
	actor		TEXT NOT NULL,			-- a phone number, or 'jourd'
	detail		TEXT NOT NULL
);
CREATE INDEX events_consult ON events (consult_id, id);
CREATE INDEX events_ts ON events (ts);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;

-- Automatic replies to strangers and failed commands: at most one per period.
CREATE TABLE reply_limits (
	phone		TEXT PRIMARY KEY,
	last_reply_at	INTEGER NOT NULL,
	suppressed	INTEGER NOT NULL DEFAULT 0
);

-- The daemon's health for jourctl status: one row per key.
CREATE TABLE status (
	key		TEXT PRIMARY KEY,
	value		TEXT NOT NULL,
	updated_at	INTEGER NOT NULL
);
