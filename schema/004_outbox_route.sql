-- 004_outbox_route.sql — every outbox row records the route that carried
-- it (DESIGN §10): the modem section [modem] is the route "main". NULL while
-- a row waits for its first attempt. Rows sent before there were routes went
-- through the one modem there was.
ALTER TABLE outbox ADD COLUMN route TEXT;
UPDATE outbox SET route = 'main' WHERE state <> 'queued';
