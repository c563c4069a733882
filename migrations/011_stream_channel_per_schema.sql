-- The tables live in a schema of their own (agent_sessions by default, AGENT_SESSIONS_DB_SCHEMA), and
-- several deployments may share a database in different schemas: streamed turns are announced on the
-- channel agent_sessions_stream:<schema>, so one deployment's readers never wake for another's writes.
-- The function keeps the search_path it is created with (its own schema), so it reads its own tables
-- and notifies its own channel whoever calls it.

CREATE OR REPLACE FUNCTION append_stream_events(p_session text, p_message text, p_step integer, p_attempt integer, p_events jsonb)
RETURNS bigint LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
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
  PERFORM pg_notify('agent_sessions_stream:' || current_schema(), p_session);
  RETURN head.next_offset + jsonb_array_length(events) - 1;
END $$;
