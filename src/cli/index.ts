// src/cli: the agent-sessions command (main.ts, one file per group of commands) and the demo; the top room: may import any folder but testing, nothing imports it.
