/**
 * Runs once before the suite: obtains the Temporal CLI (a Go build on a fresh machine takes
 * minutes, longer than any one test may wait) so that every test file finds it cached.
 */
import { resolveTemporalCli } from '../../src/dev/temporal-cli';

export default async function globalSetup(): Promise<void> {
  const cli = await resolveTemporalCli(process.env.TEMPORAL_CLI_PATH, (line) => process.stderr.write(`${line}\n`));
  if (cli.type === 'existing-path') process.env.TEMPORAL_CLI_PATH = cli.path;
}
