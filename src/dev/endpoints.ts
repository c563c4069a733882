/**
 * Where the services of a running `dev` stack listen, kept in the data folder so that other
 * commands (`send`, `history`) find them without environment variables.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** The addresses of a running dev stack. */
export const Endpoints = z.object({
  temporalAddress: z.string(),
  databaseUrl: z.string(),
  pid: z.number().int(),
});
export type Endpoints = z.infer<typeof Endpoints>;

function endpointsFile(dataDir: string): string {
  return path.join(dataDir, 'endpoints.json');
}

/** Records the stack's addresses. */
export async function saveEndpoints(dataDir: string, endpoints: Endpoints): Promise<void> {
  await writeFile(endpointsFile(dataDir), `${JSON.stringify(endpoints, null, 2)}\n`);
}

/** The addresses of the dev stack, when one is running from this data folder. */
export async function loadEndpoints(dataDir: string): Promise<Endpoints | undefined> {
  let text: string;
  try {
    text = await readFile(endpointsFile(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = Endpoints.safeParse(JSON.parse(text));
  if (!parsed.success || !isAlive(parsed.data.pid)) return undefined;
  return parsed.data;
}

/** Forgets the stack's addresses (when it stops). */
export async function clearEndpoints(dataDir: string): Promise<void> {
  await rm(endpointsFile(dataDir), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
