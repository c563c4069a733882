-- A memory's text may be stored sealed (AGENT_SESSIONS_ENCRYPT_PROJECTION): then `text` holds
-- "<key id>:<base64>" and `text_sealed` says so. Items, streamed events and staged imports mark a
-- sealed value inside their jsonb instead ({"$sealed": "<key id>:<base64>"}).

ALTER TABLE memories ADD COLUMN text_sealed boolean NOT NULL DEFAULT false;
