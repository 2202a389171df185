-- 008_removed.sql — people and units taken out of the directory (DESIGN §12).
-- A removed row stays, so that consults, the escalation log and the reports
-- keep the names they had; removed_at (milliseconds, UTC) takes it out of
-- routing, KONTAKT and the listings. An import of the same phone or code
-- sets it back to NULL.
ALTER TABLE people ADD COLUMN removed_at INTEGER;
ALTER TABLE units ADD COLUMN removed_at INTEGER;
