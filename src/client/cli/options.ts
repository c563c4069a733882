/** The CLI's options, parsed and checked with one schema per command. */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeIssues } from '../../shared/schemas';
import { InvalidInputError } from '../errors';
import { SessionId } from '../sessions-client';

/** Every option any command accepts; each command's schema says which it needs. */
const OPTION_SPEC = {
  session: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean', default: false },
  context: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The --session option, required by the client commands. */
const SessionOption = z.string({ error: 'ID is required' }).pipe(SessionId);

/** Options of `send`: a session, the message text, and optionally a start context as JSON. */
export const SendOptions = z.object({
  session: SessionOption,
  text: z.string().min(1, 'give the message text after the options'),
  json: z.boolean(),
  context: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      try {
        return z.record(z.string(), z.unknown()).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: '--context must be a JSON object' });
        return z.NEVER;
      }
    }),
});
export type SendOptions = z.infer<typeof SendOptions>;

/** Options of `history` (and `context`, `status`). */
export const HistoryOptions = z.object({
  session: SessionOption,
  limit: z.coerce.number().int().positive('--limit must be a positive integer').optional(),
  json: z.boolean(),
});
export type HistoryOptions = z.infer<typeof HistoryOptions>;

/** The parsed command line: the command, its positionals and raw options. */
export function parseCommandLine(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTION_SPEC, allowPositionals: true, strict: true });
    const [command, ...rest] = positionals;
    return { command, positionals: rest, values };
  } catch (error) {
    throw new InvalidInputError(`${(error as Error).message}; see \`npx agent-sessions --help\``);
  }
}

/** Checks raw options against a command's schema; a failure names what is wrong. */
export function checkOptions<Schema extends z.ZodType>(schema: Schema, raw: unknown): z.infer<Schema> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidInputError(describeIssues(parsed.error).replace(/^(session|limit|context): /, '--$1: '));
  }
  return parsed.data;
}
