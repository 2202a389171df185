-- 009_outcomes.sql — consults.outcome holds only an outcome code of the
-- configuration ([daemon] outcomes) or NULL. The codes are configurable, so
-- the daemon writes them here at every start and reload (store_outcomes):
-- configured = 1 for the codes of the running configuration, 0 for codes
-- stored before and since removed, which history keeps as they were.
CREATE TABLE outcomes (
	code		TEXT PRIMARY KEY NOT NULL
			    CHECK (length(code) BETWEEN 1 AND 15),
	configured	INTEGER NOT NULL DEFAULT 1 CHECK (configured IN (0, 1))
);

-- The codes already stored, so that the history stays valid.
INSERT OR IGNORE INTO outcomes (code, configured)
	SELECT DISTINCT outcome, 0 FROM consults WHERE outcome IS NOT NULL;

CREATE TRIGGER consults_outcome_insert BEFORE INSERT ON consults
WHEN NEW.outcome IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outcomes
    WHERE code = NEW.outcome AND configured = 1)
BEGIN
	SELECT RAISE(ABORT, 'consults.outcome: not a configured outcome code');
END;

-- A save that leaves a stored code as it was goes through, even when the
-- code is no longer configured.
CREATE TRIGGER consults_outcome_update BEFORE UPDATE OF outcome ON consults
WHEN NEW.outcome IS NOT NULL AND NEW.outcome IS NOT OLD.outcome AND
    NOT EXISTS (SELECT 1 FROM outcomes WHERE code = NEW.outcome AND
    configured = 1)
BEGIN
	SELECT RAISE(ABORT, 'consults.outcome: not a configured outcome code');
END;
