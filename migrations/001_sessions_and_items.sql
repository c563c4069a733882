-- The projection of every conversation: one row a session, one row an item.
-- Written only by the worker's projection activity; read by the client, SQL and analytics.

CREATE TABLE sessions (
  id            text PRIMARY KEY,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  item_count    integer NOT NULL DEFAULT 0 CHECK (item_count >= 0),
  last_seq      integer NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
  status        text NOT NULL DEFAULT 'active',
  current_agent text NOT NULL
);

CREATE TABLE items (
  session_id text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  seq        integer NOT NULL CHECK (seq > 0),
  type       text NOT NULL,
  role       text,
  agent      text NOT NULL,
  item       jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (session_id, seq)
);

-- "The latest N items of a session" walks the primary key backwards: (session_id, seq DESC).
CREATE INDEX sessions_updated_at ON sessions (updated_at);
