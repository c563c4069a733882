// src/server: serve's HTTP API (routes, bodies, error statuses, server-sent events, the chat page's files); may import client, codec, logging, shared.
