-- Large content of a session's items (an image or a file as a data URL, a generated image, a long
-- encrypted_content) is stored here once, keyed by the SHA-256 of the string, and the items (and
-- everything that passes through Temporal) carry "agent-sessions-content:sha256:<hex>" in its place.
-- `content` holds the string itself, or "<key id>:<base64>" with `sealed` when the projection is
-- encrypted; `chars` is the length of the string. Deleting a session deletes its parts; pop and
-- clear leave them (content-addressed, a part may be shared by several items).

CREATE TABLE content_parts (
  session_id text NOT NULL,
  sha256     text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content    text NOT NULL,
  sealed     boolean NOT NULL DEFAULT false,
  chars      integer NOT NULL CHECK (chars >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, sha256)
);
