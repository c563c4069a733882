// src/logging: the pino logger (JSON lines on stderr) for the worker, serve and the CLI, never the workflow; may import shared only.
