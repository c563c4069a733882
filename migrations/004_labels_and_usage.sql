-- Sessions carry labels (string values by key, set at start and updatable) to list them by; every
-- model-spending write (a turn, a compaction) records its token usage, for per-turn and total usage.

ALTER TABLE sessions ADD COLUMN labels jsonb NOT NULL DEFAULT '{}'::jsonb;
CREATE INDEX sessions_labels ON sessions USING gin (labels jsonb_path_ops);
CREATE INDEX sessions_listing ON sessions (updated_at DESC, id DESC);

CREATE TABLE usage (
  session_id    text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  -- The seq of the last item the write added: unique per write, so a retried write records once.
  seq           integer NOT NULL CHECK (seq > 0),
  kind          text NOT NULL CHECK (kind IN ('turn', 'compaction')),
  turn          integer CHECK (turn > 0),
  message_id    text,
  agent         text NOT NULL,
  requests      integer NOT NULL CHECK (requests >= 0),
  input_tokens  integer NOT NULL CHECK (input_tokens >= 0),
  output_tokens integer NOT NULL CHECK (output_tokens >= 0),
  total_tokens  integer NOT NULL CHECK (total_tokens >= 0),
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (session_id, seq)
);
