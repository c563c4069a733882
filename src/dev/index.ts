// src/dev: a developer's local stack (Temporal CLI and dev server, embedded PGlite, model endpoint, saved endpoints) and the demo agent; may import src/config, agents, codec, offline-model, worker.
