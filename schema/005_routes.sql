-- 005_routes.sql — several routes (DESIGN §10).
-- inbox.route: the route an SMS came in on; its answers go back through it
-- while that route is healthy.
-- outbox.prefer: the route a message should take while it is healthy (an
-- answer's arrival route), NULL for any.
-- outbox.avoid: the route whose attempt last failed; another healthy route
-- takes the message first.
ALTER TABLE inbox ADD COLUMN route TEXT;
ALTER TABLE outbox ADD COLUMN prefer TEXT;
ALTER TABLE outbox ADD COLUMN avoid TEXT;
UPDATE inbox SET route = 'main';
