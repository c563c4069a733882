-- Streamed turns: what the activities of a message's turn produce while it runs (text deltas, tool
-- calls, tool outputs, handoffs), stored by offset so a reader that reconnects gets the rest, and
-- announced on the channel agent_sessions_stream (payload: the session id).
--
-- Exactly once: each activity attempt of a turn writes as (step, attempt), where step is the seq its
-- first item will take. A stream's head records the newest (step, attempt) that wrote; an older one
-- (an attempt Temporal has already retried) is fenced out, and the first write of a newer attempt of
-- the same step is preceded by a `discard` event that voids what the older attempts of that step wrote.

CREATE TABLE stream_heads (
  session_id  text NOT NULL,
  message_id  text NOT NULL,
  step        integer NOT NULL,
  attempt     integer NOT NULL,
  next_offset bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, message_id)
);

CREATE TABLE stream_events (
  session_id text NOT NULL,
  message_id text NOT NULL,
  "offset"   bigint NOT NULL,
  event      jsonb NOT NULL,
  PRIMARY KEY (session_id, message_id, "offset")
);

-- Appends events as (step, attempt) in one round trip; returns the offset of the last event written
-- (0 when there was nothing to write), or NULL when a newer attempt has taken the stream over.
-- The first write of a message's stream drops the session's streams idle for over an hour.
CREATE FUNCTION append_stream_events(p_session text, p_message text, p_step integer, p_attempt integer, p_events jsonb)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  head   stream_heads%ROWTYPE;
  events jsonb := p_events;
BEGIN
  SELECT * INTO head FROM stream_heads WHERE session_id = p_session AND message_id = p_message FOR UPDATE;
  IF NOT FOUND THEN
    DELETE FROM stream_events e USING stream_heads h
     WHERE h.session_id = p_session AND h.updated_at < now() - interval '1 hour'
       AND e.session_id = h.session_id AND e.message_id = h.message_id;
    DELETE FROM stream_heads WHERE session_id = p_session AND updated_at < now() - interval '1 hour';
    INSERT INTO stream_heads (session_id, message_id, step, attempt, next_offset)
    VALUES (p_session, p_message, p_step, p_attempt, 1)
    ON CONFLICT (session_id, message_id) DO NOTHING;
    SELECT * INTO head FROM stream_heads WHERE session_id = p_session AND message_id = p_message FOR UPDATE;
  END IF;
  IF (head.step, head.attempt) > (p_step, p_attempt) THEN
    RETURN NULL;
  END IF;
  IF head.step = p_step AND head.attempt < p_attempt THEN
    events := jsonb_build_array(jsonb_build_object('type', 'discard', 'step', p_step)) || events;
  END IF;
  UPDATE stream_heads
     SET step = p_step, attempt = p_attempt, next_offset = head.next_offset + jsonb_array_length(events), updated_at = now()
   WHERE session_id = p_session AND message_id = p_message;
  IF jsonb_array_length(events) = 0 THEN
    RETURN head.next_offset - 1;
  END IF;
  INSERT INTO stream_events (session_id, message_id, "offset", event)
  SELECT p_session, p_message, head.next_offset + e.ordinality - 1, e.value
    FROM jsonb_array_elements(events) WITH ORDINALITY AS e;
  PERFORM pg_notify('agent_sessions_stream', p_session);
  RETURN head.next_offset + jsonb_array_length(events) - 1;
END $$;
