-- 003_echo_and_limit.sql — what an inbound SMS is checked against before
-- it may start anything: jourd's own recent texts to that number (an echo
-- from an auto-responder is not a request) and the consults its sender
-- started in the last hour (request_limit).
CREATE INDEX outbox_to ON outbox (to_phone, created_at);
CREATE INDEX consults_requester ON consults (requester, created_at);
