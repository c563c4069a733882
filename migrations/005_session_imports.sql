-- A session document waiting to be imported (export/import, fork): the client stages it here, the
-- session's workflow moves it into sessions, items and usage in one statement and deletes it.

CREATE TABLE session_imports (
  id         text PRIMARY KEY,
  session_id text NOT NULL,
  document   jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
