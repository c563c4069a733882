import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../src/dev/temporal-server';

/**
 * Static checks of the Docker setup (there is no Docker engine in CI): the compose file's
 * services must be wired to each other, and the worker image must run the worker.
 */

const ROOT = join(__dirname, '..');

const POSTGRES = 'postgres';
const TEMPORAL = 'temporal';
const TEMPORAL_UI = 'temporal-ui';
const WORKER = 'worker';

/** The official postgres image listens on this port inside its container. */
const POSTGRES_CONTAINER_PORT = '5432';

/** Environment variables the worker reads at startup. */
const WORKER_ENV = [
  'TEMPORAL_ADDRESS',
  'DATABASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'AGENT_SESSIONS_TASK_QUEUE',
] as const;

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
  return asStringArray(service(name).ports, `services.${name}.ports`).map(
    (spec) => spec.split(':').at(-1)?.split('/')[0] ?? spec,
  );
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
  it('is valid YAML that defines exactly the postgres, temporal, temporal-ui and worker services', () => {
    expect(composeDocument.errors).toEqual([]);
    expect(Object.keys(services).sort()).toEqual([POSTGRES, TEMPORAL, TEMPORAL_UI, WORKER].sort());
  });

  it('pins every pulled image to a tag other than latest, and builds the worker instead of pulling it', () => {
    expect(service(WORKER).build).toBe('.');
    expect(service(WORKER).image).toBeUndefined();
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

  it('starts the worker only after postgres is healthy and temporal has started', () => {
    expect(dependsOn(WORKER)).toEqual({
      [POSTGRES]: 'service_healthy',
      [TEMPORAL]: 'service_started',
    });
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

describe('Dockerfile', () => {
  it('runs the same worker command as the compose worker service and the npm worker script', () => {
    const packageJson = asRecord(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')), 'package.json');
    const workerScript = asString(asRecord(packageJson.scripts, 'scripts').worker, 'scripts.worker');
    const cmd = dockerfileCmd();
    expect(cmd).toEqual(workerScript.split(/\s+/));
    expect(cmd).toEqual(asStringArray(service(WORKER).command, `services.${WORKER}.command`));
  });
});
