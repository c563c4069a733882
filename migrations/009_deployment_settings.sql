-- Whether this deployment encrypts, written by the worker at start from its configuration and read by
-- every client before its first operation: one row. `current_key_id` names the key new payloads are
-- sealed with (a key id, never key material); `seal_projection` says whether what Postgres stores of a
-- conversation (items, streamed events, memories, staged imports, content parts) is sealed, whoever
-- writes it.

CREATE TABLE deployment_settings (
  singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  encrypted       boolean NOT NULL,
  current_key_id  text CHECK (current_key_id ~ '^[A-Za-z0-9._-]{1,64}$'),
  seal_projection boolean NOT NULL DEFAULT false,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK (encrypted = (current_key_id IS NOT NULL)),
  CHECK (encrypted OR NOT seal_projection)
);
