/**
 * Finds a Temporal CLI binary to run the dev server: TEMPORAL_CLI_PATH, then the cached build, then
 * a fresh build with Go (pure Go, from the module proxy); without Go, the SDK's own download.
 */
import { execFile } from 'node:child_process';
import { access, constants, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The CLI version built when none is cached. */
export const TEMPORAL_CLI_VERSION = '1.5.1';

/** Where a built CLI is kept between runs (outside the work tree, so clones and CI reuse it). */
export function cachedCliPath(): string {
  const cacheRoot = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'agent-sessions', `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

/** How the dev server's binary is obtained: a path on disk, or the SDK's download. */
export type TemporalCli = { type: 'existing-path'; path: string } | { type: 'cached-download' };

/** Resolves the CLI, building it with Go when needed; `log` hears about slow steps. */
export async function resolveTemporalCli(explicitPath: string | undefined, log: (line: string) => void): Promise<TemporalCli> {
  if (explicitPath) {
    if (!(await isExecutable(explicitPath))) throw new Error(`TEMPORAL_CLI_PATH=${explicitPath} is not an executable file`);
    return { type: 'existing-path', path: explicitPath };
  }
  const cached = cachedCliPath();
  if (await isExecutable(cached)) return { type: 'existing-path', path: cached };
  if (!(await hasGo())) {
    log('Go is not installed: the Temporal SDK will download the Temporal CLI (needs internet).');
    return { type: 'cached-download' };
  }
  log(`Building the Temporal CLI v${TEMPORAL_CLI_VERSION} with Go into ${cached} (first run only; a few minutes)...`);
  await buildWithGo(cached);
  return { type: 'existing-path', path: cached };
}

async function buildWithGo(target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const gobin = await mkdtemp(path.join(path.dirname(target), 'build-'));
  try {
    await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(path.join(gobin, 'temporal'), target);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
}

async function hasGo(): Promise<boolean> {
  try {
    await run('go', ['version']);
    return true;
  } catch {
    return false;
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
