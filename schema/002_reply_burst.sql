-- 002_reply_burst.sql — automatic answers are counted per window, so a
-- clinician's second mistake still gets an answer while a sender that keeps
-- sending what jourd cannot use (an auto-responder) is answered a few times
-- per period at most.
ALTER TABLE reply_limits ADD COLUMN window_start INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reply_limits ADD COLUMN answers INTEGER NOT NULL DEFAULT 0;
