-- Sessions may belong to a user; each user has long-term memories that every session of theirs
-- can read. A memory with a key is unique per user and key (remembering again replaces it).

ALTER TABLE sessions ADD COLUMN user_id text;
CREATE INDEX sessions_user_id ON sessions (user_id, updated_at) WHERE user_id IS NOT NULL;

CREATE TABLE memories (
  id             bigserial PRIMARY KEY,
  user_id        text NOT NULL,
  key            text,
  text           text NOT NULL,
  source_session text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX memories_user_key ON memories (user_id, key) WHERE key IS NOT NULL;
CREATE INDEX memories_user_updated ON memories (user_id, updated_at DESC, id DESC);
