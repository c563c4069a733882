/** The `agent-sessions` command line: parses the command, runs it, turns failures into one line. */
import { ExitCode, exitCodeFor } from './exit-codes';
import { add, clear, compact, context, history, pop, remove, send, settings, status } from './client-commands';
import { decide, pending } from './approval-commands';
import { exportSession, fork, importSession, labels, list, reseal, usage } from './manage-commands';
import { memory } from './memory-commands';
import { codecServer, serve } from './serve-command';
import { dev, migrate, retention, worker } from './service-commands';
import { parseCommandLine } from './options';
import { startTracing } from '../telemetry/tracing';

const USAGE = `usage: npx agent-sessions <command> [options]

  send --session ID [--id ID] [--agent NAME] [--json] [--context JSON] [--settings JSON]
       [--user U] [--label K=V ...] [--image PATH|URL ...] [--file PATH|URL ...] TEXT
                                 send a message, print the reply (--id makes a retry safe;
                                 --agent: the agent that answers, and stays active; --user and
                                 --label apply when the message starts the session; --image:
                                 png, jpg, gif, webp; --file: pdf, txt, md, csv, json, html,
                                 docx, xlsx, pptx; up to 20 MB each)
  send --stream [--id ID --after OFFSET] ... TEXT
                                 print the reply as it is generated (tool calls, handoffs and
                                 offsets on stderr; --json: one event a line); --after resumes
  history --session ID [--limit N] [--json]
                                 print the items from the Postgres projection (no Temporal needed)
  context --session ID           print the session's context
  status --session ID            print the session's status: counters, window, settings, run
  add --session ID --json FILE   append items (a JSON array; - for stdin) without a turn
  pop --session ID               remove the latest item (a tool output takes its call) and print it
  clear --session ID             remove every item; the context and settings stay
  delete --session ID            end the session and remove its rows; the id is never reused
  compact --session ID           summarise the older turns of the model's window now
  settings --session ID [--settings JSON]
                                 print the settings, after changing those given
  pending --session ID [--json]  the tool calls that wait for a human's decision
  approve --session ID --call ID [--reason TEXT]
  reject --session ID --call ID [--reason TEXT]
                                 decide a waiting tool call; a rejection (and its reason) is the
                                 tool's output for the model; the turn resumes once all are decided
  list [--prefix P] [--user U] [--label K=V ...] [--since ISO] [--limit N] [--cursor C] [--json]
                                 list sessions from the projection, most recently changed first
  labels --session ID [--label K=V ...] [--remove K ...]
                                 set or remove labels; prints them all
  usage --session ID [--json]    tokens spent per turn, and the total
  export --session ID            print the session as a versioned JSON document
  import --session NEW FILE      create a new session from an exported document (- for stdin)
  fork --session ID --to NEW [--turn N]
                                 a new session with the items up to turn N, and the same context
  memory list|add|delete --user U [--key K] [--id N] [TEXT]
                                 a user's long-term memories (add TEXT; delete by --id or --key)
  serve [--port N] [--host H] [--max-message-bytes N] [--allow-origin URL ...]
                                 the HTTP API (JSON) on 127.0.0.1:8787; prints where it listens;
                                 AGENT_SESSIONS_API_TOKEN makes it require a bearer token; message
                                 bodies up to 32 MiB (--max-message-bytes or
                                 AGENT_SESSIONS_MAX_MESSAGE_BYTES), other bodies up to 1 MiB; pages
                                 of other origins are refused unless allowed (--allow-origin or
                                 AGENT_SESSIONS_ALLOWED_ORIGINS, comma-separated); /healthz,
                                 /readyz and /metrics need no token; on SIGTERM it drains requests
                                 for --shutdown-grace-seconds (20)
  codec-server [--port N] [--host H] [--origin URL]
                                 decodes encrypted payloads for the Temporal UI on 127.0.0.1:8888
                                 (--ui-codec-endpoint); AGENT_SESSIONS_CODEC_TOKEN requires a token
  retention --older-than-days N [--schedule]
                                 delete sessions idle for N days, now or daily (a Temporal Schedule)
  worker [--agents MODULE] [--metrics-port N] [--metrics-host H] [--shutdown-grace-seconds S]
                                 run a worker (TEMPORAL_ADDRESS, DATABASE_URL) serving the agents
                                 MODULE exports (.js, .mjs or .ts); the demo agent without it;
                                 --metrics-port: /metrics (with Temporal's), /healthz and /readyz
                                 on 127.0.0.1 (--metrics-host 0.0.0.0 in a container); on SIGTERM
                                 running calls get S seconds (20) to finish, then Temporal retries them
  dev [--agents MODULE] [--log-json]
                                 start whatever is not configured, plus a worker; its warnings
                                 and errors print as one line each (--log-json: JSON lines)
  demo [--log-json]              dev, after a short demo conversation
  migrate                        apply the SQL migrations to DATABASE_URL
  reseal                         rewrite the projection's rows under the current key (after a
                                 rotation, before removing the old key); prints rows per table

Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, AGENT_SESSIONS_TASK_QUEUE, DATABASE_URL,
OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL, AGENT_SESSIONS_DATA_DIR (default ./.data),
TEMPORAL_CLI_PATH, AGENT_SESSIONS_API_TOKEN, AGENT_SESSIONS_ENCRYPTION_KEYS (id:base64key,...; the
first encrypts every Temporal payload), AGENT_SESSIONS_ENCRYPT_PROJECTION (true: seal the projection's
content with those keys too; recorded in the database), AGENT_SESSIONS_ALLOW_PLAINTEXT (true: the
migration switch between a plaintext and an encrypted deployment), AGENT_SESSIONS_CODEC_TOKEN, AGENT_SESSIONS_MAX_MESSAGE_BYTES, AGENT_SESSIONS_ALLOWED_ORIGINS, AGENT_SESSIONS_METRICS_PORT, AGENT_SESSIONS_METRICS_HOST, AGENT_SESSIONS_SHUTDOWN_GRACE_SECONDS, AGENT_SESSIONS_LOG_LEVEL (worker and
serve log JSON lines to stderr; trace, debug, info (default), warn, error, fatal or silent; dev and
demo print warn and above as readable lines).`;

/** The service name a command's spans carry when OTEL_SERVICE_NAME gives none (other commands: `agent-sessions-cli`). */
const SERVICE_NAMES: Record<string, string> = { worker: 'agent-sessions-worker', serve: 'agent-sessions-serve', dev: 'agent-sessions-dev', demo: 'agent-sessions-dev' };

/** Runs the CLI; sets a non-zero exit code with a one-line reason on failure. */
export async function main(argv: string[]): Promise<void> {
  try {
    const { command, positionals, values } = parseCommandLine(argv);
    const input = { values, positionals };
    if (values.help || command === undefined || command === 'help') {
      console.log(USAGE);
      return;
    }
    const commands: Record<string, () => Promise<void>> = {
      send: () => send(input),
      history: () => history(input),
      context: () => context(input),
      status: () => status(input),
      add: () => add(input),
      pop: () => pop(input),
      clear: () => clear(input),
      delete: () => remove(input),
      compact: () => compact(input),
      settings: () => settings(input),
      list: () => list(input),
      labels: () => labels(input),
      usage: () => usage(input),
      memory: () => memory(input),
      export: () => exportSession(input),
      import: () => importSession(input),
      fork: () => fork(input),
      serve: () => serve(input),
      'codec-server': () => codecServer(input),
      pending: () => pending(input),
      approve: () => decide(input, true),
      reject: () => decide(input, false),
      retention: () => retention(input),
      worker: () => worker(input),
      dev: () => dev(input, { demo: false }),
      demo: () => dev(input, { demo: true }),
      migrate: () => migrate(),
      reseal: () => reseal(),
    };
    const run = commands[command];
    if (!run) {
      console.error(`error: unknown command "${command}"; see \`npx agent-sessions --help\``);
      process.exitCode = ExitCode.CallerMistake;
      return;
    }
    // OTEL_* variables turn tracing on; what is buffered is exported before the command returns.
    const tracing = startTracing({
      serviceName: SERVICE_NAMES[command] ?? 'agent-sessions-cli',
      onExportError: (reason) => console.error(`warning: tracing: spans could not be exported (${reason.split('\n')[0]}); check OTEL_EXPORTER_OTLP_ENDPOINT`),
    });
    try {
      await run();
    } finally {
      await tracing?.shutdown();
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message.split('\n')[0]}`);
    process.exitCode = exitCodeFor(error);
  }
}
