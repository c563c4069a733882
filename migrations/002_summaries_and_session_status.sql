-- Compaction summaries are items too, marked as such; a session row says whether the session is
-- active or expired (a deleted session has no rows at all).

ALTER TABLE items ADD COLUMN summary boolean NOT NULL DEFAULT false;

ALTER TABLE sessions ADD COLUMN ended_at timestamptz;
ALTER TABLE sessions ADD CONSTRAINT sessions_status_known CHECK (status IN ('active', 'expired'));
