// src/offline-model: the OpenAI-compatible test double over HTTP (whole or streamed); may import shared only.
