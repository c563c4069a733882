-- A deleted session leaves only this: its id and when it was deleted. The client reads it before any
-- operation that could start a workflow, so the id never starts a session again, even after Temporal
-- has forgotten the deleted executions (they are deleted from Temporal once closed). An expired
-- session has no tombstone (it is not deleted: its rows stay, marked expired).

CREATE TABLE session_tombstones (
  id         text PRIMARY KEY,
  deleted_at timestamptz NOT NULL DEFAULT now()
);
