import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../src/dev/temporal-server';

/**
 * Checks of the Docker setup: the compose file's services must be wired to each other and each have a
 * healthcheck, and the image must hold every file the commands read at run time. Where a Docker engine
 * answers (`docker info`), the image is also built and looked into; there is none on CI.
 */

const ROOT = join(__dirname, '..');

const POSTGRES = 'postgres';
const TEMPORAL = 'temporal';
const TEMPORAL_UI = 'temporal-ui';
const WORKER = 'worker';
const SERVE = 'serve';

/** The official postgres image listens on this port inside its container. */
const POSTGRES_CONTAINER_PORT = '5432';

/** The port `serve` listens on in its container (its default). */
const SERVE_PORT = '8787';

/** Environment variables the worker reads at startup. */
const WORKER_ENV = ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'AGENT_SESSIONS_TASK_QUEUE'] as const;

const composeDocument = parseDocument(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
const compose = asRecord(composeDocument.toJS(), 'docker-compose.yml');
const services = asRecord(compose.services, 'services');

/** Narrows a parsed YAML/JSON value to a mapping, naming `where` if it is not one. */
function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where} is not a mapping`);
  }
  return value as Record<string, unknown>;
}

/** Narrows a parsed value to a string, naming `where` if it is not one. */
function asString(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where} is not a string`);
  return value;
}

/** Narrows a parsed value to an array of strings, naming `where` if it is not one. */
function asStringArray(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new Error(`${where} is not a list`);
  return value.map((item, index) => asString(item, `${where}[${index}]`));
}

/** The definition of one compose service. */
function service(name: string): Record<string, unknown> {
  return asRecord(services[name], `services.${name}`);
}

/** A service's `environment` mapping, with YAML numbers and booleans read as compose reads them. */
function environment(name: string): Record<string, string> {
  const entries = Object.entries(asRecord(service(name).environment, `services.${name}.environment`));
  return Object.fromEntries(
    entries.map(([key, value]) => {
      if (typeof value === 'number' || typeof value === 'boolean') return [key, String(value)];
      return [key, asString(value, `services.${name}.environment.${key}`)];
    }),
  );
}

/** A service's `depends_on` mapping: dependency name to the condition it waits for. */
function dependsOn(name: string): Record<string, string> {
  const entries = Object.entries(asRecord(service(name).depends_on, `services.${name}.depends_on`));
  return Object.fromEntries(
    entries.map(([dependency, spec]) => {
      const where = `services.${name}.depends_on.${dependency}`;
      return [dependency, asString(asRecord(spec, where).condition, `${where}.condition`)];
    }),
  );
}

/** The container side of each `ports` entry of a service ("7233:7233" gives "7233"). */
function containerPorts(name: string): string[] {
  return asStringArray(service(name).ports, `services.${name}.ports`).map((spec) => spec.split(':').at(-1)?.split('/')[0] ?? spec);
}

/** The tag of an image reference, or undefined when it has none ("postgres:17" gives "17"). */
function imageTag(image: string): string | undefined {
  const lastPart = image.split('/').at(-1) ?? image;
  const colon = lastPart.indexOf(':');
  return colon === -1 ? undefined : lastPart.slice(colon + 1);
}

/** Parses a "host:port" address such as a TEMPORAL_ADDRESS. */
function parseAddress(address: string): { host: string; port: string } {
  const url = new URL(`grpc://${address}`);
  return { host: url.hostname, port: url.port };
}

/** The exec-form arguments of the last CMD instruction in the Dockerfile. */
function dockerfileCmd(): string[] {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const cmd = [...dockerfile.matchAll(/^CMD\s+(\[.*\])\s*$/gm)].at(-1);
  if (!cmd) throw new Error('Dockerfile has no exec-form CMD');
  return asStringArray(JSON.parse(cmd[1]), 'Dockerfile CMD');
}

describe('docker-compose.yml', () => {
  it('is valid YAML that defines exactly the postgres, temporal, temporal-ui, worker and serve services', () => {
    expect(composeDocument.errors).toEqual([]);
    expect(Object.keys(services).sort()).toEqual([POSTGRES, TEMPORAL, TEMPORAL_UI, WORKER, SERVE].sort());
  });

  it('pins every pulled image to a tag other than latest, and builds the worker and serve instead of pulling them', () => {
    for (const name of [WORKER, SERVE]) {
      expect(service(name).build).toBe('.');
      expect(service(name).image).toBeUndefined();
    }
    for (const name of Object.keys(services).filter((name) => service(name).build === undefined)) {
      const tag = imageTag(asString(service(name).image, `services.${name}.image`));
      expect({ service: name, tag }).toEqual({ service: name, tag: expect.stringMatching(/^(?!latest$).+/) });
    }
  });

  it("gives the temporal service the dev server's dynamic config, from a file it mounts", () => {
    const mounted = asStringArray(service(TEMPORAL).volumes, 'services.temporal.volumes').map((volume) => volume.split(':'));
    const target = `/etc/temporal/${environment(TEMPORAL).DYNAMIC_CONFIG_FILE_PATH}`;
    const mount = mounted.find(([, inContainer]) => inContainer === target);
    expect(mount).toBeDefined();
    const file = asRecord(parseDocument(readFileSync(join(ROOT, mount?.[0] ?? ''), 'utf8')).toJS(), 'dynamic config');
    const values = Object.fromEntries(Object.entries(file).map(([key, entries]) => [key, (entries as Array<{ value: unknown }>)[0].value]));
    expect(values).toEqual(DEV_SERVER_DYNAMIC_CONFIG);
  });

  it("points the worker at the temporal service's name and the port temporal listens on in its container", () => {
    const address = parseAddress(environment(WORKER).TEMPORAL_ADDRESS);
    expect(address.host).toBe(TEMPORAL);
    expect(containerPorts(TEMPORAL)).toContain(address.port);
  });

  it('connects the worker to the database the postgres service creates, with its user and password', () => {
    const url = new URL(environment(WORKER).DATABASE_URL);
    const postgres = environment(POSTGRES);
    expect(url.hostname).toBe(POSTGRES);
    expect(url.port).toBe(POSTGRES_CONTAINER_PORT);
    expect(url.pathname.slice(1)).toBe(postgres.POSTGRES_DB);
    expect(decodeURIComponent(url.username)).toBe(postgres.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(postgres.POSTGRES_PASSWORD);
  });

  it('points temporal at the postgres service with the same credentials', () => {
    const temporal = environment(TEMPORAL);
    const postgres = environment(POSTGRES);
    expect(temporal.DB).toBe('postgres12');
    expect(temporal.POSTGRES_SEEDS).toBe(POSTGRES);
    expect(temporal.DB_PORT).toBe(POSTGRES_CONTAINER_PORT);
    expect(temporal.POSTGRES_USER).toBe(postgres.POSTGRES_USER);
    expect(temporal.POSTGRES_PWD).toBe(postgres.POSTGRES_PASSWORD);
  });

  it('points the UI at the temporal service', () => {
    const address = parseAddress(environment(TEMPORAL_UI).TEMPORAL_ADDRESS);
    expect(address.host).toBe(TEMPORAL);
    expect(containerPorts(TEMPORAL)).toContain(address.port);
  });

  it('starts the worker only after postgres and temporal are healthy, and serve after the worker too', () => {
    expect(dependsOn(WORKER)).toEqual({
      [POSTGRES]: 'service_healthy',
      [TEMPORAL]: 'service_healthy',
    });
    expect(dependsOn(SERVE)).toEqual({
      [POSTGRES]: 'service_healthy',
      [TEMPORAL]: 'service_healthy',
      [WORKER]: 'service_healthy',
    });
  });

  it('gives every service a healthcheck command', () => {
    for (const name of Object.keys(services)) {
      const healthcheck = asRecord(service(name).healthcheck, `services.${name}.healthcheck`);
      const test = asStringArray(healthcheck.test, `services.${name}.healthcheck.test`);
      expect({ service: name, kind: test[0], command: test.length > 1 }).toEqual({ service: name, kind: expect.stringMatching(/^CMD(-SHELL)?$/), command: true });
    }
  });

  it("checks each service by what it serves: pg_isready, the Temporal namespace, the UI health route, the worker's readiness, the HTTP API", () => {
    const check = (name: string) => asStringArray(asRecord(service(name).healthcheck, name).test, name).join(' ');
    expect(check(POSTGRES)).toContain('pg_isready');
    expect(check(TEMPORAL)).toMatch(/^CMD temporal operator (namespace describe --namespace default|cluster health) --address temporal:7233$/);
    expect(check(TEMPORAL_UI)).toContain('http://127.0.0.1:8080/healthz');
    expect(check(WORKER)).toContain(`http://127.0.0.1:${environment(WORKER).AGENT_SESSIONS_METRICS_PORT}/readyz`);
    expect(check(SERVE)).toContain(`http://127.0.0.1:${SERVE_PORT}/v1/sessions?limit=1`);
    expect(check(SERVE)).toContain('process.env.AGENT_SESSIONS_API_TOKEN');
  });

  it("runs serve from the image on all of its container's addresses, published on the host's loopback", () => {
    const command = asStringArray(service(SERVE).command, `services.${SERVE}.command`);
    expect(command.slice(0, 3)).toEqual(['node', 'bin/agent-sessions.js', 'serve']);
    expect(command[command.indexOf('--host') + 1]).toBe('0.0.0.0');
    expect(command[command.indexOf('--port') + 1]).toBe(SERVE_PORT);
    expect(asStringArray(service(SERVE).ports, `services.${SERVE}.ports`)).toEqual([`127.0.0.1:${SERVE_PORT}:${SERVE_PORT}`]);
  });

  it("gives serve the worker's Temporal, database, task queue and keys, and the API token from the user's environment", () => {
    const serve = environment(SERVE);
    const worker = environment(WORKER);
    for (const key of [
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'DATABASE_URL',
      'AGENT_SESSIONS_TASK_QUEUE',
      'AGENT_SESSIONS_ENCRYPTION_KEYS',
      'AGENT_SESSIONS_ENCRYPT_PROJECTION',
    ]) {
      expect({ key, value: serve[key] }).toEqual({ key, value: worker[key] });
    }
    expect(serve.AGENT_SESSIONS_API_TOKEN).toMatch(/^\$\{AGENT_SESSIONS_API_TOKEN(:-[^}]*)?\}$/);
  });

  it('gives every service that another waits on as healthy a healthcheck', () => {
    const awaitedAsHealthy = Object.keys(services)
      .filter((name) => service(name).depends_on !== undefined)
      .flatMap((name) => Object.entries(dependsOn(name)))
      .filter(([, condition]) => condition === 'service_healthy')
      .map(([dependency]) => dependency);
    expect(awaitedAsHealthy).toContain(POSTGRES);
    for (const name of awaitedAsHealthy) {
      expect({ service: name, healthcheck: service(name).healthcheck }).toEqual({
        service: name,
        healthcheck: expect.objectContaining({ test: expect.anything() }),
      });
    }
  });

  it('sets every environment variable the worker reads', () => {
    const worker = environment(WORKER);
    for (const key of WORKER_ENV) {
      expect({ key, value: worker[key] }).toEqual({ key, value: expect.stringMatching(/.+/) });
    }
  });

  it("passes the OpenAI settings through from the user's environment", () => {
    const worker = environment(WORKER);
    expect(worker.OPENAI_API_KEY).toMatch(/^\$\{OPENAI_API_KEY(:-[^}]*)?\}$/);
    expect(worker.OPENAI_BASE_URL).toMatch(/^\$\{OPENAI_BASE_URL(:-[^}]*)?\}$/);
  });

  it('keeps postgres data in a named volume that the file declares', () => {
    const mounts = asStringArray(service(POSTGRES).volumes, `services.${POSTGRES}.volumes`);
    const dataMount = mounts.find((mount) => mount.split(':')[1] === '/var/lib/postgresql/data');
    const volumeName = dataMount?.split(':')[0];
    expect(volumeName).toMatch(/^[a-z0-9][a-z0-9_.-]*$/);
    expect(Object.keys(asRecord(compose.volumes, 'volumes'))).toContain(volumeName);
  });
});

/** One stage of the Dockerfile: its base image and what its COPY lines put where. */
interface Stage {
  from: string;
  copies: Array<{ from?: string; sources: string[]; destination: string }>;
}

/** The Dockerfile's stages in order (line continuations are not used in it). */
function dockerfileStages(): Stage[] {
  const stages: Stage[] = [];
  for (const line of readFileSync(join(ROOT, 'Dockerfile'), 'utf8').split('\n')) {
    const words = line.trim().split(/\s+/);
    if (/^FROM$/i.test(words[0])) stages.push({ from: words[1], copies: [] });
    if (/^COPY$/i.test(words[0])) {
      const flags = words.slice(1).filter((word) => word.startsWith('--'));
      const paths = words.slice(1).filter((word) => !word.startsWith('--'));
      const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
      stages.at(-1)?.copies.push({ from, sources: paths.slice(0, -1), destination: paths.at(-1) ?? '' });
    }
  }
  return stages;
}

/** The top-level entries of the working directory (/app) the run stage's COPY lines create. */
function copiedIntoRunStage(): string[] {
  const names = dockerfileStages()
    .at(-1)
    ?.copies.flatMap(({ sources, destination }) => {
      const into = destination.replace(/^\.\//, '').replace(/^\/app\/?/, '');
      if (into === '' || into === '.' || into.endsWith('/')) return sources.map((source) => source.split('/').filter(Boolean).at(-1) ?? source);
      return [into.split('/')[0]];
    });
  return [...new Set(names ?? [])].sort();
}

/** Every .ts file under a folder. */
function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const file = join(folder, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return file.endsWith('.ts') ? [file] : [];
  });
}

/**
 * The top-level entries of the package the running code reads by a path of its own: every
 * `path.resolve/join(__dirname, '..', 'x')` and `require.resolve('./x')` in src (as compiled to dist/,
 * which mirrors src/), and what bin/ requires.
 */
function readAtRunTime(): string[] {
  const found = new Set<string>();
  const src = join(ROOT, 'src');
  for (const file of sourceFiles(src)) {
    const compiledDir = join(ROOT, 'dist', relative(src, join(file, '..')));
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:resolve|join)\(\s*__dirname((?:\s*,\s*'[^']*')+)\s*\)/g)) {
      const segments = [...match[1].matchAll(/'([^']*)'/g)].map((segment) => segment[1]);
      found.add(relative(ROOT, join(compiledDir, ...segments)).split(/[\\/]/)[0]);
    }
    for (const match of text.matchAll(/require\.resolve\('(\.{1,2}\/[^']*)'\)/g)) {
      found.add(relative(ROOT, join(compiledDir, match[1])).split(/[\\/]/)[0]);
    }
  }
  for (const name of readdirSync(join(ROOT, 'bin'))) {
    for (const match of readFileSync(join(ROOT, 'bin', name), 'utf8').matchAll(/require\('(\.{1,2}\/[^']*)'\)/g)) {
      found.add(relative(ROOT, join(ROOT, 'bin', match[1])).split(/[\\/]/)[0]);
    }
  }
  return [...found].sort();
}

/** Whether a Docker engine answers here (CI has the client but no engine). */
const dockerEngine = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

describe('Dockerfile', () => {
  it('builds and runs on Node 24, the active LTS', () => {
    const stages = dockerfileStages();
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) expect(stage.from).toMatch(/^node:24-/);
  });

  it('copies into the run stage the files the running commands read: package.json, bin, dist, migrations and web', () => {
    const copied = copiedIntoRunStage();
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'bin', 'dist', 'migrations', 'web']));
    const cmd = dockerfileCmd();
    expect(copied).toContain(cmd[1].split('/')[0]);
    expect(existsSync(join(ROOT, cmd[1]))).toBe(true);
  });

  it('copies every folder the code reads at run time relative to the package root', () => {
    const read = readAtRunTime();
    // The scan finds what is known to be read (the chat page, the migrations, the compiled code), so a
    // new path.resolve(__dirname, ...) to a folder left out of the image fails here.
    expect(read).toEqual(expect.arrayContaining(['dist', 'migrations', 'web']));
    expect(copiedIntoRunStage()).toEqual(expect.arrayContaining(read));
  });

  it('copies everything the published package holds (package.json "files"), but the README', () => {
    const packageJson = asRecord(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')), 'package.json');
    const shipped = asStringArray(packageJson.files, 'files').filter((entry) => !entry.startsWith('!') && entry !== 'README.md');
    expect(copiedIntoRunStage()).toEqual(expect.arrayContaining(shipped.map((entry) => entry.split('/')[0])));
  });

  (dockerEngine ? it : it.skip)(
    'builds an image that holds the chat page, the migrations and the compiled workflows, and runs the CLI',
    () => {
      const tag = 'agent-sessions-test:latest';
      const build = spawnSync('docker', ['build', '-t', tag, ROOT], { encoding: 'utf8', timeout: 900_000 });
      expect({ status: build.status, stderr: build.status === 0 ? '' : build.stderr }).toEqual({ status: 0, stderr: '' });
      const listed = spawnSync('docker', ['run', '--rm', tag, 'ls', 'web', 'migrations', 'dist/workflows', 'dist/server'], { encoding: 'utf8' });
      expect(listed.status).toBe(0);
      expect(listed.stdout).toEqual(expect.stringContaining('index.html'));
      expect(listed.stdout).toEqual(expect.stringContaining('001_sessions_and_items.sql'));
      expect(listed.stdout).toEqual(expect.stringContaining('chat-page.js'));
      const help = spawnSync('docker', ['run', '--rm', tag, 'node', 'bin/agent-sessions.js', '--help'], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('usage: npx agent-sessions');
    },
    900_000,
  );

  beforeAll(() => {
    if (!dockerEngine) console.warn('Dockerfile: the image build test is skipped: `docker info` found no Docker engine on this machine');
  });

  it('runs the same worker command as the compose worker service and the npm worker script', () => {
    const packageJson = asRecord(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')), 'package.json');
    const workerScript = asString(asRecord(packageJson.scripts, 'scripts').worker, 'scripts.worker');
    const cmd = dockerfileCmd();
    expect(cmd).toEqual(workerScript.split(/\s+/));
    expect(cmd).toEqual(asStringArray(service(WORKER).command, `services.${WORKER}.command`));
  });
});
