/** The JSON bodies and query strings the HTTP API accepts, one zod schema each. */
import { z } from 'zod';
import { SessionFilter } from '../shared/listing';
import { AgentName, JsonObject, LabelsPatch, OperationId } from '../shared/schemas';

/**
 * `POST /v1/sessions/{id}/messages`: a message, and how the session starts if this message starts it.
 * `input` is the content parts of one user message (`input_text`, `input_image`, `input_file`) or whole
 * Responses items; the client library checks them (types, data URLs, sizes) and says what is wrong.
 */
export const MessageBody = z
  .object({
    id: OperationId.optional(),
    text: z.string().optional(),
    input: z.array(z.looseObject({ type: z.string().optional() })).optional(),
    agent: AgentName.optional(),
    /** `{ context, agent, settings, userId, labels }`, checked by the client like its own start options. */
    start: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type MessageBody = z.infer<typeof MessageBody>;

/** The Last-Event-ID header of a resumed message stream: the offset of the last event seen (0 when absent). */
export const LastEventId = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,14})$/, 'Last-Event-ID must be the id (offset) of an event of this stream')
  .transform(Number);

/** `PATCH /v1/sessions/{id}/context`. */
export const ContextBody = z.object({ patch: JsonObject, id: OperationId.optional() }).strict();

/** `PATCH /v1/sessions/{id}/labels`. */
export const LabelsBody = LabelsPatch;

/** `POST /v1/sessions/{id}/approvals/{callId}`. */
export const DecisionBody = z.object({ approved: z.boolean(), reason: z.string().optional(), id: OperationId.optional() }).strict();

/** A body that carries nothing but an optional operation id (pop, clear, delete). */
export const OperationBody = z.object({ id: OperationId.optional() }).strict();

/** `GET /v1/sessions/{id}/items?limit=N`. */
export const ItemsQuery = z.object({ limit: z.coerce.number().int().positive('limit must be a positive integer').optional() }).strict();

/** `GET /v1/sessions?prefix=&user=&label=k:v&since=&limit=&cursor=`. */
export const ListQuery = z
  .object({
    prefix: z.string().optional(),
    user: z.string().optional(),
    label: z.array(z.string()).optional(),
    since: z.string().optional(),
    limit: z.coerce.number().int().optional(),
    cursor: z.string().optional(),
  })
  .strict()
  .transform((query, ctx): SessionFilter => {
    const labels: Record<string, string> = {};
    for (const pair of query.label ?? []) {
      const at = pair.indexOf(':');
      if (at <= 0) {
        ctx.addIssue({ code: 'custom', path: ['label'], message: `label must be key:value (got ${JSON.stringify(pair)})` });
        return z.NEVER;
      }
      labels[pair.slice(0, at)] = pair.slice(at + 1);
    }
    return {
      ...(query.prefix !== undefined ? { prefix: query.prefix } : {}),
      ...(query.user !== undefined ? { userId: query.user } : {}),
      ...(query.label ? { labels } : {}),
      ...(query.since !== undefined ? { updatedSince: query.since } : {}),
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    };
  });
